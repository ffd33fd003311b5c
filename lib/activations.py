"""Activation functions, their analytic derivatives, and the plots the posts draw.

Every function takes an array of inputs and returns an array of the same shape
(``float64``), so a whole grid is evaluated in one call. The registry
``ACTIVATIONS`` maps a post's slug (``"relu"``, ``"gelu"``, ...) to an
:class:`Activation`, which is all :func:`plot_activation` and :func:`plot_all`
need to draw a figure.

Plots use matplotlib's current colour cycle and rcParams, never fixed colours,
so a site-wide style sheet decides how they look.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "FloatArray",
    "elu",
    "elu_derivative",
    "gelu",
    "gelu_derivative",
    "gelu_tanh",
    "layer_norm",
    "layer_norm_coordinate",
    "layer_norm_coordinate_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "plot_activation",
    "plot_all",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax2",
    "softmax2_derivative",
    "softmax_jacobian",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]

FloatArray = npt.NDArray[np.float64]
ArrayFunction = Callable[[npt.ArrayLike], FloatArray]

FIGSIZE = (6.0, 3.5)  # inches, for every figure the posts draw
SAMPLES = 801  # points per curve; odd, so a symmetric range contains 0

LEAKY_SLOPE = 0.1  # plotted slope of Leaky ReLU; 0.01 is common but invisible on a plot
PRELU_SLOPE = 0.25  # the initial slope He et al. (2015) gave PReLU
ELU_ALPHA = 1.0
LAYER_NORM_OTHERS = (-1.0, 0.0, 1.0)  # the fixed coordinates in the LayerNorm plot
LAYER_NORM_EPS = 1e-5


def _as_float(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


# --- the ReLU family -------------------------------------------------------


def relu(x: npt.ArrayLike) -> FloatArray:
    """ReLU: ``max(0, x)``."""
    x = _as_float(x)
    return np.maximum(x, 0.0)


def relu_derivative(x: npt.ArrayLike) -> FloatArray:
    """Derivative of ReLU: 1 for ``x > 0``, else 0 (0 at the kink, as frameworks do)."""
    x = _as_float(x)
    return (x > 0).astype(np.float64)


def leaky_relu(x: npt.ArrayLike, slope: float = LEAKY_SLOPE) -> FloatArray:
    """Leaky ReLU: ``x`` for ``x > 0``, else ``slope * x``."""
    x = _as_float(x)
    return np.where(x > 0, x, slope * x)


def leaky_relu_derivative(x: npt.ArrayLike, slope: float = LEAKY_SLOPE) -> FloatArray:
    """Derivative of Leaky ReLU: 1 for ``x > 0``, else ``slope``."""
    x = _as_float(x)
    return np.where(x > 0, 1.0, slope)


# --- smooth variants -------------------------------------------------------


def elu(x: npt.ArrayLike, alpha: float = ELU_ALPHA) -> FloatArray:
    """ELU: ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    x = _as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x: npt.ArrayLike, alpha: float = ELU_ALPHA) -> FloatArray:
    """Derivative of ELU: 1 for ``x > 0``, else ``alpha * exp(x)``."""
    x = _as_float(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _normal_cdf(x: FloatArray) -> FloatArray:
    """Standard normal CDF, exact (through ``math.erf``)."""
    result: FloatArray = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    return result


def _normal_pdf(x: FloatArray) -> FloatArray:
    """Standard normal density."""
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def gelu(x: npt.ArrayLike) -> FloatArray:
    """GELU, exact form: ``x * Phi(x)`` with ``Phi`` the standard normal CDF."""
    x = _as_float(x)
    return x * _normal_cdf(x)


def gelu_derivative(x: npt.ArrayLike) -> FloatArray:
    """Derivative of GELU: ``Phi(x) + x * phi(x)``."""
    x = _as_float(x)
    return _normal_cdf(x) + x * _normal_pdf(x)


def gelu_tanh(x: npt.ArrayLike) -> FloatArray:
    """The tanh approximation of GELU used by the original BERT and GPT-2 code."""
    x = _as_float(x)
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def sigmoid(x: npt.ArrayLike) -> FloatArray:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow."""
    x = _as_float(x)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid_derivative(x: npt.ArrayLike) -> FloatArray:
    """Derivative of the sigmoid: ``s * (1 - s)``, at most 1/4 (at ``x = 0``)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def swish(x: npt.ArrayLike) -> FloatArray:
    """Swish with beta = 1, also called SiLU: ``x * sigmoid(x)``."""
    x = _as_float(x)
    return x * sigmoid(x)


def swish_derivative(x: npt.ArrayLike) -> FloatArray:
    """Derivative of SiLU: ``s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    x = _as_float(x)
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def tanh(x: npt.ArrayLike) -> FloatArray:
    """Hyperbolic tangent."""
    return np.tanh(_as_float(x))


def tanh_derivative(x: npt.ArrayLike) -> FloatArray:
    """Derivative of tanh: ``1 - tanh(x)**2``, at most 1 (at ``x = 0``)."""
    t = np.tanh(_as_float(x))
    return 1.0 - t * t


# --- softmax ---------------------------------------------------------------


def softmax(z: npt.ArrayLike, axis: int = -1) -> FloatArray:
    """Softmax along ``axis``, shifted by the maximum so ``exp`` never overflows."""
    z = _as_float(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    result: FloatArray = e / np.sum(e, axis=axis, keepdims=True)
    return result


def softmax_jacobian(z: npt.ArrayLike) -> FloatArray:
    """Jacobian of softmax for one vector of logits: ``J[i, j] = p_i (delta_ij - p_j)``."""
    p = softmax(_as_float(z).reshape(-1))
    result: FloatArray = np.diag(p) - np.outer(p, p)
    return result


def softmax2(d: npt.ArrayLike) -> FloatArray:
    """First output of a two-class softmax as a function of the logit gap ``d = z1 - z2``."""
    d = _as_float(d)
    logits = np.stack([d, np.zeros_like(d)], axis=-1)
    first: FloatArray = softmax(logits, axis=-1)[..., 0]
    return first


def softmax2_derivative(d: npt.ArrayLike) -> FloatArray:
    """Derivative of :func:`softmax2` with respect to the gap: ``p1 * p2``."""
    p1 = softmax2(d)
    return p1 * (1.0 - p1)


# --- layer normalization ---------------------------------------------------


def layer_norm(
    x: npt.ArrayLike,
    gamma: npt.ArrayLike = 1.0,
    beta: npt.ArrayLike = 0.0,
    eps: float = LAYER_NORM_EPS,
    axis: int = -1,
) -> FloatArray:
    """Layer normalization along ``axis``: standardize, then scale by gamma and shift by beta."""
    x = _as_float(x)
    mean = np.mean(x, axis=axis, keepdims=True)
    var = np.var(x, axis=axis, keepdims=True)
    result: FloatArray = _as_float(gamma) * (x - mean) / np.sqrt(var + eps) + _as_float(beta)
    return result


def _with_others(x1: FloatArray, others: Sequence[float]) -> FloatArray:
    """Vectors ``(x1, *others)``, one row per value of ``x1``."""
    rest = np.broadcast_to(np.asarray(others, dtype=np.float64), (*x1.shape, len(others)))
    return np.concatenate([x1[..., np.newaxis], rest], axis=-1)


def layer_norm_coordinate(
    x1: npt.ArrayLike,
    others: Sequence[float] = LAYER_NORM_OTHERS,
    eps: float = LAYER_NORM_EPS,
) -> FloatArray:
    """First output of LayerNorm on ``(x1, *others)`` as ``x1`` varies (gamma 1, beta 0)."""
    x1 = _as_float(x1)
    first: FloatArray = layer_norm(_with_others(x1, others), eps=eps)[..., 0]
    return first


def layer_norm_coordinate_derivative(
    x1: npt.ArrayLike,
    others: Sequence[float] = LAYER_NORM_OTHERS,
    eps: float = LAYER_NORM_EPS,
) -> FloatArray:
    """Diagonal Jacobian entry ``dy1/dx1 = (1 - 1/n - y1**2 / n) / sqrt(var + eps)``."""
    x1 = _as_float(x1)
    vectors = _with_others(x1, others)
    n = vectors.shape[-1]
    std = np.sqrt(np.var(vectors, axis=-1) + eps)
    y1 = (x1 - np.mean(vectors, axis=-1)) / std
    result: FloatArray = (1.0 - 1.0 / n - y1 * y1 / n) / std
    return result


# --- the registry ----------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """One activation as the posts plot it."""

    name: str  # the registry key, equal to the post's slug
    label: str  # legend text for the function
    function: ArrayFunction
    derivative: ArrayFunction
    x_range: tuple[float, float] = (-4.0, 4.0)  # default plotting range
    kinks: tuple[float, ...] = ()  # inputs where the derivative jumps (undefined)
    pointwise: bool = True  # False for functions of a whole vector (softmax, LayerNorm)
    xlabel: str = "$x$"
    derivative_label: str = ""  # legend text for the derivative; "<label> derivative" if empty

    def legend_derivative(self) -> str:
        """The legend text of the derivative curve."""
        return self.derivative_label or f"{self.label} derivative"


def _registry(*entries: Activation) -> dict[str, Activation]:
    return {entry.name: entry for entry in entries}


ACTIVATIONS: dict[str, Activation] = _registry(
    Activation("relu", "ReLU", relu, relu_derivative, (-3.0, 3.0), kinks=(0.0,)),
    Activation(
        "leaky-relu",
        f"Leaky ReLU ($\\alpha = {LEAKY_SLOPE:g}$)",
        leaky_relu,
        leaky_relu_derivative,
        (-3.0, 3.0),
        kinks=(0.0,),
    ),
    Activation(
        "prelu",
        f"PReLU ($a = {PRELU_SLOPE:g}$)",
        lambda x: leaky_relu(x, PRELU_SLOPE),
        lambda x: leaky_relu_derivative(x, PRELU_SLOPE),
        (-3.0, 3.0),
        kinks=(0.0,),
    ),
    Activation("elu", f"ELU ($\\alpha = {ELU_ALPHA:g}$)", elu, elu_derivative, (-4.0, 3.0)),
    Activation("gelu", "GELU", gelu, gelu_derivative, (-4.0, 4.0)),
    Activation("swish", "Swish / SiLU", swish, swish_derivative, (-6.0, 6.0)),
    Activation("sigmoid", "Sigmoid", sigmoid, sigmoid_derivative, (-8.0, 8.0)),
    Activation("tanh", "tanh", tanh, tanh_derivative, (-4.0, 4.0)),
    Activation(
        "softmax",
        "Softmax $p_1$",
        softmax2,
        softmax2_derivative,
        (-8.0, 8.0),
        pointwise=False,
        xlabel="logit gap $z_1 - z_2$",
        derivative_label="$\\partial p_1 / \\partial z_1 = p_1 p_2$",
    ),
    Activation(
        "layer-normalization",
        "LayerNorm output $y_1$",
        layer_norm_coordinate,
        layer_norm_coordinate_derivative,
        (-10.0, 10.0),
        pointwise=False,
        xlabel="$x_1$ (with $x_2, x_3, x_4 = -1, 0, 1$)",
        derivative_label="$\\partial y_1 / \\partial x_1$",
    ),
)


# --- plotting --------------------------------------------------------------


def _grid(x_range: tuple[float, float], kinks: Sequence[float] = ()) -> FloatArray:
    """An evenly spaced grid over ``x_range`` that contains every kink exactly."""
    grid = np.linspace(x_range[0], x_range[1], SAMPLES)
    inside = [k for k in kinks if x_range[0] < k < x_range[1]]
    result: FloatArray = np.union1d(grid, np.asarray(inside, dtype=np.float64))
    return result


def _broken_at(
    func: ArrayFunction, x: FloatArray, kinks: Sequence[float]
) -> tuple[FloatArray, FloatArray]:
    """``(x, func(x))`` with the line broken (a NaN gap) at every kink.

    Each piece is evaluated on its own open interval, so a jump is drawn as a
    jump and not as a steep line through the kink.
    """
    tiny = 1e-9 * float(x[-1] - x[0])
    edges = [float(x[0]), *sorted(k for k in kinks if x[0] < k < x[-1]), float(x[-1])]
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        piece = x[(x >= lo) & (x <= hi)].copy()
        if i > 0:
            piece[0] = lo + tiny
            xs.append(np.array([np.nan]))
            ys.append(np.array([np.nan]))
        if i < len(edges) - 2:
            piece[-1] = hi - tiny
        xs.append(piece)
        ys.append(func(piece))
    return np.concatenate(xs), np.concatenate(ys)


def _new_axes(height: float = FIGSIZE[1]) -> Axes:
    _, ax = plt.subplots(figsize=(FIGSIZE[0], height), layout="constrained")
    return ax


def _zero_lines(ax: Axes) -> None:
    """Thin lines along x = 0 and y = 0, in the style's axes colour."""
    color = plt.rcParams["axes.edgecolor"]
    ax.axhline(0.0, color=color, linewidth=0.6, zorder=0)
    ax.axvline(0.0, color=color, linewidth=0.6, zorder=0)


def plot_activation(name: str, ax: Axes | None = None) -> Axes:
    """Draw activation ``name`` and its derivative on one axes and return the axes.

    With no ``ax``, a new 6 x 3.5 inch figure is made. The figure has no
    title: the post's caption names it.
    """
    try:
        act = ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise KeyError(f"unknown activation {name!r}; known: {known}") from None
    if ax is None:
        ax = _new_axes()
    x = _grid(act.x_range, act.kinks)
    ax.plot(x, act.function(x), label=act.label)
    dx, dy = _broken_at(act.derivative, x, act.kinks)
    ax.plot(dx, dy, linestyle="--", label=act.legend_derivative())
    _zero_lines(ax)
    ax.set_xlim(*act.x_range)
    ax.set_xlabel(act.xlabel)
    ax.legend(loc="best")
    return ax


def plot_all(
    kind: Literal["function", "derivative"] = "function",
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] = (-4.0, 4.0),
    ax: Axes | None = None,
) -> Axes:
    """Overlay several activations (``kind="function"``) or their derivatives.

    ``names`` defaults to every pointwise activation in the registry; softmax
    and LayerNorm act on whole vectors and are left out unless named.
    """
    if kind not in ("function", "derivative"):
        raise ValueError(f"kind must be 'function' or 'derivative', not {kind!r}")
    if names is None:
        names = [name for name, act in ACTIVATIONS.items() if act.pointwise]
    if ax is None:
        ax = _new_axes(height=4.5)
    styles = ("-", "--", "-.", ":")
    for i, name in enumerate(names):
        act = ACTIVATIONS[name]
        x = _grid(x_range, act.kinks)
        if kind == "function":
            xs, ys = x, act.function(x)
        else:
            xs, ys = _broken_at(act.derivative, x, act.kinks)
        ax.plot(xs, ys, linestyle=styles[i % len(styles)], label=act.label)
    _zero_lines(ax)
    ax.set_xlim(*x_range)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$" if kind == "function" else "$f'(x)$")
    # below the axes: eight curves leave no empty corner for a legend
    ax.figure.legend(loc="outside lower center", ncols=2)
    return ax

"""Small numpy networks trained for the posts' animations: how much gradient reaches each
layer, and how many ReLU units die.

Everything is plain numpy with a seeded generator, so a post gets the same numbers, and
the same animation, on every build. A run takes well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "DeadUnitHistory",
    "GradientHistory",
    "dead_unit_history",
    "gradient_history",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# name -> (activation, its derivative as a function of the pre-activation, init gain)
_Act = tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray], float]


def _sigmoid(z: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-z))


def _activation(name: str, alpha: float = 0.1) -> _Act:
    """The activation, its derivative, and the weight variance gain that suits it
    (Glorot's 1 for sigmoid, He's 2 for the ReLU family)."""
    if name == "sigmoid":
        return _sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), 1.0
    if name == "relu":
        return lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64), 2.0
    if name == "leaky-relu":
        return (
            lambda z: np.where(z > 0, z, alpha * z),
            lambda z: np.where(z > 0, 1.0, alpha),
            2.0,
        )
    raise KeyError(f"unknown activation {name!r}; known: sigmoid, relu, leaky-relu")


@dataclass(frozen=True)
class _Net:
    weights: list[FloatArray]
    biases: list[FloatArray]


def _init_net(sizes: list[int], gain: float, rng: np.random.Generator,
              bias: float = 0.0) -> _Net:
    weights = [rng.normal(0.0, np.sqrt(gain / n_in), (n_in, n_out))
               for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [np.full(n_out, bias) for n_out in sizes[1:]]
    biases[-1][:] = 0.0
    return _Net(weights, biases)


@dataclass(frozen=True)
class _Pass:
    """One forward and backward pass of the mean squared error."""

    grads_w: list[FloatArray]
    grads_b: list[FloatArray]
    pre: list[FloatArray]  # pre-activations of the hidden layers
    deltas: list[FloatArray]  # dLoss/d(pre-activation) of every layer, the output's last


def _forward_backward(net: _Net, x: FloatArray, y: FloatArray, act: _Act) -> _Pass:
    function, derivative, _ = act
    pre: list[FloatArray] = []
    outputs = [x]
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = outputs[-1] @ w + b
        last = layer == len(net.weights) - 1
        if not last:
            pre.append(z)
        outputs.append(z if last else function(z))
    delta = 2.0 * (outputs[-1] - y) / len(x)
    count = len(net.weights)
    grads_w: list[FloatArray] = [np.zeros(0)] * count
    grads_b: list[FloatArray] = [np.zeros(0)] * count
    deltas: list[FloatArray] = [np.zeros(0)] * count
    for layer in range(count - 1, -1, -1):
        deltas[layer] = delta
        grads_w[layer] = outputs[layer].T @ delta
        grads_b[layer] = delta.sum(axis=0)
        if layer > 0:
            delta = (delta @ net.weights[layer].T) * derivative(pre[layer - 1])
    return _Pass(grads_w, grads_b, pre, deltas)


def _descend(net: _Net, step: _Pass, learning_rate: float, clip: float | None = None) -> None:
    """One gradient descent step, its length capped at `clip` (so a large learning rate
    gives large steps, not overflow)."""
    scale = learning_rate
    if clip is not None:
        norm = float(np.sqrt(sum(np.sum(g**2) for g in [*step.grads_w, *step.grads_b])))
        scale *= min(1.0, clip / norm) if norm > 0 else 1.0
    for w, b, gw, gb in zip(net.weights, net.biases, step.grads_w, step.grads_b, strict=True):
        w -= scale * gw
        b -= scale * gb


def _teacher_data(rng: np.random.Generator, n: int, d: int) -> tuple[FloatArray, FloatArray]:
    """Inputs and the targets of a fixed random one-hidden-layer teacher network."""
    x = rng.normal(size=(n, d))
    teacher = rng.normal(size=(d, 16)) / np.sqrt(d)
    y = np.tanh(x @ teacher) @ rng.normal(size=(16, 1))
    return x, y


@dataclass(frozen=True)
class GradientHistory:
    """How much of the output's gradient reaches each hidden layer, during training."""

    steps: IntArray  # training step of each record
    reach: FloatArray  # (records, layers): |dLoss/dz| of hidden layer l over the output's
    loss: FloatArray  # training loss at each record


def gradient_history(
    activation: str,
    layers: int = 10,
    width: int = 32,
    steps: int = 200,
    record_every: int = 2,
    learning_rate: float = 0.05,
    seed: int = 0,
) -> GradientHistory:
    """Train a network of `layers` hidden layers of `width` units with plain gradient
    descent on a teacher's data, recording, for each hidden layer, the norm of the loss's
    gradient with respect to its pre-activations as a share of the output's: how much of
    the error signal the backward pass carries down to it."""
    rng = np.random.default_rng(seed)
    act = _activation(activation)
    x, y = _teacher_data(rng, 256, width)
    net = _init_net([width] * (layers + 1) + [1], act[2], rng)
    recorded_steps, reach, losses = [], [], []
    for step in range(steps):
        result = _forward_backward(net, x, y, act)
        if step % record_every == 0:
            output = float(np.linalg.norm(result.deltas[-1]))
            recorded_steps.append(step)
            reach.append([float(np.linalg.norm(d)) / output for d in result.deltas[:layers]])
            losses.append(_loss(net, x, y, act))
        _descend(net, result, learning_rate)
    return GradientHistory(np.array(recorded_steps, dtype=np.int64), np.array(reach),
                           np.array(losses))


def _loss(net: _Net, x: FloatArray, y: FloatArray, act: _Act) -> float:
    h = x
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        h = h @ w + b
        if layer < len(net.weights) - 1:
            h = act[0](h)
    return float(np.mean((h - y) ** 2))


@dataclass(frozen=True)
class DeadUnitHistory:
    """Which hidden units are dead (negative pre-activation on every example) during
    training."""

    steps: IntArray  # training step of each record
    dead: BoolArray  # (records, hidden units): every hidden layer's units, the first's first
    dead_share: FloatArray  # share of dead units over all hidden layers, at each record


def dead_unit_history(
    activation: str,
    hidden: int = 64,
    depth: int = 3,
    steps: int = 300,
    record_every: int = 3,
    learning_rate: float = 0.5,
    batch: int = 32,
    seed: int = 0,
) -> DeadUnitHistory:
    """Train a `depth`-hidden-layer network with minibatch gradient descent at a large
    learning rate (steps capped in length), recording which units no example activates."""
    rng = np.random.default_rng(seed)
    act = _activation(activation)
    x, y = _teacher_data(rng, 512, 8)
    net = _init_net([8] + [hidden] * depth + [1], act[2], rng, bias=0.1)
    recorded_steps, masks, shares = [], [], []
    for step in range(steps):
        if step % record_every == 0:
            dead = [np.all(z <= 0, axis=0) for z in _forward_backward(net, x, y, act).pre]
            recorded_steps.append(step)
            masks.append(np.concatenate(dead))
            shares.append(float(np.mean(masks[-1])))
        chosen = rng.choice(len(x), size=batch, replace=False)
        _descend(net, _forward_backward(net, x[chosen], y[chosen], act), learning_rate, 5.0)
    return DeadUnitHistory(np.array(recorded_steps, dtype=np.int64), np.array(masks),
                           np.array(shares))

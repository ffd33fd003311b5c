"""Tests of the example site's helper module `lib/activations.py`."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

LIB = Path(__file__).resolve().parents[2] / "lib"


def _load() -> ModuleType:
    path = LIB / "activations.py"
    spec = importlib.util.spec_from_file_location("figdown_site_activations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up in sys.modules while the class is created
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


act = _load()
NAMES = sorted(act.ACTIVATIONS)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    plt.close("all")
    yield
    plt.close("all")


def _grid_avoiding_kinks(entry: Any) -> np.ndarray:
    lo, hi = entry.x_range
    x = np.linspace(lo, hi, 397)  # this count keeps 0 off the grid
    for kink in entry.kinks:
        x = x[np.abs(x - kink) > 1e-3]
    return x


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_difference(name: str) -> None:
    entry = act.ACTIVATIONS[name]
    x = _grid_avoiding_kinks(entry)
    h = 1e-5
    numeric = (entry.function(x + h) - entry.function(x - h)) / (2 * h)
    np.testing.assert_allclose(entry.derivative(x), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_functions_keep_shape_and_dtype(name: str) -> None:
    entry = act.ACTIVATIONS[name]
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    for func in (entry.function, entry.derivative):
        y = func(x)
        assert y.shape == x.shape
        assert y.dtype == np.float64
        assert np.all(np.isfinite(y))


@pytest.mark.parametrize("name", NAMES)
def test_plot_activation_draws_one_figure_with_two_lines(name: str) -> None:
    ax = act.plot_activation(name)
    assert plt.get_fignums() == [ax.figure.number]
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(curves) == 2
    assert len(ax.get_legend().get_texts()) == 2
    assert ax.get_title() == ""
    assert tuple(ax.figure.get_size_inches()) == pytest.approx((6.0, 3.5))


def test_plot_activation_rejects_unknown_name() -> None:
    with pytest.raises(KeyError, match="unknown activation"):
        act.plot_activation("no-such-thing")


@pytest.mark.parametrize("kind", ["function", "derivative"])
def test_plot_all_overlays_every_pointwise_activation(kind: str) -> None:
    ax = act.plot_all(kind)
    pointwise = [name for name, entry in act.ACTIVATIONS.items() if entry.pointwise]
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(curves) == len(pointwise)
    assert len(plt.get_fignums()) == 1


def test_jumps_are_drawn_as_gaps() -> None:
    ax = act.plot_activation("relu")
    derivative = ax.get_lines()[1]
    y = np.asarray(derivative.get_ydata(), dtype=float)
    assert np.isnan(y).sum() == 1
    assert set(np.unique(y[~np.isnan(y)])) == {0.0, 1.0}


def test_known_values() -> None:
    assert act.relu([-1.0, 2.0]).tolist() == [0.0, 2.0]
    assert act.sigmoid(0.0) == pytest.approx(0.5)
    assert act.gelu(1.0) == pytest.approx(0.5 * (1 + math.erf(1 / math.sqrt(2))))
    assert act.swish(1.0) == pytest.approx(1 / (1 + math.exp(-1)))
    assert act.elu(-1.0) == pytest.approx(math.exp(-1) - 1)
    # the tanh form of GELU stays within 5e-4 of the exact one, as the post says
    x = np.linspace(-6, 6, 1001)
    assert np.max(np.abs(act.gelu_tanh(x) - act.gelu(x))) < 5e-4


def test_derivative_maxima_quoted_in_the_posts() -> None:
    x = np.linspace(-10, 10, 20001)
    assert act.sigmoid_derivative(x).max() == pytest.approx(0.25)
    assert act.tanh_derivative(x).max() == pytest.approx(1.0)
    # GELU's and SiLU's minima, quoted in the posts
    assert act.gelu(x).min() == pytest.approx(-0.170, abs=1e-3)
    assert act.swish(x).min() == pytest.approx(-0.278, abs=1e-3)


def test_softmax_is_stable_and_sums_to_one() -> None:
    p = act.softmax(np.array([[1000.0, 1000.0, 0.0], [-5.0, 0.0, 5.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    assert p[0, 0] == pytest.approx(0.5)


def test_two_class_softmax_is_the_sigmoid_of_the_gap() -> None:
    d = np.linspace(-8, 8, 101)
    np.testing.assert_allclose(act.softmax2(d), act.sigmoid(d))


def test_softmax_jacobian_matches_central_difference() -> None:
    z = np.array([0.3, -1.2, 2.0, 0.5])
    h = 1e-6
    numeric = np.empty((4, 4))
    for j in range(4):
        step = np.zeros(4)
        step[j] = h
        numeric[:, j] = (act.softmax(z + step) - act.softmax(z - step)) / (2 * h)
    np.testing.assert_allclose(act.softmax_jacobian(z), numeric, atol=1e-8)


def test_layer_norm_output_is_standardized_and_bounded() -> None:
    x = np.array([[3.0, -1.0, 0.0, 1.0], [100.0, -1.0, 0.0, 1.0]])
    y = act.layer_norm(x, eps=0.0)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1.0)
    # one coordinate can never exceed sqrt(n - 1) in size
    big = act.layer_norm_coordinate(np.array([1e6]), eps=0.0)
    assert big[0] == pytest.approx(math.sqrt(3), rel=1e-5)

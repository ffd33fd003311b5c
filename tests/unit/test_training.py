"""Tests of the example site's helper module `lib/training.py`: the numbers behind the
animations say what the posts say they do."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

LIB = Path(__file__).resolve().parents[2] / "lib"


def _load() -> ModuleType:
    path = LIB / "training.py"
    spec = importlib.util.spec_from_file_location("figdown_site_training", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while it is made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


training = _load()


@pytest.fixture(scope="module")
def gradients() -> dict[str, object]:
    return {name: training.gradient_history(name) for name in ("sigmoid", "relu")}


def test_with_sigmoid_the_first_layer_gets_orders_of_magnitude_less_gradient(
    gradients: dict[str, object],
) -> None:
    reach = gradients["sigmoid"].reach  # type: ignore[attr-defined]
    assert reach.shape == (100, 10)
    # at every recorded step, layer 1 gets less than a ten-thousandth of layer 10's share
    assert np.all(reach[:, 0] < 1e-4 * reach[:, 9])
    # and every layer further from the output gets less than the one above it
    assert np.all(np.diff(np.log10(reach), axis=1) > 0)


def test_with_relu_the_gradient_reaches_the_first_layer(gradients: dict[str, object]) -> None:
    reach = gradients["relu"].reach  # type: ignore[attr-defined]
    ratio = reach[:, 0] / reach[:, 9]
    assert np.median(ratio) > 0.1
    loss = gradients["relu"].loss  # type: ignore[attr-defined]
    assert loss[-1] < 0.5 * loss[0]  # and the ReLU network does learn


def test_leaky_relu_keeps_fewer_units_dead_than_relu() -> None:
    relu = training.dead_unit_history("relu")
    leaky = training.dead_unit_history("leaky-relu")
    assert relu.dead.shape == leaky.dead.shape == (100, 192)
    assert np.allclose(relu.dead_share, relu.dead.mean(axis=1))
    late = slice(50, None)  # the second half of training
    assert relu.dead_share[late].mean() > 0.15
    assert leaky.dead_share[late].mean() < 0.05
    assert np.all(leaky.dead_share[late] < relu.dead_share[late])


def test_runs_are_deterministic() -> None:
    one = training.dead_unit_history("relu", steps=30)
    two = training.dead_unit_history("relu", steps=30)
    assert np.array_equal(one.dead, two.dead)
    with pytest.raises(KeyError, match="unknown activation"):
        training.gradient_history("softsign")

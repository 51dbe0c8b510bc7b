"""The zoo's random-weight models take BatchNorm statistics from images, so their logits are of order 1."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hierattn.benchmarks import zoo
from hierattn.export.data import synthetic_batch
from hierattn.runtime.spec import ModelSpec


def _small_net() -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, stride=4),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Conv2d(4, 5, 3),
        nn.BatchNorm2d(5),
    ).eval()


def test_settled_statistics_are_those_of_the_images() -> None:
    spec = ModelSpec()
    net = _small_net()
    zoo.settle_batchnorm(net, spec, count=4)
    images = torch.from_numpy(synthetic_batch(spec, count=4, seed=0))
    with torch.no_grad():
        first_input = net[0](images)
        first = net[1]
        assert isinstance(first, nn.BatchNorm2d)
        assert first.running_mean is not None and first.running_var is not None
        np.testing.assert_allclose(
            first.running_mean.numpy(), first_input.mean((0, 2, 3)).numpy(), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(first.running_var.numpy(), first_input.var((0, 2, 3)).numpy(), rtol=1e-4)
    assert not net.training and not any(m.training for m in net.modules())
    assert first.momentum == 0.1  # PyTorch's default, as built


def test_settling_is_deterministic_and_leaves_dropout_off() -> None:
    spec = ModelSpec()
    nets = [_small_net(), _small_net()]
    for net in nets:
        zoo.settle_batchnorm(net, spec, count=4)
    images = torch.from_numpy(synthetic_batch(spec, count=2, seed=9))
    with torch.no_grad():
        outputs = [net(images).numpy() for net in nets]
    np.testing.assert_array_equal(outputs[0], outputs[1])


@pytest.mark.parametrize("name", ["mobilenet_v2", "hierattn_s"])
def test_random_zoo_models_give_logits_of_order_one(name: str) -> None:
    images = torch.from_numpy(synthetic_batch(zoo.model_spec(name), count=4, seed=7))
    with torch.no_grad():
        settled = zoo.build_model(name)(images).numpy()
        unsettled = zoo.build_model(name, demo=False)(images).numpy()
    assert np.isfinite(settled).all()
    assert 0.1 < np.abs(settled).max() < 1e3, "settled logits out of a trained network's range"
    assert np.abs(settled).max() > 5 * np.abs(unsettled).max(), "settling changed nothing"

"""Shared fixtures: a seeded generator, and the homework's `nn.Sequential` twin."""

from __future__ import annotations

import pytest
import torch

from mlp import MLP

from .reference import twin_of


@pytest.fixture
def generator() -> torch.Generator:
    """A fresh generator with a fixed seed, so each test draws the same numbers every run."""
    return torch.Generator().manual_seed(20210201)


@pytest.fixture
def net(generator) -> MLP:
    """A small float64 relu/sigmoid net that has run one forward pass and one backward pass."""
    net = MLP(3, 4, "relu", 4, 2, "sigmoid", dtype=torch.float64, generator=generator)
    net.forward(torch.randn(5, 3, dtype=torch.float64, generator=generator))
    net.backward(torch.randn(5, 2, dtype=torch.float64, generator=generator))
    return net


@pytest.fixture(scope="session")
def twin():
    """`twin(net)`: the net's `nn.Sequential` twin, `twin.linear1.weight.data = W1` and so on."""
    return twin_of

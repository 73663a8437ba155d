"""The course's three public tests, asserting where the course only prints.

As the graders run them: float32, batch 10, the `nn.Sequential` twin sharing the net's weights
(`twin.linear1.weight.data = net.parameters['W1']`), and the course's tolerance on the norm of each
difference.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mlp import MLP, bce_loss, mse_loss

TOLERANCE = 1e-3  # the course's: (twin.linear1.weight.grad.data - net.grads['dJdW1']).norm() < 1e-3

HOMEWORK_TESTS = {
    "test1-relu-identity-mse": ("relu", "identity", 5, mse_loss, F.mse_loss,
                                lambda: torch.randn(10, 5)),
    "test2-sigmoid-sigmoid-bce": ("sigmoid", "sigmoid", 5, bce_loss, nn.BCELoss(),
                                  lambda: (torch.randn(10, 5) < 0.5) * 1.0),
    "test3-relu-relu-mse": ("relu", "relu", 22, mse_loss, F.mse_loss,
                            lambda: torch.randn(10, 22)),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", HOMEWORK_TESTS)
def test_homework(case, seed, twin):
    f_function, g_function, n_out, loss, torch_loss, draw_y = HOMEWORK_TESTS[case]
    torch.manual_seed(seed)
    net = MLP(linear_1_in_features=2, linear_1_out_features=20, f_function=f_function,
              linear_2_in_features=20, linear_2_out_features=n_out, g_function=g_function)
    x = torch.randn(10, 2)
    y = draw_y()
    assert net.parameters["W1"].dtype == x.dtype == y.dtype == torch.float32

    net.clear_grad_and_cache()
    y_hat = net.forward(x)
    J, dJdy_hat = loss(y, y_hat)
    net.backward(dJdy_hat)

    net_autograd = twin(net)
    assert list(net_autograd._modules) == ["linear1", "f", "linear2", "g"]
    y_hat_autograd = net_autograd(x)
    J_autograd = torch_loss(y_hat_autograd, y)
    net_autograd.zero_grad()
    J_autograd.backward()

    assert (y_hat_autograd.data - y_hat).norm() < TOLERANCE
    assert (J_autograd.data - J).abs() < TOLERANCE
    assert (net_autograd.linear1.weight.grad.data - net.grads["dJdW1"]).norm() < TOLERANCE
    assert (net_autograd.linear1.bias.grad.data - net.grads["dJdb1"]).norm() < TOLERANCE
    assert (net_autograd.linear2.weight.grad.data - net.grads["dJdW2"]).norm() < TOLERANCE
    assert (net_autograd.linear2.bias.grad.data - net.grads["dJdb2"]).norm() < TOLERANCE

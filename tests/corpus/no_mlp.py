"""Unusable: the losses are here, the network is not."""

import torch


def mse_loss(y, y_hat):
    J = torch.mean((y_hat - y) ** 2)
    dJdy_hat = 2 * (y_hat - y) / y.numel()
    return J, dJdy_hat

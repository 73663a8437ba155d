"""Right: adds into grads as torch's .grad does, and clamps the BCE as torch does.
"""

import torch


def activation(name, s):
    if name == "relu":
        return torch.clamp(s, min=0)
    elif name == "sigmoid":
        return 1 / (1 + torch.exp(-s))
    elif name == "identity":
        return s
    raise ValueError(f"unknown activation {name}")


def activation_grad(name, s):
    if name == "relu":
        return (s > 0).to(s.dtype)
    elif name == "sigmoid":
        sig = 1 / (1 + torch.exp(-s))
        return sig * (1 - sig)
    elif name == "identity":
        return torch.ones_like(s)
    raise ValueError(f"unknown activation {name}")


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.f_function = f_function
        self.g_function = g_function
        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = dict(
            dJdW1=torch.zeros(linear_1_out_features, linear_1_in_features),
            dJdb1=torch.zeros(linear_1_out_features),
            dJdW2=torch.zeros(linear_2_out_features, linear_2_in_features),
            dJdb2=torch.zeros(linear_2_out_features),
        )
        self.cache = dict()

    def forward(self, x):
        W1, b1 = self.parameters["W1"], self.parameters["b1"]
        W2, b2 = self.parameters["W2"], self.parameters["b2"]
        s1 = torch.matmul(x, W1.T) + b1
        z1 = activation(self.f_function, s1)
        s2 = torch.matmul(z1, W2.T) + b2
        y_hat = activation(self.g_function, s2)
        self.cache["x"], self.cache["s1"], self.cache["z1"], self.cache["s2"] = x, s1, z1, s2
        return y_hat

    def backward(self, dJdy_hat):
        x, s1, z1, s2 = self.cache["x"], self.cache["s1"], self.cache["z1"], self.cache["s2"]
        dJds2 = dJdy_hat * activation_grad(self.g_function, s2)
        self.grads["dJdW2"] += dJds2.T @ z1
        self.grads["dJdb2"] += dJds2.sum(dim=0)
        dJdz1 = dJds2 @ self.parameters["W2"]
        dJds1 = dJdz1 * activation_grad(self.f_function, s1)
        self.grads["dJdW1"] += dJds1.T @ x
        self.grads["dJdb1"] += dJds1.sum(dim=0)

    def clear_grad_and_cache(self):
        # fresh zeros like each parameter, so the gradients follow the parameters' dtype
        self.grads = {"dJd" + k: torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()


def mse_loss(y, y_hat):
    J = ((y_hat - y) ** 2).mean()
    dJdy_hat = 2 * (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    # torch's own clamps: each log at -100, the gradient's denominator at 1e-12
    log_p = torch.clamp(torch.log(y_hat), min=-100)
    log_1mp = torch.clamp(torch.log(1 - y_hat), min=-100)
    J = -(y * log_p + (1 - y) * log_1mp).mean()
    dJdy_hat = (y_hat - y) / torch.clamp(y_hat * (1 - y_hat), min=1e-12) / y.numel()
    return J, dJdy_hat

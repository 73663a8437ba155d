"""A homework mlp.py with three mistakes that are easy to make, for `mlp-check`.

1. The MSE carries the 1/2 of the lecture notes: J = 1/2 mean((y_hat - y)^2).
2. The bias gradients average over the batch instead of summing.
3. The sigmoid's derivative is taken at its output instead of its input.

Everything else follows the homework's skeleton. Autograd is not used.
"""

import torch


def sigmoid(s):
    return 1 / (1 + torch.exp(-s))


def activate(name, s):
    if name == "relu":
        return s * (s > 0)
    elif name == "sigmoid":
        return sigmoid(s)
    return s


def activate_backward(name, grad, s, z):
    if name == "relu":
        return grad * (s > 0)
    elif name == "sigmoid":
        return grad * sigmoid(z) * (1 - sigmoid(z))  # mistake 3: at the output z, not at s
    return grad


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
        self.grads = {"dJd" + k: torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()

    def forward(self, x):
        p = self.parameters
        s1 = x @ p["W1"].T + p["b1"]
        z1 = activate(self.f_function, s1)
        s2 = z1 @ p["W2"].T + p["b2"]
        y_hat = activate(self.g_function, s2)
        self.cache.update(x=x, s1=s1, z1=z1, s2=s2, y_hat=y_hat)
        return y_hat

    def backward(self, dJdy_hat):
        c, p = self.cache, self.parameters
        dJds2 = activate_backward(self.g_function, dJdy_hat, c["s2"], c["y_hat"])
        self.grads["dJdW2"] += dJds2.T @ c["z1"]
        self.grads["dJdb2"] += dJds2.mean(0)  # mistake 2: the mean, not the sum
        dJds1 = activate_backward(self.f_function, dJds2 @ p["W2"], c["s1"], c["z1"])
        self.grads["dJdW1"] += dJds1.T @ c["x"]
        self.grads["dJdb1"] += dJds1.mean(0)

    def clear_grad_and_cache(self):
        for grad in self.grads.values():
            grad.zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * ((y_hat - y) ** 2).mean()  # mistake 1: torch's MSE has no 1/2
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    # torch's own clamps: each log at -100, the gradient's denominator at 1e-12; without them
    # a sigmoid that rounds to 1.0 in float32 gives log(0) and a NaN loss
    log_p = torch.clamp(torch.log(y_hat), min=-100)
    log_1mp = torch.clamp(torch.log(1 - y_hat), min=-100)
    J = -(y * log_p + (1 - y) * log_1mp).mean()
    dJdy_hat = (y_hat - y) / torch.clamp(y_hat * (1 - y_hat), min=1e-12) / y.numel()
    return J, dJdy_hat

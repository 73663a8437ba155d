"""Wrong: the weight gradients are kept as (in, out), the transpose of W's (out, in)."""

import torch


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
            dJdW1=torch.zeros(linear_1_in_features, linear_1_out_features),
            dJdb1=torch.zeros(linear_1_out_features),
            dJdW2=torch.zeros(linear_2_in_features, linear_2_out_features),
            dJdb2=torch.zeros(linear_2_out_features),
        )
        self.cache = dict()

    def activation(self, name, s):
        if name == "relu":
            return torch.clamp(s, min=0)
        if name == "sigmoid":
            return 1 / (1 + torch.exp(-s))
        return s

    def activation_grad(self, name, s):
        if name == "relu":
            return (s > 0).to(s.dtype)
        if name == "sigmoid":
            sig = 1 / (1 + torch.exp(-s))
            return sig * (1 - sig)
        return torch.ones_like(s)

    def forward(self, x):
        s1 = x @ self.parameters["W1"].t() + self.parameters["b1"]
        z1 = self.activation(self.f_function, s1)
        s2 = z1 @ self.parameters["W2"].t() + self.parameters["b2"]
        y_hat = self.activation(self.g_function, s2)
        self.cache = dict(x=x, s1=s1, z1=z1, s2=s2)
        return y_hat

    def backward(self, dJdy_hat):
        x, s1, z1, s2 = (self.cache[k] for k in ("x", "s1", "z1", "s2"))
        dJds2 = dJdy_hat * self.activation_grad(self.g_function, s2)
        self.grads["dJdW2"] += z1.t() @ dJds2
        self.grads["dJdb2"] += dJds2.sum(dim=0)
        dJds1 = (dJds2 @ self.parameters["W2"]) * self.activation_grad(self.f_function, s1)
        self.grads["dJdW1"] += x.t() @ dJds1
        self.grads["dJdb1"] += dJds1.sum(dim=0)

    def clear_grad_and_cache(self):
        # zeros like each parameter, so the gradients follow the parameters' dtype
        for grad in self.grads.values():
            grad.zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    diff = y_hat - y
    J = (diff ** 2).mean()
    dJdy_hat = 2 * diff / diff.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    dJdy_hat = -(y / y_hat - (1 - y) / (1 - y_hat)) / y_hat.numel()
    return J, dJdy_hat

r"""Five activations beyond the course's three, each added by `register_activation`.

Each derivative is written by hand in plain torch, as `derivations.activations` derives it, and
each follows torch's own module where torch makes a choice:

- $\tanh'(u) = 1 - \tanh^2(u)$, from the cached output $a = \tanh(u)$ as $1 - a^2$;
- leaky ReLU, slope $\alpha$ (torch's default 0.01): $a'(u) = 1$ for $u > 0$, else $\alpha$, so
  $\alpha$ at 0, as `nn.LeakyReLU`;
- softplus $\log(1 + e^u)$, $a'(u) = \sigma(u)$; like `nn.Softplus` it returns $u$ itself, with
  derivative 1, above $u = 20$, where the two differ by less than $e^{-20} \approx 2 \cdot
  10^{-9}$. Below that it is computed as $\max(u, 0) + \log(1 + e^{-|u|})$, the same number
  with no $e^u$ to overflow: $e^{12}$ is already past float16's largest value, 65504;
- SiLU $u\,\sigma(u)$, $a'(u) = \sigma(u)\,(1 + u\,(1 - \sigma(u)))$;
- GELU $u\,\Phi(u)$ with the exact $\Phi(u) = \frac12 (1 + \operatorname{erf}(u/\sqrt2))$, as
  `nn.GELU()`: $a'(u) = \Phi(u) + u\,\varphi(u)$, $\varphi(u) = e^{-u^2/2}/\sqrt{2\pi}$.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .activations import Activation, register_activation

SOFTPLUS_THRESHOLD = 20.0
"""`nn.Softplus`'s default threshold: above it, softplus returns $u$."""


def _tanh_derivative(u: Tensor) -> Tensor:
    return _tanh_derivative_from_output(torch.tanh(u))


def _tanh_derivative_from_output(out: Tensor) -> Tensor:
    return 1 - out * out


def leaky_relu(slope: float = 0.01) -> Activation:
    r"""Leaky ReLU with slope $\alpha$ = `slope` for $u \le 0$: $a(u) = u$ if $u > 0$, else
    $\alpha u$. The registry holds `leaky_relu(0.01)`, torch's default."""
    def derivative(u: Tensor) -> Tensor:
        return torch.full_like(u, slope).masked_fill(u > 0, 1.0)

    def forward(u: Tensor) -> Tensor:
        return u * derivative(u)  # u * 1 or u * slope: exactly torch's two branches

    return Activation("leaky_relu", forward, derivative, torch_module="LeakyReLU",
                      torch_args=(slope,))


def _softplus(u: Tensor) -> Tensor:
    stable = u.clamp(min=0) + torch.log1p(torch.exp(-u.abs()))  # log(1 + e^u), no overflow
    return torch.where(u > SOFTPLUS_THRESHOLD, u, stable)


def _softplus_derivative(u: Tensor) -> Tensor:
    return torch.where(u > SOFTPLUS_THRESHOLD, 1.0, torch.sigmoid(u))


def _silu(u: Tensor) -> Tensor:
    return u * torch.sigmoid(u)


def _silu_derivative(u: Tensor) -> Tensor:
    sig = torch.sigmoid(u)
    return sig * (1 + u * (1 - sig))


def _gelu(u: Tensor) -> Tensor:
    return u * 0.5 * (1 + torch.erf(u * math.sqrt(0.5)))


def _gelu_derivative(u: Tensor) -> Tensor:
    cdf = 0.5 * (1 + torch.erf(u * math.sqrt(0.5)))
    pdf = torch.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)
    return cdf + u * pdf


for _entry in (
    Activation("tanh", torch.tanh, _tanh_derivative,
               derivative_from_output=_tanh_derivative_from_output, torch_module="Tanh"),
    leaky_relu(0.01),
    Activation("softplus", _softplus, _softplus_derivative, torch_module="Softplus"),
    Activation("silu", _silu, _silu_derivative, torch_module="SiLU"),
    Activation("gelu", _gelu, _gelu_derivative, torch_module="GELU"),
):
    register_activation(_entry)

r"""Five activations beyond the course's three, each added by `register_activation`.

Each derivative is written by hand in plain torch, as `derivations.activations` derives it, and
each follows torch's own module where torch makes a choice:

- $\tanh'(s) = 1 - \tanh^2(s)$, from the cached output as $1 - z^2$;
- leaky ReLU, slope $\alpha$ (torch's default 0.01): $a'(s) = 1$ for $s > 0$, else $\alpha$, so
  $\alpha$ at 0, as `nn.LeakyReLU`;
- softplus $\log(1 + e^s)$, $a'(s) = \sigma(s)$; like `nn.Softplus` it returns $s$ itself, with
  derivative 1, above $s = 20$, where the two differ by less than $e^{-20} \approx 2 \cdot
  10^{-9}$;
- SiLU $s\,\sigma(s)$, $a'(s) = \sigma(s)\,(1 + s\,(1 - \sigma(s)))$;
- GELU $s\,\Phi(s)$ with the exact $\Phi(s) = \frac12 (1 + \operatorname{erf}(s/\sqrt2))$, as
  `nn.GELU()`: $a'(s) = \Phi(s) + s\,\varphi(s)$, $\varphi(s) = e^{-s^2/2}/\sqrt{2\pi}$.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .activations import Activation, register_activation

SOFTPLUS_THRESHOLD = 20.0
"""`nn.Softplus`'s default threshold: above it, softplus returns $s$."""


def _tanh_derivative(s: Tensor) -> Tensor:
    return _tanh_derivative_from_output(torch.tanh(s))


def _tanh_derivative_from_output(z: Tensor) -> Tensor:
    return 1 - z * z


def leaky_relu(slope: float = 0.01) -> Activation:
    r"""Leaky ReLU with slope $\alpha$ = `slope` for $s \le 0$: $a(s) = s$ if $s > 0$, else
    $\alpha s$. The registry holds `leaky_relu(0.01)`, torch's default."""
    def derivative(s: Tensor) -> Tensor:
        return torch.full_like(s, slope).masked_fill_(s > 0, 1.0)

    def forward(s: Tensor) -> Tensor:
        return s * derivative(s)  # s * 1 or s * slope: exactly torch's two branches

    return Activation("leaky_relu", forward, derivative,
                      rf"s \text{{ if }} s > 0, \text{{ else }} {slope:g}\, s",
                      rf"\mathbb{{1}}[s > 0] + {slope:g}\, \mathbb{{1}}[s \le 0]",
                      torch_module="LeakyReLU", torch_args=(slope,))


def _softplus(s: Tensor) -> Tensor:
    return torch.log1p(torch.exp(s)).where(s <= SOFTPLUS_THRESHOLD, s)


def _softplus_derivative(s: Tensor) -> Tensor:
    e = torch.exp(s)  # e^s / (e^s + 1) = sigma(s), in torch's own form
    return (e / (e + 1)).masked_fill_(s > SOFTPLUS_THRESHOLD, 1.0)


def _silu(s: Tensor) -> Tensor:
    return s * torch.sigmoid(s)


def _silu_derivative(s: Tensor) -> Tensor:
    sig = torch.sigmoid(s)
    return sig * (1 + s * (1 - sig))


def _gelu(s: Tensor) -> Tensor:
    return s * 0.5 * (1 + torch.erf(s * math.sqrt(0.5)))


def _gelu_derivative(s: Tensor) -> Tensor:
    cdf = 0.5 * (1 + torch.erf(s * math.sqrt(0.5)))
    pdf = torch.exp(-0.5 * s * s) / math.sqrt(2 * math.pi)
    return cdf + s * pdf


for _entry in (
    Activation("tanh", torch.tanh, _tanh_derivative, r"\tanh(s)", r"1 - \tanh^2(s)",
               derivative_from_output=_tanh_derivative_from_output, torch_module="Tanh"),
    leaky_relu(0.01),
    Activation("softplus", _softplus, _softplus_derivative, r"\log(1 + e^{s})", r"\sigma(s)",
               torch_module="Softplus"),
    Activation("silu", _silu, _silu_derivative, r"s\,\sigma(s)",
               r"\sigma(s)\,(1 + s\,(1 - \sigma(s)))", torch_module="SiLU"),
    Activation("gelu", _gelu, _gelu_derivative, r"s\,\Phi(s)", r"\Phi(s) + s\,\varphi(s)",
               torch_module="GELU"),
):
    register_activation(_entry)

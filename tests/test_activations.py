"""mlp/activations.py: every registry entry against torch, autograd and finite differences."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mlp import ACTIVATIONS, LOSSES, Activation
from mlp.softmax import softmax_jacobian

from .reference import TORCH_ACTIVATIONS, derivative_at_output, torch_activation
from .strategies import ACTIVATION_NAMES, DTYPES, PROPERTY, away_from_zero, float_tensors, sizes

# float64, derivatives of size <= 1 times grad_output of size <= 10: agreement to 1e-12 relative,
# or 1e-14 absolute where a saturating derivative such as 1 - tanh(s)^2 cancels to nearly 0.
CLOSE = dict(rtol=1e-12, atol=1e-14)


class ActivationFunction(torch.autograd.Function):
    """z = a(s), differentiated through the hand-written `Activation.backward`."""

    @staticmethod
    def forward(ctx, s, activation):
        z = activation.forward(s)
        ctx.activation = activation
        ctx.save_for_backward(s, z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        s, z = ctx.saved_tensors
        return ctx.activation.backward(grad_output, s, z), None


def autograd_grad(name: str, s: torch.Tensor, grad_output: torch.Tensor) -> torch.Tensor:
    """dJ/ds by autograd through torch's own module, for dJ/dz = grad_output."""
    s = s.detach().clone().requires_grad_()
    torch_activation(name)(s).backward(grad_output)
    return s.grad


def autograd_jacobians(name: str, s: torch.Tensor) -> torch.Tensor:
    """(N, K, K): the Jacobian of each row of torch's module at s (N, K), by autograd."""
    module = torch_activation(name)
    return torch.func.vmap(torch.func.jacrev(module))(s)


# The Jacobians of the row-mixing activations, formed in full; backprop never forms them.
ROW_JACOBIANS = {"softmax": softmax_jacobian}


def jacobians(a: Activation, s: torch.Tensor) -> torch.Tensor:
    """(N, K, K) written out: diag(a'(s)) per row when element-wise, else the entry's own."""
    return torch.diag_embed(a.derivative(s)) if a.elementwise else ROW_JACOBIANS[a.name](s)


def matches_autograd(activation: Activation, name: str, s, grad_output) -> bool:
    manual = activation.backward(grad_output, s, activation.forward(s))
    return torch.allclose(manual, autograd_grad(name, s, grad_output), **CLOSE)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_registry_key_is_the_activation_name(name):
    assert ACTIVATIONS[name].name == name


@pytest.mark.parametrize("name", sorted(set(ACTIVATION_NAMES) & set(TORCH_ACTIVATIONS)))
@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_equals_torch(name, dtype, generator):
    s = torch.randn(6, 5, dtype=dtype, generator=generator) * 5
    z = ACTIVATIONS[name].forward(s)
    assert z.dtype == dtype and z.shape == s.shape
    if dtype == torch.float64:
        torch.testing.assert_close(z, TORCH_ACTIVATIONS[name]()(s), rtol=1e-12, atol=0)
    else:  # GELU's 1 + erf(s / sqrt 2) cancels for s < 0: a few ulps of |s|, not of z
        atol = 4 * torch.finfo(dtype).eps * s.abs().max().item()
        torch.testing.assert_close(z, TORCH_ACTIVATIONS[name]()(s), rtol=1e-6, atol=atol)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_backward_passes_gradcheck(name, generator):
    s = away_from_zero((4, 3), generator).requires_grad_()
    assert torch.autograd.gradcheck(ActivationFunction.apply, (s, ACTIVATIONS[name]))


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_is_grad_output_times_the_jacobian(name, dtype, generator):
    # The fused backward may reuse z = a(s) and never form the Jacobian, but must equal the
    # registry's plain formula: grad_output * a'(s), or each row times its Jacobian.
    a = ACTIVATIONS[name]
    s = torch.randn(5, 4, dtype=dtype, generator=generator) * 4
    grad_output = torch.randn(5, 4, dtype=dtype, generator=generator)
    grad_input = a.backward(grad_output, s, a.forward(s))
    assert grad_input.dtype == dtype and grad_input.shape == s.shape
    close = CLOSE if dtype == torch.float64 else dict(rtol=1e-6, atol=1e-7)
    by_jacobian = (grad_output.unsqueeze(-2) @ jacobians(a, s)).squeeze(-2)
    torch.testing.assert_close(grad_input, by_jacobian, **close)
    if a.elementwise:
        torch.testing.assert_close(grad_input, grad_output * a.derivative(s), **close)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_an_elementwise_derivative_has_the_shape_of_its_argument(name, dtype, generator):
    a = ACTIVATIONS[name]
    if not a.elementwise:  # a row-mixing entry has its product and no element-wise derivative
        assert a.derivative is None and a.vector_jacobian_product is not None
        return
    for shape in [(5, 4), (1, 1), (3,), ()]:
        s = torch.randn(shape, dtype=dtype, generator=generator)
        for local in (a.derivative(s),
                      *([a.derivative_from_output(a.forward(s))]
                        if a.derivative_from_output is not None else [])):
            assert isinstance(local, torch.Tensor), f"{name}: {type(local).__name__}"
            assert local.shape == s.shape and local.dtype == dtype, (name, shape)


def test_an_entry_needs_exactly_one_of_derivative_and_product():
    with pytest.raises(ValueError, match="exactly one of derivative"):
        Activation("neither", torch.relu, None)
    with pytest.raises(ValueError, match="exactly one of derivative"):
        Activation("both", torch.relu, torch.ones_like, vector_jacobian_product=lambda v, u, a: v)


def test_the_registries_carry_no_formulas():
    # One formula, one source: the site prints them from derivations/, never from mlp.
    for entry in (*ACTIVATIONS.values(), *LOSSES.values()):
        fields = {f.name for f in dataclasses.fields(entry)}
        assert not {"formula", "derivative_formula", "tex", "latex"} & fields, entry.name


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@PROPERTY
@given(data=st.data())
def test_backward_and_derivative_equal_autograd(name, data):
    shape = (data.draw(sizes), data.draw(sizes))
    s = data.draw(float_tensors(shape, -40.0, 40.0))  # exact zeros and -0.0 included
    grad_output = data.draw(float_tensors(shape, -10.0, 10.0))
    a = ACTIVATIONS[name]
    expected = autograd_grad(name, s, grad_output)
    torch.testing.assert_close(a.backward(grad_output, s, a.forward(s)), expected, **CLOSE)
    torch.testing.assert_close(jacobians(a, s), autograd_jacobians(name, s), **CLOSE)


def test_relu_derivative_at_zero_is_zero_as_in_torch():
    s = torch.tensor([0.0, -0.0, 0.0], dtype=torch.float64)
    grad_output = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    relu = ACTIVATIONS["relu"]
    torch_grad = autograd_grad("relu", s, grad_output)
    assert torch.equal(torch_grad, torch.zeros_like(s))
    assert torch.equal(relu.backward(grad_output, s, relu.forward(s)), torch_grad)
    assert torch.equal(relu.derivative(s), torch.zeros_like(s))


# The element-wise activations for which a'(a(s)) != a'(s), so a derivative taken at the
# output is wrong. (Softmax's product is written in z on purpose: z holds all it needs.)
_S = torch.linspace(-4.0, 4.0, 17, dtype=torch.float64)
TELLS_S_FROM_Z = [n for n in ACTIVATION_NAMES if ACTIVATIONS[n].elementwise
                  and not torch.allclose(derivative_at_output(ACTIVATIONS[n]).derivative(_S),
                                         ACTIVATIONS[n].derivative(_S))]


def test_some_activation_tells_pre_activation_from_output():
    assert {"sigmoid", "tanh", "softplus", "silu", "gelu"} <= set(TELLS_S_FROM_Z)


@pytest.mark.parametrize("name", TELLS_S_FROM_Z)
def test_derivative_is_taken_at_the_pre_activation(name, generator):
    s = torch.randn(6, 5, dtype=torch.float64, generator=generator) * 3
    grad_output = torch.randn(6, 5, dtype=torch.float64, generator=generator)
    assert matches_autograd(ACTIVATIONS[name], name, s, grad_output)
    # The same check rejects the derivative taken at the output, so it can fail.
    assert not matches_autograd(derivative_at_output(ACTIVATIONS[name]), name, s, grad_output)


# An entry with no derivative_from_output: backward takes the plain path, grad_output * a'(s).
SOFTSIGN = Activation("softsign", lambda u: u / (1 + u.abs()), lambda u: (1 + u.abs()) ** -2)


def test_an_entry_with_only_its_derivative_backprops_through_it(generator):
    s = torch.randn(6, 5, dtype=torch.float64, generator=generator) * 3
    grad_output = torch.randn(6, 5, dtype=torch.float64, generator=generator)
    leaf = s.clone().requires_grad_()
    SOFTSIGN.forward(leaf).backward(grad_output)  # autograd through the entry's own forward
    got = SOFTSIGN.backward(grad_output, s, SOFTSIGN.forward(s))
    torch.testing.assert_close(got, leaf.grad, **CLOSE)
    # softsign'(z) differs from softsign'(s), so a backward that read z would fail above.
    assert not torch.allclose(SOFTSIGN.derivative(SOFTSIGN.forward(s)), SOFTSIGN.derivative(s))


@pytest.mark.parametrize("name", [n for n in ACTIVATION_NAMES
                                  if ACTIVATIONS[n].derivative_from_output is not None])
def test_derivative_from_output_equals_the_derivative(name, generator):
    a = ACTIVATIONS[name]
    s = torch.randn(6, 5, dtype=torch.float64, generator=generator) * 4
    torch.testing.assert_close(a.derivative_from_output(a.forward(s)), a.derivative(s), **CLOSE)

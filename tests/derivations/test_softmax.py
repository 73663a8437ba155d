"""derivations.softmax: the K x K Jacobian, the product backprop uses instead, the fused
cross-entropy gradient; each proven, each wrong variant refuted, SymPy against mlp and autograd."""

import pytest
import sympy as sp
import torch

import mlp
from derivations import softmax as sm
from derivations import torch_bridge as tb
from derivations.activations import ACTIVATIONS
from derivations.identity import Identity
from derivations.latex import matrix
from mlp.softmax import softmax_jacobian

DT = torch.float64


def test_registry_entry():
    entry = ACTIVATIONS["softmax"]
    assert entry is sm.SOFTMAX and not entry.elementwise
    assert entry.interval == sp.Interval.open(0, 1)
    assert not mlp.ACTIVATIONS["softmax"].elementwise


@pytest.mark.parametrize("n_out", [2, 3, 4])
def test_jacobian_is_diag_minus_outer_product(n_out):
    claim = sm.jacobian_identity(n_out)
    assert claim.shape == (n_out, n_out) and claim.holds()
    # Treating softmax as element-wise keeps only the diagonal: refuted off it.
    z = sp.Matrix(sm.SOFTMAX.row(matrix("s", n_out, 1, vector=True)))
    assert not Identity("diagonal", "", None, sp.diag(*z.applyfunc(lambda v: v * (1 - v))),
                        claim.derived).holds()


def test_entry_of_the_jacobian():
    claim = sm.entry_identity()
    assert claim.holds()
    assert sm.latex(claim) == (r"\frac{\partial a_{i}}{\partial u_{j}} = "
                               r"a_{i} \left(\delta_{i j} - a_{j}\right)")


@pytest.mark.parametrize(("batch", "n_out"), [(1, 2), (2, 3)])
def test_vector_jacobian_product(batch, n_out):
    claim = sm.vjp_identity(batch, n_out)
    assert claim.holds()
    assert sm.latex(claim, (sm.N, sm.K)) == (
        r"\Delta_{3} = \nabla_{Z_{3}} J = \hat{Y} \had \left(\nabla_{\hat{Y}} J - \left(\hat{Y} "
        r"\had \nabla_{\hat{Y}} J\right) \ones_{K} \ones_{K}\T\right) \quad (N \times K)")
    # Without the term that couples the row, the upstream times Y_hat entry by entry: what an
    # element-wise backward would give.
    up, z3 = matrix(r"\nabla_{\hat{Y}} J", batch, n_out), matrix("Z_{3}", batch, n_out)
    elementwise = sp.ImmutableMatrix(up.multiply_elementwise(sm.SOFTMAX(z3)))
    assert not Identity("wrong", "", None, elementwise, claim.derived).holds()


def test_fused_gradient_is_p_minus_y_over_n():
    claim = sm.fused_identity(2, 3)
    assert claim.holds()
    assert sm.latex(claim) == (r"\frac{\partial J}{\partial Z_{3}} = "
                               r"\frac{1}{N} \left(\hat{Y} - Y\right)")
    # Missing the 1/N of torch's mean over the batch: refuted.
    assert not Identity("sum", "", None, claim.closed_form * 2, claim.derived).holds()


def test_jacobian_three_ways():
    # SymPy's Jacobian lambdified, mlp's softmax_jacobian, and autograd's, at random rows.
    rows = 3 * torch.randn(5, 4, dtype=DT, generator=torch.Generator().manual_seed(0))
    row = matrix("u", 4, 1, vector=True)
    symbolic = tb.to_torch(sm.SOFTMAX.jacobian(row), [row])
    by_sympy = torch.stack([symbolic(r) for r in rows])
    by_autograd = torch.func.vmap(torch.func.jacrev(lambda r: torch.softmax(r, -1)))(rows)
    by_hand = softmax_jacobian(rows)
    torch.testing.assert_close(by_sympy, by_autograd, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(by_hand, by_autograd, rtol=1e-12, atol=1e-15)

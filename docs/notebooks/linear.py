# %% [markdown]
# # The linear layer
#
# Both layers of the network are the affine map $s = x W\T + \ones b\T$ on a batch: $x$
# (N, in) holds one sample per row, $W$ (out, in) is stored as `nn.Linear` stores it, $b$
# (out, 1) is added to every row, and $s$ is (N, out). `derivations.linear` builds it on small
# concrete sizes, $N = 2$, in $= 3$, out $= 4$, all different so that no shape equals another's
# transpose, takes its Jacobians with `Matrix.jacobian`, and proves the three products backprop
# uses instead of them.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import Math, display

from derivations import linear
from derivations.latex import shape_tex, tex
from mlp import linear_backward, linear_forward

torch.set_default_dtype(torch.float64)

# %%
sym = linear.symbols(batch=2, n_in=3, n_out=4)
x, W, b, delta = sym["x"], sym["W"], sym["b"], sym["delta"]
s = linear.forward(x, W, b)
assert s.shape == (x.rows, W.rows)
display(Math(rf"s = x W\T + \ones b\T = {tex(s)} \quad {shape_tex(s.shape)}"))

# %% [markdown]
# ## Layout
#
# - **vec is row-major.** $\operatorname{vec}(M)$ lists the entries of $M$ row by row, the order
#   of `Tensor.reshape(-1)`: $\operatorname{vec}(W) = (W_{11}, W_{12}, W_{13}, W_{21}, \dots)$.
# - **Numerator layout.** In $\partial \operatorname{vec}(s)/\partial \operatorname{vec}(W)$,
#   row $r$ is the output entry $\operatorname{vec}(s)_r$ and column $c$ the input entry
#   $\operatorname{vec}(W)_c$, so it is (N out, out in) = (8, 12).
# - **A 4-D Jacobian read as a matrix.** $\partial s_{nj}/\partial W_{kl}$ has four indices,
#   shape (N, out, out, in), as `torch.autograd.functional.jacobian` returns it. Reading the
#   output indices $(n, j)$ row-major as the row and the input indices $(k, l)$ row-major as
#   the column is `.reshape(N * out, out * in)`: exactly
#   $\partial \operatorname{vec}(s)/\partial \operatorname{vec}(W)$.
# - **A gradient has its variable's shape.** For a scalar $J$, $\nabla_W J$ is (out, in) like
#   $W$, the shape SGD subtracts it in and torch stores in `W.grad` (the
#   [layout](../index.md#layout) of the whole site).
#
# The cell checks the reading twice: SymPy's `derive_by_array` (which puts the input indices
# first, (out, in, N, out)) permuted and reshaped, and torch's own 4-D Jacobian reshaped at a
# random point, both equal the `jacobian` of $\operatorname{vec}(s)$.

# %%
jac = linear.jacobians(sym)
four_d = sp.permutedims(sp.derive_by_array(s, W), (2, 3, 0, 1))  # (N, out, out, in)
assert four_d.shape == (2, 4, 4, 3)
assert sp.Matrix(four_d.reshape(8, 12).tolist()) == jac["W"]

gen = torch.Generator().manual_seed(0)
values = {M: torch.randn(*M.shape, generator=gen) for M in (x, W, b)}
point = {v: e.item() for M, t in values.items() for v, e in zip(M, t.reshape(-1), strict=True)}
x_t, W_t, b_t = values[x], values[W], values[b].reshape(-1)
torch_4d = torch.autograd.functional.jacobian(lambda W_: linear_forward(x_t, W_, b_t), W_t)
assert torch_4d.shape == (2, 4, 4, 3)
expected = torch.tensor(sp.matrix2numpy(jac["W"].xreplace(point), dtype=float))
assert torch.allclose(torch_4d.reshape(8, 12), expected, rtol=1e-15, atol=0)
print("torch's (N, out, out, in) Jacobian, reshaped to (N out, out in), == the SymPy Jacobian")

# %% [markdown]
# ## The three Jacobians
#
# Each is derived with `jacobian` (the explicit matrix) and proven equal to its structured
# form: a block diagonal $I_N \otimes W$ for $x$ (every sample sees the same $W$); for $W$ a
# Kronecker product with the batch, and a permutation $P$ that turns the row-major
# $\operatorname{vec}(W)$ into the column-major order $\otimes$ produces; for $b$ a stack of $N$
# identities (every sample receives the same bias).

# %%
claims = linear.identities(sym)
for name in ("dsdx", "dsdW", "dsdb"):
    assert claims[name].holds(), name
    display(Math(claims[name].latex()))
    display(Math(claims[name].explicit_latex()))

# %% [markdown]
# ## What backprop computes instead
#
# With $\delta = \nabla_s J$ (N, out) from the layer above, the chain rule is
# $\operatorname{vec}(\delta)\T$ times a Jacobian, a row read back into the shape of the
# variable. Multiplied out, the Jacobians' structure collapses to three small products:
# $\delta\T x$, the column sums of $\delta$ (that is, $\delta\T \ones_N$), and $\delta W$.
# Each is proven equal to the product through the full Jacobian.

# %%
for name in ("dJdW", "dJdb", "dJdx"):
    assert claims[name].holds(), name
    display(Math(claims[name].latex()))
    display(Math(claims[name].explicit_latex()))
column_sums = sp.Matrix([[sum(delta[:, j])] for j in range(delta.cols)])
assert claims["dJdb"].closed_form == column_sums
assert [claims[k].shape for k in ("dJdW", "dJdb", "dJdx")] == [W.shape, b.shape, x.shape]

# %% [markdown]
# `mlp.linear_backward` computes exactly these products: at a random point, its three
# gradients equal the chain rule through the full symbolic Jacobians.

# %%
delta_t = torch.randn(2, 4, generator=gen)
point.update({v: e.item() for v, e in zip(delta, delta_t.reshape(-1), strict=True)})
grad_W, grad_b = torch.zeros_like(W_t), torch.zeros_like(b_t)
grad_x = linear_backward(delta_t, x_t, W_t, grad_W, grad_b)
for name, grad in (("dJdW", grad_W), ("dJdb", grad_b), ("dJdx", grad_x)):
    derived = torch.tensor(sp.matrix2numpy(claims[name].derived.xreplace(point), dtype=float))
    assert torch.allclose(grad, derived.reshape(grad.shape), rtol=1e-14, atol=0), name
print("linear_backward == vec(delta)^T (full Jacobian) for W, b and x")

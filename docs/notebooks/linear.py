# %% [markdown]
# # The linear layer
#
# Both layers of the network are the affine map $Z = X W\T + \ones_N b\T$ on a batch: $X$
# (N, in) holds sample $p$ in row $p$, $W$ (out, in) is stored as `nn.Linear` stores it, $b$
# (out, 1) is added to every row, and $Z$ is (N, out): $Z_1$ and $Z_3$ of the
# [notation](../index.md#notation). `derivations.linear` builds it on small
# concrete sizes, $N = 2$, in $= 3$, out $= 4$, all different so that no shape equals another's
# transpose, takes its Jacobians with `Matrix.jacobian`, and proves the three products backprop
# uses instead of them.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import HTML, Math, display

from derivations import linear
from derivations.latex import shape_tex, tex
from mlp import linear_backward, linear_forward
from pages.boxes import how_checked

torch.set_default_dtype(torch.float64)

# %%
sym = linear.symbols(batch=2, n_in=3, n_out=4)
x, W, b, delta = sym["x"], sym["W"], sym["b"], sym["delta"]
z = linear.forward(x, W, b)
assert z.shape == (x.rows, W.rows)
display(Math(rf"Z = X W\T + \ones_N b\T = {tex(z)} \quad {shape_tex(z.shape)}"))

# %% [markdown]
# ## Layout
#
# - **vec is row-major.** $\operatorname{vec}(M)$ lists the entries of $M$ row by row, the order
#   of `Tensor.reshape(-1)`: $\operatorname{vec}(W) = (W_{11}, W_{12}, W_{13}, W_{21}, \dots)$.
# - **Numerator layout.** In $\partial \operatorname{vec}(Z)/\partial \operatorname{vec}(W)$,
#   row $r$ is the output entry $\operatorname{vec}(Z)_r$ and column $c$ the input entry
#   $\operatorname{vec}(W)_c$, so it is (N out, out in) = (8, 12).
# - **A 4-D Jacobian read as a matrix.** $\partial Z_{pj}/\partial W_{kl}$ has four indices,
#   shape (N, out, out, in), as `torch.autograd.functional.jacobian` returns it. Reading the
#   output indices $(p, j)$ row-major as the row and the input indices $(k, l)$ row-major as
#   the column is `.reshape(N * out, out * in)`: exactly
#   $\partial \operatorname{vec}(Z)/\partial \operatorname{vec}(W)$.
# - **A gradient has its variable's shape.** For a scalar $J$, $\nabla_W J$ is (out, in) like
#   $W$, the shape SGD subtracts it in and torch stores in `W.grad` (the
#   [layout](../index.md#layout) of the whole site).
#
# Both readings agree: SymPy's `derive_by_array` (which puts the input indices first,
# (out, in, N, out)) permuted and reshaped, and torch's own 4-D Jacobian reshaped, equal the
# `jacobian` of $\operatorname{vec}(Z)$.

# %%
jac = linear.jacobians(sym)
four_d = sp.permutedims(sp.derive_by_array(z, W), (2, 3, 0, 1))  # (N, out, out, in)
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
# form: a block diagonal $I_N \otimes W$ for $X$ (every sample sees the same $W$); for $W$ a
# Kronecker product with the batch, and a permutation $P$ that turns the row-major
# $\operatorname{vec}(W)$ into the column-major order $\otimes$ produces; for $b$ a stack of $N$
# identities (every sample receives the same bias).

# %%
claims = linear.identities(sym)
for name in ("dZdx", "dZdW", "dZdb"):
    assert claims[name].holds(), name
    display(Math(claims[name].latex()))
    display(Math(claims[name].explicit_latex()))

# %% [markdown]
# ## What backprop computes instead
#
# With the upstream gradient $\Delta = \nabla_Z J$ (N, out) from the layer above ($\Delta_3$
# or $\Delta_1$ in the network), the chain rule is $\operatorname{vec}(\Delta)\T$ times a
# Jacobian, a row read back into the shape of the variable. Multiplied out, the Jacobians'
# structure collapses to three small products: $\Delta\T X$, the column sums of $\Delta$ (that
# is, $\Delta\T \ones_N$), and $\Delta W$. Each is proven equal to the product through the
# full Jacobian.

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
grad_x, grad_W, grad_b = linear_backward(delta_t, x_t, W_t)
for name, grad in (("dJdW", grad_W), ("dJdb", grad_b), ("dJdx", grad_x)):
    derived = torch.tensor(sp.matrix2numpy(claims[name].derived.xreplace(point), dtype=float))
    assert torch.allclose(grad, derived.reshape(grad.shape), rtol=1e-14, atol=0), name
print("linear_backward == vec(Delta)^T (full Jacobian) for W, b and X")

# %% tags=["remove-input"]
display(HTML(how_checked([
    "Each formula on this page is printed from the SymPy object the build checks; the page "
    "fails to build if a check fails.",
    ["**The Jacobians and the three products** are proven at $N = 2$, in $= 3$, out $= 4$: "
     "each structured form equals SymPy's `jacobian` entry by entry, for every value of the "
     "symbols. These sizes are all different, so a transposed product has the wrong shape.",
     "**The 4-D reading**: SymPy's `derive_by_array` permuted and reshaped equals the "
     "`jacobian` exactly; torch's 4-D Jacobian reshaped equals it at one random point to a "
     "relative $10^{-15}$ in float64.",
     "**Against the code**: `mlp.linear_backward`'s three gradients equal the chain rule "
     "through the full Jacobians at one random point to a relative $10^{-14}$."],
])))

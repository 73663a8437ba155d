# %% [markdown]
# # 1.1 Regression: $f = (\cdot)^+$, $g = \operatorname{id}$, squared error
#
# Every formula on this page is printed by `derivations.sample` (one sample, column vectors,
# numerator layout, the homework's names $z_1, z_2, z_3$) and `derivations.network` (a batch),
# and every one is checked in the cell that prints it: the compact chain-rule result against
# SymPy's `diff` of $\ell$ entry by entry, in exact arithmetic at random rational points. The
# derivation runs at $n = 2$, $m = 3$, $K = 2$; the formulas hold at every size.

# %%
import sympy as sp
import torch
from IPython.display import Markdown, Math, display

from derivations import network, sample
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.exact import rational_point
from derivations.latex import matrix
from derivations.losses import LOSSES as SYMBOLIC_LOSSES
from mlp import MLP, mse_loss, train

F, G, LOSS = "relu", "identity", "mse"
sym = sample.symbols(n_in=2, n_hidden=3, n_out=2)
POINTS = [rational_point(sym, seed) for seed in range(3)]


def show(claim, explicit=False, points=POINTS):
    """Print the claim as derived, and fail the build unless it holds at every point."""
    display(Math(claim.explicit_latex() if explicit else claim.latex()))
    assert all(claim.holds(at=p) for p in points), f"{claim.name} no longer holds"


# %% [markdown]
# ## 1.1.a The five steps of one SGD step
#
# For a batch $(x, y)$ and learning rate $\eta$, with $\theta$ each of $W^{(1)}, b^{(1)},
# W^{(2)}, b^{(2)}$:
#
# 1. **Forward**: $\hat y = g\big(W^{(2)} f(W^{(1)} x + b^{(1)}) + b^{(2)}\big)$ for every sample
#    (`y_hat = model(x)`).
# 2. **Loss**: $J = \frac{1}{NK}\sum_{n,k} (\hat y_{nk} - y_{nk})^2$ (`J = F.mse_loss(y_hat, y)`).
# 3. **Zero the gradients**: $\frac{\partial J}{\partial \theta} \leftarrow 0$, since torch adds
#    into `.grad` (`optimizer.zero_grad()`).
# 4. **Backward**: compute $\frac{\partial J}{\partial \theta}$ by the chain rule (`J.backward()`).
# 5. **Update**: $\theta \leftarrow \theta - \eta \frac{\partial J}{\partial \theta}$
#    (`optimizer.step()`).
#
# The same five steps, once with PyTorch and once by hand with `mlp` (`mlp.train` names each
# step), from the same weights:

# %%
torch.manual_seed(0)
x, y = torch.randn(10, 2, dtype=torch.float64), torch.randn(10, 5, dtype=torch.float64)
net = MLP(2, 20, F, 20, 5, G, dtype=torch.float64)
model = torch.nn.Sequential(torch.nn.Linear(2, 20), torch.nn.ReLU(), torch.nn.Linear(20, 5))
model = model.double()
with torch.no_grad():
    for layer, i in ((model[0], "1"), (model[2], "2")):
        layer.weight.copy_(net.parameters["W" + i])
        layer.bias.copy_(net.parameters["b" + i])
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for step in range(3):
    y_hat = model(x)                                  # 1 forward
    J = torch.nn.functional.mse_loss(y_hat, y)        # 2 loss
    optimizer.zero_grad()                             # 3 zero the gradients
    J.backward()                                      # 4 backward
    optimizer.step()                                  # 5 update

    y_hat_mlp = train.forward(net, x)                 # 1 forward
    J_mlp, dJdy_hat = train.loss(LOSS, y, y_hat_mlp)  # 2 loss
    train.zero_grad(net)                              # 3 zero the gradients
    train.backward(net, dJdy_hat)                     # 4 backward, by hand
    train.sgd_update(net, lr=0.01)                    # 5 update
    print(f"step {step}: J torch {J.item():.12f}   J mlp {J_mlp.item():.12f}")
    assert torch.allclose(J, J_mlp, rtol=1e-12, atol=0)
assert torch.allclose(model[0].weight, net.parameters["W1"], rtol=1e-12, atol=1e-14)

# %% [markdown]
# ## 1.1.b The forward pass, layer by layer
#
# For one data point $(x, y)$, each layer's input and output in terms of $x, y, W^{(1)},
# b^{(1)}, W^{(2)}, b^{(2)}$ only (each output substitutes the one before it):

# %%
fwd = sample.forward(F, G, sym)
m, n = sym["W1"].shape
K = sym["W2"].rows
X, W1, b1 = (sp.MatrixSymbol(t, *s) for t, s in (("x", (n, 1)), ("W^{(1)}", (m, n)),
                                                  ("b^{(1)}", (m, 1))))
W2, b2 = sp.MatrixSymbol("W^{(2)}", K, m), sp.MatrixSymbol("b^{(2)}", K, 1)
relu_tex = lambda e: rf"\left({e}\right)^+"  # noqa: E731
z1 = W1 * X + b1
z2 = relu_tex(sp.latex(z1))
z3 = rf"{sp.latex(W2)} {z2} + {sp.latex(b2)}"
rows = [
    ("Linear$_1$", "$x$", f"$z_1 = {sp.latex(z1)}$", r"$m \times 1$"),
    ("$f$", "$z_1$", f"$z_2 = {z2}$", r"$m \times 1$"),
    ("Linear$_2$", "$z_2$", f"$z_3 = {z3}$", r"$K \times 1$"),
    ("$g$", "$z_3$", rf"$\hat y = z_3 = {z3}$", r"$K \times 1$"),
    ("loss", r"$\hat y, y$", rf"$\ell = \lVert {z3} - y \rVert^2$", "scalar"),
]
display(Markdown("| layer | input | output | shape |\n|---|---|---|---|\n"
                 + "\n".join("| " + " | ".join(r) + " |" for r in rows)))
# The table is the code's forward pass: check it entry by entry at the sample points.
z1_value = sym["W1"] * sym["x"] + sym["b1"]
assert fwd["z1"] == z1_value and fwd["z2"] == SYMBOLIC[F](z1_value)
assert fwd["y_hat"] == fwd["z3"] == sym["W2"] * fwd["z2"] + sym["b2"]

# %% [markdown]
# With a batch the code stacks the $N$ samples as rows, $x$ is $N \times n$, and the same
# layers read $s_1 = x W^{(1)\top} + b^{(1)}$, $z_1 = f(s_1)$, $s_2 = z_1 W^{(2)\top} + b^{(2)}$,
# $\hat y = g(s_2)$: the homework's $z_1, z_2, z_3$ are the code's $s_1, z_1, s_2$, each sample
# a row instead of a column. Entry by entry, $z_2$ is:

# %%
display(Math(r"z_2 = " + sp.latex(fwd["z2"])))

# %% [markdown]
# ## 1.1.c The gradients of the backward pass
#
# In terms of $x$, $W^{(2)}$, $\frac{\partial \ell}{\partial \hat y}$ (a row, $1 \times K$),
# $\frac{\partial \hat y}{\partial z_3}$ ($K \times K$) and $\frac{\partial z_2}{\partial z_1}$
# ($m \times m$), with $z_2 = (W^{(1)} x + b^{(1)})^+$ from 1.1.b. Each gradient is written in
# its parameter's own shape, as torch's `.grad` holds it and SGD subtracts it; the strict
# numerator-layout derivative of $\ell$ by a matrix is its transpose.

# %%
grads = sample.gradients(F, G, LOSS, sym)
for name in ("dldW2", "dldb2", "dldW1", "dldb1"):
    show(grads[name])

# %% [markdown]
# **For a batch**, as `MLP.backward` computes it. The rows of
# $\delta_2 = \frac{\partial J}{\partial s_2}$ are the per-sample rows
# $\frac{\partial \ell}{\partial \hat y}\frac{\partial \hat y}{\partial z_3}$ scaled by torch's
# $\frac{1}{NK}$, so each product $\delta^\top(\cdot)$ sums the per-sample gradients over the
# batch. Derived at $N = 2$, each step checked against `diff` of $J$:

# %%
net_sym = network.symbols(**network.DEFAULT_SIZE)
net_points = [rational_point(net_sym, seed) for seed in range(2)]
for claim in network.identities(F, G, LOSS, net_sym).values():
    show(claim, points=net_points)

# %% [markdown]
# The same in numbers: the per-sample formulas above, transcribed to torch as written, summed
# over a batch and scaled by $\frac{1}{NK}$, give `MLP`'s gradients.

# %%
net = MLP(2, 20, F, 20, 5, G, dtype=torch.float64)
x, y = torch.randn(10, 2, dtype=torch.float64), torch.randn(10, 5, dtype=torch.float64)
J, dJdy_hat = mse_loss(y, net.forward(x))
net.backward(dJdy_hat)
W1v, b1v, W2v, b2v = net.parameters.values()
total = {k: torch.zeros_like(v) for k, v in net.grads.items()}
for xi, yi in zip(x, y, strict=True):
    xi, yi = xi[:, None], yi[:, None]                       # columns
    z1v = W1v @ xi + b1v[:, None]
    z2v = torch.relu(z1v)
    y_hat_i = W2v @ z2v + b2v[:, None]
    dl_dyhat = 2 * (y_hat_i - yi).T                         # (1, K)
    dyhat_dz3 = torch.eye(5, dtype=torch.float64)           # (K, K)
    dz2_dz1 = torch.diag((z1v[:, 0] > 0).double())          # (m, m)
    up2 = dl_dyhat @ dyhat_dz3
    up1 = up2 @ W2v @ dz2_dz1
    for key, value in (("dJdW2", up2.T @ z2v.T), ("dJdb2", up2.T[:, 0]),
                       ("dJdW1", up1.T @ xi.T), ("dJdb1", up1.T[:, 0])):
        total[key] += value / y.numel()
for key in total:
    assert torch.allclose(total[key], net.grads[key], rtol=1e-12, atol=1e-14), key
print("sum over samples of the per-sample gradients / (N K) == MLP.grads, for all four")

# %% [markdown]
# ## 1.1.d The elements of the three Jacobians
#
# $\frac{\partial z_2}{\partial z_1}$ is diagonal because $f$ acts entry by entry, with ReLU's
# derivative $\mathbb{1}[z_{1,i} > 0]$ on the diagonal ($m \times m$);
# $\frac{\partial \hat y}{\partial z_3}$ is the identity ($K \times K$); and
# $\frac{\partial \ell}{\partial \hat y} = 2(\hat y - y)^\top$ is a row ($1 \times K$).
# First the claims, checked against `Matrix.jacobian` at the forward pass's values:

# %%
jac = sample.jacobians(F, G, LOSS, sym)
for claim in jac.values():
    show(claim)

# %% [markdown]
# Then their elements, by `Matrix.jacobian` in free symbols $z_1$, $z_3$, $\hat y$:

# %%
z1s, z3s = matrix("z_{1}", m, 1, vector=True), matrix("z_{3}", K, 1, vector=True)
y_hat_s, ys = matrix(r"\hat{y}", K, 1, vector=True), sym["y"]
loss = SYMBOLIC_LOSSES[LOSS]
elements = {
    r"\frac{\partial z_2}{\partial z_1}": (SYMBOLIC[F](z1s).jacobian(z1s),
                                         sp.diag(*SYMBOLIC[F].prime(z1s))),
    r"\frac{\partial \hat y}{\partial z_3}": (SYMBOLIC[G](z3s).jacobian(z3s),
                                             sp.diag(*SYMBOLIC[G].prime(z3s))),
    r"\frac{\partial \ell}{\partial \hat y}": (
        sp.Matrix([loss.per_sample(y_hat_s, ys)]).jacobian(y_hat_s),
        loss.per_sample_gradient(y_hat_s, ys)),
}
for lhs, (by_jacobian, closed_form) in elements.items():
    assert sp.simplify(by_jacobian - closed_form) == sp.zeros(*closed_form.shape)
    display(Math(rf"{lhs} = {sp.latex(by_jacobian)} \quad ({closed_form.rows} \times "
                 rf"{closed_form.cols})"))
assert elements[r"\frac{\partial \hat y}{\partial z_3}"][0] == sp.eye(K)

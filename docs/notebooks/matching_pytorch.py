# %% [markdown]
# # Matching PyTorch
#
# The homework's tests compare `mlp` with `nn.Sequential`, `F.mse_loss` and `nn.BCELoss` by
# the norm of a difference, $< 10^{-3}$. `mlp-check` and this page use one rule instead,
# `mlp_check.tolerance.tolerance_for`: a result computed in a dtype must keep half of that
# dtype's digits,
#
# $$\frac{\lVert c - r \rVert}{\lVert r \rVert} \le \varepsilon_{\text{dtype}}^{1/2},$$
#
# with $\varepsilon$ the dtype's machine epsilon, $c$ the result and $r$ torch's. At that
# precision every convention torch follows has to be followed here too. This page lists them,
# and each cell checks its claim against torch when the site is built, by that rule or, where
# the page says so, bit for bit.

# %% tags=["remove-cell"]
import sympy as sp
import torch
import torch.nn.functional as F
from IPython.display import HTML, Math, display

from derivations.latex import tex
from mlp import ACTIVATIONS, MLP, bce_loss, mse_loss
from mlp_check.tolerance import tolerance_for
from pages.boxes import how_checked

torch.set_default_dtype(torch.float64)
_ = torch.manual_seed(0)  # the same numbers at every build


def agrees(result, reference):
    """The site's one rule: norm-wise relative error within tolerance_for(result's dtype)."""
    err = (result - reference).norm() / reference.norm()
    return err.item() <= tolerance_for(result.dtype)


# %%
for dtype in (torch.float64, torch.float32):
    print(f"{str(dtype):14s} eps = {torch.finfo(dtype).eps:.3g}   "
          f"tolerance_for = {tolerance_for(dtype):.3g}")

# %% [markdown] context="bridge"
# ## The loss is a mean over all $N \times K$ entries
#
# The homework writes its losses for one sample: $\ell_{\text{MSE}} = \lVert \hat y - y \rVert^2$
# sums over the $K$ outputs, and $\ell_{\text{BCE}}$ already carries a $\frac{1}{K}$. Torch's
# default `reduction="mean"` divides the sum over the whole $N \times K$ batch by $NK$. So the
# batch loss $J$ and the sum of the per-sample losses $\ell_p$ (sample $p$ in row $p$) differ by
# a constant, and a different one for each loss. SymPy works it out on a batch of $N = 2$
# samples with $K = 3$ outputs:

# %% context="bridge"
N, K = 2, 3
Y = sp.Matrix(N, K, lambda p, k: sp.Symbol(f"Y_{p}{k}", real=True))
P = sp.Matrix(N, K, lambda p, k: sp.Symbol(rf"\hat Y_{p}{k}", positive=True))
entries = [(P[p, k], Y[p, k]) for p in range(N) for k in range(K)]


def per_sample_mse(p):
    return sum((P[p, k] - Y[p, k]) ** 2 for k in range(K))


def per_sample_bce(p):
    return -sum(Y[p, k] * sp.log(P[p, k]) + (1 - Y[p, k]) * sp.log(1 - P[p, k])
                for k in range(K)) / K


torch_mse = sum((p - y) ** 2 for p, y in entries) / (N * K)
torch_bce = -sum(y * sp.log(p) + (1 - y) * sp.log(1 - p) for p, y in entries) / (N * K)
ratio_mse = sp.simplify(torch_mse / sum(per_sample_mse(p) for p in range(N)))
ratio_bce = sp.simplify(torch_bce / sum(per_sample_bce(p) for p in range(N)))
assert ratio_mse == sp.Rational(1, N * K) and ratio_bce == sp.Rational(1, N)
display(Math(rf"J_{{\text{{MSE}}}} = {tex(ratio_mse)} \sum_{{p=1}}^{{N}} \ell_{{\text{{MSE}}}}"
             rf"(\hat y_p, y_p) = \frac{{1}}{{NK}} \sum_p \ell_{{\text{{MSE}}}}, \qquad "
             rf"J_{{\text{{BCE}}}} = {tex(ratio_bce)} \sum_{{p=1}}^{{N}} \ell_{{\text{{BCE}}}}"
             rf"(\hat y_p, y_p) = \frac{{1}}{{N}} \sum_p \ell_{{\text{{BCE}}}}"
             r"\quad (N = 2,\ K = 3)"))

# %% [markdown] context="bridge"
# The same constant scales every gradient, since backprop is linear in $\nabla_{\hat Y} J$.
# `mse_loss` returns $\frac{2}{NK}(\hat Y - Y)$ where the homework's per-sample derivative is
# $2(\hat y - y)\T$, a row of $\frac{\partial \ell}{\partial \hat y}$ in numerator layout.
# Both agree with torch, to the rule above: $J$ is a sum, whose rounding follows the order the
# CPU's kernel adds in, and the gradient's scale $\frac{2}{NK}$ may be applied in another order
# than torch's, which can change the last bit:

# %% context="bridge"
y, y_hat = torch.randn(N, K), torch.rand(N, K)
p = y_hat.clone().requires_grad_()
J, dJdy_hat = mse_loss(y, y_hat)
F.mse_loss(p, y).backward()
assert agrees(J, F.mse_loss(y_hat, y)) and agrees(dJdy_hat, p.grad)
assert agrees(dJdy_hat * N * K, 2 * (y_hat - y))
print("dJ/dy_hat * N K  =  2 (y_hat - y), as the per-sample formula says")

# %% [markdown]
# ## BCE clamps each log at $-100$
#
# At $\hat y \in \{0, 1\}$ a log is $-\infty$. Torch clamps each of the two logs at $-100$, so one
# entry that is confidently wrong costs exactly $100$, not infinity. `bce_loss` does the same:

# %%
y = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
y_hat = torch.tensor([[0.0, 1.0, 1.0, 0.0]])  # two entries certainly wrong, two certainly right
J, _ = bce_loss(y, y_hat)
assert J == F.binary_cross_entropy(y_hat, y) == (100 + 100 + 0 + 0) / 4
print(f"J = {J.item()} = (100 + 100 + 0 + 0) / 4")

# %% [markdown]
# ## The BCE gradient clamps its denominator at $10^{-12}$
#
# $$\nabla_{\hat y} J = \frac{1}{NK}\,
# \frac{\hat y - y}{\max\!\big(\hat y (1 - \hat y),\ 10^{-12}\big)}$$
#
# Without the clamp the gradient at $\hat y \in \{0, 1\}$ divides by zero. Torch's clamp is a
# C++ `float`, so it is float32's nearest value to $10^{-12}$ even for float64 tensors; the
# gradients agree bit for bit at the edges:

# %%
p = y_hat.clone().requires_grad_()
F.binary_cross_entropy(p, y).backward()
_, dJdy_hat = bce_loss(y, y_hat)
assert torch.equal(dJdy_hat, p.grad)
print("mlp: ", dJdy_hat.tolist(), "\ntorch:", p.grad.tolist())

# %% [markdown]
# ## ReLU'(0) = 0, by convention
#
# ReLU, $(u)^+$, has no derivative at $u = 0$; any value in $[0, 1]$ is a subgradient. Torch
# passes no gradient at 0, so `mlp` takes the derivative to be 0 there as well. It matters: ReLU
# after a layer whose output is exactly 0 (a zero bias on a zero input) happens in practice.

# %%
u = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
torch.relu(u).sum().backward()
relu = ACTIVATIONS["relu"]
assert torch.equal(relu.derivative(u.detach()), u.grad) and u.grad[1] == 0
print("torch:", u.grad.tolist(), " mlp:", relu.derivative(u.detach()).tolist())

# %% [markdown] context="bridge"
# ## $W$ is stored (out, in), and a batch is a stack of rows
#
# `nn.Linear(n, m).weight` has shape $(m, n)$, the shape of $W^{(1)}$ in the homework's
# $z_1 = W^{(1)} x + b^{(1)}$ for a column vector $x$. A batch puts samples in **rows**,
# $X \in \mathbb{R}^{N \times n}$, and the same map applied to every row reads
# $Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T$: row $p$ of $Z_1$ is the transpose of sample $p$'s
# column $W^{(1)} x + b^{(1)}$. The gradient keeps $W$'s shape: $\nabla_{W^{(1)}} J =
# \Delta_1\T X$ is $(m, N)(N, n) = (m, n)$ ([The whole network](network.py#from-the-batch-to-one-sample)
# proves the step from the batch to one sample).

# %%
net = MLP(2, 20, "relu", 20, 5, "identity", dtype=torch.float64)
linear = torch.nn.Linear(2, 20)
assert net.parameters["W1"].shape == linear.weight.shape == (20, 2)
x = torch.randn(10, 2)
rows = torch.stack([net.parameters["W1"] @ x_i + net.parameters["b1"] for x_i in x])
assert agrees(x @ net.parameters["W1"].T + net.parameters["b1"], rows)
print("W1:", tuple(net.parameters["W1"].shape), " one sample at a time == the batch at once")

# %% tags=["remove-input"] context="bridge"
display(HTML(how_checked([
    "Every statement on this page is an assertion the build runs; the page fails to build if one "
    "fails.",
    ["**Tolerance**: results agree when their norm-wise relative error is within "
     "`tolerance_for` of the result's dtype, the rule stated at the top.",
     "**The loss constants** $\\frac{1}{NK}$ and $\\frac{1}{N}$ are exact SymPy results at "
     "$N = 2$, $K = 3$.",
     "**Against torch**: $J$ and the MSE gradient by the tolerance rule on one random batch; "
     "the clamps, ReLU's value at 0 and the weight's shape on the inputs shown."],
])))

# %% [markdown]
# # 1.2 Classification: $f = g = \sigma$, then binary cross-entropy, then $f = (\cdot)^+$
#
# As on the [regression page](homework_1_1.py), every formula is printed by `derivations` and
# checked in the cell that prints it. The sigmoid's formulas are rational functions of
# exponentials, so here the checks are symbolic: the difference between the compact result and
# `diff` entry by entry simplifies to 0 for every value of the symbols.

# %%
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import Math, display

from derivations import losses as symbolic_losses
from derivations import sample
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.activations import s
from derivations.identity import is_zero
from derivations.latex import matrix
from mlp import ACTIVATIONS, MLP, bce_loss

torch.manual_seed(0)  # the same numbers at every build
sym = sample.symbols(n_in=2, n_hidden=3, n_out=2)
K = sym["W2"].rows


def show(claim, explicit=False):
    display(Math(claim.explicit_latex() if explicit else claim.latex()))
    assert claim.holds(), f"{claim.name} no longer holds"


# %% [markdown]
# ## 1.2.a Sigmoid activations, same squared error
#
# **(b)** The layers keep their inputs; two outputs change: $z_2 = \sigma(z_1)$ and
# $\hat y = \sigma(z_3)$, so
# $\hat y = \sigma\big(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)}\big)$ and
# $\ell = \lVert \hat y - y \rVert^2$.
#
# **(c)** The four gradients keep their form, since they are written in terms of the three
# Jacobians; only the Jacobians' values change:

# %%
for claim in sample.gradients("sigmoid", "sigmoid", "mse", sym).values():
    show(claim)

# %% [markdown]
# **(d)** Both activation Jacobians are still diagonal, now with
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ on the diagonal, where
# $\sigma'(s) = \sigma(s)(1 - \sigma(s))$ is proven first; $\frac{\partial \ell}{\partial \hat y}$
# is unchanged:

# %%
from derivations.activations import derivative_identity  # noqa: E402

show(derivative_identity("sigmoid"))
for claim in sample.jacobians("sigmoid", "sigmoid", "mse", sym).values():
    show(claim)

# %% [markdown]
# ## 1.2.b Binary cross-entropy
#
# **(b)** Only the loss changes: $\ell_{\text{BCE}}(\hat y, y) = \frac{1}{K}\sum_{i=1}^{K}
# -\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]$.
#
# **(c)** The gradients keep the same form again. **(d)** $\frac{\partial z_2}{\partial z_1}$
# and $\frac{\partial \hat y}{\partial z_3}$ are those of 1.2.a; $\frac{\partial \ell}{\partial
# \hat y}$ is new, entry $i$ being $\frac{1}{K}\frac{\hat y_i - y_i}{\hat y_i (1 - \hat y_i)}$:

# %%
jac = sample.jacobians("sigmoid", "sigmoid", "bce", sym)
show(jac["dldy_hat"])
for name, claim in sample.gradients("sigmoid", "sigmoid", "bce", sym).items():
    assert claim.holds(), name

# %% [markdown]
# **The fused gradient.** The $\hat y_i(1 - \hat y_i)$ in that denominator is exactly
# $\sigma'(z_{3,i})$, so the product
# $\frac{\partial \ell}{\partial z_3} = \frac{\partial \ell}{\partial \hat y}
# \frac{\partial \hat y}{\partial z_3}$ collapses to $\frac{1}{K}(\hat y - y)^\top$: no division,
# no saturation. SymPy multiplies the two and simplifies:

# %%
z3s, y_hat_s = matrix("z_{3}", K, 1, vector=True), matrix(r"\hat{y}", K, 1, vector=True)
bce = symbolic_losses.LOSSES["bce"]
sigmoid_z3 = SYMBOLIC["sigmoid"](z3s)
upstream = (bce.per_sample_gradient(sigmoid_z3, sym["y"])
            * sp.diag(*SYMBOLIC["sigmoid"].prime(z3s)))
fused = (sigmoid_z3 - sym["y"]).T / K
assert is_zero(upstream - fused)
display(Math(r"\frac{\partial \ell}{\partial \hat y}\frac{\partial \hat y}{\partial z_3}"
             r" = \frac{1}{K}(\hat y - y)^\top = " + sp.latex((y_hat_s - sym["y"]).T / K)))

# %% [markdown]
# For a batch, torch's mean over $N K$ entries gives the same with $\frac{1}{NK}$, which is what
# the code's $\delta_2$ is when $g = \sigma$ and the loss is BCE:

# %%
show(symbolic_losses.fused_sigmoid_bce())
net = MLP(2, 20, "sigmoid", 20, 5, "sigmoid", dtype=torch.float64)
x = torch.randn(10, 2, dtype=torch.float64)
y = (torch.rand(10, 5, dtype=torch.float64) < 0.5).double()
y_hat = net.forward(x)
_, dJdy_hat = bce_loss(y, y_hat)
delta2 = ACTIVATIONS["sigmoid"].backward(dJdy_hat, net.cache["s2"], y_hat)
assert torch.allclose(delta2, (y_hat - y) / y.numel(), rtol=1e-10, atol=0)
print("mlp's delta2 for sigmoid + BCE equals (y_hat - y) / (N K)")

# %% [markdown]
# ## 1.2.c Why $f = (\cdot)^+$ trains a deeper network better
#
# Backprop reaches a hidden layer through one factor $\operatorname{diag}(f'(z))$ per layer.
# For the sigmoid that factor is at most $\frac{1}{4}$, and nearly 0 once $|z|$ is large
# (the unit *saturates*): through $L$ sigmoid layers the gradient shrinks by at least $4^{-L}$
# on top of whatever the weights do, and the first layers barely learn. ReLU's factor is exactly
# 1 on every active unit however large $z$ is, so the gradient passes through undiminished, and
# ReLU costs one comparison. (Its inactive units pass nothing; they are the price.)
#
# SymPy finds the sigmoid's largest slope, and the plot shows both derivatives and what $L$
# layers' worth of the best-case factor leaves:

# %%
slope = sp.diff(SYMBOLIC["sigmoid"].value, s)
peak = sp.solve(sp.diff(slope, s), s)
assert peak == [0] and slope.subs(s, 0) == sp.Rational(1, 4)
display(Math(r"\max_s \sigma'(s) = \sigma'(" + sp.latex(peak[0]) + ") = "
             + sp.latex(slope.subs(s, 0))))

grid = torch.linspace(-6, 6, 601, dtype=torch.float64)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
for name in ("sigmoid", "relu"):
    left.plot(grid, ACTIVATIONS[name].derivative(grid), label=f"{name}'")
left.set(xlabel="pre-activation $z$", ylabel="$f'(z)$", title="the factor per layer")
left.legend()
layers = torch.arange(1, 11)
right.semilogy(layers, 0.25 ** layers, "o-", label="sigmoid, best case $(1/4)^L$")
right.semilogy(layers, torch.ones(10), "s-", label="ReLU, active unit $1^L$")
right.set(xlabel="layers $L$", ylabel="factor left", title="through $L$ layers")
right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The [saturation experiment](saturation.py) measures it: the first layer's gradient norm in
# networks of growing depth and with growing inputs, sigmoid against ReLU.

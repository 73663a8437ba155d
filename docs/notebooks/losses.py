# %% [markdown]
# # Losses
#
# The loss turns the prediction $\hat y$ ($N \times K$) and the targets $y$ ($N \times K$)
# into one number $J$, and backprop starts from $\nabla_{\hat y} J$ ($N \times K$). `mlp` and
# torch define $J$ as a mean over all $N K$ entries of one per-entry term $\phi(\hat y_{nk},
# y_{nk})$; `derivations.losses` writes that term in SymPy with a claimed closed form of its
# derivative $\phi'$, and the cells below prove the claim, derive the fused sigmoid + BCE
# gradient, and relate $J$ to the homework's per-sample loss. The homework's two losses, the
# squared error and binary cross-entropy, are shown.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import Math, display

import mlp
from derivations import activations, losses
from derivations import torch_bridge as bridge
from derivations.latex import tex

torch.set_default_dtype(torch.float64)
assert losses.LOSSES.keys() == mlp.LOSSES.keys()
NAMES = mlp.COURSE_LOSSES  # the homework's two: mse, bce

# %% [markdown]
# ## $J$: torch's mean over $N K$ entries

# %%
for name in NAMES:
    display(Math(rf"\text{{{name.upper()}:}}\quad {losses.definition_latex(name)}"))

# %% [markdown]
# ## $\nabla_{\hat y} J$, entry by entry
#
# Each entry $\hat y_{nk}$ appears in one term of the sum only, so the gradient is the term's
# derivative divided by $N K$, entry by entry. The cell differentiates $J$ of a batch of
# $N = 2$, $K = 5$ by each of its ten entries with `diff` and proves that every one equals the
# closed form, shown for the entry $(n, k)$ with $N$ and $K$ as symbols (the proof puts in 2 and
# 5), and once in full for the entry $(1, 1)$:

# %%
for name in NAMES:
    claim = losses.gradient_identity(name, 2, 5)
    assert claim.holds() and claim.shape == (2, 5), name
    display(Math(rf"\text{{{name.upper()}:}}\quad {claim.latex()}"))
    display(Math(rf"\frac{{\partial J}}{{\partial \hat{{y}}_{{11}}}} = "
                 rf"{tex(claim.derived[0, 0])}\quad\text{{(diff, }}N K = 10)"))

# %% [markdown]
# BCE's derivative has $\hat y (1 - \hat y)$ in its denominator: it is undefined at
# $\hat y \in \{0, 1\}$, which is why torch clamps it ([Matching
# PyTorch](matching_pytorch.py#the-bce-gradient-clamps-its-denominator-at-1012)).
#
# ## Sigmoid + BCE: $\nabla_{s_2} J = (\hat y - y)/(N K)$
#
# With $g = \sigma$ and $\hat y = \sigma(s_2)$, the chain rule multiplies BCE's derivative by
# $\sigma'(s_2) = \hat y (1 - \hat y)$, which cancels that denominator. Written in $\hat y$,
# the product simplifies to the fused formula; `fused_sigmoid_bce` proves the same thing the
# long way, by differentiating $J(\sigma(s_2), y)$ by each entry of $s_2$ and simplifying.

# %%
fused = losses.fused_sigmoid_bce(2, 5)
assert fused.holds()
bce = losses.gradient_identity("bce").formula
y_hat_nk = next(v for v in bce.free_symbols if v.name == r"\hat{y}_{nk}")
# sigma'(s) = sigma(s) (1 - sigma(s)), the proven claim, written in y_hat = sigma(s_2)
sigmoid_prime = activations.ACTIVATIONS["sigmoid"].claim(y_hat_nk, activations.s)
product = sp.cancel(bce * sigmoid_prime)
assert sp.simplify(product - fused.formula) == 0
display(Math(rf"\frac{{\partial J}}{{\partial \hat{{y}}_{{nk}}}}\, \sigma'(s_{{2,nk}}) = "
             rf"{tex(bce)} \cdot {tex(sigmoid_prime)} = {tex(product)}"))
display(Math(fused.latex()))

# %% [markdown]
# No $\hat y (1 - \hat y)$ is left to vanish, so the fused gradient stays $(\hat y - y)/(NK)$
# when the sigmoid saturates, while BCE's own derivative then divides by (nearly) zero.

# %% [markdown] context="bridge"
# ## The homework's per-sample loss
#
# The homework writes the loss $\ell$ of one sample: the squared error sums $\phi$ over the $K$
# outputs, BCE averages it. For one sample ($N = 1$) the ratio $\ell / J$ is a constant, which
# `per_sample_factor` computes by dividing the two SymPy expressions. The cell checks it for
# $K = 1, \dots, 5$: $K$ for MSE, 1 for BCE. Every gradient of $\ell$ is that constant times the
# gradient of $J$.

# %% context="bridge"
for name in NAMES:
    display(Math(rf"\text{{{name.upper()}:}}\quad "
                 rf"{losses.definition_latex(name, per_sample=True)}"))
factors = {name: [losses.per_sample_factor(name, K) for K in range(1, 6)] for name in NAMES}
assert factors == {"mse": [1, 2, 3, 4, 5], "bce": [1, 1, 1, 1, 1]}
J_symbol = sp.Symbol("J")
display(Math(r",\qquad ".join(rf"\ell_{{\mathrm{{{name.upper()}}}}} = {tex(f[2] * J_symbol)}"
                               for name, f in factors.items()) + r"\quad (N = 1,\ K = 3)"))

# %% [markdown]
# ## The derivation against the code
#
# The symbolic $J$ and $\nabla_{\hat y} J$, lambdified to torch at a batch of $N = 4$,
# $K = 3$, against `mlp.LOSSES` (`mse_loss`, `bce_loss`), and the fused gradient against the
# sigmoid's backward applied to `bce_loss`'s gradient. $\hat y$ stays in $[0.05, 0.95]$, away
# from BCE's clamps.

# %%
gen = torch.Generator().manual_seed(0)
y, s2 = torch.rand(4, 3, generator=gen), torch.randn(4, 3, generator=gen)
y_hat = torch.sigmoid(s2).clamp(0.05, 0.95)
for name in NAMES:
    J, dJdy_hat = mlp.LOSSES[name].fn(y, y_hat)
    J_sym, dJdy_hat_sym = bridge.loss(name, y, y_hat)
    assert torch.allclose(J, J_sym, rtol=1e-14, atol=0), name
    assert torch.allclose(dJdy_hat, dJdy_hat_sym, rtol=1e-14, atol=0), name

y_hat = torch.sigmoid(s2)
sigmoid = mlp.ACTIVATIONS["sigmoid"]
delta2 = sigmoid.backward(mlp.bce_loss(y, y_hat)[1], s2, y_hat)
assert torch.allclose(delta2, (y_hat - y) / y.numel(), rtol=1e-12, atol=0)
print("J and dJ/dy_hat: SymPy == mlp for", ", ".join(NAMES),
      "\nsigmoid backward of bce_loss's gradient == (y_hat - y) / (N K)")

# %% [markdown]
# # Losses
#
# The loss turns the prediction $\hat Y$ ($N \times K$) and the targets $Y$ ($N \times K$)
# into one number $J$, and backprop starts from $\nabla_{\hat Y} J$ ($N \times K$). `mlp` and
# torch define $J$ as a mean over all $N K$ entries of one per-entry term
# $\phi(\hat Y_{pk}, Y_{pk})$, sample $p$ in row $p$; `derivations.losses` writes that term in
# SymPy with a claimed closed form of its derivative $\phi'$, and the cells below prove the
# claim, derive the fused sigmoid + BCE gradient, and relate $J$ to the homework's per-sample
# loss. The homework's two losses, the squared error and binary cross-entropy, are shown.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import HTML, Math, display

import mlp
from derivations import activations, losses
from derivations import torch_bridge as bridge
from derivations.latex import tex
from pages.boxes import how_checked

torch.set_default_dtype(torch.float64)
assert losses.LOSSES.keys() == mlp.LOSSES.keys()
NAMES = mlp.COURSE_LOSSES  # the homework's two: mse, bce

# %% [markdown]
# ## $J$: torch's mean over $N K$ entries

# %%
for name in NAMES:
    display(Math(rf"\text{{{name.upper()}:}}\quad {losses.definition_latex(name)}"))

# %% [markdown]
# ## $\nabla_{\hat Y} J$, entry by entry
#
# Each entry $\hat Y_{pk}$ appears in one term of the sum only, so the gradient is the term's
# derivative divided by $N K$. Below, the formula for the entry $(p, k)$, with $N$ and $K$
# written as symbols; it is checked at one size, $N = 2$ and $K = 5$, where `diff` of $J$ by
# each of the ten entries equals the formula with 2 and 5 put in. (For every size, this is the
# first step of [The whole network](network.py#every-size-at-once)'s derivation with
# $g = \operatorname{id}$: its $J$ is the same mean, for any differentiable per-entry term.)
# Then `diff`'s result for the entry $(1, 1)$ in full:

# %%
for name in NAMES:
    claim = losses.gradient_identity(name, 2, 5)
    assert claim.holds() and claim.shape == (2, 5), name
    display(Math(rf"\text{{{name.upper()}:}}\quad {claim.latex()}"))
    display(Math(rf"\frac{{\partial J}}{{\partial \hat{{Y}}_{{11}}}} = "
                 rf"{tex(claim.derived[0, 0])}\quad\text{{(diff, }}N K = 10)"))

# %% [markdown]
# BCE's derivative has $\hat Y_{pk} (1 - \hat Y_{pk})$ in its denominator: it is undefined at
# $\hat Y_{pk} \in \{0, 1\}$, which is why torch clamps it ([Matching
# PyTorch](matching_pytorch.py#the-bce-gradient-clamps-its-denominator-at-1012)).
#
# ## Sigmoid + BCE: $\Delta_3 = (\hat Y - Y)/(N K)$
#
# With $g = \sigma$ and $\hat Y = \sigma(Z_3)$, the chain rule multiplies BCE's derivative by
# $\sigma'(Z_{3,pk}) = \hat Y_{pk} (1 - \hat Y_{pk})$, which cancels that denominator. The
# product of the two entry formulas, with $N$ and $K$ symbols, simplifies to the fused formula:
# that step holds for every size. `fused_sigmoid_bce` also checks the result the long way at
# $N = 2$, $K = 5$, by differentiating $J(\sigma(Z_3), Y)$ by each entry of $Z_3$.

# %%
fused = losses.fused_sigmoid_bce(2, 5)
assert fused.holds()
bce = losses.gradient_identity("bce").formula
y_hat_pk = next(v for v in bce.free_symbols if v.name == r"\hat{Y}_{pk}")
# sigma'(u) = sigma(u) (1 - sigma(u)), the proven claim, written in Y_hat = sigma(Z_3)
sigmoid_prime = activations.ACTIVATIONS["sigmoid"].claim(y_hat_pk, activations.u)
product = sp.cancel(bce * sigmoid_prime)
assert sp.simplify(product - fused.formula) == 0
display(Math(rf"\frac{{\partial J}}{{\partial \hat{{Y}}_{{pk}}}}\, \sigma'(Z_{{3,pk}}) = "
             rf"{tex(bce)} \cdot {tex(sigmoid_prime)} = {tex(product)}"))
display(Math(fused.latex()))

# %% [markdown]
# No $\hat Y (1 - \hat Y)$ is left to vanish, so the fused gradient stays $(\hat Y - Y)/(NK)$
# when the sigmoid saturates, while BCE's own derivative then divides by (nearly) zero.

# %% [markdown] context="bridge"
# ## The homework's per-sample loss
#
# The homework writes the loss $\ell$ of one sample, in columns $\hat y$, $y$: the squared
# error sums $\phi$ over the $K$ outputs, BCE averages it. With one sample ($N = 1$, the
# sample's columns the batch's one row transposed), $\ell = K J$ for the squared error and
# $\ell = J$ for BCE. SymPy proves each for every value of $\hat y$ and $y$, at $K = 1, \dots,
# 5$; so every derivative of $\ell$ is that factor times one of $J$
# ([The whole network](network.py#from-the-batch-to-one-sample) proves the transposes).

# %% context="bridge"
for name in NAMES:
    display(Math(rf"\text{{{name.upper()}:}}\quad "
                 rf"{losses.definition_latex(name, per_sample=True)}"))
for name in NAMES:
    for K in range(1, 6):
        assert losses.per_sample_identity(name, K).holds(), (name, K)
factors = {name: [losses.per_sample_factor(name, K) for K in range(1, 6)] for name in NAMES}
assert factors == {"mse": [1, 2, 3, 4, 5], "bce": [1, 1, 1, 1, 1]}
display(Math(r",\qquad ".join(rf"\text{{{name.upper()}:}}\ "
                               f"{losses.per_sample_identity(name, 5).latex()}"
                               for name in NAMES) + r"\quad (N = 1)"))

# %% [markdown]
# ## The derivation against the code
#
# The symbolic $J$ and $\nabla_{\hat Y} J$, lambdified to torch at a batch of $N = 4$,
# $K = 3$, against `mlp.LOSSES` (`mse_loss`, `bce_loss`), and the fused gradient against the
# sigmoid's backward applied to `bce_loss`'s gradient. $\hat Y$ stays in $[0.05, 0.95]$, away
# from BCE's clamps.

# %%
gen = torch.Generator().manual_seed(0)
y, z3 = torch.rand(4, 3, generator=gen), torch.randn(4, 3, generator=gen)
y_hat = torch.sigmoid(z3).clamp(0.05, 0.95)
for name in NAMES:
    J, dJdy_hat = mlp.LOSSES[name].fn(y, y_hat)
    J_sym, dJdy_hat_sym = bridge.loss(name, y, y_hat)
    assert torch.allclose(J, J_sym, rtol=1e-14, atol=0), name
    assert torch.allclose(dJdy_hat, dJdy_hat_sym, rtol=1e-14, atol=0), name

y_hat = torch.sigmoid(z3)
sigmoid = mlp.ACTIVATIONS["sigmoid"]
dJdz3 = sigmoid.backward(mlp.bce_loss(y, y_hat)[1], z3, y_hat)
assert torch.allclose(dJdz3, (y_hat - y) / y.numel(), rtol=1e-12, atol=0)
print("J and dJ/dy_hat: SymPy == mlp for", ", ".join(NAMES),
      "\nsigmoid backward of bce_loss's gradient == (y_hat - y) / (N K)")

# %% tags=["remove-input"] context="bridge"
display(HTML(how_checked([
    "Each formula on this page is printed from the SymPy object the build checks; the page "
    "fails to build if a check fails.",
    ["**$\\nabla_{\\hat Y} J$**: `diff` of $J$ at $N = 2$, $K = 5$, entry by entry, equals the "
     "formula with 2 and 5 put in for $N$, $K$ (exact). The formula with symbolic $N$, $K$ is "
     "what that check instantiates; for every size it is a case of the derivation on The whole "
     "network.",
     "**The fused gradient**: the product of the two entry formulas is simplified to "
     "$(\\hat Y_{pk} - Y_{pk})/(NK)$ with $N$, $K$ symbols; `diff` through $\\sigma$ confirms it "
     "at $N = 2$, $K = 5$.",
     "**The per-sample loss**: $\\ell = K J$ (MSE) and $\\ell = J$ (BCE) at $N = 1$, proven for "
     "every value at $K = 1, \\dots, 5$.",
     "**Against the code**: $J$ and $\\nabla_{\\hat Y} J$ agree with `mlp` to a relative "
     "$10^{-14}$ at one random batch of $N = 4$, $K = 3$ in float64; the fused gradient with "
     "the sigmoid's backward to $10^{-12}$."],
])))

# %% [markdown]
# # Activations
#
# $f$ and $g$ act entry by entry on a batch: $z = a(s)$ with $z_{ij} = a(s_{ij})$, $s$ the
# pre-activation and $z$ the activation (the [notation](../index.md#notation)). Backprop needs
# only $a'(s)$, the derivative at the pre-activation, since the Jacobian of an entry-wise map is
# diagonal. `derivations.activations` writes each $a$ in SymPy next to a claimed closed form of
# $a'$; here `diff` derives $a'$ and the claim is proven equal to it, then the proven derivative
# is held against the one `mlp` runs.

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

import mlp
from derivations import activations, catalogue
from derivations.latex import tex
from derivations.torch_bridge import TORCH_MODULES

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})
torch.set_default_dtype(torch.float64)
assert activations.ACTIVATIONS.keys() == mlp.ACTIVATIONS.keys()
NAMES = [n for n, a in mlp.ACTIVATIONS.items() if a.elementwise]  # the registry's, in order
s = activations.s

# %% [markdown]
# ## Definitions and derivatives
#
# For each element-wise activation of the registry: its definition, then its derivative as `diff` computes it, equal to the
# closed form backprop uses. The cell asserts that `diff` minus the closed form is 0 for every
# real $s$.

# %%
for name in NAMES:
    claim = activations.derivative_identity(name)
    assert claim.holds(), name
    display(Math(activations.definition_latex(name)))
    # lhs = diff = closed form; one right side where the two print the same.
    same = tex(claim.derived) == tex(claim.formula)
    derivative = f"{claim.explicit_latex()} = {tex(claim.formula)}"
    display(Math(claim.latex() if same else derivative))

# %% [markdown]
# Through $L$ layers backprop multiplies by $f'$ once per layer, so the gradient keeps at most
# $M^L$ of itself, $M = \sup_s |f'(s)|$: the best case, where every unit sits at its largest
# slope. `derivations.catalogue` finds $M$ for each entry of the registry (by search on a grid,
# then exact where a rational point reaches it):

# %%
display(Markdown(catalogue.markdown()))

# %% [markdown]
# The sigmoid's closed form is written in its own output, $\sigma(s)(1 - \sigma(s))$, which is
# why backprop can compute it from the cached $z = \sigma(s)$. ReLU's derivative is an
# indicator; the identity's is the constant 1.
#
# ## $\operatorname{ReLU}'(0) = 0$ is a convention
#
# ReLU has no derivative at its kink: any value in $[0, 1]$ is a subgradient. What `diff`
# returns at 0 depends only on how the condition is written. `Piecewise((s, s > 0), (0, True))`
# gives $\mathbb{1}[s > 0]$, which is 0 at 0; `Piecewise((s, s >= 0), (0, True))`, the same
# function everywhere, gives 1 there. The registry writes $s > 0$ because torch passes no gradient
# at 0 ([Matching PyTorch](matching_pytorch.py#relu0-0-by-convention)), so the site's
# $\operatorname{ReLU}'(0) = 0$ is torch's convention, not a result:

# %%
kink = activations.relu_at_zero()
assert kink.holds() and kink.derived == 0
assert mlp.ACTIVATIONS["relu"].derivative(torch.zeros(1)).item() == 0
written = activations.relu_kink()
assert written == {"s > 0": 0, "s >= 0": 1}
conditions = {"s > 0": "s > 0", "s >= 0": r"s \ge 0"}
display(Math(r",\qquad ".join(rf"\text{{written }} {conditions[cond]}:\ "
                               rf"\operatorname{{ReLU}}'(0) = {value}"
                               for cond, value in written.items())))

# %% [markdown]
# ## The derivation against the code
#
# Each derived $a'$, the output of `diff`, is turned into a torch function with
# `sympy.lambdify` and evaluated on a grid of $s \in [-8, 8]$ in steps of $1/100$, with $s = 0$
# on the grid; so is $a$ itself. Both must equal `mlp.ACTIVATIONS[name]` to float64 rounding.

# %%
grid = torch.arange(-800, 801) / 100  # exact 0 at index 800


def on_grid(expr: sp.Expr) -> torch.Tensor:
    """`expr` in s, lambdified to torch and evaluated on `grid` (constants broadcast)."""
    value = sp.lambdify([s], expr, modules=TORCH_MODULES)(grid)
    return torch.as_tensor(value, dtype=grid.dtype).expand(grid.shape)


curves = {}
for name in NAMES:
    act, symbolic = mlp.ACTIVATIONS[name], activations.ACTIVATIONS[name]
    a, a_prime = on_grid(symbolic.value), on_grid(activations.derivative_identity(name).derived)
    # 1e-12: the lambdified log(e^s + 1) loses digits for s < 0 that mlp's log1p keeps.
    assert torch.allclose(a, act.forward(grid), rtol=1e-12, atol=0), name
    # 1e-12, not 1e-15: mlp's sigma (1 - sigma) loses digits to the cancellation in 1 - sigma(s)
    # at s = 8, where the derived e^{-s} / (1 + e^{-s})^2 does not; 1e-15 absolute: GELU's
    # 1 + erf(s / sqrt 2) cancels for s < 0, in both.
    assert torch.allclose(a_prime, act.derivative(grid), rtol=1e-12, atol=1e-15), name
    curves[name] = (symbolic.tex, a, a_prime)
print(f"value and derivative agree with mlp at all {grid.numel()} points, for",
      ", ".join(curves))

# %% [markdown]
# ## Plots
#
# Each activation (solid) and its derivative (dashed), from the lambdified SymPy expressions
# checked above; the dot marks $a'(0)$. The sigmoid's derivative peaks at $\frac14$ and vanishes
# for large $|s|$; the ReLU's is a step that takes the value 0 at $s = 0$.

# %% tags=["hide-input"] alt="One panel per activation of the registry (ReLU, the sigmoid, the identity, tanh, leaky ReLU, softplus, SiLU, GELU): each activation as a solid line and its derivative dashed, for s from -5 to 5; a dot marks each derivative at s = 0: 0 for ReLU, one quarter for the sigmoid, 1 for the identity and tanh."
sigmoid_prime = activations.derivative_identity("sigmoid").derived
sigmoid_on_grid = curves["sigmoid"][2]
assert sigmoid_prime.subs(s, 0) == sp.Rational(1, 4)
assert sigmoid_on_grid.max().item() == sigmoid_on_grid[grid == 0].item() == 0.25
assert sp.limit(sigmoid_prime, s, sp.oo) == sp.limit(sigmoid_prime, s, -sp.oo) == 0
columns = 4
fig, axes = plt.subplots(-(-len(curves) // columns), columns, sharey=True, layout="constrained",
                         figsize=(3.3 * columns, 3.2 * -(-len(curves) // columns)), squeeze=False)
for ax in axes.flat[len(curves):]:
    ax.remove()
for ax, (name_tex, a, a_prime) in zip(axes.flat[:len(curves)], curves.values(), strict=True):
    ax.plot(grid, a, label=f"${name_tex}(s)$")
    ax.plot(grid, a_prime, "--", label=f"${name_tex}'(s)$")
    ax.plot(0, a_prime[grid == 0], "o", color="C1", ms=4)  # the value at s = 0
    ax.set(xlabel="$s$", xlim=(-5, 5), ylim=(-1.5, 3))
    ax.axhline(0, color="grey", lw=0.5)
    ax.legend(loc="upper left")  # above every curve for s < 0
plt.show()

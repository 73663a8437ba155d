# %% [markdown]
# # Activations
#
# $f$ and $g$ act entry by entry on a batch: $Z_2 = f(Z_1)$ with $Z_{2,pj} = f(Z_{1,pj})$, and
# $\hat Y = g(Z_3)$ (the [notation](../index.md#notation)). Here an activation $a$ is written of
# a generic argument $u$: $a(u)$, $a'(u)$. Backprop needs only $a'$ at the pre-activation,
# $f'(Z_1)$ and $g'(Z_3)$, since the Jacobian of an entry-wise map is diagonal.
# `derivations.activations` writes each $a$ in SymPy next to a claimed closed form of $a'$;
# here `diff` derives $a'$ and the claim is proven equal to it, then the proven derivative is
# held against the one `mlp` runs. ReLU is written as the homework writes it, $(u)^+$.

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import HTML, Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

import mlp
from derivations import activations
from derivations.activations import apply_tex
from derivations.latex import tex
from derivations.torch_bridge import TORCH_MODULES
from pages import catalogue
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})
torch.set_default_dtype(torch.float64)
assert activations.ACTIVATIONS.keys() == mlp.ACTIVATIONS.keys()
NAMES = [n for n, a in mlp.ACTIVATIONS.items() if a.elementwise]  # the registry's, in order
u = activations.u

# %% [markdown]
# ## Definitions and derivatives
#
# For each element-wise activation of the registry: its definition, then its derivative as
# `diff` computes it, equal to the closed form backprop uses.

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
# Through $L$ layers backprop multiplies by $f'$ once per layer, so the activations alone scale
# a gradient by at most $M^L$, $M = \sup_u |f'(u)|$: the best case, where every unit sits at
# its largest slope; the weights multiply it by their own factors on top. $M$ is found for each
# entry of the registry by a numeric search (the folded box at the end says how):

# %%
display(Markdown(catalogue.markdown()))

# %% [markdown]
# The sigmoid's closed form is written in its own output, $\sigma(u)(1 - \sigma(u))$, which is
# why backprop can compute $\sigma'(Z_3)$ from the cached $\hat Y = \sigma(Z_3)$. ReLU's
# derivative is an indicator; the identity's is the constant 1.
#
# ## ReLU's derivative at 0 is a convention
#
# ReLU has no derivative at its kink: any value in $[0, 1]$ is a subgradient. What `diff`
# returns at 0 depends only on how the condition is written. `Piecewise((u, u > 0), (0, True))`
# gives $\mathbb{1}[u > 0]$, which is 0 at 0; `Piecewise((u, u >= 0), (0, True))`, the same
# function everywhere, gives 1 there. The registry writes $u > 0$ because torch passes no
# gradient at 0 ([Matching PyTorch](matching_pytorch.py#relu0-0-by-convention)), so the site's
# value 0 at the kink is torch's convention, not a result:

# %%
kink = activations.relu_at_zero()
assert kink.holds() and kink.derived == 0
assert mlp.ACTIVATIONS["relu"].derivative(torch.zeros(1)).item() == 0
written = activations.relu_kink()
assert written == {"u > 0": 0, "u >= 0": 1}
conditions = {"u > 0": "u > 0", "u >= 0": r"u \ge 0"}
display(Math(r",\qquad ".join(rf"\text{{written }} {conditions[cond]}:\ {kink.lhs} = {value}"
                               for cond, value in written.items())))

# %% [markdown]
# ## The derivation against the code
#
# Each derived $a'$, the output of `diff`, is turned into a torch function with
# `sympy.lambdify` and evaluated on a grid of $u \in [-8, 8]$ in steps of $1/100$, with $u = 0$
# on the grid; so is $a$ itself. Both agree with `mlp.ACTIVATIONS[name]` to a relative
# $10^{-12}$ at every point, within float64 rounding.

# %%
grid = torch.arange(-800, 801) / 100  # exact 0 at index 800


def on_grid(expr: sp.Expr) -> torch.Tensor:
    """`expr` in u, lambdified to torch and evaluated on `grid` (constants broadcast)."""
    value = sp.lambdify([u], expr, modules=TORCH_MODULES)(grid)
    return torch.as_tensor(value, dtype=grid.dtype).expand(grid.shape)


curves = {}
for name in NAMES:
    act, symbolic = mlp.ACTIVATIONS[name], activations.ACTIVATIONS[name]
    a, a_prime = on_grid(symbolic.value), on_grid(activations.derivative_identity(name).derived)
    # 1e-12: the lambdified log(e^u + 1) loses digits for u < 0 that mlp's log1p keeps.
    assert torch.allclose(a, act.forward(grid), rtol=1e-12, atol=0), name
    # 1e-12, not 1e-15: mlp's sigma (1 - sigma) loses digits to the cancellation in 1 - sigma(u)
    # at u = 8, where the derived e^{-u} / (1 + e^{-u})^2 does not; 1e-15 absolute: GELU's
    # 1 + erf(u / sqrt 2) cancels for u < 0, in both.
    assert torch.allclose(a_prime, act.derivative(grid), rtol=1e-12, atol=1e-15), name
    curves[name] = (symbolic.tex, a, a_prime)
print(f"value and derivative agree with mlp at all {grid.numel()} points, for",
      ", ".join(curves))

# %% [markdown]
# ## Plots
#
# Each activation (solid) and its derivative (dashed), from the lambdified SymPy expressions
# checked above; the dot marks $a'(0)$. The sigmoid's derivative peaks at $\frac14$ and vanishes
# for large $|u|$; the ReLU's is a step that takes the value 0 at $u = 0$.

# %% tags=["hide-input"] alt="One panel per activation of the registry (ReLU, the sigmoid, the identity, tanh, leaky ReLU, softplus, SiLU, GELU): each activation as a solid line and its derivative dashed, for u from -5 to 5; a dot marks each derivative at u = 0: 0 for ReLU, one quarter for the sigmoid, 1 for the identity and tanh."
sigmoid_prime = activations.derivative_identity("sigmoid").derived
sigmoid_on_grid = curves["sigmoid"][2]
assert sigmoid_prime.subs(u, 0) == sp.Rational(1, 4)
assert sigmoid_on_grid.max().item() == sigmoid_on_grid[grid == 0].item() == 0.25
assert sp.limit(sigmoid_prime, u, sp.oo) == sp.limit(sigmoid_prime, u, -sp.oo) == 0
columns = 4
fig, axes = plt.subplots(-(-len(curves) // columns), columns, sharey=True, layout="constrained",
                         figsize=(3.3 * columns, 3.2 * -(-len(curves) // columns)), squeeze=False)
for ax in axes.flat[len(curves):]:
    ax.remove()
for ax, (name_tex, a, a_prime) in zip(axes.flat[:len(curves)], curves.values(), strict=True):
    ax.plot(grid, a, label=f"${apply_tex(name_tex, 'u')}$")
    ax.plot(grid, a_prime, "--", label=f"${apply_tex(name_tex, 'u', prime=True)}$")
    ax.plot(0, a_prime[grid == 0], "o", color="C1", ms=4)  # the value at u = 0
    ax.set(xlabel="$u$", xlim=(-5, 5), ylim=(-1.5, 3))
    ax.axhline(0, color="grey", lw=0.5)
    ax.legend(loc="upper left")  # above every curve for u < 0
plt.show()

# %% tags=["remove-input"]
display(HTML(how_checked([
    "Each formula on this page is printed from the SymPy object the build checks; the page "
    "fails to build if a check fails.",
    ["**Derivatives**: for each activation, `diff` of its definition minus the claimed closed "
     "form simplifies to 0 for every real $u$ (SymPy's `simplify`, exact).",
     "**The best case $M$** is a numeric search, not a proof: the largest $|a'|$ on a grid of "
     "step $0.01$ over $[-10, 10]$ in float64, refined by golden-section search, compared with "
     "SymPy's limits as $u \\to \\pm\\infty$. Where $|a'|$ at a nearby rational point agrees "
     "with the numeric maximum to $10^{-12}$ in floating point, $M$ is written as that exact "
     "value; a spike narrower than the grid step could be missed.",
     "**Against the code**: the lambdified $a$ and $a'$ agree with `mlp` at all 1601 grid "
     "points to a relative $10^{-12}$ in float64.",
     "**The sigmoid's peak** $\\sigma'(0) = 1/4$ and its limits 0 are exact SymPy results."],
])))

# %% [markdown]
# # Activations
#
# $f$ and $g$ act entry by entry: $z = a(s)$ with $z_{ij} = a(s_{ij})$. Backprop needs only
# $a'(s)$, the derivative at the pre-activation $s$, since the Jacobian of an entry-wise map is
# diagonal. `derivations.activations` writes each $a$ in SymPy next to a claimed closed form of
# $a'$; here `diff` derives $a'$ and the claim is proven equal to it, then the proven derivative
# is held against the one `mlp` runs.

# %%
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import Math, display

import mlp
from derivations import activations

torch.set_default_dtype(torch.float64)
assert activations.ACTIVATIONS.keys() == mlp.ACTIVATIONS.keys()
s = activations.s

# %% [markdown]
# ## Definitions and derivatives
#
# For each activation: its definition, then its derivative as `diff` computes it, equal to the
# closed form backprop uses. The cell asserts that `diff` minus the closed form is 0 for every
# real $s$.

# %%
for name in activations.ACTIVATIONS:
    claim = activations.derivative_identity(name)
    assert claim.holds(), name
    display(Math(activations.definition_latex(name)))
    # lhs = diff = closed form; one right side where the two print the same.
    same = sp.latex(claim.derived) == sp.latex(claim.formula)
    derivative = f"{claim.explicit_latex()} = {sp.latex(claim.formula)}"
    display(Math(claim.latex() if same else derivative))

# %% [markdown]
# The sigmoid's closed form is written in its own output, $\sigma(s)(1 - \sigma(s))$, which is
# why backprop can compute it from the cached $z = \sigma(s)$. ReLU's derivative is an
# indicator; the identity's is the constant 1.
#
# ## $\operatorname{ReLU}'(0) = 0$
#
# ReLU has no derivative at its kink: any value in $[0, 1]$ is a subgradient. Written as
# `Piecewise((s, s > 0), (0, True))`, `diff` gives the indicator $\mathbb{1}[s > 0]$, which is 0
# at 0: the choice torch makes (see Matching PyTorch).

# %%
kink = activations.relu_at_zero()
assert kink.holds() and kink.derived == 0
assert mlp.ACTIVATIONS["relu"].derivative(torch.zeros(1)).item() == 0
display(Math(kink.latex()))

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
    value = sp.lambdify([s], expr, modules="torch")(grid)
    return torch.as_tensor(value, dtype=grid.dtype).expand(grid.shape)


curves = {}
for name, act in mlp.ACTIVATIONS.items():
    symbolic = activations.ACTIVATIONS[name]
    a, a_prime = on_grid(symbolic.value), on_grid(activations.derivative_identity(name).derived)
    assert torch.allclose(a, act.forward(grid), rtol=1e-14, atol=0), name
    # 1e-12, not 1e-15: mlp's sigma (1 - sigma) loses digits to the cancellation in 1 - sigma(s)
    # at s = 8, where the derived e^{-s} / (1 + e^{-s})^2 does not.
    assert torch.allclose(a_prime, act.derivative(grid), rtol=1e-12, atol=0), name
    curves[name] = (symbolic.tex, a, a_prime)
print(f"value and derivative agree with mlp at all {grid.numel()} points, for",
      ", ".join(curves))

# %% [markdown]
# ## Plots
#
# Each activation (solid) and its derivative (dashed), from the lambdified SymPy expressions
# checked above; the dot marks $a'(0)$. The sigmoid's derivative peaks at $\frac14$ and vanishes
# for large $|s|$; the ReLU's is a step that takes the value 0 at $s = 0$.

# %%
sigmoid_prime = activations.derivative_identity("sigmoid").derived
sigmoid_on_grid = curves["sigmoid"][2]
assert sigmoid_prime.subs(s, 0) == sp.Rational(1, 4)
assert sigmoid_on_grid.max().item() == sigmoid_on_grid[grid == 0].item() == 0.25
assert sp.limit(sigmoid_prime, s, sp.oo) == sp.limit(sigmoid_prime, s, -sp.oo) == 0
fig, axes = plt.subplots(1, len(curves), figsize=(3.2 * len(curves), 3), sharey=True)
for ax, (tex, a, a_prime) in zip(axes, curves.values(), strict=True):
    ax.plot(grid, a, label=f"${tex}(s)$")
    ax.plot(grid, a_prime, "--", label=f"${tex}'(s)$")
    ax.plot(0, a_prime[grid == 0], "o", color="C1", ms=4)  # the value at s = 0
    ax.set(xlabel="$s$", xlim=(-5, 5), ylim=(-1.5, 3))
    ax.axhline(0, color="grey", lw=0.5)
    ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

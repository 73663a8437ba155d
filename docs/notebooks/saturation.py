# %% [markdown]
# # Saturation: why $f = (\cdot)^+$ trains deeper networks (1.2.c)
#
# Backprop reaches the first layer through $\Delta_1 = (\Delta_3 W^{(2)}) \had f'(Z_1)$ (the
# batch's names of the [notation](../index.md#notation)), and in a deeper stack through one
# such product per hidden layer. The factor $f'$ is where the two activations differ, written
# here of a generic argument $u$:

# %% tags=["remove-cell"]
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import HTML, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from derivations import activations
from mlp import ACTIVATIONS, LOSSES, MLP
from mlp.deep import DeepMLP
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})

# %%

# The tensors here are small: one thread is faster than two, and steadier on a shared machine.
torch.set_num_threads(1)
DT = torch.float64
HIDDEN = ("sigmoid", "relu")
for f in HIDDEN:  # from derivations, proven on the Activations page
    claim = activations.derivative_identity(f)
    assert claim.holds(), f
    display(Math(rf"\text{{{f}}}: \quad {activations.definition_latex(f)}, \qquad "
                 f"{claim.latex()}"))

u = torch.linspace(-40, 40, 80001, dtype=DT)
sigmoid_slope = ACTIVATIONS["sigmoid"].derivative(u)
assert sigmoid_slope.max() <= 0.25 and sigmoid_slope[u.abs() > 20].max() < 3e-9
assert set(ACTIVATIONS["relu"].derivative(u).unique().tolist()) == {0.0, 1.0}

# %% [markdown]
# $\sigma'(u) \le 1/4$ everywhere and falls like $e^{-|u|}$ once $|u|$ is large: a saturated
# sigmoid unit passes almost no gradient back. ReLU's derivative is exactly 1 wherever the
# unit is active, however large $u$ is.
#
# Both experiments use the network of 1.2.c's question, $g = \sigma$ with the BCE loss, on
# $N = 256$ Gaussian inputs in $\mathbb R^2$ labelled by the sign of $x_1 x_2$.

# %%
N = 256
x0 = torch.randn(N, 2, generator=torch.Generator().manual_seed(0), dtype=DT)
y = (x0[:, 0] * x0[:, 1] > 0).to(DT)[:, None]
bce = LOSSES["bce"].fn

# %% [markdown]
# ## Growing inputs saturate the sigmoid
#
# Feed $c\,x$ for $c$ from $10^{-2}$ to $10^{3}$ through a 2 -> 32 -> 1 network, the same
# initial weights for both $f$. The pre-activations $Z_1$ grow with $c$. The plot shows the
# fraction of the gradient that gets through the hidden activation to the first layer,
# $\lVert\Delta_1\rVert / \lVert\nabla_{Z_2} J\rVert$, with
# $\nabla_{Z_2} J = \Delta_3 W^{(2)}$, averaged (geometrically) over 5
# initialisations. It isolates $f$: the first layer's gradient
# $\nabla_{W^{(1)}} J = \Delta_1\T X$ also carries the input $X$ itself, which grows with
# $c$, and $\Delta_3$, which depends on how sure the output is. The legend reads off the
# slope of a least-squares line through the points with $c \ge 10$.


# %%
def loglog_slope(u, log_v):
    """Slope of the least-squares line through (log u, log_v)."""
    design = torch.stack([u.log(), torch.ones_like(u)], 1)
    return torch.linalg.lstsq(design, log_v[:, None]).solution[0, 0].item()


scales = torch.logspace(-2, 3, 26, dtype=DT)
log_through_f, slope = {}, {}
for f in HIDDEN:
    runs = []
    for seed in range(5):
        net = MLP(2, 32, f, 32, 1, "sigmoid", dtype=DT,
                  generator=torch.Generator().manual_seed(seed))
        ratios = []
        for c in scales:
            _, dJdy_hat = bce(y, net.forward(c * x0))
            cache = net.cache
            dJdz3 = net.g.backward(dJdy_hat, cache["z3"], cache["y_hat"])   # (N, 1)
            dJdz2 = dJdz3 @ net.parameters["W2"]                             # (N, 32)
            dJdz1 = net.f.backward(dJdz2, cache["z1"], cache["z2"])          # (N, 32)
            ratios.append(dJdz1.norm() / dJdz2.norm())
        runs.append(torch.stack(ratios))
    runs = torch.stack(runs)                                                 # (5, scales)
    # |f'| <= 1/4 (sigmoid) and <= 1 (ReLU) bound the ratio, at every scale and every seed.
    assert (runs <= {"sigmoid": 0.25, "relu": 1.0}[f]).all()
    log_through_f[f] = runs.log().mean(0)
    slope[f] = loglog_slope(scales[scales >= 10], log_through_f[f][scales >= 10])

assert (log_through_f["relu"] > log_through_f["sigmoid"]).all()
assert abs(slope["sigmoid"] + 0.5) < 0.1 and abs(slope["relu"]) < 0.1

# %% tags=["hide-input"] alt="Log-log plot against the input scale c from 0.01 to 1000 of the fraction of the gradient that passes the hidden activation: for ReLU it stays flat near 0.7; for the sigmoid it starts at one quarter, the dotted line of the sigmoid's largest slope, and falls like c to the power -1/2 once c passes 10."
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for i, f in enumerate(HIDDEN):
    ax.loglog(scales, log_through_f[f].exp(), "o-", ms=3, color=f"C{i}",
              label=f"f = {f}: slope {slope[f]:+.2f} for $c \\geq 10$")
ax.axhline(0.25, color="C0", ls=":", lw=1, label=r"$\max \sigma' = 1/4$")
ax.set(xlabel="input scale $c$",
       ylabel=r"$\Vert\Delta_1\Vert \,/\, \Vert\nabla_{Z_2} J\Vert$")
ax.legend(loc="lower left")  # below the sigmoid's curve where c is small: no curve there
plt.show()

# %% [markdown]
# For small $c$ every sigmoid unit sits near $u = 0$, where $\sigma' \approx 1/4$. As $c$
# grows the units saturate: a unit still passes gradient only for the inputs whose entry of
# $Z_1$ is of order 1, a fraction that shrinks like $1/c$, and the norm, a root of a sum of
# squares, falls like $c^{-1/2}$, the slope read off above. The ReLU ratio is the root of the
# fraction of active units (weighted by the squared entries of $\nabla_{Z_2} J$), and which
# units are active stops depending on $c$ once $c\,W^{(1)} x$ outweighs $b^{(1)}$: slope 0.
#
# ## Deeper stacks shrink the sigmoid's gradient layer by layer
#
# Now $x$ is fixed and the network deepens: $L$ affine layers of width 32 built from the same
# hand-written layers (`mlp.deep.DeepMLP`), $W^{(l)}$ drawn from
# $\mathcal N(0, a^2/m_{l-1})$ and $b^{(l)} = 0$. Each added layer multiplies the upstream
# gradient once more by $W^{(l)}$ and by $f'$. The plot shows the first layer's gradient
# $\lVert\nabla_{W^{(1)}} J\rVert$, averaged (geometrically) over 5 initialisations;
# the legend reads off the factor per layer from a least-squares line through
# $\log\lVert\nabla_{W^{(1)}} J\rVert$ against $L$.

# %%
depths = list(range(2, 21, 2))
setups = [("sigmoid", 1.0), ("sigmoid", math.sqrt(2)), ("relu", math.sqrt(2))]
log_norm, per_layer = {}, {}
for f, gain in setups:
    rows = []
    for L in depths:
        logs = []
        for seed in range(5):
            net = DeepMLP((2,) + (32,) * (L - 1) + (1,), f, "sigmoid", gain=gain, dtype=DT,
                          generator=torch.Generator().manual_seed(seed))
            net.backward(bce(y, net.forward(x0))[1])
            logs.append(net.grads["dJdW1"].norm().log())
        rows.append(torch.stack(logs).mean())
    log_norm[f, gain] = torch.stack(rows)
    design = torch.stack([torch.tensor(depths, dtype=DT), torch.ones(len(depths), dtype=DT)], 1)
    slope = torch.linalg.lstsq(design, log_norm[f, gain][:, None]).solution[0, 0]
    per_layer[f, gain] = slope.exp().item()

assert max(v for (f, _), v in per_layer.items() if f == "sigmoid") < 0.5
assert per_layer["sigmoid", 1.0] < per_layer["sigmoid", math.sqrt(2)]
assert per_layer["relu", math.sqrt(2)] > 0.85
relu_he, sigmoid_he = log_norm["relu", math.sqrt(2)], log_norm["sigmoid", math.sqrt(2)]
assert relu_he[-1] > relu_he[0] - math.log(10)          # within 10x of its value at L = 2
assert sigmoid_he[-1] < relu_he[-1] - 6 * math.log(10)  # over a million times smaller at L = 20

# %% tags=["hide-input"] alt="Log-scale plot of the first layer's gradient norm against the number of affine layers L from 2 to 20: with ReLU and He's scale it stays within a factor 10; with sigmoids it falls by a constant factor per layer, faster with a = 1 than with a = square root of 2, to over a million times below ReLU's at L = 20."
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for (f, gain), color in zip(setups, ("C0", "C2", "C1"), strict=True):
    a = "1" if gain == 1 else r"\sqrt{2}"
    ax.semilogy(depths, log_norm[f, gain].exp(), "o-", ms=4, color=color,
                label=rf"f = {f}, $a = {a}$: $\times${per_layer[f, gain]:.2f} per layer")
ax.set(xlabel="number of affine layers $L$", xticks=depths,
       ylabel=r"$\Vert\nabla_{W^{(1)}} J\Vert$")
ax.legend(loc="lower left")  # the sigmoid curves start high on the left: no curve there
plt.show()

# %% [markdown]
# On log axes a constant factor per layer is a straight line. With the same initial scale,
# He's $a = \sqrt 2$, the sigmoid's first-layer gradient loses a large factor at every layer
# and is over a million times smaller than the ReLU's at $L = 20$; with $a = 1$ it falls even
# faster. The ReLU stack keeps the first layer's gradient within a factor 10 of its value at
# $L = 2$:
# $f' = 1$ on the active units, and $a = \sqrt 2$ makes up for the half that are off. That is
# the answer to 1.2.c: the sigmoid multiplies the gradient by $\sigma' \le 1/4$ at every layer
# and by nearly 0 where it saturates, so the first layers of a deep sigmoid network barely
# learn.

# %% tags=["remove-input"]
display(HTML(how_checked([
    "This page is an experiment; what it asserts when the build runs it:",
    ["**The derivatives** shown are the ones `derivations` proves (the Activations page); "
     "$\\sigma' \\le 1/4$ and ReLU's derivative in $\\{0, 1\\}$ are asserted on a grid of "
     "80001 points of $[-40, 40]$ in float64.",
     "**Growing inputs**: the ratio stays within $1/4$ (sigmoid) and 1 (ReLU) at every scale "
     "and seed; the fitted slopes are asserted within 0.1 of $-1/2$ and 0, on 5 seeds.",
     "**Deeper stacks**: the factors per layer and the million-fold gap at $L = 20$ are "
     "asserted on 5 seeds; they are measurements of this setup, not theorems."],
])))

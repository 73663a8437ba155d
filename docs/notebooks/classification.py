# %% [markdown]
# # Classification: sigmoid against ReLU hidden units
#
# The network of 1.2 with the BCE loss of 1.2.b: $g = \sigma$ turns the output $Z_3$ into
# probabilities $\hat Y$ (the batch's names of the [notation](../index.md#notation)). The hidden activation $f$ is the sigmoid of 1.2.a-b in one run and the
# ReLU of 1.2.c in the other. Each is trained twice from the same initial weights, by hand
# with `mlp.train.train` and with autograd and `torch.optim.SGD`, on two interleaved half
# circles made in code.

# %% tags=["remove-cell"]
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import HTML, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from derivations import activations, losses
from mlp import MLP
from mlp.train import make_twin, train, train_autograd
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10, "savefig.dpi": 144})

# %%

# The tensors here are small: one thread is faster than two, and steadier on a shared machine.
torch.set_num_threads(1)
DT = torch.float64
HIDDEN = ("sigmoid", "relu")
g, loss_name = "sigmoid", "bce"
# The formulas from derivations, proven on the Activations and Losses pages.
display(Math(rf"g:\ {activations.definition_latex(g)}, \qquad "
             f"{losses.definition_latex(loss_name)}"))

# %% [markdown]
# ## Two moons, made with torch
#
# Class 0 lies on the upper half circle $(\cos t, \sin t)$, class 1 on the lower one
# $(1 - \cos t, \tfrac12 - \sin t)$, $t$ uniform on $[0, \pi]$, with Gaussian noise. No line
# separates them, so the hidden layer has to bend the boundary. Inputs are standardised.


# %%
def two_moons(n, noise, generator):
    """x: (n, 2), y: (n, 1) with labels 0 and 1 alternating."""
    t = torch.rand(n, generator=generator, dtype=DT) * math.pi
    label = torch.arange(n) % 2
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.where(label[:, None] == 0, upper, lower)
    x = x + noise * torch.randn(n, 2, generator=generator, dtype=DT)
    return x, label.to(DT)[:, None]


x, y = two_moons(256, 0.15, torch.Generator().manual_seed(0))
x = (x - x.mean(0)) / x.std(0)

# %% [markdown]
# ## Training
#
# Same initial weights for both hidden activations (the same seed draws the same
# $W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$), a hidden width of 16, 400 full-batch steps at
# $\eta = 1.5$.

# %%
lr, steps, m = 1.5, 400, 16
runs = {}
for f in HIDDEN:
    net = MLP(2, m, f, m, 1, g, dtype=DT, generator=torch.Generator().manual_seed(1))
    twin = make_twin(net)
    runs[f] = dict(net=net, twin=twin, J_hand=train(net, x, y, loss_name, lr, steps),
                   J_autograd=train_autograd(twin, x, y, loss_name, lr, steps))

for f, r in runs.items():
    r["gap"] = ((r["J_hand"] - r["J_autograd"]).abs() / r["J_autograd"]).max().item()
    r["accuracy"] = ((r["net"].forward(x) > 0.5).to(DT) == y).to(DT).mean().item()
    assert r["gap"] < 1e-10, (f, r["gap"])
    assert r["accuracy"] > 0.95, (f, r["accuracy"])
    print(f"f = {f:8s} J: {r['J_hand'][0]:.3f} -> {r['J_hand'][-1]:.4f}   "
          f"training accuracy {r['accuracy']:.1%}   largest relative gap {r['gap']:.1e}")
assert runs["relu"]["J_hand"][-1] < runs["sigmoid"]["J_hand"][-1]

# %% [markdown]
# Each pair of curves, by hand (thick, pale) and by autograd (dashed), coincides: the largest
# relative gap printed above is float64 rounding. With the same number of steps, the ReLU
# network ends with the lower loss. One reason: where its units are active, $f'(Z_1) = 1$
# entry by entry, while the sigmoid's $\sigma' \le 1/4$ scales every
# $\Delta_1 = (\Delta_3 W^{(2)}) \had f'(Z_1)$ down, so at the same $\eta$ its first layer
# takes smaller steps. The saturation page measures this.

# %% tags=["hide-input"] alt="The BCE loss on a log scale over 400 SGD steps for sigmoid and for ReLU hidden units, each by hand and by autograd: each pair coincides; the ReLU network's loss ends lower."
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for i, (f, r) in enumerate(runs.items()):
    ax.semilogy(r["J_hand"], color=f"C{i}", lw=4, alpha=0.35, label=f"f = {f}, by hand")
    ax.semilogy(r["J_autograd"], "--", color=f"C{i}", lw=1, label=f"f = {f}, autograd")
ax.set(xlabel="SGD step", ylabel="$J$ (BCE)")
ax.legend(loc="lower left")  # the losses start high: the lower left is clear
plt.show()

# %% [markdown] context="bridge"
# ## Decision boundaries
#
# Colour is $\hat y$ over the plane, the black line is $\hat y = 1/2$, that is $z_3 = 0$. With
# ReLU units $z_3$ is piecewise linear in $x$, so the boundary is a chain of straight
# segments; with sigmoid units it is a smooth curve.

# %% tags=["hide-input"] alt="Two panels over the standardised plane, for sigmoid and for ReLU hidden units: the predicted probability as colour, the boundary where it is one half as a black line, and the two interleaved half circles of data. The sigmoid's boundary is a smooth curve, ReLU's a chain of straight segments; both separate the classes."
u = torch.linspace(-2.6, 2.6, 161, dtype=DT)
gx, gy = torch.meshgrid(u, u, indexing="xy")
plane = torch.stack([gx.flatten(), gy.flatten()], 1)                  # (161^2, 2)

fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
for ax, (f, r) in zip(axes, runs.items(), strict=True):
    y_hat = r["net"].forward(plane)
    torch.testing.assert_close(y_hat, r["twin"](plane).detach(), rtol=1e-10, atol=1e-12)
    y_hat = y_hat.reshape(gx.shape)
    # The filled contours as an image inside the SVG (2x): as vector paths they weigh 800 KB.
    ax.contourf(gx, gy, y_hat, levels=20, cmap="RdBu_r", alpha=0.6).set_rasterized(True)
    ax.contour(gx, gy, y_hat, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(*x.T, c=y[:, 0], cmap="RdBu_r", s=8, edgecolors="k", linewidths=0.3)
    ax.set(title=f"f = {f}: accuracy {r['accuracy']:.1%}", xlabel="$x_1$", aspect="equal")
axes[0].set_ylabel("$x_2$")
plt.show()


# %% tags=["remove-input"]
display(HTML(how_checked([
    "This page is an experiment; what it asserts when the build runs it:",
    ["**By hand against autograd**: for each hidden activation, the two trainings from the "
     "same initial weights give losses within the relative gap printed, in float64.",
     "**Which ends lower**: the ReLU network's final loss is asserted below the sigmoid's, for "
     "this seed and this number of steps; it is a measurement, not a theorem."],
])))

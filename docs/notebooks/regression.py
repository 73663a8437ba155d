# %% [markdown]
# # Regression: the five steps of 1.1.a at work
#
# Homework 1.1.a names the five steps that train the network with SGD on one batch: forward,
# loss, zero the gradients, backward, update. `mlp.train` writes each as a small function over
# the hand-written network, and runs the same five steps on an `nn.Sequential` twin with
# autograd and `torch.optim.SGD`. Here both fit a function of one variable with the network of
# 1.1: $f = (\cdot)^+$, $g$ the identity, and the squared error.

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import torch
from IPython.display import HTML, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from derivations import activations, losses
from mlp import MLP
from mlp.train import make_twin, train, train_autograd
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})

# %%

# The tensors here are small: one thread is faster than two, and steadier on a shared machine.
torch.set_num_threads(1)
DT = torch.float64
f, g, loss_name = "relu", "identity", "mse"
# The formulas from derivations, proven on the Activations and Losses pages.
display(Math(rf"f:\ {activations.definition_latex(f)}, \qquad "
             rf"g:\ {activations.definition_latex(g)}, \qquad "
             f"{losses.definition_latex(loss_name)}"))

# %% [markdown]
# ## Data, made in code
#
# $N = 128$ inputs spread over $[-3, 3]$, targets from a smooth function plus seeded noise.
# One input, one output: $n = K = 1$, and a hidden width of $m = 32$.

# %%
N, m = 128, 32
gen = torch.Generator().manual_seed(0)
x = torch.linspace(-3, 3, N, dtype=DT)[:, None]                          # (N, n)


def truth(x):
    return torch.sin(1.5 * x) + 0.5 * x.abs() - 1


y = truth(x) + 0.1 * torch.randn(N, 1, generator=gen, dtype=DT)         # (N, K)

# %% [markdown]
# ## The same training, twice
#
# `make_twin` copies the initial $W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$ into `nn.Linear` layers.
# Then `train` runs the five steps by hand, with $\theta \leftarrow \theta - \eta\,
# \nabla_\theta J$ written out, and `train_autograd` runs `twin(x)`, `F.mse_loss`,
# `optimizer.zero_grad()`, `J.backward()`, `optimizer.step()`, with the same $\eta$ and the
# same number of full-batch steps. Both record $J$ at every step, before that step's update.

# %%
lr, steps = 1e-2, 500
net = MLP(1, m, f, m, 1, g, dtype=DT, generator=torch.Generator().manual_seed(1))
twin = make_twin(net)
J_hand = train(net, x, y, loss_name, lr, steps)
J_autograd = train_autograd(twin, x, y, loss_name, lr, steps)

gap = ((J_hand - J_autograd).abs() / J_autograd.abs()).max().item()
assert gap < 1e-10, gap
assert J_hand[-1] < 1e-3 * J_hand[0] and J_hand[50] < 0.01 * J_hand[0]
print(f"J: {J_hand[0]:.3g} -> {J_hand[-1]:.3g} in {steps} steps; "
      f"largest relative gap between the two curves: {gap:.1e}")

# %% [markdown]
# The two loss curves lie on top of each other: the largest relative gap above, over all
# steps, is at the level of float64 rounding. The first $J$ is large because $W$ and $b$ are
# drawn from $\mathcal N(0, 1)$, as the homework's skeleton draws them, so the initial
# $\hat y$ is far off the targets; the first few dozen steps remove most of that gap.

# %% tags=["hide-input"] alt="The loss J on a log scale over 500 SGD steps, by hand and by autograd: the two curves lie on top of each other, falling fast over the first few dozen steps and then slowly."
fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.semilogy(J_hand, lw=4, alpha=0.4, label="by hand: mlp.train.train")
ax.semilogy(J_autograd, "k--", lw=1, label="autograd + torch.optim.SGD")
ax.set(xlabel="SGD step", ylabel="$J$ (MSE)", title=f"max relative gap {gap:.0e}")
ax.legend(loc="upper right")  # the curves fall from the top left: the top right is clear
plt.show()

# %% [markdown]
# ## The fit
#
# With one input, each hidden unit is $(W^{(1)}_j x + b^{(1)}_j)^+$, a hinge with its kink at
# $x = -b^{(1)}_j / W^{(1)}_j$. So $\hat y$ is piecewise linear with at most $m$ kinks, marked
# below on the $x$ axis: away from the kinks, the second differences of $\hat y$ on a fine
# grid vanish.

# %%
grid = torch.linspace(-3.5, 3.5, 2001, dtype=DT)[:, None]
y_hat = net.forward(grid)
torch.testing.assert_close(y_hat, twin(grid).detach(), rtol=1e-10, atol=1e-12)

kinks = (-net.parameters["b1"] / net.parameters["W1"][:, 0]).sort().values
second_diff = (y_hat[2:] - 2 * y_hat[1:-1] + y_hat[:-2]).abs().flatten()
lo, hi = grid[:-2, 0], grid[2:, 0]
kink_inside = ((kinks[None, :] >= lo[:, None]) & (kinks[None, :] <= hi[:, None])).any(1)
assert second_diff[~kink_inside].max() < 1e-12
assert second_diff[kink_inside].max() > 1e-6  # the kinks are real bends, not a straight line

# %% tags=["hide-input"] alt="The 128 noisy data points over x from -3 to 3, the noise-free function, and the trained network's prediction, a piecewise linear curve that follows the data; short ticks on the x axis mark the kinks of its hidden units."
fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
ax.plot(x, y, ".", color="0.6", label="data $(x, y)$")
ax.plot(grid, truth(grid), color="0.3", lw=1, label="noise-free function")
ax.plot(grid, y_hat, lw=2, label=r"$\hat y$, trained by hand")
shown = kinks[(kinks > -3.5) & (kinks < 3.5)]
ax.plot(shown, torch.full_like(shown, ax.get_ylim()[0]), "|", ms=12, color="C3",
        label=r"kinks $-b^{(1)}_j / W^{(1)}_j$")
ax.set(xlabel="$x$", ylabel="$y$", xlim=(-3.5, 3.5))
# Below the axes, on no curve; beside them the figure was too wide for a phone's column.
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)
plt.show()

# %% tags=["remove-input"]
display(HTML(how_checked([
    "This page is an experiment; what it asserts when the build runs it:",
    ["**By hand against autograd**: the losses of the two trainings, and the trained network "
     "against its twin on a grid of 2001 points, agree to the tolerances in the cells, in "
     "float64.",
     "**Piecewise linear**: away from the kinks the second differences of $\\hat y$ vanish "
     "to rounding on that grid."],
])))

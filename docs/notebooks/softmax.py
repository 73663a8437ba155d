# %% [markdown]
# # Softmax and cross-entropy
#
# With $K$ classes the output activation is $g = \operatorname{softmax}$, each row of
# $s_2$ to a row of probabilities, and the loss is the cross-entropy. Softmax is the first
# activation here whose Jacobian is not diagonal: every output of a row depends on every input
# of it, so $\partial z/\partial s = \diag(z) - z z\T$ is a full $K \times K$ matrix per row.
# Backprop still never forms it. Its product with the upstream gradient is
# $z \had (g - (g \had z)\ones\ones\T)$, a dot product per row: $O(NK)$ work against the
# $O(NK^2)$ of the Jacobians, measured below. After cross-entropy even that collapses, to
# $\partial J/\partial s_2 = (\hat y - y)/N$.

# %% tags=["remove-cell"]
import time

import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

import mlp
from derivations import softmax
from derivations.latex import tex

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})
torch.set_num_threads(1)  # the timings then measure the arithmetic, not thread scheduling
DT = torch.float64
SOFTMAX = mlp.ACTIVATIONS["softmax"]
N, K = softmax.N, softmax.K

# %% [markdown]
# ## The Jacobian
#
# For one row $s$ (a column here), $z_k = e^{s_k}/\sum_j e^{s_j}$. `Matrix.jacobian`
# differentiates the $K$ outputs by the $K$ inputs, and the cell proves that the result is
# $\diag(z) - z z\T$: entry $(i, j)$ is $z_i(\delta_{ij} - z_j)$. The diagonal alone, what an
# entry-wise activation would have, is not it. Shown in full for $K = 3$, written in $z$:

# %%
for n_out in (2, 3, 4):
    assert softmax.jacobian_identity(n_out).holds()
jacobian, entry = softmax.jacobian_identity(3), softmax.entry_identity()
assert entry.holds()
display(Math(softmax.latex(jacobian, (K, K))))
display(Math(softmax.latex(entry)))
z = sp.symbols("z_1 z_2 z_3", positive=True)
shown = sp.Matrix(3, 3, lambda i, j: sp.Mul(z[i], 1 - z[i], evaluate=False) if i == j
                  else -z[i] * z[j])
zc = sp.Matrix(z)
assert sp.expand(shown - (sp.diag(*z) - zc * zc.T)) == sp.zeros(3, 3)
display(Math(rf"\frac{{\partial z}}{{\partial s}} = {tex(shown)} \quad (K = 3)"))

# %% [markdown]
# The matrix is symmetric, and each of its rows sums to 0: moving every logit of a row by the
# same amount leaves the probabilities where they are.
#
# ## Backprop's product, no Jacobian formed
#
# For a batch, (N, K), with the upstream $g = \partial J/\partial z$, each row
# $g_n (\diag(z_n) - z_n z_n\T)$ is $z_n \had g_n - z_n (g_n z_n\T)$: the one number
# $g_n z_n\T$ per row replaces the matrix. The cell proves the batch form against the rows
# multiplied by their Jacobians, then holds `mlp`'s backward, which computes exactly that
# formula, against the Jacobians `mlp.softmax.softmax_jacobian` forms and against autograd.

# %%
jacobians = SOFTMAX.derivative(3 * torch.randn(64, 10, dtype=DT))  # (64, 10, 10)
assert torch.equal(jacobians, jacobians.mT) and jacobians.sum(-1).abs().max() < 1e-15
vjp = softmax.vjp_identity(2, 3)
assert vjp.holds()
display(Math(softmax.latex(vjp, (N, K))))

gen = torch.Generator().manual_seed(0)
s2 = 3 * torch.randn(64, 10, dtype=DT, generator=gen)
g = torch.randn(64, 10, dtype=DT, generator=gen)
z2 = SOFTMAX.forward(s2)
by_hand = SOFTMAX.backward(g, s2, z2)
by_jacobians = (g.unsqueeze(1) @ SOFTMAX.derivative(s2)).squeeze(1)
leaf = s2.clone().requires_grad_()
torch.softmax(leaf, -1).backward(g)
torch.testing.assert_close(by_hand, by_jacobians, rtol=1e-12, atol=1e-15)
torch.testing.assert_close(by_hand, leaf.grad, rtol=1e-12, atol=1e-15)
print("mlp's softmax backward == rows times their Jacobians == autograd, (64, 10)")

# %% [markdown]
# ## Cross-entropy: $\partial J/\partial s_2 = (\hat y - y)/N$
#
# Cross-entropy is torch's: $J = -\frac1N \sum_{n,k} y_{nk} \log \hat y_{nk}$, a mean over the
# $N$ rows, with $\partial J/\partial \hat y_{nk} = -y_{nk}/(N \hat y_{nk})$. With
# $\hat y = \operatorname{softmax}(s_2)$ and rows of $y$ that sum to 1 (one-hot labels, or any
# probabilities), the product above cancels the division: `diff` of $J$ by every entry of
# $s_2$, with $y_{nK} = 1 - \sum_{k<K} y_{nk}$ put in, equals

# %%
fused = softmax.fused_identity(2, 3)
assert fused.holds()
display(Math(softmax.latex(fused, (N, K))))

labels = torch.randint(0, 10, (64,), generator=gen)
y = torch.nn.functional.one_hot(labels, 10).to(DT)
J, dJdy_hat = mlp.cross_entropy_loss(y, z2)
delta2 = SOFTMAX.backward(dJdy_hat, s2, z2)
leaf = s2.clone().requires_grad_()
J_torch = torch.nn.CrossEntropyLoss()(leaf, labels)
J_torch.backward()
torch.testing.assert_close(J, J_torch.detach(), rtol=1e-12, atol=0)
torch.testing.assert_close(delta2, (z2 - y) / 64, rtol=1e-12, atol=1e-15)
torch.testing.assert_close(delta2, leaf.grad, rtol=1e-12, atol=1e-15)
print("J == nn.CrossEntropyLoss on the logits s2; softmax backward of dJ/dy_hat "
      "== (y_hat - y) / N == autograd's")

# %% [markdown]
# `mlp` does not use the fused form: the loss returns $\partial J/\partial \hat y$ and softmax's
# backward multiplies it, as for every other $g$, and the two give $(\hat y - y)/N$ to rounding.
#
# ## What the Jacobians cost
#
# Two ways to get $\partial J/\partial s_2$ for a batch of $N = 32$ rows as $K$ grows, each
# step counted by a `Tally` as the [Jacobians page](jacobians.py) counts the linear layer's:
#
# - **Jacobians**: form the $N$ matrices $\diag(z_n) - z_n z_n\T$ ($N K^2$ multiplications for
#   the outer products) and multiply each row of $g$ into its matrix ($N K^2$ multiply-adds);
# - **backprop**: $g \had z$ and its row sums ($N K$ multiply-adds), then
#   $z \had (g - \cdot)$ ($N K$ multiplications), the formula `mlp` runs.
#
# A multiply-add counts as one, a multiplication alone too; the subtractions are not counted.
# Each run is checked against `mlp`'s backward, then timed (the best of several runs). The
# Jacobians stop at $K = 512$, where they take 67 MB, and their outer products as much again.


# %%
class Tally:
    """What a method costs: the bytes of every tensor it makes, the multiply-adds it does."""

    def __init__(self):
        self.bytes, self.macs = 0, 0

    def new(self, t, macs=0):
        self.bytes += t.numel() * t.element_size()
        self.macs += macs
        return t


def by_jacobians(g, z, tally):
    outer = tally.new(z.unsqueeze(-1) * z.unsqueeze(-2), z.numel() * z.shape[-1])   # (N, K, K)
    jac = tally.new(torch.diag_embed(z) - outer)                                     # (N, K, K)
    return tally.new((g.unsqueeze(1) @ jac).squeeze(1), jac.numel())                # (N, K)


def by_backprop(g, z, tally):
    dots = tally.new((g * z).sum(-1, keepdim=True), g.numel())                      # (N, 1)
    return tally.new(z * (g - dots), z.numel())                                      # (N, K)


METHODS = {"Jacobians": by_jacobians, "backprop": by_backprop}


# %% tags=["hide-input"]
LARGEST = {"Jacobians": 512, "backprop": 8192}
CLASSES = [2**k for k in range(1, 14)]  # 2 ... 8192


def best_time(fn, budget=0.03):
    """Shortest of at least 2 runs, more while they fit in `budget` seconds."""
    times = []
    while len(times) < 2 or (sum(times) < budget and len(times) < 30):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


results = {m: {q: [] for q in ("K", "macs", "bytes", "seconds")} for m in METHODS}
for n_out in CLASSES:
    gen = torch.Generator().manual_seed(n_out)
    s, g = (torch.randn(32, n_out, dtype=DT, generator=gen) for _ in range(2))
    z = SOFTMAX.forward(s)
    expected = SOFTMAX.backward(g, s, z)
    for method, fn in METHODS.items():
        if n_out > LARGEST[method]:
            continue
        tally = Tally()
        torch.testing.assert_close(fn(g, z, tally), expected, rtol=1e-12, atol=1e-15)
        r = results[method]
        r["K"].append(n_out)
        r["macs"].append(tally.macs)
        r["bytes"].append(tally.bytes)
        r["seconds"].append(best_time(lambda fn=fn, g=g, z=z: fn(g, z, Tally())))
results = {m: {q: torch.tensor(v, dtype=DT) for q, v in r.items()} for m, r in results.items()}
# The counts are exact: 2 N K^2 against 2 N K multiply-adds, a factor K between them.
for method, per_row in (("Jacobians", lambda k: 2 * k * k), ("backprop", lambda k: 2 * k)):
    r = results[method]
    assert r["macs"].tolist() == [32.0 * per_row(k) for k in r["K"].tolist()], method
shared = results["Jacobians"]["K"]
ratio = results["Jacobians"]["macs"] / results["backprop"]["macs"][: len(shared)]
assert torch.equal(ratio, shared)
assert results["Jacobians"]["bytes"][-1] > 200 * results["backprop"]["bytes"][len(shared) - 1]
at = {m: results[m]["K"].tolist().index(512) for m in METHODS}
display(Markdown("\n".join(
    ["| at $K = 512$, $N = 32$ | multiply-adds | bytes made | time, best of several |",
     "|---|---|---|---|"]
    + [f"| {m} | {results[m]['macs'][at[m]]:.3g} | {results[m]['bytes'][at[m]] / 1e6:.3g} MB | "
       f"{results[m]['seconds'][at[m]] * 1e3:.3g} ms |" for m in METHODS])))

# %% tags=["hide-input"] alt="Three log-log panels against the number of classes K, from 2 to 8192, for a batch of 32 rows: counted multiply-adds, bytes of tensors made, and measured time. The Jacobians' counts rise with slope 2 and stop at K = 512; backprop's rise with slope 1; the measured times start flat and then rise in the same order."
COSTS = {"macs": "multiply-adds, counted", "bytes": "bytes of tensors made, counted",
         "seconds": "time (s), measured"}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")
for ax, (q, label) in zip(axes, COSTS.items(), strict=True):
    for method, r in results.items():
        ax.loglog(r["K"], r[q], "o-", ms=3, label=method)
    ax.set(xlabel="classes $K$", title=label)
    ax.legend()
plt.show()

# %% [markdown]
# Every run gave `mlp`'s gradient. The counted costs grow like $K^2$ and $K$ per row, as the
# shapes say. The measured times start flat, at the fixed cost of a call, then rise in the
# same order, the Jacobians' faster than their count once they outgrow the processor's caches
# (timings are drawn, never asserted: the build runs on shared machines). At $K = 50{,}000$, a language model's vocabulary, the
# Jacobians of 32 rows would hold $32 \cdot 50{,}000^2$ numbers, 640 GB in float64; backprop's
# product needs two (N, K) tensors, 26 MB.

# %%
vocabulary = 50_000
assert 32 * vocabulary**2 * 8 == 640e9 and 2 * 32 * vocabulary * 8 / 1e6 == 25.6

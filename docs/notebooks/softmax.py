# %% [markdown]
# # Softmax and cross-entropy
#
# With $K$ classes the output activation is $g = \operatorname{softmax}$, each row of $Z_3$
# to a row of probabilities $\hat Y$, and the loss is the cross-entropy. Softmax is the first
# activation here whose Jacobian is not diagonal: every output of a row depends on every input
# of it. Written for one row as a column $u$ with $a = \operatorname{softmax}(u)$ (the generic
# activation $a(u)$ of the [notation](../index.md#notation)),
# $\partial a/\partial u = \diag(a) - a a\T$ is a full $K \times K$ matrix. Backprop still
# never forms it. Its product with the upstream gradient is
# $\Delta_3 = \hat Y \had (\nabla_{\hat Y} J - (\nabla_{\hat Y} J \had \hat Y)\ones_K\ones_K\T)$,
# a dot product per row: $O(NK)$ work against the $O(NK^2)$ of the Jacobians, measured below.
# After cross-entropy even that collapses, to $\Delta_3 = (\hat Y - Y)/N$.

# %% tags=["remove-cell"]
import time

import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import HTML, Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

import mlp
from derivations import softmax
from derivations.latex import tex
from mlp.softmax import softmax_jacobian
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})
torch.set_num_threads(1)  # the timings then measure the arithmetic, not thread scheduling
DT = torch.float64
SOFTMAX = mlp.ACTIVATIONS["softmax"]
N, K = softmax.N, softmax.K

# %% [markdown]
# ## The Jacobian
#
# For one row as a column $u$, $a_k = e^{u_k}/\sum_j e^{u_j}$. `Matrix.jacobian`
# differentiates the $K$ outputs by the $K$ inputs, and SymPy proves that the result is
# $\diag(a) - a a\T$: entry $(i, j)$ is $a_i(\delta_{ij} - a_j)$, with Kronecker's
# $\delta_{ij}$. The diagonal alone, what an entry-wise activation would have, is not it.
# Shown in full for $K = 3$, written in $a$:

# %%
for n_out in (2, 3, 4):
    assert softmax.jacobian_identity(n_out).holds()
jacobian, entry = softmax.jacobian_identity(3), softmax.entry_identity()
assert entry.holds()
display(Math(softmax.latex(jacobian, (K, K))))
display(Math(softmax.latex(entry)))
a = sp.symbols("a_1 a_2 a_3", positive=True)
shown = sp.Matrix(3, 3, lambda i, j: sp.Mul(a[i], 1 - a[i], evaluate=False) if i == j
                  else -a[i] * a[j])
ac = sp.Matrix(a)
assert sp.expand(shown - (sp.diag(*a) - ac * ac.T)) == sp.zeros(3, 3)
display(Math(rf"\frac{{\partial a}}{{\partial u}} = {tex(shown)} \quad (K = 3)"))

# %% [markdown]
# The matrix is symmetric, and each of its rows sums to 0: moving every logit of a row by the
# same amount leaves the probabilities where they are.
#
# ## Backprop's product, no Jacobian formed
#
# For a batch, (N, K), with the upstream gradient $\nabla_{\hat Y} J$, row $p$ times its
# Jacobian is $\hat Y_p \had (\nabla_{\hat Y} J)_p - \hat Y_p\,((\nabla_{\hat Y} J)_p \hat Y_p\T)$:
# one number per row replaces the matrix. SymPy proves the batch form against the rows
# multiplied by their Jacobians; then `mlp`'s backward, which computes exactly that formula, is
# held against the Jacobians `mlp.softmax.softmax_jacobian` forms and against autograd.

# %%
jacobians = softmax_jacobian(3 * torch.randn(64, 10, dtype=DT))  # (64, 10, 10)
assert torch.equal(jacobians, jacobians.mT) and jacobians.sum(-1).abs().max() < 1e-15
vjp = softmax.vjp_identity(2, 3)
assert vjp.holds()
display(Math(softmax.latex(vjp, (N, K))))

gen = torch.Generator().manual_seed(0)
z3 = 3 * torch.randn(64, 10, dtype=DT, generator=gen)
upstream = torch.randn(64, 10, dtype=DT, generator=gen)
y_hat = SOFTMAX.forward(z3)
by_hand = SOFTMAX.backward(upstream, z3, y_hat)
by_jacobians = (upstream.unsqueeze(1) @ softmax_jacobian(z3)).squeeze(1)
leaf = z3.clone().requires_grad_()
torch.softmax(leaf, -1).backward(upstream)
torch.testing.assert_close(by_hand, by_jacobians, rtol=1e-12, atol=1e-15)
torch.testing.assert_close(by_hand, leaf.grad, rtol=1e-12, atol=1e-15)
print("mlp's softmax backward == rows times their Jacobians == autograd, (64, 10)")

# %% [markdown]
# ## Cross-entropy: $\Delta_3 = (\hat Y - Y)/N$
#
# Cross-entropy is torch's: $J = -\frac1N \sum_{p,k} Y_{pk} \log \hat Y_{pk}$, a mean over the
# $N$ rows, with $\partial J/\partial \hat Y_{pk} = -Y_{pk}/(N \hat Y_{pk})$. With
# $\hat Y = \operatorname{softmax}(Z_3)$ and rows of $Y$ that sum to 1 (one-hot labels, or any
# probabilities), the product above cancels the division: `diff` of $J$ by every entry of
# $Z_3$, with $Y_{pK} = 1 - \sum_{k<K} Y_{pk}$ put in, equals

# %%
fused = softmax.fused_identity(2, 3)
assert fused.holds()
display(Math(softmax.latex(fused, (N, K))))

labels = torch.randint(0, 10, (64,), generator=gen)
y = torch.nn.functional.one_hot(labels, 10).to(DT)
J, dJdy_hat = mlp.cross_entropy_loss(y, y_hat)
dJdz3 = SOFTMAX.backward(dJdy_hat, z3, y_hat)
leaf = z3.clone().requires_grad_()
J_torch = torch.nn.CrossEntropyLoss()(leaf, labels)
J_torch.backward()
torch.testing.assert_close(J, J_torch.detach(), rtol=1e-12, atol=0)
torch.testing.assert_close(dJdz3, (y_hat - y) / 64, rtol=1e-12, atol=1e-15)
torch.testing.assert_close(dJdz3, leaf.grad, rtol=1e-12, atol=1e-15)
print("J == nn.CrossEntropyLoss on the logits Z_3; softmax backward of dJ/dY_hat "
      "== (Y_hat - Y) / N == autograd's")

# %% [markdown]
# `mlp` does not use the fused form: the loss returns $\nabla_{\hat Y} J$ and softmax's
# backward multiplies it, as for every other $g$, and the two give $(\hat Y - Y)/N$ to rounding.
#
# ## What the Jacobians cost
#
# Two ways to get $\Delta_3$ for a batch of $N = 32$ rows as $K$ grows, each
# step counted by a `Tally` as the [Jacobians page](jacobians.py) counts the linear layer's:
#
# - **Jacobians**: form the $N$ matrices $\diag(\hat Y_p) - \hat Y_p \hat Y_p\T$ ($N K^2$
#   multiplications for the outer products) and multiply each row of $\nabla_{\hat Y} J$ into
#   its matrix ($N K^2$ multiply-adds);
# - **backprop**: $\nabla_{\hat Y} J \had \hat Y$ and its row sums ($N K$ multiply-adds), then
#   $\hat Y \had (\nabla_{\hat Y} J - \cdot)$ ($N K$ multiplications), the formula `mlp` runs.
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


def by_jacobians(up, a, tally):
    outer = tally.new(a.unsqueeze(-1) * a.unsqueeze(-2), a.numel() * a.shape[-1])   # (N, K, K)
    jac = tally.new(torch.diag_embed(a) - outer)                                     # (N, K, K)
    return tally.new((up.unsqueeze(1) @ jac).squeeze(1), jac.numel())               # (N, K)


def by_backprop(up, a, tally):
    dots = tally.new((up * a).sum(-1, keepdim=True), up.numel())                    # (N, 1)
    return tally.new(a * (up - dots), a.numel())                                     # (N, K)


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
    u, up = (torch.randn(32, n_out, dtype=DT, generator=gen) for _ in range(2))
    a = SOFTMAX.forward(u)
    expected = SOFTMAX.backward(up, u, a)
    for method, fn in METHODS.items():
        if n_out > LARGEST[method]:
            continue
        tally = Tally()
        torch.testing.assert_close(fn(up, a, tally), expected, rtol=1e-12, atol=1e-15)
        r = results[method]
        r["K"].append(n_out)
        r["macs"].append(tally.macs)
        r["bytes"].append(tally.bytes)
        r["seconds"].append(best_time(lambda fn=fn, up=up, a=a: fn(up, a, Tally())))
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
# same order, the Jacobians' faster than their count once they outgrow the processor's caches.
# At $K = 50{,}000$, a language model's vocabulary, the Jacobians of 32 rows would hold
# $32 \cdot 50{,}000^2$ numbers, 640 GB in float64; backprop's product needs two (N, K)
# tensors, 26 MB.

# %%
vocabulary = 50_000
assert 32 * vocabulary**2 * 8 == 640e9 and 2 * 32 * vocabulary * 8 / 1e6 == 25.6

# %% tags=["remove-input"]
display(HTML(how_checked([
    "Each formula on this page is printed from the SymPy object the build checks; the page "
    "fails to build if a check fails.",
    ["**The Jacobian** equals SymPy's `jacobian` of softmax for every input at $K = 2, 3, 4$; "
     "its entry formula is checked on the diagonal and off it at $K = 3$.",
     "**Backprop's product** equals the rows times their Jacobians for every input at "
     "$N = 2$, $K = 3$; the fused cross-entropy gradient equals `diff` of $J$ at $N = 2$, "
     "$K = 3$, for every input with rows of $Y$ that sum to 1. The formulas are shown with "
     "$N$ and $K$ as symbols; the checks are at those sizes.",
     "**Against the code**: `mlp`'s backward equals the Jacobian products and autograd at one "
     "random batch (64, 10) to a relative $10^{-12}$ in float64; `mlp.cross_entropy_loss` "
     "equals `nn.CrossEntropyLoss` there.",
     "**Costs**: the multiply-adds are counted exactly and asserted; the times are measured "
     "and drawn, never asserted, since the build runs on shared machines."],
])))

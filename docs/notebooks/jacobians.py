# %% [markdown]
# # Jacobians against vector-Jacobian products
#
# The answer to 1.1.c writes each gradient as a product of Jacobians, for one sample $(x, y)$
# in the homework's names ($z_1, z_2, z_3$, the loss $\ell = \lVert \hat y - y \rVert^2$):
#
# $$\frac{\partial \ell}{\partial \operatorname{vec} W^{(1)}} = \frac{\partial \ell}{\partial
# \hat y}\, \frac{\partial \hat y}{\partial z_3}\, \frac{\partial z_3}{\partial z_2}\,
# \frac{\partial z_2}{\partial z_1}\, \frac{\partial z_1}{\partial \operatorname{vec}
# W^{(1)}},$$
#
# a row of $m n$ entries that, read row by row into $m \times n$, is $\nabla_{W^{(1)}} \ell$.
# Backprop never forms these matrices. It multiplies the row $\frac{\partial \ell}{\partial
# \hat y}$ into them one at a time, and uses their structure: $\frac{\partial \hat
# y}{\partial z_3}$ and $\frac{\partial z_2}{\partial z_1}$ are diagonal, so the product is an
# entry-wise $\had$, and $\frac{\partial z_1}{\partial \operatorname{vec} W^{(1)}}$ is a
# Kronecker product, so the last product is the outer product $\big(\frac{\partial
# \ell}{\partial z_1}\big)\T x\T$. This page forms the full Jacobians, multiplies them out in
# both orders, checks that all three routes give the same gradient, and measures what each
# costs.

# %% tags=["remove-cell"]
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import HTML, Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from mlp import LOSSES, MLP
from pages.boxes import how_checked

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})
# One thread: the timings below then measure the arithmetic, not thread scheduling.
torch.set_num_threads(1)
DT = torch.float64
f, g, loss_name = "relu", "identity", "mse"  # the network of 1.1
loss = LOSSES[loss_name].fn

# %% [markdown]
# ## The Jacobians, one sample
#
# $W$ is flattened row by row, $\operatorname{vec}(W)_{(i-1)n + j} = W_{ij}$, so
# $\frac{\partial z_1}{\partial \operatorname{vec} W^{(1)}} = I_m \otimes x\T$, an
# $m \times mn$ matrix that holds $m$ copies of $x$. The cell checks it column by column (column
# $(i, j)$ is $\frac{\partial z_1}{\partial W_{ij}} = E_{ij}\, x$, with $E_{ij}$ the matrix
# whose only nonzero entry is a 1 at $(i, j)$), then lists the shape of every factor of the four
# chains for $n = 3$, $m = 4$, $K = 5$.


# %%
class Tally:
    """What a method costs: the bytes of every tensor it makes, the multiply-adds it does."""

    def __init__(self):
        self.bytes, self.macs = 0, 0

    def new(self, t, macs=0):
        self.bytes += t.numel() * t.element_size()
        self.macs += macs
        return t

    def matmul(self, a, b):
        out = a @ b
        return self.new(out, out.numel() * a.shape[-1])

    def times(self, a, b):
        """Entry-wise product, broadcast; an outer product for a (m, 1) and b (1, n)."""
        out = a * b
        return self.new(out, out.numel())


def forward(net, x, y, tally):
    """One sample's forward pass and dl/dy_hat = 2 (y_hat - y)^T: x (n,), y (K,); the homework's
    names z1, z2, z3, as `mlp`'s cache keys them; the same for every method."""
    p = net.parameters
    z1 = tally.new(torch.addmv(p["b1"], p["W1"], x), p["W1"].numel())       # (m,)
    z2 = tally.new(net.f.forward(z1))                                       # (m,)
    z3 = tally.new(torch.addmv(p["b2"], p["W2"], z2), p["W2"].numel())      # (K,)
    y_hat = tally.new(net.g.forward(z3))                                    # (K,)
    dl_dyhat = tally.new(2 * (y_hat - y)[None], y_hat.numel())             # (1, K)
    return z1, z2, z3, dl_dyhat


def jacobians(net, x, y, tally):
    r"""Every Jacobian of 1.1.c as a dense matrix, for one sample x: (n,), y: (K,)."""
    W1, W2 = net.parameters["W1"], net.parameters["W2"]
    m, K = W1.shape[0], W2.shape[0]
    z1, z2, z3, dl_dyhat = forward(net, x, y, tally)
    new = tally.new
    eye_m, eye_K = new(torch.eye(m, dtype=DT)), new(torch.eye(K, dtype=DT))
    return {
        r"\partial \ell/\partial \hat y": dl_dyhat,                             # (1, K)
        r"\partial \hat y/\partial z_3": new(torch.diag(net.g.derivative(z3))),   # (K, K)
        r"\partial z_3/\partial z_2": W2,                                        # (K, m)
        r"\partial z_2/\partial z_1": new(torch.diag(net.f.derivative(z1))),     # (m, m)
        r"\partial z_1/\partial \operatorname{vec} W^{(1)}":
            new(torch.kron(eye_m, x[None])),                                   # (m, m n)
        r"\partial z_1/\partial b^{(1)}": eye_m,                                  # (m, m)
        r"\partial z_3/\partial \operatorname{vec} W^{(2)}":
            new(torch.kron(eye_K, z2[None])),                                  # (K, K m)
        r"\partial z_3/\partial b^{(2)}": eye_K,                                  # (K, K)
    }


# Each gradient is a chain of these, in the order of 1.1.c.
HEAD = [r"\partial \ell/\partial \hat y", r"\partial \hat y/\partial z_3"]
TO_Z1 = HEAD + [r"\partial z_3/\partial z_2", r"\partial z_2/\partial z_1"]
CHAINS = {
    "dJdW1": TO_Z1 + [r"\partial z_1/\partial \operatorname{vec} W^{(1)}"],
    "dJdb1": TO_Z1 + [r"\partial z_1/\partial b^{(1)}"],
    "dJdW2": HEAD + [r"\partial z_3/\partial \operatorname{vec} W^{(2)}"],
    "dJdb2": HEAD + [r"\partial z_3/\partial b^{(2)}"],
}
LATEX_NAME = {"dJdW1": r"\partial \ell/\partial \operatorname{vec} W^{(1)}",
              "dJdb1": r"\partial \ell/\partial b^{(1)}",
              "dJdW2": r"\partial \ell/\partial \operatorname{vec} W^{(2)}",
              "dJdb2": r"\partial \ell/\partial b^{(2)}"}


def small_example(n, m, K, seed=0):
    gen = torch.Generator().manual_seed(seed)
    net = MLP(n, m, f, m, K, g, dtype=DT, generator=gen)
    return net, torch.randn(n, generator=gen, dtype=DT), torch.randn(K, generator=gen, dtype=DT)


net, x, y = small_example(3, 4, 5)
jac = jacobians(net, x, y, Tally())
# Column (i, j) of the Jacobian is the derivative of z_1 along W_ij, that is E_ij x.
basis = torch.eye(12, dtype=DT).reshape(12, 4, 3)                          # E_ij, (m n, m, n)
# Exact on any CPU: each entry of E_ij x is one entry of x times 1 plus zeros, in any order.
torch.testing.assert_close(jac[r"\partial z_1/\partial \operatorname{vec} W^{(1)}"],
                           (basis @ x).T, rtol=0, atol=0)
for name, chain in CHAINS.items():
    shapes = (r"\times".join(map(str, jac[k].shape)) for k in chain)
    factors = r"\,".join(rf"\underbrace{{{k}}}_{{{shape}}}"
                         for k, shape in zip(chain, shapes, strict=True))
    display(Math(rf"{LATEX_NAME[name]} = {factors}"))

# %% [markdown]
# ## Three ways to multiply
#
# - **Jacobians, right to left**: multiply the matrices from the parameter end, as the chain
#   rule is often read, forming $\frac{\partial \hat y}{\partial \operatorname{vec} W^{(1)}}$,
#   a $K \times mn$ matrix, and only then multiply by $\frac{\partial \ell}{\partial \hat y}$.
# - **Jacobians, left to right**: start from the row $\frac{\partial \ell}{\partial \hat y}$,
#   so every product is a vector times a matrix; the dense Jacobians are still formed.
# - **Backprop**: the same left-to-right order with no Jacobian formed:
#   $\frac{\partial \ell}{\partial z_3} = \frac{\partial \ell}{\partial \hat y} \had
#   g'(z_3)\T$, $\frac{\partial \ell}{\partial z_1} = \big(\frac{\partial \ell}{\partial z_3}
#   W^{(2)}\big) \had f'(z_1)\T$, and outer products with $x$ and $z_2$.
#
# Each function returns the four gradients and its `Tally`.


# %%
def right_to_left(net, x, y):
    tally = Tally()
    jac, grads = jacobians(net, x, y, tally), {}
    for name, chain in CHAINS.items():
        product = jac[chain[-1]]
        for k in reversed(chain[:-1]):
            product = tally.matmul(jac[k], product)
        grads[name] = product.reshape(net.grads[name].shape)
    return grads, tally


def left_to_right(net, x, y):
    tally = Tally()
    jac, grads, rows = jacobians(net, x, y, tally), {}, {}
    for name, chain in CHAINS.items():
        product = jac[chain[0]]
        for i, k in enumerate(chain[1:], 2):
            if tuple(chain[:i]) not in rows:  # the chains share their head: multiply it once
                rows[tuple(chain[:i])] = tally.matmul(product, jac[k])
            product = rows[tuple(chain[:i])]
        grads[name] = product.reshape(net.grads[name].shape)
    return grads, tally


def backprop(net, x, y):
    tally = Tally()
    z1, z2, z3, dl_dyhat = forward(net, x, y, tally)
    dl_dz3 = tally.times(dl_dyhat[0], net.g.derivative(z3))                 # (K,)
    dl_dz2 = tally.matmul(dl_dz3, net.parameters["W2"])                     # (m,)
    dl_dz1 = tally.times(dl_dz2, net.f.derivative(z1))                      # (m,)
    grads = dict(dJdW1=tally.times(dl_dz1[:, None], x[None]), dJdb1=dl_dz1,  # outer products
                 dJdW2=tally.times(dl_dz3[:, None], z2[None]), dJdb2=dl_dz3)
    return grads, tally


METHODS = {"Jacobians, right to left": right_to_left,
           "Jacobians, left to right": left_to_right, "backprop": backprop}


def reference_grads(net, x, y):
    """The hand-written MLP.backward on the batch of one sample, times K: torch's mean over the
    K outputs is the homework's sum over them divided by K."""
    net.clear_grad_and_cache()
    net.backward(loss(y[None], net.forward(x[None]))[1])
    return {k: v * y.numel() for k, v in net.grads.items()}


net, x, y = small_example(3, 4, 5)
expected = reference_grads(net, x, y)
for method, fn in METHODS.items():
    grads, _ = fn(net, x, y)
    for name in CHAINS:
        torch.testing.assert_close(grads[name], expected[name], rtol=1e-13, atol=1e-15,
                                   msg=f"{method}, {name}")
print("all three give MLP.backward's four gradients on the small example")

# %% [markdown]
# ## Cost as the width grows
#
# Now $n = m = K = w$. The explicit Jacobians $\partial z_1/\partial \operatorname{vec}
# W^{(1)}$ and $\partial z_3/\partial \operatorname{vec} W^{(2)}$ have $w \cdot w^2$ entries
# each, so the explicit routes need memory like $w^3$. Right to left multiplies $K \times m$ by
# $m \times mn$, $w^4$ multiply-adds, where left to right multiplies a row by that matrix, $w^3$. Backprop's
# largest tensors are the gradients themselves, $w^2$ entries, and its work is $w^2$ too. Each
# run is checked against `MLP.backward`, then timed (the best of several runs); the `Tally`
# counts its bytes and multiply-adds. The explicit routes stop before a few hundred MB.

# %%
WIDTHS = [round(2 ** (k / 2)) for k in range(6, 21)]  # 8 ... 1024
LARGEST = {"Jacobians, right to left": 128, "Jacobians, left to right": 181, "backprop": 1024}
COSTS = {"seconds": "time (s), measured", "macs": "multiply-adds, counted",
         "bytes": "bytes of tensors made, counted"}


def best_time(fn, budget=0.03):
    """Shortest of at least 2 runs, more while they fit in `budget` seconds."""
    times = []
    while len(times) < 2 or (sum(times) < budget and len(times) < 30):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


results = {method: {q: [] for q in ("width", *COSTS)} for method in METHODS}
for w in WIDTHS:
    net, x, y = small_example(w, w, w, seed=w)
    expected = reference_grads(net, x, y)
    for method, fn in METHODS.items():
        if w > LARGEST[method]:
            continue
        grads, tally = fn(net, x, y)
        for name in CHAINS:
            torch.testing.assert_close(grads[name], expected[name], rtol=1e-12,
                                       atol=1e-14 * expected[name].abs().max().item())
        r = results[method]
        r["width"].append(w)
        r["macs"].append(tally.macs)
        r["bytes"].append(tally.bytes)
        r["seconds"].append(best_time(lambda fn=fn, net=net, x=x, y=y: fn(net, x, y)))
results = {k: {q: torch.tensor(v, dtype=DT) for q, v in r.items()} for k, r in results.items()}
print(f"same gradients at every width; the largest explicit Jacobian run made "
      f"{results['Jacobians, left to right']['bytes'][-1].item() / 1e6:.0f} MB")


# %% [markdown]
# Each cost against the width, on log-log axes, where a cost growing like $w^p$ is a line of
# slope $p$; the table below the plot gives each curve's slope, from a least-squares line
# through its last four points.


# %% tags=["hide-input"] alt="Three log-log panels against the width w from 8 to 1024: measured time, counted multiply-adds and counted bytes, each for Jacobians multiplied right to left, Jacobians multiplied left to right, and backprop. The explicit Jacobian routes stop at w = 128 and 181; their counts grow like w^4 and w^3, backprop's like w^2."
def loglog_slope(u, v, last=4):
    """Slope of the least-squares line through the last points of (log u, log v)."""
    u, v = u[-last:].log(), v[-last:].log()
    design = torch.stack([u, torch.ones_like(u)], 1)
    return torch.linalg.lstsq(design, v[:, None]).solution[0, 0].item()


slopes = {(k, q): loglog_slope(r["width"], r[q]) for k, r in results.items() for q in COSTS}
fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
for ax, (q, label) in zip(axes, COSTS.items(), strict=True):
    for (method, r), style in zip(results.items(), ("o-", "s--", "^-"), strict=True):
        ax.loglog(r["width"], r[q], style, ms=4, label=method)
    ax.set(xlabel="width $w = n = m = K$", title=label)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside upper center", ncols=3)  # above the panels, on no curve
plt.show()
display(Markdown("\n".join(
    ["| slope of the last four points | " + " | ".join(COSTS.values()) + " |",
     "|---|" + "---|" * len(COSTS)]
    + [f"| {method} | " + " | ".join(f"{slopes[method, q]:.1f}" for q in COSTS) + " |"
       for method in results])))

# Counted costs are exact, so their slopes are the powers of w the shapes give.
for method, p_macs, p_bytes in [("Jacobians, right to left", 4, 3),
                                ("Jacobians, left to right", 3, 3), ("backprop", 2, 2)]:
    assert abs(slopes[method, "macs"] - p_macs) < 0.15, (method, slopes[method, "macs"])
    assert abs(slopes[method, "bytes"] - p_bytes) < 0.15, (method, slopes[method, "bytes"])
# Timings are only drawn, never asserted: the build runs on shared, noisy machines. The order
# they show is asserted on the counts, which are exact.
macs = {k: r["macs"][r["width"] == 128].item() for k, r in results.items()}
assert macs["Jacobians, right to left"] > macs["Jacobians, left to right"] > 10 * macs["backprop"]
explicit, backprop_run = results["Jacobians, left to right"], results["backprop"]
assert explicit["width"][-1] == 181 and explicit["bytes"][-1] > 5 * backprop_run["bytes"][-1]

# %% [markdown]
# The counted costs are straight lines with the slopes the shapes predict: $w^4$, $w^3$ and
# $w^2$ multiply-adds; $w^3$, $w^3$ and $w^2$ bytes. At $w = 181$ the left-to-right Jacobians
# already hold about a hundred MB, over five times what backprop makes at $w = 1024$. The
# measured times start flat, where every route costs a fraction of a millisecond of Python and
# dispatch, and then rise in the order of their counted work. Where they rise, their local
# slopes can exceed the counted ones: once a route's tensors outgrow the processor's caches,
# its time is the time to move memory, not to multiply.

# %% tags=["remove-input"]
display(HTML(how_checked([
    "This page measures; its formulas are the homework's, and its numbers are checked as follows.",
    ["**The Jacobian of the first layer** equals $E_{ij}\\, x$ column by column, exactly, in "
     "float64.",
     "**The three routes** give `MLP.backward`'s four gradients (times $K$, since torch's mean "
     "over the $K$ outputs is the homework's sum divided by $K$) at $n = 3$, $m = 4$, $K = 5$ "
     "to a relative $10^{-13}$, and again at every width of the sweep.",
     "**Costs**: the multiply-adds and bytes are counted exactly and their slopes asserted; "
     "the times are measured and drawn, never asserted, since the build runs on shared "
     "machines."],
])))

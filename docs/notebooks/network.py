# %% [markdown]
# # The chain rule through the network
#
# The network is Linear $\to f \to$ Linear $\to g \to$ loss, on a batch $x$ ($N \times n$) with
# one sample per row, in the code's names: pre-activations $s_1, s_2$, the activation
# $z_1 = f(s_1)$, the loss $J$ (torch's mean over the $N K$ entries) and
# $\delta_i = \nabla_{s_i} J$, each gradient laid out like what it is taken by (the
# [notation](../index.md#notation)). Backprop is six steps in matrix form; this page proves them
# twice:
#
# - at one size, $N = 2$, $n = 3$, $m = 4$ hidden units, $K = 5$ outputs, against `diff` of
#   the scalar $J$ by every entry, for the homework's network;
# - for **every** size, in index notation with symbolic $N, n, m, K$ and any differentiable
#   $f$, $g$ and per-entry loss $\phi$ ([below](#every-size-at-once)).

# %% tags=["remove-cell"]
import time

from IPython.display import Markdown, Math, display

from derivations import activations, all_sizes, losses, network
from derivations.exact import at_point, rational_point
from derivations.latex import tex

sym = network.symbols(**network.DEFAULT_SIZE)
assert network.DEFAULT_SIZE == dict(batch=2, n_in=3, n_hidden=4, n_out=5)  # as the text says
f, g, loss = "relu", "identity", "mse"  # the network of homework 1.1

# %% [markdown]
# ## The forward pass

# %%
for line in network.forward_latex(f, g, sym):
    display(Math(line))

# %% [markdown]
# ## Backprop in matrix form, at one size
#
# For the homework's network, $f = \operatorname{ReLU}$, $g = \operatorname{id}$ and the squared
# error, backprop needs three derivatives, proven on the activations and losses pages:

# %%
parts = [activations.derivative_identity(f), activations.derivative_identity(g),
         losses.gradient_identity(loss, *sym["y"].shape)]
for claim in parts:
    assert claim.holds(), claim.name
    display(Math(claim.latex()))

# %% [markdown]
# The six steps, each with its shape; $\had$ is the entry-wise product and $\ones$ a column of
# $N$ ones, so $\delta\T \ones$ sums $\delta$ over the batch. With $N, n, m, K$ all different,
# every shape differs from its transpose's.

# %%
steps = network.identities(f, g, loss, sym)
for claim in steps.values():
    display(Math(claim.latex()))
assert [steps[f"dJd{p}"].shape for p in network.PARAMETERS] == [
    sym[p].shape for p in network.PARAMETERS]

# %% [markdown]
# Each step's formula is evaluated on the symbols, through the steps before it, and held
# against `diff` of $J$ by each entry of the parameter (of $s_2$ and $s_1$ for the deltas).
# Written out, $\nabla_{W^{(1)}} J$ is a long nested Piecewise expression, so the two sides are
# compared in exact rational arithmetic at random points with no coordinate 0 (no ReLU on its
# kink). Each point selects one pattern of active hidden units; the cell counts the patterns
# its four points cover. At the first of them where a hidden unit is off for both samples,
# both sides of $\nabla_{W^{(1)}} J$ are:

# %%
s1 = network.forward(f, g, sym)["s1"]


def units_off(point):
    """The hidden units (1-based) with s_1 <= 0 for every sample at `point`."""
    at = s1.xreplace(point)
    return [j + 1 for j in range(at.cols) if all(v <= 0 for v in at[:, j])]


patterns = set()
for seed in range(4):
    point = rational_point(sym, seed)
    assert all(claim.holds(at=point) for claim in steps.values()), seed
    patterns.add(tuple(v > 0 for v in s1.xreplace(point)))
seed = next(seed for seed in range(4) if units_off(rational_point(sym, seed)))
point, off = rational_point(sym, seed), units_off(rational_point(sym, seed))
dJdW1 = steps["dJdW1"]
matrix_form, by_entry = at_point(dJdW1.closed_form, point), at_point(dJdW1.derived, point)
assert matrix_form == by_entry
display(Math(rf"\underbrace{{\delta_{{1}}\T x}}_{{\text{{formula}}}} = {tex(matrix_form)} = "
             rf"\underbrace{{\left[\frac{{\partial J}}{{\partial W^{{(1)}}_{{pq}}}}\right]}}"
             rf"_{{\text{{diff}}}}"))
assert off == [j + 1 for j in range(matrix_form.rows) if not any(matrix_form.row(j))]
print(f"4 points, {len(patterns)} different patterns of active hidden units, all six steps "
      f"equal at each.\nAt point {seed}, hidden units off (s_1 <= 0) for both samples: {off}; "
      "exactly their rows of dJ/dW1 are 0.")

# %% [markdown]
# ## Every size at once
#
# A check at one size cannot tell a formula that holds for every size from one that happens
# to hold at that size. `derivations.all_sizes` proves the six steps for all of them. It writes
# the network entry by entry with SymPy's `IndexedBase` and `Sum`, the sizes $N, n, m, K$
# symbols and $f$, $g$ and the per-entry loss $\phi$ undefined functions:
#
# $$s_{1,aj} = \sum_{i=1}^{n} x_{ai} W^{(1)}_{ji} + b^{(1)}_{j},\quad
# s_{2,ak} = \sum_{j=1}^{m} f(s_{1,aj}) W^{(2)}_{kj} + b^{(2)}_{k},\quad
# J = \frac{1}{NK}\sum_{a=1}^{N}\sum_{k=1}^{K} \phi\big(g(s_{2,ak}), y_{ak}\big).$$
#
# For each step it lets SymPy write the entry $(p, q)$ of the matrix formula above (the same
# `network.steps`, on matrices of symbolic shape), differentiates $J$ by the entry $(p, q)$
# with `diff`, sums out the Kronecker deltas that leaves, and requires the two sides to be
# identical. Any differentiable activation and any loss that is a mean of one term per entry
# fit this $J$: ReLU (with torch's $\operatorname{ReLU}'(0) = 0$), the sigmoid, the identity,
# the squared error and BCE are cases of it.

# %%
tick = time.process_time()
general = all_sizes.prove()
seconds = time.process_time() - tick
assert all(step.holds() for step in general.values())
print(f"six steps proven for every N, n, m, K in {seconds:.1f} s of CPU time")

# %% tags=["remove-input"]
rows = ["| step | matrix formula | entry $(p, q)$, proven equal to `diff` of $J$ | |",
        "|---|---|---|---|"]
for step in general.values():
    rows.append(f"| `{step.name}` | ${step.latex()}$ | ${step.entry_latex()}$ | ✓ |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# A ✓ is an assertion that passed when this page was built. The first step, as `diff` leaves
# it after the Kronecker deltas are summed out, in $p$, $q$ and the sizes again:

# %%
delta2 = general["delta2"]
display(Math(r"\frac{\partial J}{\partial s_{2,pq}} = " + tex(delta2.readable(delta2.derived))))

# %% [markdown]
# ## Every configuration
#
# `configurations()` reads the registries: every element-wise $f$ and $g$ with every loss that
# accepts $g$'s outputs. Each is a case of the proof above. The test suite
# (`tests/derivations/test_network.py`) also holds every step of each one against `diff` of
# $J$ at $N = 2$, $n = 3$, $m = 4$, $K = 5$, in exact arithmetic at a random rational point; that
# takes about half a minute, so the page does not repeat it.

# %% tags=["remove-input"]
configs = network.configurations()
names = list(dict.fromkeys(c[0] for c in configs))
losses_for = {}
for f_, g_, loss_ in configs:
    losses_for.setdefault((f_, g_), []).append(loss_)
rows = ["| $f$ \\ $g$ | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
rows += [f"| **{f_}** | " + " | ".join(", ".join(losses_for.get((f_, g_), ["–"])) for g_ in names)
         + " |" for f_ in names]
display(Markdown("\n".join(rows)))
print(f"{len(configs)} configurations")

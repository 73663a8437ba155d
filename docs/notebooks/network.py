# %% [markdown]
# # The chain rule through the network
#
# The network is Linear $\to f \to$ Linear $\to g \to$ loss, on a batch $x$ (N, n) with one
# sample per row. The homework calls the outputs of Linear$_1$, $f$ and Linear$_2$ $z_1, z_2,
# z_3$; the code and this site call them $s_1, z_1, s_2$: pre-activations $s$, activations $z$,
# and $\delta_i = \partial J/\partial s_i$. `derivations.network` builds the whole network in
# SymPy at $N = 2$, $n = 2$, $m = 3$ hidden units and $K = 2$ outputs, runs backprop's six
# steps in matrix form, and differentiates the scalar $J$ by every entry to check each step.

# %%
import time
from functools import cache

import sympy as sp
from IPython.display import Markdown, Math, display

from derivations import activations, losses, network
from derivations.exact import rational_point

start = time.perf_counter()
assert network.DEFAULT_SIZE == dict(batch=2, n_in=2, n_hidden=3, n_out=2)  # as the text says
sym = network.symbols(**network.DEFAULT_SIZE)


@cache
def identities(config: tuple[str, str, str]) -> dict:
    """`network.identities` at this page's size, built once per configuration."""
    return network.identities(*config, sym)


f, g, loss = "relu", "identity", "mse"  # the network of homework 1.1
for line in network.forward_latex(f, g, sym):
    display(Math(line))

# %% [markdown]
# ## Backprop in matrix form, one configuration in full
#
# For the homework's network, $f = \operatorname{ReLU}$, $g = \operatorname{id}$ and the squared
# error, the three derivatives backprop needs come from the activations and losses pages:

# %%
parts = [activations.derivative_identity(f), activations.derivative_identity(g),
         losses.gradient_identity(loss, *sym["y"].shape)]
for claim in parts:
    assert claim.holds(), claim.name
    display(Math(claim.latex()))

# %% [markdown]
# The six steps, each with its shape; $\circ$ is the entry-wise product and $\mathbf{1}$ a
# column of $N$ ones, so $\delta^\top \mathbf{1}$ sums $\delta$ over the batch.

# %%
steps = identities((f, g, loss))
for claim in steps.values():
    display(Math(claim.latex()))
assert [steps[f"dJd{p}"].shape for p in network.PARAMETERS] == [
    sym[p].shape for p in network.PARAMETERS]

# %% [markdown]
# Each step's `closed_form` is its formula evaluated on the symbols, through the steps before
# it; its `derived` side is `diff` of $J$ by each entry of the parameter (or of $s_2$ and $s_1$
# for the deltas). Written out, $\partial J/\partial W^{(1)}$ is a long nested Piecewise
# expression, so the two sides are compared in exact rational arithmetic at random points with
# no coordinate 0 (no ReLU on its kink). Each point selects one pattern of active hidden units;
# the cell counts how many different patterns its four points cover. At the first point, both
# sides of $\partial J / \partial W^{(1)}$ are:

# %%
s1 = network.forward(f, g, sym)["s1"]
patterns = set()
for seed in range(4):
    point = rational_point(sym, seed)
    assert all(claim.holds(at=point) for claim in steps.values()), seed
    patterns.add(tuple(v > 0 for v in s1.xreplace(point)))
point = rational_point(sym, 0)
dJdW1 = steps["dJdW1"]
matrix_form, by_entry = dJdW1.closed_form.xreplace(point), dJdW1.derived.xreplace(point)
assert matrix_form == by_entry
display(Math(rf"\delta_{{1}}^{{T}} x = {sp.latex(matrix_form)} = "
             rf"\left[\frac{{\partial J}}{{\partial W^{{(1)}}_{{ji}}}}\right] "
             rf"= {sp.latex(by_entry)}"))
s1_at = s1.xreplace(point)
off = [j + 1 for j in range(s1_at.cols) if all(v <= 0 for v in s1_at[:, j])]
assert off == [j + 1 for j in range(matrix_form.rows) if not any(matrix_form.row(j))]
print(f"4 points, {len(patterns)} different patterns of active hidden units, all six steps "
      f"equal at each.\nHidden units off (s_1 <= 0) for every sample at the first point: {off}; "
      "exactly their rows of dJ/dW1 are 0.")

# %% [markdown]
# Where $J$ is a polynomial ($f = g = \operatorname{id}$ with the squared error) no point is
# needed: the difference of the two sides expands to 0 for every value of the symbols.

# %%
assert all(claim.holds() for claim in identities(("identity", "identity", "mse")).values())
print("identity/identity/mse: all six steps proven for all values")

# %% [markdown]
# ## Every configuration
#
# `configurations()` reads the registries: every $f$ and $g$ with the squared error, and BCE
# where $g$'s output lies in $(0, 1)$, so $g = \sigma$. For each, every step of backprop is held
# against `diff` of $J$ entry by entry, in exact arithmetic at a random rational point, a
# different one for each configuration (an $e^{\dots}$ of a rational is left as an unknown and
# given a random rational value, see `Identity.holds`). A ✓ is an assertion that passed when
# this page was built.

# %%
rows, building, checking = [], 0.0, 0.0
for seed, config in enumerate(network.configurations()):
    point, tick = rational_point(sym, seed), time.perf_counter()
    claims = identities(config)
    tock = time.perf_counter()
    ok = {name: claim.holds(at=point, seed=seed) for name, claim in claims.items()}
    building, checking = building + tock - tick, checking + time.perf_counter() - tock
    assert all(ok.values()), (config, ok)
    rows.append([*config] + ["✓" if passed else "✗" for passed in ok.values()])
elapsed = time.perf_counter() - start
header = ["$f$", "$g$", "loss"] + [f"${claim.lhs.split(' = ')[0]}$" for claim in steps.values()]
display(Markdown("\n".join(["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
                           + ["| " + " | ".join(row) + " |" for row in rows])))
print(f"{len(rows)} configurations x {len(steps)} steps: {building:.1f} s building the "
      f"expressions, {checking:.1f} s checking them; {elapsed:.1f} s for the whole page")

# %% [markdown]
# Building is `diff` of $J$ through nested ReLU Piecewise and sigmoids (the first two
# configurations were built earlier on the page); checking substitutes the point and cancels.
# Proving each step for all values instead, as above for the polynomial case, takes seconds to
# minutes per configuration once a sigmoid is involved, so the site checks at points;
# `tests/derivations/test_network.py` runs the same checks.

# %% [markdown]
# # The chain rule through the network
#
# The network is Linear $\to f \to$ Linear $\to g \to$ loss, on a batch $X$ ($N \times n$)
# with sample $p$ in row $p$, in the batch's names of the [notation](../index.md#notation):
# $Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T$, $Z_2 = f(Z_1)$, $Z_3$, $\hat Y = g(Z_3)$, the
# loss $J$ (torch's mean over the $N K$ entries) and the upstream gradients
# $\Delta_3 = \nabla_{Z_3} J$, $\Delta_1 = \nabla_{Z_1} J$; each gradient $\nabla_\theta J$ has
# the shape of $\theta$, as torch stores it in `.grad`. Backprop is six steps in matrix form.
# This page derives them at one size for the homework's network, then for **every** size in
# index notation ([below](#every-size-at-once)), and proves the step from this batch to the
# homework's single sample ([below](#from-the-batch-to-one-sample)).

# %% tags=["remove-cell"]
import time

from IPython.display import HTML, Markdown, Math, display

from derivations import activations, all_sizes, losses, network
from derivations.exact import at_point, rational_point
from derivations.latex import tex
from mlp import COURSE_ACTIVATIONS, COURSE_LOSSES
from pages.boxes import how_checked

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
# For the homework's network, $f = (\cdot)^+$, $g = \operatorname{id}$ and the squared
# error, backprop needs three derivatives, proven on the activations and losses pages:

# %%
parts = [activations.derivative_identity(f), activations.derivative_identity(g),
         losses.gradient_identity(loss, *sym["y"].shape)]
for claim in parts:
    assert claim.holds(), claim.name
    display(Math(claim.latex()))

# %% [markdown]
# The six steps, each with its shape, at $N = 2$, $n = 3$, $m = 4$, $K = 5$; $\had$ is the
# entry-wise product and $\ones_N$ a column of $N$ ones, so $\Delta_3\T \ones_N$ sums
# $\Delta_3$ over the batch. With $N, n, m, K$ all different, every shape differs from its
# transpose's.

# %%
steps = network.identities(f, g, loss, sym)
for claim in steps.values():
    display(Math(claim.latex()))
assert [steps[f"dJd{p}"].shape for p in network.PARAMETERS] == [
    sym[p].shape for p in network.PARAMETERS]

# %% [markdown]
# At a point where a hidden unit is off for both samples, both sides of
# $\nabla_{W^{(1)}} J$, the formula and `diff` of $J$ by every entry, are:

# %%
z1 = network.forward(f, g, sym)["z1"]


def units_off(point):
    """The hidden units (1-based) with Z_1 <= 0 for every sample at `point`."""
    at = z1.xreplace(point)
    return [j + 1 for j in range(at.cols) if all(v <= 0 for v in at[:, j])]


patterns = set()
for seed in range(4):
    point = rational_point(sym, seed)
    assert all(claim.holds(at=point) for claim in steps.values()), seed
    patterns.add(tuple(v > 0 for v in z1.xreplace(point)))
seed = next(seed for seed in range(4) if units_off(rational_point(sym, seed)))
point, off = rational_point(sym, seed), units_off(rational_point(sym, seed))
dJdW1 = steps["dJdW1"]
matrix_form, by_entry = at_point(dJdW1.closed_form, point), at_point(dJdW1.derived, point)
assert matrix_form == by_entry
display(Math(rf"\underbrace{{\Delta_{{1}}\T X}}_{{\text{{formula}}}} = {tex(matrix_form)} = "
             rf"\underbrace{{\left[\frac{{\partial J}}{{\partial W^{{(1)}}_{{ji}}}}\right]}}"
             rf"_{{\text{{diff}}}}"))
assert off == [j + 1 for j in range(matrix_form.rows) if not any(matrix_form.row(j))]
print(f"At this point, hidden units off (Z_1 <= 0) for both samples: {off}; exactly their rows "
      "of dJ/dW1 are 0.")

# %% [markdown]
# ## Every size at once
#
# A check at one size cannot tell a formula that holds for every size from one that happens to
# hold at that size. `derivations.all_sizes` derives the six steps for all of them. It writes
# the network entry by entry with SymPy's `IndexedBase` and `Sum`, the sizes $N, n, m, K$
# symbols and $f$, $g$ and the per-entry loss $\phi$ undefined functions:
#
# $$Z_{1,pj} = \sum_{i=1}^{n} X_{pi} W^{(1)}_{ji} + b^{(1)}_{j},\quad
# Z_{3,pk} = \sum_{j=1}^{m} f(Z_{1,pj}) W^{(2)}_{kj} + b^{(2)}_{k},\quad
# J = \frac{1}{NK}\sum_{p=1}^{N}\sum_{k=1}^{K} \phi\big(g(Z_{3,pk}), Y_{pk}\big).$$
#
# Any differentiable activation and any loss that is a mean of one term per entry fit this
# $J$: ReLU (with torch's value 0 for its derivative at 0), the sigmoid, the identity, the
# squared error and BCE are cases of it.
#
# Each step below reads in three lines, every one printed by SymPy. First the chain rule in
# indices through the node just above the quantity ($\hat Y$, $Z_3$ or $Z_1$): a sum over that
# node's entries $(p', c')$ of $\partial J$ by the entry times the local derivative, as `diff`
# computes it, Kronecker deltas $\delta_{pp'}$ included. Then the sum that collapses once the
# deltas are summed out. Last, the same expression as an entry of the matrix form.

# %%
tick = time.process_time()
derivation = all_sizes.derive()
general = all_sizes.prove()
seconds = time.process_time() - tick
assert all(d.holds() for d in derivation.values())
assert all(step.holds() for step in general.values())
for name, d in derivation.items():
    display(Markdown(f"**{general[name].lhs.split(' = ')[0].join('$$')}**"))
    display(Math(d.latex()))

# %% [markdown]
# The certificate: for each step, its matrix form with its symbolic shape, and its entry, which
# SymPy holds identical to `diff` of $J$ by that entry once the earlier steps' entries are put
# in for $\Delta_3$ and $\Delta_1$.

# %% tags=["remove-input"]
rows = ["| step | matrix form | its entry, equal to `diff` of $J$ | |", "|---|---|---|---|"]
for step in general.values():
    rows.append(f"| `{step.name}` | ${step.latex()}$ | ${step.entry_latex()}$ | ✓ |")
display(Markdown("\n".join(rows)))
print(f"six steps derived and proven for every N, n, m, K in {seconds:.1f} s of CPU time")

# %% [markdown]
# The first step, as `diff` leaves $\partial J / \partial Z_{3,pk}$ after the Kronecker deltas
# are summed out:

# %%
first = general["dJdz3"]
display(Math(r"\frac{\partial J}{\partial Z_{3,pk}} = " + tex(first.readable(first.derived))))

# %% [markdown] context="bridge"
# ## From the batch to one sample
#
# The homework writes one sample as columns, $z_1 = W^{(1)} x + b^{(1)}$ and so on, with the
# loss $\ell$; the code works on rows. With one sample, $N = 1$ and $X = x\T$, each batch row is
# the sample's column transposed, the homework's $\ell$ is $K$ times torch's mean $J$ for the
# squared error (the same $J$ for BCE), and so each derivative in the homework's numerator
# layout is $K$ times a gradient transposed (BCE's factor is 1). For each of the course's twelve
# configurations, SymPy holds each of these at $n = 3$, $m = 4$, $K = 5$ against the homework's
# own column computation and `diff` of its own $\ell$; shown for 1.1's network:

# %% context="bridge"
course = [c for c in network.configurations()
          if {c[0], c[1]} <= set(COURSE_ACTIVATIONS) and c[2] in COURSE_LOSSES]
assert len(course) == 12
at = rational_point(network.symbols(1, 3, 4, 5), seed=0)
for config in course:
    one = network.one_sample(*config, 3, 4, 5)
    for name in ("z1", "z2", "z3", "y_hat", "l"):
        assert one[name].holds(), (config, name)
    for name in ("dldW1", "dldb1", "dldW2", "dldb2"):
        # exp(...) atoms left at the point are unknowns set at random (see exact.is_zero).
        assert one[name].holds(at=at, seed=1), (config, name)
for claim in network.one_sample(f, g, loss, 3, 4, 5).values():
    display(Math(claim.latex()))

# %% [markdown]
# ## Every configuration
#
# `configurations()` reads the registries: every element-wise $f$ and $g$ with every loss that
# accepts $g$'s outputs. Each is a case of the every-size derivation above.

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

# %% tags=["remove-input"] context="bridge"
display(HTML(how_checked([
    "Each formula on this page is printed from the SymPy object the build checks; the page "
    "fails to build if a check fails.",
    ["**At one size** ($N = 2$, $n = 3$, $m = 4$, $K = 5$): each step's formula, evaluated "
     "through the steps before it, is held against `diff` of $J$ by every entry of the "
     "parameter (of $Z_3$ and $Z_1$ for $\\Delta_3$, $\\Delta_1$), in exact rational arithmetic "
     f"at 4 random points; they cover {len(patterns)} different patterns of active hidden "
     "units. No point has a coordinate 0.",
     "**Every size**: the index derivation's last two lines are required identical in one "
     "normal form, for symbolic $N, n, m, K$ and every entry; the certificate's entry is "
     "required identical to `diff` of $J$. A planted mistake (a transposed "
     "$\\nabla_{W^{(1)}} J$, a dropped $f'$ or $g'$, a bias gradient divided by $N$) fails "
     "both, in `tests/derivations/test_all_sizes.py`.",
     "**One sample**, for each of the course's twelve configurations at $n = 3$, $m = 4$, "
     "$K = 5$: the forward values and $\\ell = c J$ hold for every input; the derivatives are "
     "compared exactly at one rational point.",
     "**Every configuration** is a case of the every-size derivation; the test suite "
     "(`tests/derivations/test_network.py`) also holds every step of the course's twelve "
     "against `diff` of $J$ at $N = 2$, $n = 3$, $m = 4$, $K = 5$, at an exact rational point."],
])))

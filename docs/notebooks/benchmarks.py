# %% [markdown]
# # Benchmarks: one training step, four ways
#
# A hand-written backward builds no graph, so it should beat autograd where per-call overhead
# dominates, and come close to the hardware where the matrix products dominate. This page shows
# how close, from the figures `make bench` wrote to `benchmarks/results.json`. The page only
# reads that committed file; nothing is timed while the site builds.
#
# One step is the homework's regression network, Linear → ReLU → Linear → identity with the MSE
# loss, in float32: clear the gradients, forward, loss, backward. It is taken four ways:
#
# - **mlp**: `clear_grad_and_cache`, `forward`, `mse_loss`, `backward`, all by hand;
# - **autograd**: an `nn.Sequential` twin, `zero_grad()`, forward, `F.mse_loss`, `.backward()`;
# - **torch.func.grad** of the same network written as a function of its parameters;
# - **the floor**: only the five matrix products that any backward of this network must do,
#   two forward and three backward (the gradient with respect to the input x is not needed),
#   into buffers allocated once.
#
# The machine is shared and noisy. Each round times a block of steps of every way, in a
# rotating order; a figure is the median over rounds, and a ratio is the median of the ratios
# taken within each round, so that a burst of load slows both sides of a ratio alike. The
# brackets give the quartiles over rounds: the spread. Times are wall-clock; the process's CPU
# time is kept too, as a check: at one thread it leaves out the time a step waited for a core
# that another process held. Rerun with `make bench`.

# %% tags=["remove-cell"]
import json
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter
from matplotlib_inline.backend_inline import set_matplotlib_formats

import mlp

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10})

# %% tags=["remove-input"]

RESULTS = Path(mlp.__file__).resolve().parents[1] / "benchmarks" / "results.json"
results = json.loads(RESULTS.read_text())
assert results["schema"] == 1, "this page reads schema 1 of results.json"
machine, runs, ways = results["machine"], results["runs"], results["settings"]["ways"]
thread_counts = sorted({run["threads"] for run in runs})


def threads_text(threads):
    return "1 thread" if threads == 1 else f"{threads} threads (all)"


display(Markdown(
    f"Measured on **{machine['cpu_model']}**, {machine['usable_cores']} usable cores "
    f"({machine['logical_cores']} logical), torch {machine['torch']} with {machine['blas']}, "
    f"Python {machine['python']}, at one thread and at all {machine['all_threads']}; load "
    f"average {machine['load_average'][0]} before and {machine['load_average_after'][0]} after, "
    f"{results['created']}, {results['wall_s']:.0f} s in all."
))

# %% [markdown]
# ## Time per step
#
# Milliseconds per step, the median over rounds with half the interquartile range as a
# percentage; then the ratios of `mlp` to autograd and to the floor, median [quartiles].

# %% tags=["remove-input"]
def ms(stats):
    spread = (stats["q3"] - stats["q1"]) / 2 / stats["median"]
    return f"{stats['median'] * 1e3:.3g} (±{spread:.0%})"


def ratio(stats):
    return f"**{stats['median']:.2f}** [{stats['q1']:.2f}, {stats['q3']:.2f}]"


for threads in thread_counts:
    header = ["size (N, n→m→K)", "GFLOP", *ways.values(), "mlp/autograd", "mlp/floor", "rounds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for run in (r for r in runs if r["threads"] == threads):
        cells = [run["label"].replace("->", "→"), f"{run['flops'] / 1e9:.2g}",
                 *(ms(run["seconds"][w]) for w in ways),
                 ratio(run["ratios"]["mlp/autograd"]), ratio(run["ratios"]["mlp/floor"]),
                 str(run["rounds"])]
        lines.append("| " + " | ".join(cells) + " |")
    display(Markdown(f"**{threads_text(threads)}**\n\n" + "\n".join(lines)))

# %% [markdown]
# Against size, measured in the floating-point operations of the five products (2 per
# multiply-add), on log-log axes: first the time per step, then the ratios, with the targets
# dotted. At one thread, where the products dominate, every way approaches the
# floor; at the homework's size the floor is five calls of a few microseconds and the rest is
# overhead.

# %% tags=["hide-input"] alt="Log-log plots of the milliseconds per step against the FLOP per step, one panel per thread count, for mlp, autograd, torch.func and the five-product floor, with quartile bars."
# One figure per row and one legend below each panel: the site shows each panel as its own
# image (stacked, one per row of the column), so each carries what it needs. A panel 4.6 in
# wide keeps its 11 pt text at 10 px or more in a 390 px phone's 328 px column.
colors = {"mlp": "C0", "autograd": "C1", "func": "C2", "floor": "k"}
PANEL = (4.6, 4.8)


def panels():
    fig, axes = plt.subplots(1, len(thread_counts), squeeze=False,
                             figsize=(PANEL[0] * len(thread_counts), PANEL[1]),
                             layout="constrained")
    return fig, axes[0]


def per_thread(threads):
    return [r for r in runs if r["threads"] == threads]


def bars(ax, mine, stats, label, **style):
    med = [stats(r)["median"] for r in mine]
    err = [[m - stats(r)["q1"] for m, r in zip(med, mine, strict=True)],
           [stats(r)["q3"] - m for m, r in zip(med, mine, strict=True)]]
    ax.errorbar([r["flops"] for r in mine], med, yerr=err, marker="o", ms=4, capsize=2,
                label=label, **style)


def legend_below(ax):
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=11)


fig, axes = panels()
for ax, threads in zip(axes, thread_counts, strict=True):
    for way, label in ways.items():
        bars(ax, per_thread(threads), lambda r, way=way: {
            k: v * 1e3 for k, v in r["seconds"][way].items()}, label,
             color=colors[way], ls="--" if way == "floor" else "-")
    ax.set(xscale="log", yscale="log", title=threads_text(threads),
           xlabel="FLOP per step (5 products)", ylabel="ms per step")
    ax.grid(True, which="both", alpha=0.3)
    legend_below(ax)
plt.show()

# %% tags=["hide-input"] alt="Log-log plots of the ratios of mlp's time per step to autograd's, torch.func's and the floor's against the FLOP per step, one panel per thread count, with quartile bars and the targets as dotted lines."
fig, axes = panels()
for ax, threads in zip(axes, thread_counts, strict=True):
    for name, color in (("mlp/autograd", "C1"), ("mlp/func", "C2"), ("mlp/floor", "k")):
        bars(ax, per_thread(threads), lambda r, name=name: r["ratios"][name], name, color=color)
    for level in sorted({t["threshold"] for t in results["targets"]}):
        ax.axhline(level, color="grey", ls=":", lw=1)
        ax.annotate(f"{level:g}", (1, level), xycoords=("axes fraction", "data"),
                    xytext=(2, 0), textcoords="offset points", va="center", fontsize=11)
    ax.set(xscale="log", yscale="log", title=threads_text(threads),
           xlabel="FLOP per step (5 products)", ylabel="ratio (below 1: mlp faster)")
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="both", alpha=0.3)
    legend_below(ax)
plt.show()

# %% [markdown]
# ## Targets
#
# Each target is on the median ratio, judged on the wall clock. A target that names no thread count is judged at each one. The last
# column but one is the same ratio on CPU time, where the load weighs less.

# %% tags=["remove-input"]
lines = ["| target | what it guards | threads | at | median | q3 | on CPU time | verdict |",
         "|---|---|---|---|---|---|---|---|"]
for row in results["targets"]:
    assert row["met"] == (row["value"] <= row["threshold"]), row
    lines.append(f"| {row['target'].replace('<=', '≤')} | {row['why']} | {row['threads']} | "
                 f"{row['at'].replace('->', '→')} | {row['value']:.2f} | {row['q3']:.2f} | "
                 f"{row['cpu_value']:.2f} | {'met' if row['met'] else '**missed**'} |")
met = sum(row["met"] for row in results["targets"])
display(Markdown("\n".join(lines) + f"\n\n{met} of {len(results['targets'])} met."))

# %% [markdown]
# ## What the gap to the floor is made of
#
# Beyond the five products, a step of `mlp` does work that is proportional to the size of the
# activations, not to the products: the bias added in each forward product, ReLU, the loss and
# its gradient, ReLU's backward, the two bias gradients, zeroing the four gradients, and reading
# the zeroed weight gradients back as the backward products accumulate into them (`+=`, as
# autograd accumulates). Autograd does the same work except the zeroing and that read, since
# `zero_grad()` drops its gradients and backward writes fresh ones.

# %% tags=["remove-input"]
for threads in thread_counts:
    wide = max((r for r in runs if r["threads"] == threads), key=lambda r: r["flops"])
    floor_ms = wide["seconds"]["floor"]["median"] * 1e3
    over = wide["ratios"]["mlp/floor"]["median"] - 1
    display(Markdown(
        f"At {wide['label'].replace('->', '→')}, {threads_text(threads)}, the floor takes "
        f"{floor_ms:.0f} ms and `mlp` {over:+.0%} more (the median of the within-round "
        f"ratios), about {over * floor_ms:.0f} ms for the work beyond the products."))

# %% [markdown]
# What profiling found (torch.profiler and interleaved A/B runs on one thread, on the machine
# above, at the time of writing; benchmarks/README.md has the details):
#
# - **The ReLU backward is the mask multiply, written plainly.** `mlp` computes
#   `grad_output * relu'(z1)` with `relu'(u) = (u > 0).to(u.dtype)`, as the site derives it.
#   Faster forms exist on this build (writing the mask straight into a float tensor with
#   `torch.gt(u, 0, out=...)`, or autograd's fused `threshold_backward`), and each hides the
#   derivative; the plain one costs a fraction of one matrix product at (256, 512). The
#   sigmoid's is `grad_output * out * (1 - out)` from the cached output.
# - **Zeroing the four gradients** costs about 1% of a step at (256, 512→512→512) and at 1024
#   wide, and the homework's API asks for it. `linear_backward` returns each gradient, and
#   `backward` adds it into `grads`, as autograd accumulates.
# - **A one-pass MSE** (`torch.dot(diff, diff) / n` for a mean of squares) moved the step by
#   less than its spread (0.99 and 1.03 of the plain step), and changed J in its last bits,
#   while the site shows `J == F.mse_loss(y_hat, y)` exactly; `mse_loss` keeps the mean.
# - **The argument checks** read shapes, dtypes, layouts and devices, and check once that x is
#   finite: a few tens of µs a step, which matters only at the homework's size, where no
#   target is set.
# - **Counting the ops over the large tensors** (torch.profiler at (512, 1024→1024→1024)): a
#   step of `mlp` runs the five products and a dozen element-wise ops; autograd runs 11 in all.
#   The extra ones are zeroing the gradients and adding the returned ones into them, ReLU's
#   mask and its cast, and the MSE in plain ops (subtract, square, mean, scale) where torch has
#   two fused kernels (`mse_loss`, `mse_loss_backward`). At one thread they cost a few percent
#   of a step.
# - **With all threads on a shared 2-core machine**, an op split over two threads waits for a
#   core that another process holds, so each op costs about the same whatever its size, and the
#   ratios follow the op counts more than the work: compare the all-threads times with the
#   one-thread ones, and the floor's five products with the others' 11 and 15 ops.

# %% [markdown]
# ## Build times
#
# The wall time of a cold `make docs` (no `site/`, notebook cache off) and of `make test`,
# recorded with `python -m benchmarks --record-build-times`, so that a slower build shows.

# %% tags=["remove-input"]
build = results.get("build_times", {})
if build:
    lines = ["| what | command | seconds | exit code | recorded | CPU, cores |",
             "|---|---|---|---|---|---|"]
    for name, entry in build.items():
        m = entry["machine"]
        lines.append(f"| {name} | `{' '.join(entry['command'])}` | {entry['seconds']:.0f} | "
                     f"{entry['returncode']} | {entry['recorded']} | "
                     f"{m.get('cpu_model')}, {m.get('usable_cores')} |")
    display(Markdown("\n".join(lines)))
else:
    display(Markdown("Not recorded yet: run `python -m benchmarks --record-build-times`."))

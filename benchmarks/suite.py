"""The whole benchmark: every size at one thread and at all threads, printed as it goes."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import torch

from . import machine, targets
from .timing import interleaved, summary
from .ways import WAYS, Size

# From the homework's size to 1024 wide; (256, 512->512->512) is the mid-size target.
SIZES = (
    Size(10, 2, 20, 5),
    Size(32, 64, 64, 64),
    Size(64, 128, 128, 128),
    Size(128, 256, 256, 256),
    Size(256, 512, 512, 512),
    Size(512, 1024, 1024, 1024),
    Size(1024, 1024, 1024, 1024),
)
# Per (threads, size): a block of steps fills BLOCK_S; rounds fill about BUDGET_S, within
# [MIN_ROUNDS, MAX_ROUNDS]. 14 settings x ~9 s keeps `make bench` near 2.5 minutes; on a loaded
# machine the budget shrinks so that the rounds end by DEADLINE_S.
BLOCK_S, BUDGET_S, MIN_ROUNDS, MAX_ROUNDS, DEADLINE_S = 0.006, 8.5, 7, 301, 150.0
SETTINGS = {"f": "relu", "g": "identity", "loss": "mse", "dtype": "float32"}


def run_one(size: Size, threads: int, *, block_s: float, budget_s: float,
            min_rounds: int, max_rounds: int) -> dict:
    """Time the four ways at one size and thread count; medians, quartiles, ratios."""
    torch.set_num_threads(threads)
    ways = {name: make(size, f=SETTINGS["f"], g=SETTINGS["g"], dtype=torch.float32)
            for name, (make, _) in WAYS.items()}
    timed = interleaved({name: way.step for name, way in ways.items()}, block_s=block_s,
                        budget_s=budget_s, min_rounds=min_rounds, max_rounds=max_rounds)
    del ways
    gc.collect()
    return {
        "threads": threads, "size": list(size), "label": size.label, "flops": size.flops,
        "rounds": timed["rounds"], "reps": timed["reps"],
        "seconds": {n: summary(v) for n, v in timed["samples"]["wall"].items()},
        "ratios": {n: summary(v) for n, v in timed["ratios"]["wall"].items()},
        "cpu_seconds": {n: summary(v) for n, v in timed["samples"]["cpu"].items()},
        "cpu_ratios": {n: summary(v) for n, v in timed["ratios"]["cpu"].items()},
    }


def _line(run: dict) -> str:
    ms = " | ".join(f"{n} {s['median'] * 1e3:.3g} ms" for n, s in run["seconds"].items())
    ratios = "  ".join(f"{n} {r['median']:.2f} [{r['q1']:.2f}, {r['q3']:.2f}]"
                      for n, r in run["ratios"].items() if n in ("mlp/autograd", "mlp/floor"))
    return f"{run['label']:>24} x{run['threads']}: {ms}  ->  {ratios}  ({run['rounds']} rounds)"


def run_all(sizes: tuple[Size, ...] = SIZES, thread_counts: tuple[int, ...] | None = None, *,
            block_s: float = BLOCK_S, budget_s: float = BUDGET_S, min_rounds: int = MIN_ROUNDS,
            max_rounds: int = MAX_ROUNDS, deadline_s: float = DEADLINE_S,
            echo: Callable[[str], None] = print) -> dict:
    """Run every (threads, size) and return the results document (see `results.validate`)."""
    if thread_counts is None:
        thread_counts = tuple(sorted({1, machine.ALL_THREADS}))
    start = time.perf_counter()
    described = machine.describe()
    echo(f"{described['cpu_model']}, {described['usable_cores']} cores, torch "
         f"{described['torch']}; threads {thread_counts}; ms per step, median over rounds; "
         f"ratios: median [quartiles] of within-round ratios")
    runs, total = [], len(sizes) * len(thread_counts)
    try:
        for threads in thread_counts:
            for size in sizes:
                left = (deadline_s - (time.perf_counter() - start)) / (total - len(runs))
                runs.append(run_one(size, threads, block_s=block_s,
                                    budget_s=max(0.0, min(budget_s, left)),
                                    min_rounds=min_rounds, max_rounds=max_rounds))
                echo(f"[{len(runs):2}/{total}] {_line(runs[-1])}")
    finally:
        torch.set_num_threads(machine.ALL_THREADS)
    return {
        "schema": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": described | {"load_average_after": machine.describe()["load_average"]},
        "settings": SETTINGS | {"block_s": block_s, "budget_s": budget_s,
                                "ways": {n: label for n, (_, label) in WAYS.items()}},
        "runs": runs,
        "targets": targets.evaluate(runs),
        "wall_s": time.perf_counter() - start,
    }

"""Interleaved rounds: each round times a block of steps of every way, in a rotating order.

A shared, noisy machine slows whole stretches of time, not one way at a time. Timing the ways
back to back within a round, and taking the ratio inside the round, cancels most of that; the
median over rounds drops the rounds a burst of load spoiled, and the quartiles show the spread.
Each block is timed on the wall clock and in the process's CPU time: at one thread, CPU time
leaves out the time the step waited for a core that another process held.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

Step = Callable[[], None]
CLOCKS = ("wall", "cpu")


def time_block(step: Step, reps: int) -> tuple[float, float]:
    """Wall and CPU seconds per step, over `reps` steps run back to back with no garbage
    collection."""
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(reps):
            step()
        return (time.perf_counter() - wall) / reps, (time.process_time() - cpu) / reps
    finally:
        gc.enable()


def calibrate(step: Step, block_s: float) -> int:
    """How many steps fill about `block_s` seconds (at least 1), after two warm-up steps.

    A slow step is timed once; a fast one again over enough steps to see past the clock.
    """
    step()
    step()  # torch.func.grad's first calls are slower than the rest
    per_step = time_block(step, 1)[0]
    if per_step < block_s / 10:
        per_step = time_block(step, max(1, round(block_s / 10 / per_step)))[0]
    return max(1, round(block_s / per_step))


def summary(values: list[float]) -> dict[str, float]:
    """Median and quartiles of `values`."""
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": median, "q1": q1, "q3": q3}


def interleaved(steps: dict[str, Step], *, block_s: float, budget_s: float,
                min_rounds: int = 5, max_rounds: int = 25) -> dict:
    """Time every step in `steps` over interleaved rounds.

    Rounds go on until `budget_s` seconds have passed (at least `min_rounds`, at most
    `max_rounds`), so a machine that slows down mid-run shortens the run rather than stretches it.

    Returns `reps` (steps per block for each way), `rounds`, and for each clock ("wall" and
    "cpu") `samples` (seconds per step, one per round, for each way) and `ratios`: for each
    pair "a/b" with a the first way, the per-round ratio of a's time to b's, within the round.
    """
    reps = {name: calibrate(step, block_s) for name, step in steps.items()}
    names = list(steps)
    for name in names:  # one round unrecorded, so the first recorded one is not special
        time_block(steps[name], reps[name])
    samples = {clock: {n: [] for n in names} for clock in CLOCKS}
    deadline = time.perf_counter() + budget_s
    rounds = 0
    while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() < deadline):
        shift = rounds % len(names)
        for name in names[shift:] + names[:shift]:
            for clock, seconds in zip(CLOCKS, time_block(steps[name], reps[name]), strict=True):
                samples[clock][name].append(seconds)
        rounds += 1
    first = names[0]
    ratios = {clock: {f"{first}/{n}": [a / b for a, b in zip(by_way[first], by_way[n],
                                                               strict=True)]
                      for n in names[1:]}
              for clock, by_way in samples.items()}
    return {"reps": reps, "rounds": rounds, "samples": samples, "ratios": ratios}

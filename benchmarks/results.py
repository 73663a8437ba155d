"""benchmarks/results.json: written by `make bench`, committed, read by the site's page.

`validate` states the schema the page relies on; the tests hold the committed file to it.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import targets

PATH = Path(__file__).resolve().parent / "results.json"
RATIOS = ("mlp/autograd", "mlp/func", "mlp/floor")
_STATS = ("median", "q1", "q3")
_TIMES, _RATIOS = ("seconds", "cpu_seconds"), ("ratios", "cpu_ratios")  # wall clock, CPU time


def load(path: Path = PATH) -> dict:
    return json.loads(path.read_text())


def write(results: dict, path: Path = PATH) -> None:
    """Write `results`, keeping the build times an earlier file recorded (they come apart)."""
    if path.exists() and "build_times" not in results:
        earlier = load(path).get("build_times")
        if earlier:
            results = results | {"build_times": earlier}
    path.write_text(json.dumps(results, indent=1) + "\n")


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"results.json: {what}")


def validate(results: dict) -> None:
    """Raise ValueError, naming the field, where `results` lacks what the page reads."""
    for key in ("schema", "created", "machine", "settings", "runs", "targets", "wall_s"):
        _require(key in results, f"missing top-level key {key!r}")
    _require(results["schema"] == 1, f"schema {results['schema']!r}, expected 1")
    for key in ("cpu_model", "logical_cores", "usable_cores", "all_threads", "torch"):
        _require(key in results["machine"], f"machine lacks {key!r}")
    ways = results["settings"]["ways"]
    _require(list(ways) == ["mlp", "autograd", "func", "floor"], f"settings.ways is {ways}")
    for run in results["runs"]:
        where = f"run {run.get('label')} x{run.get('threads')}"
        for key in ("threads", "size", "label", "flops", "rounds", "reps", *_TIMES, *_RATIOS):
            _require(key in run, f"{where} lacks {key!r}")
        for key in _TIMES:
            _require(set(run[key]) == set(ways), f"{where}: {key} for {set(run[key])}")
        for key in _RATIOS:
            _require(set(run[key]) == set(RATIOS), f"{where}: {key} {set(run[key])}")
        for stats in (s for key in (*_TIMES, *_RATIOS) for s in run[key].values()):
            _require(set(stats) == set(_STATS), f"{where}: stats {set(stats)}")
            _require(0 < stats["q1"] <= stats["median"] <= stats["q3"],
                     f"{where}: quartiles out of order {stats}")
    _require(results["targets"] == targets.evaluate(results["runs"]),
             "targets differ from what the runs give")
    for name, entry in results.get("build_times", {}).items():
        for key in ("command", "seconds", "returncode", "recorded", "machine"):
            _require(key in entry, f"build_times[{name!r}] lacks {key!r}")

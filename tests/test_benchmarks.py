"""benchmarks/: the four ways compute the same step, the timing loop interleaves, the results
file has the schema the site's page reads. No timings are asserted: the machine is shared."""

from __future__ import annotations

import copy
import json
import statistics
import sys
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import mlp
from benchmarks import __main__ as cli
from benchmarks import build_times, results, suite, targets
from benchmarks.timing import interleaved, summary
from benchmarks.ways import WAYS, Size, _setup, make_autograd, make_floor, make_func, make_mlp

from .reference import assert_rel_close
from .strategies import ACTIVATION_NAMES

TINY = Size(3, 4, 5, 2)


@pytest.mark.parametrize("g", ACTIVATION_NAMES)
@pytest.mark.parametrize("f", ACTIVATION_NAMES)
def test_mlp_autograd_and_func_take_the_same_step(f, g):
    ways = [make(TINY, f=f, g=g, dtype=torch.float64, seed=7)
            for make in (make_mlp, make_autograd, make_func)]
    for way in ways:
        way.step()
        way.step()  # a second step clears first: the gradients are one step's, not two
    expected = ways[1].grads()
    assert set(expected) == {"W1", "b1", "W2", "b2"}
    for way in (ways[0], ways[2]):
        for k, grad in way.grads().items():
            assert_rel_close(grad, expected[k], 1e-12, f"{way.name} d{k}")


def test_another_seed_gives_another_step():
    # So that the ways agreeing above means they share the weights and data, not that any step
    # gives these gradients.
    steps = [make_mlp(TINY, dtype=torch.float64, seed=seed) for seed in (3, 4)]
    for way in steps:
        way.step()
    assert not torch.equal(steps[0].grads()["W1"], steps[1].grads()["W1"])


def test_the_floor_is_the_gradient_of_the_linear_network():
    floor = make_floor(TINY, dtype=torch.float64, seed=5)
    floor.step()
    model, x, _ = _setup(TINY, "relu", "identity", torch.float64, seed=5)
    W1 = model.parameters["W1"].clone().requires_grad_()
    W2 = model.parameters["W2"].clone().requires_grad_()
    (0.5 * (x @ W1.T @ W2.T).square().sum()).backward()
    assert_rel_close(floor.grads()["W1"], W1.grad, 1e-12, "floor dW1")
    assert_rel_close(floor.grads()["W2"], W2.grad, 1e-12, "floor dW2")


@pytest.mark.parametrize("size", [TINY, Size(10, 2, 20, 5), Size(6, 8, 3, 9)], ids=str)
def test_size_flops_are_what_the_floor_multiplies(size):
    floor = make_floor(size, dtype=torch.float64)
    with FlopCounterMode(display=False) as counter:
        floor.step()
    assert size.flops == counter.get_total_flops()


def test_every_way_is_in_the_registry_under_its_own_name():
    for name, (make, label) in WAYS.items():
        assert make(TINY).name == name and label


def test_rounds_interleave_every_way_in_a_rotating_order():
    log: list[str] = []
    steps = {name: (lambda name=name: log.append(name)) for name in ("a", "b", "c")}
    timed = interleaved(steps, block_s=1e-4, budget_s=0.0, min_rounds=4, max_rounds=9)
    assert timed["rounds"] == 4  # no budget: the minimum
    blocks = [name for i, name in enumerate(log) if i == 0 or log[i - 1] != name]
    assert blocks[:6] == ["a", "b", "c", "a", "b", "c"]  # calibration, then a round unrecorded
    rounds = blocks[6:]
    assert rounds == ["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]
    for clock in ("wall", "cpu"):
        samples, ratios = timed["samples"][clock], timed["ratios"][clock]
        assert all(len(samples[name]) == 4 for name in steps)
        assert set(ratios) == {"a/b", "a/c"}
        assert ratios["a/b"] == [a / b for a, b in zip(samples["a"], samples["b"], strict=True)]
    for name in steps:
        assert log.count(name) >= 4 * timed["reps"][name]


def test_summary_is_the_median_between_the_quartiles(generator):
    values = torch.rand(11, generator=generator).tolist()
    s = summary(values)
    assert s["median"] == statistics.median(values)
    assert s["q1"] <= s["median"] <= s["q3"]
    assert sum(v <= s["q1"] for v in values) == sum(v >= s["q3"] for v in values) == 3


def _run(size: Size, threads: int, ratio: float) -> dict:
    stats = {"median": ratio, "q1": ratio, "q3": ratio}
    cpu = {"median": ratio / 2, "q1": ratio / 2, "q3": ratio / 2}
    return {"threads": threads, "size": list(size), "label": size.label,
            "ratios": {"mlp/autograd": stats, "mlp/floor": stats},
            "cpu_ratios": {"mlp/autograd": cpu, "mlp/floor": cpu}}


def test_targets_judge_the_worst_median_and_skip_missing_sizes():
    runs = [_run(targets.HOMEWORK, 1, 0.5), _run(targets.MID, 1, 1.2),
            _run(targets.HOMEWORK, 4, 0.65)]
    judged = (targets.Target("any size", "mlp/autograd", 1.05, None),
              targets.Target("small", "mlp/autograd", 0.6, targets.HOMEWORK),
              targets.Target("small, one thread", "mlp/autograd", 0.7, targets.HOMEWORK,
                             threads=1),
              targets.Target("wide", "mlp/floor", 1.1, targets.WIDE))
    rows = {(r["target"], r["threads"]): r for r in targets.evaluate(runs, judged)}
    every = rows[("mlp/autograd <= 1.05 at every size", 1)]
    assert (every["value"], every["at"], every["met"]) == (1.2, targets.MID.label, False)
    assert every["cpu_value"] == 0.6  # CPU time is reported, not judged
    assert rows[("mlp/autograd <= 0.6 at (10, 2->20->5)", 1)]["met"]
    assert not rows[("mlp/autograd <= 0.6 at (10, 2->20->5)", 4)]["met"]
    assert ("mlp/autograd <= 0.7 at (10, 2->20->5)", 4) not in rows  # judged at one thread
    assert not any(r["at"] == targets.WIDE.label for r in rows.values())  # no 1024 run


def test_the_targets_are_the_mid_size_bound_and_the_floor():
    assert [t.text() for t in targets.TARGETS] == [
        "mlp/autograd <= 1.05 at (256, 512->512->512)",
        "mlp/floor <= 1.1 at (1024, 1024->1024->1024)"]
    assert targets.TARGETS[0].threads == 1


def test_committed_results_follow_the_schema_the_page_reads():
    page_path = Path(mlp.__file__).resolve().parents[1] / "benchmarks" / "results.json"
    assert page_path == results.PATH
    doc = results.load(page_path)
    results.validate(doc)
    threads = sorted({1, doc["machine"]["all_threads"]})
    assert [(r["threads"], tuple(r["size"])) for r in doc["runs"]] == [
        (t, tuple(s)) for t in threads for s in suite.SIZES]
    assert {row["target"] for row in doc["targets"]} == {t.text() for t in targets.TARGETS}


@pytest.mark.parametrize("damage", ["drop machine", "drop a ratio", "drop cpu", "flip a target"])
def test_validate_names_what_is_wrong(damage):
    doc = copy.deepcopy(results.load())
    if damage == "drop machine":
        del doc["machine"]
    elif damage == "drop a ratio":
        del doc["runs"][0]["ratios"]["mlp/floor"]
    elif damage == "drop cpu":
        del doc["runs"][-1]["cpu_seconds"]
    else:
        doc["targets"][0]["met"] = not doc["targets"][0]["met"]
    with pytest.raises(ValueError, match="machine|ratios|cpu_seconds|targets"):
        results.validate(doc)


def test_quick_run_writes_valid_results_and_keeps_build_times(tmp_path, capsys, monkeypatch):
    # The command line end to end on one tiny size: this checks the plumbing, not the speed.
    monkeypatch.setitem(cli.QUICK, "sizes", (TINY,))
    out = tmp_path / "results.json"
    earlier = {"make test": {"command": ["make", "test"], "seconds": 1.0, "returncode": 0,
                             "recorded": "earlier", "machine": {}}}
    out.write_text(json.dumps({"build_times": earlier}))
    assert cli.main(["--quick", "--out", str(out)]) == 0
    doc = results.load(out)
    results.validate(doc)
    assert doc["build_times"] == earlier
    assert {r["label"] for r in doc["runs"]} == {TINY.label}
    n = len(doc["runs"])
    assert f"[{n:2}/{n}]" in capsys.readouterr().out  # progress, one line per run


def test_build_times_are_recorded_with_exit_code_and_machine(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("{}")
    (tmp_path / "stale").mkdir()
    commands = {
        "ok": ([sys.executable, "-c", "import os; assert os.environ['MARK'] == '1'"],
               {"MARK": "1"}, ["stale"]),
        "fails": ([sys.executable, "-c", "raise SystemExit(3)"], {}, []),
    }
    assert not build_times.record(commands, root=tmp_path, path=path, echo=lambda _: None)
    recorded = results.load(path)["build_times"]
    assert not (tmp_path / "stale").exists()
    assert recorded["ok"]["returncode"] == 0 and recorded["fails"]["returncode"] == 3
    assert recorded["ok"]["command"][:2] == ["MARK=1", sys.executable]
    assert recorded["ok"]["seconds"] >= 0 and "cpu_model" in recorded["ok"]["machine"]

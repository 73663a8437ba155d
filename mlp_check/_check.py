"""`check_file` and `check_files`: run the plan on each file, compare, diagnose, report."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import _pool
from ._cases import CASES, COURSE_TESTS, Case, activation_names, activations_of, cases_for
from ._compare import Got
from ._course import course_result
from ._diagnose import autograd_text, diagnose
from ._disagree import disagreements
from ._outcome import Limits, Outcome
from ._plan import DTYPES, Plan, make_plan
from ._report import Report
from ._result import CaseResult, Finding, assemble
from ._runner import run_file

# The pip package of modules whose import name is not their package's name.
PIP_NAMES = {"sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "Pillow",
             "yaml": "PyYAML", "skimage": "scikit-image", "bs4": "beautifulsoup4"}


def unreadable(path: Path) -> str | None:
    """Why the file cannot even be compiled (no process is started for that), or None."""
    if not path.is_file():
        return "it is not a file" if path.exists() else "no such file"
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f" ({path.name}:{exc.lineno}: {exc.text.strip()})" if exc.text else ""
        return f"{type(exc).__name__}: {exc.msg}{where}"
    except (ValueError, OSError) as exc:
        return "".join(traceback.format_exception_only(exc)).strip()
    return None


def why_unusable(out: Outcome, limits: Limits) -> str | None:
    if out.memory is not None:
        return f"it used more than {limits.memory / 2**30:g} GB of memory (in {out.memory}); " \
               f"--memory sets the cap"
    if out.missing_module:
        top = out.missing_module.split(".")[0]
        return f"it imports {out.missing_module}, which this environment lacks: " \
               f"`{Path(sys.executable).name} -m pip install {PIP_NAMES.get(top, top)}` installs " \
               f"it. None of the file's own code reached the grader: importing it stopped there"
    return out.unusable


def file_findings(plan: Plan, out: Outcome) -> list[Finding]:
    found = [Finding((), autograd_text(step, entry, where)) for i, step, entry, where
             in dict.fromkeys(out.autograd) if plan.units[i]["kind"] != "case"]
    probe = out.units[plan.index("probe")].values
    J, dJ = Got.decode(probe.get("J", {"kind": "skipped", "message": ""})), \
        Got.decode(probe.get("dJdy_hat", {"kind": "skipped", "message": ""}))
    bad = [q for q, g in (("J", J), ("dJdy_hat", dJ)) if g.kind == "value"
           and not bool(g.tensor.isfinite().all())]
    if bad:
        found.append(Finding(tuple(bad), f"where y_hat is exactly 0 or 1, bce_loss gives NaN or "
                             f"inf in {', '.join(bad)}; torch clamps each log at -100 and the "
                             f"gradient's denominator y_hat(1 - y_hat) at 1e-12. The course's "
                             f"tests never saturate the sigmoid; a long training run can", "note"))
    found += [Finding((), why, "info") for why in out.skipped.values()]
    if out.noise:
        found.append(Finding((), f"{out.noise} lines that were not the grader's reached its "
                                 f"channel (the file writes to inherited file descriptors?); "
                                 f"they were ignored", "info"))
    return found


def grade(plan: Plan, path: Path, out: Outcome, strict: bool) -> Report:
    cases, graded = [], activations_of(plan.cases)
    for i, case in enumerate(plan.cases):
        runs = {d: assemble(d, out.units[plan.index("case", i, d)], plan.expected[i][d],
                            plan.inputs[i][d]) for d in DTYPES}
        units = {plan.index("case", i, d) for d in DTYPES}
        calls = [(step, entry, where) for u, step, entry, where in out.autograd if u in units]
        r = CaseResult(case, runs["float32"], runs["float64"], calls, activations=graded)
        r.findings = diagnose(r)
        cases.append(r)
    course = [course_result(t, out.units[plan.index("course", i)])
              for i, t in enumerate(COURSE_TESTS)]
    return Report(path, cases, course, None, plan.seed, strict, file_findings(plan, out),
                  disagreements(course, cases))


def _check(path: Path, plan: Plan, limits: Limits, strict: bool, progress) -> Report:
    start, done = time.monotonic(), [0]

    def advance(n: int) -> None:
        done[0] += n
        progress(n)

    try:
        why = unreadable(path)
        if why is None:
            with _pool.Lease() as lease:
                out = run_file(lease, path, plan.payload, len(plan.units), limits, advance)
            why = why_unusable(out, limits)
        report = Report(path, [], [], why, plan.seed, strict) if why else \
            grade(plan, path, out, strict)
    except Exception:  # noqa: BLE001 - one file must not stop a batch, even for the grader's bug
        report = Report(path, [], [], f"mlp-check itself failed on this file; please report "
                                      f"it:\n{traceback.format_exc()}", plan.seed, strict)
    progress(max(0, len(plan.units) - done[0]))  # the units it never reached: the bar ends full
    report.seconds = time.monotonic() - start
    return report


DEFAULT_LIMITS = Limits()


def graded_cases(activations: str | Iterable[str] | None = None) -> tuple[Case, ...]:
    """The cases over `activations` ("relu,tanh", a list, "all"; None: the course's three,
    `CASES`). Raises ValueError for a name `mlp.ACTIVATIONS` does not hold."""
    return CASES if activations is None else cases_for(activation_names(activations))


def check_files(paths: list[str | Path], *, seed: int = 0, limits: Limits = DEFAULT_LIMITS,
                strict: bool = False, jobs: int = 1,
                progress: Callable[[int], None] | None = None,
                activations: str | Iterable[str] | None = None) -> Iterator[Report]:
    """Grade each file, `jobs` at a time, yielding the reports in the order of `paths`.

    `activations` names the registered activations whose cases are graded (see
    `graded_cases`; default the course's three); the course's three tests always run.
    `progress(n)` hears of every n units done (each file has `units_per_file(seed,
    activations)`)."""
    plan = make_plan(seed, graded_cases(activations))
    progress = progress or (lambda n: None)
    paths = [Path(p).resolve() for p in paths]
    _pool.spawn(max(1, min(jobs, len(paths))))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_check, p, plan, limits, strict, progress) for p in paths]
        for future in futures:
            yield future.result()


def check_file(path: str | Path, *, seed: int = 0, limits: Limits = DEFAULT_LIMITS,
               strict: bool = False, activations: str | Iterable[str] | None = None) -> Report:
    """Grade one file; never raises for a bad file. See `check_files`."""
    return next(check_files([path], seed=seed, limits=limits, strict=strict,
                            activations=activations))


def units_per_file(seed: int = 0, activations: str | Iterable[str] | None = None) -> int:
    return len(make_plan(seed, graded_cases(activations)).units)



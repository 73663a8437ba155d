r"""The command line: `mlp-check PATH... [--jobs N] [--format ...] [--strict]`, and its progress
bar.

`mlp-check PATH... [--jobs N] [--format text|json|csv|junit|gradescope] [--strict]
[--activations NAMES]`.

A progress bar on stderr, drawn only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
import threading
import time
from pathlib import Path

from . import run
from .run import Limits

# --- cli --------------------------------------------------------------------------------------

DESCRIPTION = """\
Grade homework mlp.py files (MLP, mse_loss, bce_loss) the way the course's three tests do, then
each function alone against torch autograd, and say what is wrong and why.

Beside your own mlp.py, run:
    mlp-check mlp.py
or  python -m mlp_check mlp.py

This runs the file's code: grade files you do not trust inside a container.

Cases: the course's three tests, then every (f, g, loss) of the course's activations
({course}) with each of its losses ({losses}) that accepts g's output: {n} cases.
--activations NAMES grades the cases of other registered activations instead, comma-separated
(relu,tanh), or of every one (all). The course's three tests always run. Registered:
{names}

Verdict: the course's: after clear_grad_and_cache(), one forward, one loss and one backward, in
float32. Whether gradients accumulate, float64, and what J comes back as are notes; --strict
fails on notes too. Using autograd fails.

Tolerance: a result passes when its norm-wise relative error is at most eps ** {digits:g} of
the dtype it was computed in, the less precise of the run's and the one it came back as
(float32: {f32:.2g}, float64: {f64:.2g}).

Exit status: 0 every file passes, 1 some file fails, 2 some file cannot be graded (no such
file, a syntax error, no MLP, a module it imports is missing, it used more than --memory)."""
FORMATS = {"text", "json", "csv", "junit", "gradescope"}


def memory_size(text: str) -> int:
    """ "4G", "512M", "1.5G" or a number of bytes; 0 for no cap."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size like 4G or 512M: {text!r}")
    return int(float(match[1]) * 1024 ** " KMGT".index(match[2].upper() or " "))


def seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def activations(text: str) -> tuple[str, ...]:
    """ "relu,tanh" or "all" as registered activation names; an unknown one is refused."""
    from .plan import activation_names
    try:
        return activation_names(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    import torch

    from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES

    from .plan import CASES
    from .tolerance import DIGITS_KEPT, tolerance_for
    text = DESCRIPTION.format(digits=DIGITS_KEPT, f32=tolerance_for(torch.float32),
                              f64=tolerance_for(torch.float64),
                              course=", ".join(COURSE_ACTIVATIONS),
                              losses=", ".join(COURSE_LOSSES), n=len(CASES),
                              names=textwrap.fill(", ".join(ACTIVATIONS), 96,
                                                  initial_indent="    ",
                                                  subsequent_indent="    "))
    p = argparse.ArgumentParser(prog="mlp-check", description=text,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = Limits()
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, or folders to search")
    p.add_argument("--gradescope-autograder", metavar="DIR", default=None,
                   help="write a Gradescope autograder into DIR (setup.sh, run_autograder and "
                        "this grader as a wheel) and grade nothing")
    p.add_argument("--jobs", "-j", type=int, default=1, help="files graded at once (default 1)")
    p.add_argument("--format", choices=sorted(FORMATS), default="text")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--output", "-o", metavar="FILE", help="write there, not to stdout "
                   "(Gradescope reads /autograder/results/results.json)")
    p.add_argument("--strict", action="store_true", help="fail on notes too")
    p.add_argument("--site-url", metavar="URL", default=None,
                   help="where the site that explains each finding is (default: "
                        "$MLP_CHECK_SITE_URL, else the published site; without one, site/)")
    p.add_argument("--glob", default="*.py", help="the files a folder gives (default *.py)")
    p.add_argument("--seed", type=int, default=0, help="seed of the inputs (default 0)")
    p.add_argument("--activations", type=activations, default=None, metavar="NAMES",
                   help="comma-separated registered activations whose cases are graded, or "
                        f"all (default the course's: {','.join(COURSE_ACTIVATIONS)})")
    p.add_argument("--timeout", type=seconds, default=d.call, metavar="SECONDS",
                   help=f"time one call may take (default {d.call:g})")
    p.add_argument("--budget", type=seconds, default=d.budget, metavar="SECONDS",
                   help=f"time one file may take; what is left is not run (default {d.budget:g})")
    p.add_argument("--memory", type=memory_size, default=d.memory, metavar="SIZE",
                   help="address space a file may use, e.g. 4G (default 4G; 0: no cap)")
    return p


def expand(paths: list[str], pattern: str) -> list[Path]:
    out = []
    for p in map(Path, paths):
        found = sorted(f for f in p.rglob(pattern) if f.is_file()
                       and "__pycache__" not in f.parts) if p.is_dir() else [p]
        out += found
    return out


def render(reports: list, fmt: str, wall: float | None = None) -> str:
    """`reports` in `fmt`; `wall` is the command's wall-clock seconds, start to end."""
    from .output import to_csv, to_gradescope, to_json, to_junit, to_text
    if fmt == "csv":
        return to_csv(reports)
    if fmt == "junit":
        return to_junit(reports)
    if fmt in ("json", "gradescope"):
        one = to_json if fmt == "json" else to_gradescope
        data = one(reports[0]) if len(reports) == 1 else (
            {"ok": all(r.ok for r in reports), "seconds": None if wall is None else round(wall, 3),
             "files": [one(r) for r in reports]}
            if fmt == "json" else [one(r) for r in reports])
        return json.dumps(data, ensure_ascii=False, indent=1 if fmt == "gradescope" else None) \
            + "\n"
    texts = [to_text(r) for r in reports]
    if len(reports) > 1:
        counts = [sum(r.exit_status == s for r in reports) for s in (0, 1, 2)]
        texts.append(f"{len(reports)} files: {counts[0]} pass, {counts[1]} fail, {counts[2]} "
                     f"cannot be graded, in {wall or 0:.1f} s\n")
    return ("\n" + "─" * 80 + "\n\n").join(texts)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status."""
    start = time.monotonic()
    run.spawn(1)  # a worker process imports torch while this one does
    args = parser().parse_args(argv)
    if args.gradescope_autograder is not None:
        from .bundle import write_bundle
        for f in write_bundle(args.gradescope_autograder):
            print(f)
        return 0
    if not args.paths:
        parser().error("give the files to grade (or --gradescope-autograder DIR)")
    fmt = "json" if args.json else args.format
    if args.jobs < 1:
        parser().error(f"--jobs must be at least 1, got {args.jobs}")
    paths = expand(args.paths, args.glob)
    if not paths:
        parser().error(f"no {args.glob} file under {' '.join(args.paths)}")
    import torch
    torch.set_num_threads(1)  # tiny tensors: a second thread only contends for the cores
    from .run import check_files, units_per_file
    limits = Limits(call=args.timeout, budget=args.budget, memory=args.memory,
                    load=max(Limits().load, args.timeout))
    units = units_per_file(args.seed, args.activations)
    with Progress(len(paths) * units, len(paths)) as progress:
        reports = []
        for report in check_files(paths, seed=args.seed, limits=limits, strict=args.strict,
                                  jobs=args.jobs, progress=progress.advance,
                                  activations=args.activations):
            reports.append(report)
            progress.file_done()
            if report.unusable is not None and fmt != "text":
                print(f"mlp-check: cannot grade {report.path}: {report.unusable}",
                      file=sys.stderr)
    wall = time.monotonic() - start
    for report in reports:
        report.site_url = args.site_url
    if len(reports) == 1:  # one file: its seconds are the command's, from start to end
        reports[0].seconds = wall
    out = render(reports, fmt, wall)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return max(r.exit_status for r in reports)


# --- progress ---------------------------------------------------------------------------------

class Progress:
    """`advance(n)` from any thread as units finish; `file_done()` as reports come in."""

    WIDTH = 30

    def __init__(self, units: int, files: int, stream=None):
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.units, self.files = max(units, 1), files
        self.done_units = self.done_files = 0
        self.start, self.lock, self.shown = time.monotonic(), threading.Lock(), ""

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.done_units = min(self.units, self.done_units + n)
            self._draw()

    def file_done(self) -> None:
        with self.lock:
            self.done_files += 1
            self._draw()

    def _draw(self) -> None:
        if not self.on:
            return
        filled = round(self.WIDTH * self.done_units / self.units)
        elapsed = int(time.monotonic() - self.start)
        line = (f"\r[{'█' * filled}{'·' * (self.WIDTH - filled)}] {self.done_files}/"
                f"{self.files} files  {elapsed // 60}:{elapsed % 60:02d}")
        if line != self.shown:  # drawn again only when it changes
            self.shown = line
            self.stream.write(line)
            self.stream.flush()

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc) -> None:
        if self.on:
            self.stream.write("\r" + " " * (self.WIDTH + 30) + "\r")
            self.stream.flush()

r"""Execute the notebook pages into build/notebooks/, the folder the site renders as it is.

    .venv/bin/python -m tools.notebooks                  # what changed (make notebooks)
    .venv/bin/python -m tools.notebooks --fresh          # every page again (make docs)
    .venv/bin/python -m tools.notebooks --watch          # and again on each change (make serve)
    .venv/bin/python -m tools.notebooks docs/notebooks/linear.py ...   # these pages only

Each jupytext page `docs/notebooks/<name>.py` runs in a fresh kernel (nbclient), one kernel per
core, longest first, and `build/notebooks/<name>.ipynb` receives the executed notebook;
mkdocs-jupyter renders that file (`execute: false`) and offers it as the page's download.

A run is kept in `.cache/notebooks/<key>/` and reused while its key matches: the key covers the
page, every file of the code it can import, the packages, the CPU and torch's kernel settings
(tools/notebook_cache.py). A fresh clone runs every page; `--fresh` (or NOTEBOOK_CACHE=false)
does so on any tree. A cell that raises fails its page and the command; the other pages still
run, and each failure is printed with its cell.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tools import notebook_cache
from tools.notebook_cache import CACHE, code_digest, durations, executed_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "docs" / "notebooks"
EXECUTED = ROOT / "build" / "notebooks"
KEY = "executed_key"  # the notebook metadata entry that names the run's key


class NotebookFailed(RuntimeError):
    """A notebook page raised in one of its cells; the message names the page and the cell."""


def _kernel_environment() -> None:
    """What every kernel this process starts inherits."""
    # With MPLBACKEND=Agg inherited, the kernels' plots silently vanish from the pages.
    os.environ.pop("MPLBACKEND", None)
    # The pages import this tree's packages, the ones the key hashed, even in a second checkout.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    # Kernels log errors only (their warning that loopback TCP is unencrypted, once per page,
    # would bury a real warning), from a fresh IPython directory no user profile leaks into.
    folder = Path(tempfile.mkdtemp(prefix="ipython-"))
    (folder / "profile_default").mkdir()
    (folder / "profile_default" / "ipython_kernel_config.json").write_text(
        '{"IPKernelApp": {"log_level": "ERROR"}}')
    os.environ["IPYTHONDIR"] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


def execute(page: Path, target: Path, running: dict) -> float:
    """Run every cell of `page` in a fresh kernel; write the result to `target` atomically.

    While it runs, `running[page]` holds its client, whose kernel `_kill` stops.
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    nb = jupytext.read(page)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": str(page.parent)}})
    running[page] = client
    try:
        client.execute()
    except CellExecutionError as err:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(err))  # the traceback's terminal colours
        raise NotebookFailed(f"{page.name} failed in a cell:\n{plain}") from None
    finally:
        running.pop(page, None)
    nb.metadata[KEY] = target.parent.name
    _write_atomically(target, nbformat.writes(nb).encode())
    return time.perf_counter() - start


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(data)
    os.replace(partial, target)  # a build reading alongside never sees half a notebook


def _kill(running: dict) -> None:
    for client in list(running.values()):
        process = getattr(getattr(client.km, "provisioner", None), "process", None)
        if process is not None:
            process.kill()  # its cell then fails at once, and its thread ends


def run(pages: list[Path], fresh: bool = False, log=print, workers: int | None = None,
        cache: Path = CACHE, out: Path = EXECUTED, every_page: bool = False
        ) -> dict[Path, NotebookFailed]:
    """Execute what `pages` need (all of them if `fresh`) and place each run in `out`.
    With `every_page`, the cache then drops the day-old runs no page used.

    Returns the failures. A failed page's earlier copy stays in `out`, where the site build
    reports it as stale (`stale`), and `mkdocs serve` keeps showing it.
    """
    code = code_digest()
    runs = {page: executed_path(page, code, cache) for page in pages}
    todo = [page for page in pages if fresh or not runs[page].exists()]
    failures: dict[Path, NotebookFailed] = {}
    if todo:
        seconds = durations(cache)
        todo.sort(key=lambda page: -seconds.get(page.name, page.stat().st_size / 1e3))
        workers = min(len(todo), workers or os.cpu_count() or 2)
        log(f"executing {len(todo)} of {len(pages)} notebook pages, {workers} at a time")
        running: dict = {}
        with ThreadPoolExecutor(workers) as pool:
            futures = {pool.submit(execute, page, runs[page], running): page for page in todo}
            try:
                for future in as_completed(futures):
                    page = futures[future]
                    try:
                        took = future.result()
                    except NotebookFailed as err:
                        failures[page] = err
                        log(str(err))
                        continue
                    log(f"executed {page.name} in {took:.1f} s")
                    notebook_cache.record_duration(page.name, took, cache)
            except BaseException:  # Ctrl-C: no kernel outlives the command
                for future in futures:
                    future.cancel()
                _kill(running)
                raise
    for page, executed in runs.items():
        placed = out / f"{page.stem}.ipynb"
        if page in failures or not executed.exists():
            continue
        if not placed.exists() or placed.read_bytes() != executed.read_bytes():
            _write_atomically(placed, executed.read_bytes())  # untouched, `mkdocs serve` sleeps
    if every_page:
        notebook_cache.prune({executed.parent for executed in runs.values()}, cache)
    return failures


def stale(pages: list[Path], out: Path = EXECUTED, cache: Path = CACHE) -> dict[Path, str]:
    """The pages whose copy in `out` is not the run of their current key, and why."""
    code = code_digest()
    found = {}
    for page in pages:
        placed = out / f"{page.stem}.ipynb"
        if not placed.exists():
            found[page] = f"{placed} is missing"
        elif (json.loads(placed.read_bytes()).get("metadata", {}).get(KEY)
              != executed_path(page, code, cache).parent.name):
            found[page] = (f"{placed} was executed before the latest change to {page.name} "
                           "or to the code it imports")
    return found


def _stamp(pages: list[Path]) -> list[tuple]:
    """What the watch compares: each page's and each code file's time of change and size."""
    stamps = []
    for path in list(pages) + notebook_cache.code_files():
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed since it was listed
            continue
        stamps.append((path, stat.st_mtime_ns, stat.st_size))
    return stamps


def watch(pages: list[Path], fresh: bool = False, log=print) -> None:
    """Run the pages, then again each time a page or the code changes, until Ctrl-C or until
    the process that started this one (`make serve`) is gone."""
    seen, parent = None, os.getppid()
    while os.getppid() == parent:
        stamp = _stamp(pages)
        if stamp != seen:
            seen = stamp
            run(pages, fresh=fresh, log=log, every_page=True)
            fresh = False
            log("watching docs/notebooks/ and the code the pages import")
        time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--fresh", action="store_true",
                        default=os.environ.get("NOTEBOOK_CACHE", "true").lower() == "false",
                        help="run every page again, whatever the cache holds")
    parser.add_argument("--watch", action="store_true", help="run again on each change")
    args = parser.parse_args(argv)
    pages = [p.resolve() for p in args.pages] or sorted(NOTEBOOKS.glob("*.py"))
    _kernel_environment()
    log = lambda line: print(line, flush=True)  # noqa: E731
    if args.watch:
        try:
            watch(pages, args.fresh, log)
        except KeyboardInterrupt:
            return 0
    start = time.perf_counter()
    try:
        failures = run(pages, fresh=args.fresh, log=log, every_page=not args.pages)
    except KeyboardInterrupt:
        return 130
    log(f"{len(pages) - len(failures)} of {len(pages)} notebook pages executed into "
        f"{EXECUTED.relative_to(ROOT)}/ in {time.perf_counter() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

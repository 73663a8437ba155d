r"""Execute the notebook pages before MkDocs renders them: in parallel, cached, errors fatal.

Each jupytext page `docs/notebooks/<name>.py` runs in its own fresh kernel (nbclient; a fork of
tools/kernel_zygote.py's), one kernel per core, longest first. The executed notebook lands in
`.cache/notebooks/<key>/<name>.ipynb` (tools/notebook_cache.py: the key covers the page and the
code it imports). mkdocs-jupyter renders that file with `execute: false`, and the site offers
it as the page's download.

- fresh (`make docs`, `make test`): every page runs again, whatever the cache holds.
- cached (`make serve`): a page runs again only when its key changes.

A cell that raises fails its page (nbclient's `allow_errors=False`), and with it the build.

    .venv/bin/python -m tools.notebooks [--cached] [docs/notebooks/<name>.py ...]
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tools.kernel_zygote import KERNEL_NAME, SUPPORTED, Zygote
from tools.notebook_cache import CACHE, code_digest, durations, executed_path, record_duration

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "docs" / "notebooks"
# With MPLBACKEND=Agg inherited, the kernels' plots silently vanish from the pages.
os.environ.pop("MPLBACKEND", None)
# Kernels log errors only (their warning that loopback TCP is unencrypted, once per notebook,
# would bury a real warning), read from a fresh IPython directory that no user profile leaks into.
_IPYTHONDIR = Path(tempfile.mkdtemp(prefix="ipython-"))
(_IPYTHONDIR / "profile_default").mkdir()
(_IPYTHONDIR / "profile_default" / "ipython_kernel_config.json").write_text(
    '{"IPKernelApp": {"log_level": "ERROR"}}')
os.environ["IPYTHONDIR"] = str(_IPYTHONDIR)
atexit.register(shutil.rmtree, _IPYTHONDIR, ignore_errors=True)


class NotebookFailed(RuntimeError):
    """A notebook page raised in one of its cells; the message names the page and the cell."""


def execute(notebook: Path, target: Path, running: dict | None = None,
            kernel_name: str = "python3") -> float:
    """Run every cell of `notebook` in a fresh kernel; write the result to `target` atomically.

    While it runs, `running[notebook]` holds its client, whose kernel `Execution.cancel` stops.
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    nb = jupytext.read(notebook)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=600, allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": str(notebook.parent)}})
    if running is not None:
        running[notebook] = client
    try:
        client.execute()
    except CellExecutionError as err:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(err))  # the traceback's terminal colours
        raise NotebookFailed(f"{notebook.name} failed in a cell:\n{plain}") from None
    finally:
        if running is not None:
            running.pop(notebook, None)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    nbformat.write(nb, partial)
    os.replace(partial, target)  # a build running alongside never reads half a notebook
    return time.perf_counter() - start


class Execution:
    """The executed notebooks of one build; `path(nb)` waits for that notebook only."""

    def __init__(self, notebooks: list[Path], fresh: bool, log=print, workers: int | None = None,
                 cache: Path = CACHE):
        code = code_digest()
        self.targets = {nb: executed_path(nb, code, cache) for nb in notebooks}
        self._futures: dict[Path, Future] = {}
        self._running: dict = {}
        self._log = log
        self._cache = cache
        todo = [nb for nb in notebooks if fresh or not self.targets[nb].exists()]
        if not todo:
            return
        seconds = durations(cache)
        todo.sort(key=lambda nb: -seconds.get(nb.name, nb.stat().st_size / 1e3))
        self._pool = ThreadPoolExecutor(workers or os.cpu_count() or 2)
        # One process imports torch & co; each kernel is a fork of it (Linux; else plain kernels).
        kernel = KERNEL_NAME if SUPPORTED else "python3"
        if SUPPORTED:
            Zygote.shared()
        log(f"executing {len(todo)} notebooks, {self._pool._max_workers} at a time")
        for nb in todo:
            self._futures[nb] = self._pool.submit(execute, nb, self.targets[nb], self._running,
                                                  kernel)
            self._futures[nb].add_done_callback(lambda f, nb=nb: self._done(nb, f))
        self._pool.shutdown(wait=False)

    def _done(self, nb: Path, future: Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        self._log(f"executed {nb.name} in {future.result():.1f} s")
        record_duration(nb.name, future.result(), self._cache)

    def path(self, notebook: Path) -> Path:
        future = self._futures.get(notebook)
        if future is not None:
            try:
                future.result()
            except BaseException:
                self.cancel()
                raise
        return self.targets[notebook]

    def cancel(self) -> None:
        """Stop: the build failed, so the other notebooks' results would go unread."""
        for future in self._futures.values():
            future.cancel()
        for client in list(self._running.values()):
            process = getattr(getattr(client.km, "provisioner", None), "process", None)
            if process is not None:
                process.kill()  # its cell then fails at once, and its thread ends

    def wait_all(self) -> dict[Path, Path]:
        return {nb: self.path(nb) for nb in self.targets}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--cached", action="store_true", help="reuse results whose key matches")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.py"))
    start = time.perf_counter()
    try:
        done = Execution(notebooks, fresh=not args.cached).wait_all()
    except NotebookFailed as err:
        print(err, file=sys.stderr)
        return 1
    for nb, target in done.items():
        print(f"{nb.relative_to(ROOT)} -> {target.relative_to(ROOT)}")
    print(f"{len(done)} notebooks in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

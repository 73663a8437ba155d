"""Zygotes for this process: started early, each lent to one file at a time, replaced when one
dies, closed at exit (each kills whatever its workers left behind). Imports no torch, so the
command line can start them before it imports torch itself."""

from __future__ import annotations

import atexit
import queue
import threading

from ._process import Zygote

_idle: queue.Queue = queue.Queue()
_all: list[Zygote] = []
_lock = threading.Lock()


def spawn(n: int) -> None:
    """Make sure `n` zygotes exist; new ones import torch meanwhile, side by side."""
    with _lock:
        for _ in range(n - len(_all)):
            zygote = Zygote(wait=False)
            _all.append(zygote)
            _idle.put(zygote)


class Lease:
    """A zygote for one file: `lease()` gives a live one, replacing it if it died."""

    def __init__(self):
        self.zygote: Zygote = _idle.get()
        if not self.zygote.ready:
            self.zygote.wait_ready()

    def __call__(self) -> Zygote:
        if not self.zygote.alive():
            self.zygote.close()
            fresh = Zygote()
            with _lock:
                _all[_all.index(self.zygote)] = fresh
            self.zygote = fresh
        return self.zygote

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc) -> None:
        _idle.put(self.zygote)


@atexit.register
def close() -> None:
    with _lock:
        for z in _all:
            z.close()
        _all.clear()
        while not _idle.empty():
            _idle.get_nowait()

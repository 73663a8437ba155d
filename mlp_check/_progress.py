"""A progress bar on stderr, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
import time


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

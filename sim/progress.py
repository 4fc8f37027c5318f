"""Progress of long work, for a person at a terminal: one line on stderr, rewritten in place, with the time
taken so far; nothing at all when stderr is not a terminal (a pipe, a file, a test), so output stays clean.

Leaf module: no imports from the rest of `sim` but the formatter, so every layer may report progress.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from sim import fmt

TICK_SECONDS = 0.5  # the clock on the line moves even while one step takes long


class Progress:
    """`with Progress("lint bird-detection", 3, "policies") as step: ... step(1, 3) ...`.

    The object is a callback `(done, total)`, the shape long functions take as their `progress` argument.
    """

    def __init__(self, label: str, total: int, unit: str = "", stream: TextIO | None = None,
                 tick: float = TICK_SECONDS) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.shown = _is_terminal(self.stream)
        self.done = 0
        self._tick = tick
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None
        self._width = 0

    def __enter__(self) -> "Progress":
        if self.shown:
            self._draw()
            self._clock = threading.Thread(target=self._run_clock, name="progress", daemon=True)
            self._clock.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.shown:
            self._draw()

    def close(self) -> None:
        """Stop the clock and wipe the line, so what is printed next starts on a clean line."""
        self._stop.set()
        if self._clock is not None:
            self._clock.join()
            self._clock = None
        if self.shown:
            with self._lock:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
            self.shown = False

    def line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        elapsed = fmt.duration(time.monotonic() - self._started)
        return f"{self.label}: {fmt.count(self.done)} of {fmt.count(self.total)}{unit} done, {elapsed}"

    def _draw(self) -> None:
        with self._lock:
            if not self.shown:
                return
            text = self.line()
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = max(self._width, len(text))

    def _run_clock(self) -> None:
        while not self._stop.wait(self._tick):
            self._draw()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a stream without a file behind it, or a closed one
        return False

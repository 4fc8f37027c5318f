"""TUI speed: cold start (process start to the first painted frame) and key press to the next frame.

Targets on the 2-core dev machine: cold_start_ms <= 600, keypress_ms_median <= 16, keypress_ms_p95 <= 50.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTS = 5
PRESSES = 80
KEYS = ["\x1b[B"] * 10 + ["\x1b[A"] * 10  # down and up through the actions menu


def _cold_start_ms() -> float:
    """Wall time from spawning `mlsim play` in a pseudo-terminal until the briefing's title is drawn."""
    from tests.tui.terminal import Terminal

    times = []
    with tempfile.TemporaryDirectory() as home:
        for _ in range(STARTS):
            t0 = time.perf_counter()
            term = Terminal(["play", "bird-detection", "--seed", "1"], dict(os.environ, MLSIM_HOME=home))
            try:
                term.wait_for(lambda: "Enter to start" in term.text(), "the first frame")
                times.append((time.perf_counter() - t0) * 1000)
            finally:
                term.close()
    return statistics.median(times)


def _keypress_ms() -> list[float]:
    """On the project screen at 80x24 in a pseudo-terminal: an arrow key written, to the first bytes of the frame."""
    from tests.tui.terminal import Terminal

    times = []
    with tempfile.TemporaryDirectory() as home:
        term = Terminal(["play", "bird-detection", "--seed", "1"], dict(os.environ, MLSIM_HOME=home))
        try:
            term.wait_for(lambda: "Enter to start" in term.text(), "the briefing")
            term.press_until("\r", lambda: "Decision: metric" in term.text(), "the first decision")
            term.press_until("a", lambda: "Enter to continue" in term.text(), "the verdict")
            term.press_until("\r", lambda: "Decision: split" in term.text(), "the second decision")
            term.press_until("a", lambda: term.text().count("Enter to continue") >= 2, "the verdict")
            term.send("\r")
            time.sleep(1.0)  # let the project screen settle before timing
            for i in range(PRESSES):
                before = len(term.output)
                t0 = time.perf_counter()
                term.send(KEYS[i % len(KEYS)])
                term.wait_for(lambda: len(term.output) > before, "the next frame")
                times.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.03)  # the frame finishes drawing before the next key
        finally:
            term.close()
    return times


def measure() -> dict[str, float]:
    presses = sorted(_keypress_ms())
    return {
        "cold_start_ms": round(_cold_start_ms(), 1),
        "keypress_ms_median": round(statistics.median(presses), 2),
        "keypress_ms_p95": round(presses[int(0.95 * (len(presses) - 1))], 2),
    }


if __name__ == "__main__":
    print(measure())

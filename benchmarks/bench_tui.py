"""TUI speed: cold start (process start to the first painted frame) and key press to the next frame.

Targets on the 2-core dev machine: cold_start_ms <= 600, keypress_ms_median <= 16, keypress_ms_p95 <= 50.
`cold_start_ms` is `mlsim play bird-detection` until its briefing is drawn; `cold_start_home_ms` is `mlsim`
until the cases are listed. Both run the real `mlsim` in a pseudo-terminal; the reader thread stamps each chunk of output when it arrives,
so the times do not depend on how often the benchmark looks. `floor_*` keys run a minimal Textual app
(tui_floor_app.py) through the same harness: Textual's own cost on this machine, for comparison.

Every child runs inside `with Terminal(...)`: its whole process group is killed however the benchmark ends
(an error, Ctrl+C), and a child whose terminal closes without a signal exits by itself (sim/tui/driver.py).
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

STARTS = 7
PRESSES = 100
KEYS = ["\x1b[B"] * 10 + ["\x1b[A"] * 10  # down and up through the actions menu
QUIET_S = 0.04  # no output for this long: the previous frame is finished, time the next key
PLAY = ("play", "bird-detection", "--seed", "1")
FLOOR_APP = [sys.executable, str(ROOT / "benchmarks" / "tui_floor_app.py")]


def _settle(term) -> None:
    """Wait until the app has drawn everything it had to draw (no output for QUIET_S)."""
    while True:
        seen = len(term.output)
        time.sleep(QUIET_S)
        if len(term.output) == seen:
            return


def _cold_starts(program: list[str] | None, ready: str, args: tuple[str, ...] = PLAY) -> list[float]:
    """Wall time from spawning the process in a pseudo-terminal until the text `ready` has been drawn."""
    from tests.tui.terminal import Terminal

    times = []
    with tempfile.TemporaryDirectory() as home:
        for _ in range(STARTS):
            t0 = time.perf_counter()
            with Terminal(list(args), dict(os.environ, MLSIM_HOME=home), program=program) as term:
                drawn = term.wait_for(lambda: ready in term.text(), "the first frame")
                times.append((drawn - t0) * 1000)
    return times


def _presses(term) -> list[float]:
    """Arrow keys written to the terminal, each to the first bytes of the frame it causes."""
    times = []
    _settle(term)
    for i in range(PRESSES):
        before = len(term.output)
        t0 = time.perf_counter()
        term.send(KEYS[i % len(KEYS)])
        times.append((term.first_output_after(before) - t0) * 1000)
        _settle(term)
    return times


def _keypress_ms() -> list[float]:
    """On the project screen of bird-detection at 80x24."""
    from tests.tui.terminal import Terminal

    with tempfile.TemporaryDirectory() as home:
        with Terminal(["play", "bird-detection", "--seed", "1"], dict(os.environ, MLSIM_HOME=home)) as term:
            term.wait_for(lambda: "Enter to start" in term.text(), "the briefing")
            # One press each, every one after the screen that takes it is drawn: keys are not idempotent.
            term.press("\r", lambda drawn: "Decision: metric" in drawn, "the first decision")
            term.press("a", lambda drawn: "Enter to continue" in drawn, "the verdict")
            term.press("\r", lambda drawn: "Decision: split" in drawn, "the second decision")
            term.press("b", lambda drawn: "Enter to continue" in drawn, "the verdict")
            # Drawn by the coach's log once the verdict has closed (not by the modal's repaints of the screen
            # under it): keys pressed before that are dropped, like a double press.
            term.press("\r", lambda drawn: "answer b" in drawn, "the project screen")
            return _presses(term)


def _floor_keypress_ms() -> list[float]:
    from tests.tui.terminal import Terminal

    with Terminal([], dict(os.environ), program=FLOOR_APP) as term:
        term.wait_for(lambda: "Enter to start" in term.text(), "the floor app")
        return _presses(term)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))]


def measure() -> dict[str, float]:
    presses = _keypress_ms()
    floor = _floor_keypress_ms()
    return {
        "cold_start_ms": round(statistics.median(_cold_starts(None, "Enter to start")), 1),
        # `mlsim` alone: until the cases are listed (read by a worker after the first frame), not the empty frame.
        "cold_start_home_ms": round(statistics.median(_cold_starts(None, "best: ", args=())), 1),
        "keypress_ms_median": round(statistics.median(presses), 2),
        "keypress_ms_p95": round(_p95(presses), 2),
        "floor_cold_start_ms": round(statistics.median(_cold_starts(FLOOR_APP, "Enter to start")), 1),
        "floor_keypress_ms_median": round(statistics.median(floor), 2),
        "floor_keypress_ms_p95": round(_p95(floor), 2),
    }


if __name__ == "__main__":
    print(measure())

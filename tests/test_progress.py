"""Long work shows progress on a terminal and nothing on a pipe."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from sim.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_one_line_rewritten_and_wiped_at_the_end():
    out = FakeTerminal()
    with Progress("lint bird-detection", 3, "policies", stream=out, tick=60) as step:
        step(1, 3)
        step(2, 3)
    text = out.getvalue()
    assert "lint bird-detection: 1 of 3 policies done" in text
    assert "2 of 3 policies done" in text
    assert "\n" not in text  # rewritten in place, never a new line per step
    assert text.endswith("\r") and text.rsplit("\r", 2)[-2].strip() == ""  # the last thing written is a blank line


def test_a_pipe_sees_nothing():
    out = io.StringIO()
    with Progress("lint", 3, stream=out, tick=0.01) as step:
        step(1, 3)
    assert out.getvalue() == ""


def test_the_clock_moves_while_a_step_takes_long():
    out = FakeTerminal()
    with Progress("work", 1, stream=out, tick=0.01):
        import time

        time.sleep(0.1)
    assert out.getvalue().count("0 of 1 done") >= 3


def _lint(stderr) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "lint", "bird-detection", "--runs", "5000"],
                          stdout=subprocess.PIPE, stderr=stderr, timeout=300)


def test_lint_with_many_runs_reports_on_a_terminal_and_not_on_a_pipe():
    piped = _lint(subprocess.PIPE)
    assert piped.stderr == b""
    assert b"seeds per policy" in piped.stdout
    main, child = pty.openpty()
    try:
        on_terminal = _lint(child)
        os.close(child)
        child = -1
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed: all has been read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
        if child != -1:
            os.close(child)
    assert on_terminal.stdout == piped.stdout  # the report itself is the same
    assert b"lint bird-detection, 5,000 seeds: 4 of 4 steps done" in seen

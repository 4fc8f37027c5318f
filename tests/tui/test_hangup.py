"""Nothing is left running: the game exits when its terminal closes without a signal, and the harness kills
its child's whole process group however a test ends."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.game.replay import read_log
from sim.game.saves import saves_folder
from sim.tui.driver import HANGUP_EXIT
from tests.tui.terminal import GUARD_S, Terminal

GONE_WITHIN_S = 10.0  # a guard: before the driver's fix the child never exited (and spun at full CPU)


def _choices() -> list[str]:
    logs = list(saves_folder().glob("*.jsonl"))
    return read_log(logs[0]).choices if logs else []


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that does not reap is as good as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_the_game_exits_when_its_terminal_closes_and_keeps_the_save(isolated_home):
    with Terminal(["play", "bird-detection", "--seed", "2"], dict(os.environ, MLSIM_HOME=str(isolated_home))) as term:
        term.wait_for(lambda: "Enter to start" in term.text(), "the briefing")
        term.press("\r", lambda drawn: "Decision: metric" in drawn, "the first decision")
        term.press("a", lambda drawn: "Enter to continue" in drawn, "the verdict")
        term.hang_up()  # our end closes, no SIGHUP: what a harness or a benchmark cut short leaves behind
        try:
            code = term.proc.wait(timeout=GONE_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"mlsim still running {GONE_WITHIN_S} s after its terminal closed")
    assert code == HANGUP_EXIT
    assert _choices() == ["answer a"]  # saved before the verdict was shown; nothing lost


GRANDCHILD = ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']);"
              " print('grandchild', p.pid, flush=True); time.sleep(300)")


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_the_harness_kills_the_whole_process_group_when_a_test_fails(error):
    pids = []
    with pytest.raises(error):
        with Terminal([], dict(os.environ), program=[sys.executable, "-c", GRANDCHILD]) as term:
            term.wait_for(lambda: "grandchild " in term.text() and term.text().strip().endswith(tuple("0123456789")),
                          "the grandchild's pid")
            pids = [term.proc.pid, int(term.text().split("grandchild ")[1].split()[0])]
            assert all(_alive(pid) for pid in pids)
            raise error("the test failed here")
    deadline = time.monotonic() + GUARD_S
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids and not any(_alive(pid) for pid in pids)

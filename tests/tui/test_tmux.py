"""`mlsim play bird-detection` in a real tmux at 80x24: the ladder shows, and q quits cleanly with the save."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUARD_S = 30.0  # a guard against a hang, not a speed assertion


def test_play_at_80x24_shows_the_ladder_and_quits(isolated_home, tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed on this machine")
    socket = f"mlsim-test-{os.getpid()}"
    done = tmp_path / "exit-code"
    command = (f"cd {shlex.quote(str(ROOT))} && MLSIM_HOME={shlex.quote(str(isolated_home))} "
               f"{shlex.quote(sys.executable)} -m sim play bird-detection --seed 3; echo $? > {shlex.quote(str(done))}")

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True).stdout

    def wait_for(condition, what: str) -> str:
        deadline = time.monotonic() + GUARD_S
        while time.monotonic() < deadline:
            pane = tmux("capture-pane", "-p", "-t", "game")
            if condition(pane):
                return pane
            time.sleep(0.1)
        raise AssertionError(f"gave up waiting for {what}; the pane shows:\n{pane}")

    tmux("new-session", "-d", "-s", "game", "-x", "80", "-y", "24", command)
    try:
        wait_for(lambda p: "Enter to start" in p, "the briefing")
        tmux("send-keys", "-t", "game", "Enter")
        for decision in ("metric", "split"):
            wait_for(lambda p: f"Decision: {decision}" in p and "press the option" in p, f"the {decision} decision")
            tmux("send-keys", "-t", "game", "a")
            wait_for(lambda p: "Enter to continue" in p, "the verdict")
            tmux("send-keys", "-t", "game", "Enter")
        pane = wait_for(lambda p: "Decision" not in p and "human-level" in p and "Actions" in p, "the project screen")
        for rung in ("real world", "test", "dev", "train-dev", "train", "human-level", "avoidable bias", "variance"):
            assert rung in pane
        assert "via measure_human_level" in pane  # the hidden rung says what reveals it
        # At 80 columns the measured rungs still show their values whole, and the budget is on screen.
        assert re.search(r"\bdev\s+\d+\.\d\d%", pane) and re.search(r"\btrain\s+\d+\.\d\d%", pane), pane
        assert "Budget" in pane
        tmux("send-keys", "-t", "game", "q")
        deadline = time.monotonic() + GUARD_S
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        tmux("kill-server")

"""Kill a real `mlsim play` with SIGKILL mid-game; the next `mlsim` continues at the exact last choice."""

from __future__ import annotations

import os
import signal

from sim.game.replay import read_log, replay
from sim.game.saves import saves_folder, unfinished
from sim.tui.app import make_app
from sim.tui.screens.project import ProjectScreen
from tests.tui.helpers import settle
from tests.tui.terminal import Terminal


def _choices() -> int:
    logs = list(saves_folder().glob("*.jsonl"))
    return len(read_log(logs[0]).choices) if logs else -1


async def test_sigkill_then_continue_restores_the_state(bird, isolated_home):
    case, digest = bird
    with Terminal(["play", "bird-detection", "--seed", "5"], dict(os.environ, MLSIM_HOME=str(isolated_home))) as term:
        term.wait_for(lambda: "Enter to start" in term.text(), "the briefing")
        term.press("\r", lambda drawn: "Decision: metric" in drawn, "the first decision")
        term.press("a", lambda drawn: "Enter to continue" in drawn and _choices() == 1, "the first answer saved")
        term.press("\r", lambda drawn: "Decision: split" in drawn, "the second decision")
        term.press("b", lambda drawn: "Enter to continue" in drawn and _choices() == 2, "the second answer saved")
        # The log's "answer b" is drawn only once the verdict has closed (a modal's repaints re-send the screen
        # under it, "Actions" included); a key pressed before that is dropped, as a double press must be.
        term.press("\r", lambda drawn: "answer b" in drawn, "the project screen")  # closing plays nothing
        assert _choices() == 2
        term.press("\r", lambda drawn: _choices() == 3, "an action saved")
        os.killpg(term.proc.pid, signal.SIGKILL)
        term.proc.wait()
    assert term.proc.returncode == -signal.SIGKILL

    saved = unfinished()
    assert len(saved) == 1 and saved[0].choices[:2] == ["answer a", "answer b"]
    expected = replay(case, digest, 5, saved[0].choices)

    app = make_app(animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        menu = app.screen.query_one("#cases")
        assert (menu.highlighted_option.id or "").startswith("continue:")  # offered first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        game = app.session.game
        assert game.choices == expected.choices
        assert game.ladder() == expected.ladder() and game.week == expected.week
        assert game.result() == expected.result()
        await pilot.press("enter")  # play on: the log keeps growing in the same file
        await pilot.pause()
    assert len(read_log(saved[0].path).choices) == len(expected.choices) + 1

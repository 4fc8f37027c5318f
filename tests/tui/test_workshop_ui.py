"""A game played with --workshop is in the outbox the moment it ends, sent or not: nothing waits on a key press.

The play command fetches the learner's ticket before the UI starts (it gives the seed); these tests keep
one as that fetch would, or none, as when the server could not be reached.
"""

from __future__ import annotations

import json

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.debrief import DebriefScreen
from tests.tui.helpers import answer_pending, choose_action, settle

UNREACHABLE = "http://127.0.0.1:9/?code=ABC234"  # loopback's discard port: refused at once


async def _play_to_the_debrief(app, pilot):
    await settle(pilot)
    await pilot.press("enter")  # briefing -> project
    await answer_pending(pilot, {})
    await choose_action(pilot, "ship")
    await answer_pending(pilot, {})
    assert isinstance(app.screen, DebriefScreen)


async def test_the_result_is_queued_when_the_game_ends_and_the_debrief_says_so(isolated_home):
    from sim.board.client import remember_ticket

    remember_ticket(UNREACHABLE, "Bea", {"ticket": "t.s", "case": "bird-detection", "seed": 6, "name": "Bea"})
    app = make_app(case_path=str(find_case("bird-detection")), seed=6, name="Bea", workshop=UNREACHABLE,
                   animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await _play_to_the_debrief(app, pilot)
        queued = list((isolated_home / "outbox").glob("*.json"))
        assert len(queued) == 1  # before any key on the debrief
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#save-status").render())
    record = json.loads(queued[0].read_text())
    assert "outbox" in status.lower() or "workshop" in status.lower(), status
    assert json.dumps(record).count(app.session.game.result()["id"]) >= 1


async def test_a_game_without_a_ticket_is_not_queued_and_the_debrief_says_it_does_not_count(isolated_home):
    app = make_app(case_path=str(find_case("bird-detection")), seed=6, name="Bea", workshop=UNREACHABLE,
                   animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await _play_to_the_debrief(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#save-status").render())
    assert not list((isolated_home / "outbox").glob("*.json"))
    assert "does not count" in status, status

"""The debrief: a name typed on arrival goes into the name field (never a key binding) and saves to the local board."""

from __future__ import annotations

from textual.widgets import Input, Label

from sim.board.local import LocalBoard
from sim.game.replay import replay
from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.debrief import DebriefScreen
from tests.tui.helpers import answer_pending, choose_action, settle


async def _to_debrief(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await answer_pending(pilot, {})
    await choose_action(pilot, "measure_human_level")
    await answer_pending(pilot, {})
    await choose_action(pilot, "ship")
    await settle(pilot)
    assert isinstance(app.screen, DebriefScreen)


async def test_typing_a_name_saves_the_replayed_score_on_the_local_board(bird):
    case, digest = bird
    app = make_app(str(find_case("bird-detection")), 9, animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_debrief(app, pilot)
        debrief = app.screen
        await pilot.press(*"nhs q")  # every letter a binding elsewhere, typed as the player arrives
        await pilot.press("backspace", "backspace", "enter")
        await settle(pilot)
        assert app.screen is debrief  # still the debrief: no new game, no home, no quit
        assert debrief.query_one("#name", Input).value == "nhs"
        status = str(debrief.query_one("#save-status", Label).render())
        game = app.session.game

    expected = replay(case, digest, 9, game.choices).result()["score"]
    board = LocalBoard.open()
    try:
        entries = board.entries("bird-detection")
    finally:
        board.close()
    assert [(e.name, e.total, e.strategy, e.outcome) for e in entries] == [
        ("nhs", expected["total"], expected["strategy"], expected["outcome"])]
    assert f"{expected['total']} points" in status  # the player is told what was stored


async def test_leaving_the_debrief_takes_a_modifier_or_escape():
    app = make_app(str(find_case("bird-detection")), 9, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_debrief(app, pilot)
        debrief = app.screen
        debrief.query_one("#debrief").focus()  # even with the name field not focused
        await pilot.press("n", "h", "s")
        await settle(pilot)
        assert app.screen is debrief
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)  # a new game of the same case
        assert app.screen.case.id == "bird-detection"


async def test_the_what_if_is_sized_again_when_the_terminal_shrinks_under_it():
    """Opened wide, then the terminal resized to 80×24: every column still fits inside the dialog, and the
    highlighted choice stays highlighted."""
    from textual.widgets import DataTable

    from sim.tui.screens.whatif import WhatIfModal

    app = make_app(str(find_case("bird-detection")), 9, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_debrief(app, pilot)
        app.screen.query_one("#paths").focus()
        await pilot.press("enter")
        for _ in range(500):  # the what-if lands from a worker
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, WhatIfModal) and app.screen.ready:
                break
        modal = app.screen
        assert isinstance(modal, WhatIfModal) and modal.ready
        table = modal.query_one("#whatif-table", DataTable)
        await pilot.press("down")
        highlighted = table.cursor_row
        wide = sum(column.get_render_width(table) for column in table.columns.values())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = sum(column.get_render_width(table) for column in table.columns.values())
        assert narrow < wide
        assert narrow <= table.content_region.width  # no column cut off at the right
        assert modal.query_one("#whatif-dialog").region.right <= 80
        assert table.cursor_row == highlighted

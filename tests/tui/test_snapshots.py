"""What a person sees: one snapshot per screen at a fixed size (update with `pytest --snapshot-update`)."""

from __future__ import annotations

import pytest

from sim.scenario import find_case, list_cases
from sim.tui.app import make_app
from tests.tui.helpers import answer_pending, choose_action, play, settle

SIZE = (100, 30)


@pytest.fixture
def bird_app():
    return make_app(str(find_case("bird-detection")), 7, animate=False)


@pytest.fixture
def only_bird(monkeypatch):
    """The home screen lists the built-in cases; other cases landing must not change this snapshot."""
    monkeypatch.setattr("sim.scenario.list_cases", lambda: [r for r in list_cases() if r.id == "bird-detection"])


async def _to_project(pilot):
    await pilot.pause()
    await pilot.press("enter")
    await answer_pending(pilot, {})


def test_home(snap_compare, only_bird):
    assert snap_compare(make_app(animate=False), terminal_size=SIZE, run_before=settle)


def test_briefing(snap_compare, bird_app):
    assert snap_compare(bird_app, terminal_size=SIZE)


def test_decision_verdict(snap_compare, bird_app):
    async def run_before(pilot):
        await pilot.pause()
        await pilot.press("enter", "a")
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=SIZE, run_before=run_before)


def test_project(snap_compare, bird_app):
    async def run_before(pilot):
        await _to_project(pilot)
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})

    assert snap_compare(bird_app, terminal_size=SIZE, run_before=run_before)


def test_project_at_80x24(snap_compare, bird_app):
    assert snap_compare(bird_app, terminal_size=(80, 24), run_before=_to_project)


def test_project_at_120x40(snap_compare, bird_app):
    async def run_before(pilot):
        await _to_project(pilot)
        for action in ("measure_human_level", "bigger_network", "carve_train_dev"):
            await play(pilot, action)

    assert snap_compare(bird_app, terminal_size=(120, 40), run_before=run_before)


def test_project_log_at_80x24_after_several_verdicts(snap_compare, bird_app):
    """The log shows the newest verdict (it used to keep the oldest in view)."""
    async def run_before(pilot):
        await _to_project(pilot)
        for action in ("measure_human_level", "bigger_network", "carve_train_dev"):
            await play(pilot, action)

    assert snap_compare(bird_app, terminal_size=(80, 24), run_before=run_before)


def test_event_learned_late(snap_compare, bird_app):
    async def run_before(pilot):
        from sim.tui.screens.modals import EventModal

        await _to_project(pilot)
        rival = next(e for e in pilot.app.session.game.case.events if e.id == "rival")
        await pilot.app.push_screen(EventModal(rival, learned=rival.week + 5.6))
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=(80, 24), run_before=run_before)


def test_leaderboard_at_80x24(snap_compare, only_bird, monkeypatch):
    from tests.tui.test_leaderboard import ENTRIES

    monkeypatch.setattr("sim.tui.board.entries", lambda case_id=None: list(ENTRIES))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(make_app(animate=False), terminal_size=(80, 24), run_before=run_before)


def test_light_theme(snap_compare, bird_app):
    async def run_before(pilot):
        await _to_project(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=(80, 24), run_before=run_before)


def test_error_analysis(snap_compare, bird_app):
    async def run_before(pilot):
        await _to_project(pilot)
        await choose_action(pilot, "error_analysis")

    assert snap_compare(bird_app, terminal_size=SIZE, run_before=run_before)


def test_debrief(snap_compare, bird_app):
    async def run_before(pilot):
        await _to_project(pilot)
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})
        await choose_action(pilot, "ship")
        await pilot.app.workers.wait_for_complete()
        pilot.app.screen.query_one("#name").cursor_blink = False  # a blinking cursor makes the picture random
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, bird_app):
    async def run_before(pilot):
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=SIZE, run_before=run_before)


async def _to_debrief(pilot):
    await _to_project(pilot)
    await choose_action(pilot, "measure_human_level")
    await answer_pending(pilot, {})
    await choose_action(pilot, "bigger_network")
    await answer_pending(pilot, {})
    await choose_action(pilot, "ship")
    await pilot.app.workers.wait_for_complete()
    pilot.app.screen.query_one("#name").cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_debrief_paths_at(snap_compare, bird_app, size):
    async def run_before(pilot):
        await _to_debrief(pilot)
        pilot.app.screen.query_one("#paths").focus()
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_whatif_at(snap_compare, bird_app, size):
    async def run_before(pilot):
        from sim.tui.screens.whatif import WhatIfModal

        await _to_debrief(pilot)
        pilot.app.screen.query_one("#paths").focus()
        await pilot.press("down", "down", "enter")
        for _ in range(500):  # the what-if lands from a worker; wait on its flag, not on time
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            screen = pilot.app.screen
            if isinstance(screen, WhatIfModal) and screen.ready:
                break
        assert isinstance(pilot.app.screen, WhatIfModal) and pilot.app.screen.ready
        screen.show()
        await pilot.pause()

    assert snap_compare(bird_app, terminal_size=size, run_before=run_before)


@pytest.fixture
def a_record(only_bird, bird):
    """Three finished games on the local board that break the same rules (the home panel has a record)."""
    from sim.board.local import LocalBoard
    from sim.game import Game

    case, digest = bird
    board = LocalBoard.open()
    try:
        for seed in (1, 2, 3):
            game = Game(case, digest, seed)
            for choice in ("answer c", "answer c", "measure_human_level", "answer c", "add_regularization",
                           "collect_more_data", "answer c", "ship"):
                if not game.finished:
                    game.choose(choice if choice.startswith("answer") == (game.pending_decision is not None)
                                else ("answer c" if game.pending_decision else choice))
            while not game.finished:
                game.choose("answer c" if game.pending_decision else "ship")
            board.save(game.result(), "Ada")
    finally:
        board.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_home_with_a_record_at(snap_compare, a_record, size):
    assert snap_compare(make_app(animate=False), terminal_size=size, run_before=settle)

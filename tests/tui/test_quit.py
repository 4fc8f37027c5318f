"""q quits from anywhere, a decision waiting included, and says the game is saved."""

from __future__ import annotations

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.modals import DecisionModal
from tests.tui.helpers import settle


async def test_q_quits_from_a_decision_after_saving(isolated_home):
    app = make_app(case_path=str(find_case("bird-detection")), seed=4, animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # briefing -> project; the first decision opens
        await settle(pilot)
        assert isinstance(app.screen, DecisionModal)
        await pilot.press("a")  # answered: one choice on disk
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running
    saves = list((isolated_home / "saves").glob("*.jsonl"))
    assert saves and "answer a" in saves[0].read_text()


async def test_dropping_a_saved_game_takes_a_second_d(isolated_home, bird):
    from sim.game.saves import unfinished
    from sim.tui.session import Session

    case, digest = bird
    session = Session.create(case, digest, str(find_case("bird-detection")), 8)
    session.choose("answer a")
    assert len(unfinished()) == 1
    app = make_app(animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        menu = app.screen.query_one("#cases")
        while not (menu.highlighted_option.id or "").startswith("continue:"):
            await pilot.press("down")
        await pilot.press("d")
        await pilot.pause()
        assert len(unfinished()) == 1  # one d only asks
        await pilot.press("d")
        await settle(pilot)
    assert unfinished() == []

"""The command palette plays an action by name; a resize mid-game (200x60, 80x24, 120x40) keeps the game whole."""

from __future__ import annotations

from textual.command import CommandPalette

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.project import ProjectScreen
from sim.tui.widgets.ladder import LadderWidget
from tests.tui.helpers import answer_pending, choose_action, settle


async def _to_project(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await answer_pending(pilot, {})
    assert isinstance(app.screen, ProjectScreen)


async def test_the_palette_finds_an_action_by_name_and_plays_it():
    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_project(app, pilot)
        before = len(app.session.game.choices)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"measure_human")
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        game = app.session.game
        assert game.choices[before] == "measure_human_level"
        assert game.ladder()["human"] is not None  # the rung the action reveals


async def test_resize_mid_game_keeps_the_ladder_visible():
    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await _to_project(app, pilot)
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})
        for size in ((80, 24), (120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert isinstance(app.screen, ProjectScreen)
            ladder = app.screen.query_one(LadderWidget)
            region = ladder.region
            assert region.width > 0 and region.bottom <= size[1]  # on screen, not pushed off by the resize
            shown = str(ladder.render())
            for rung in ("real world", "test", "dev", "train-dev", "train", "human-level"):
                assert rung in shown
            assert f"{app.session.game.ladder()['human']:.2f}%" in shown  # a value from the Game, drawn
        await choose_action(pilot, "bigger_network")  # and the game still plays at the small size
        await answer_pending(pilot, {})
        assert "bigger_network" in app.session.game.choices


async def test_over_a_decision_the_palette_says_to_answer_it_first_and_plays_nothing():
    from textual.command import CommandList

    from sim.tui.commands import BLOCKED

    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_project(app, pilot)
        await choose_action(pilot, "measure_human_level")  # a decision on which figure to take follows
        await settle(pilot)
        decision = app.screen
        assert app.session.game.pending_decision is not None and decision is not app.session
        before = list(app.session.game.choices)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"bigger")
        await settle(pilot)
        for _ in range(50):  # the palette's search runs in a worker
            prompts = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
            if prompts:
                break
            await pilot.pause(0.05)
        assert any(BLOCKED in p for p in prompts), prompts
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.game.choices == before and app.screen is decision

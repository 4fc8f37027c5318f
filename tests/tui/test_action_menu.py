"""Nothing is played by accident: a click selects, a second click or Enter plays; closing a modal plays nothing."""

from __future__ import annotations

import pytest
from textual import events

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.modals import DecisionModal
from sim.tui.screens.project import ProjectScreen
from sim.tui.widgets.actions import ActionDetail, ActionMenu
from tests.tui.helpers import answer_pending, settle


async def _to_project(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await answer_pending(pilot, {})
    assert isinstance(app.screen, ProjectScreen)


def _line_of(menu: ActionMenu, action: str) -> int:
    """The screen row of `action` inside the menu (the menu's own lines, as it is scrolled now)."""
    index = menu.get_option_index(action)
    menu._lines  # noqa: B018 (lays the lines out)
    return menu._line_cache.index_to_line[index] - round(menu.scroll_y)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_one_click_selects_and_describes_a_second_click_plays(size):
    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=size) as pilot:
        await _to_project(app, pilot)
        menu = app.screen.query_one(ActionMenu)
        before = list(app.session.game.choices)
        first = menu.highlighted_option.id
        target = next(a for a in menu.actions if a != first)
        await pilot.click(ActionMenu, offset=(2, _line_of(menu, target)))
        await settle(pilot)
        assert app.session.game.choices == before  # nothing spent
        assert menu.highlighted_option.id == target
        detail = str(app.screen.query_one(ActionDetail).render())
        assert menu.actions[target].summary in detail and "Click again to play" in detail

        await pilot.click(ActionMenu, offset=(2, _line_of(menu, target)))
        await answer_pending(pilot, {})
        assert app.session.game.choices[: len(before) + 1] == before + [target]


async def test_enter_plays_the_action_a_click_selected():
    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_project(app, pilot)
        menu = app.screen.query_one(ActionMenu)
        before = list(app.session.game.choices)
        target = "measure_human_level"
        while _line_of(menu, target) >= menu.size.height:  # scroll it into view, as a reader would
            menu.scroll_down(animate=False)
            await pilot.pause()
        await pilot.click(ActionMenu, offset=(2, _line_of(menu, target)))
        await settle(pilot)
        assert app.session.game.choices == before
        await pilot.press("enter")
        await answer_pending(pilot, {})
        assert app.session.game.choices[: len(before) + 1] == before + [target]  # (then a decision it opens)


async def test_enter_typed_while_a_verdict_closes_plays_nothing():
    """Two Enters reach the app together (a double press, a key repeat, keys typed ahead on a busy machine):
    the first closes the verdict, the second was typed at the verdict and must not play the highlighted action."""
    app = make_app(str(find_case("bird-detection")), 4, animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # briefing -> the first decision
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")  # the first verdict closes; the second decision opens
        await settle(pilot)
        assert isinstance(app.screen, DecisionModal)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.answered
        for _ in range(2):  # both queued before either is handled
            key = events.Key("enter", "\r")
            key.set_sender(app)
            app._driver.send_message(key)
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert app.session.game.choices == ["answer a", "answer a"]  # no action played

        await pilot.press("enter")  # an Enter pressed at the project screen plays, as always
        await answer_pending(pilot, {})
        assert len(app.session.game.choices) == 3 and not app.session.game.choices[2].startswith("answer")

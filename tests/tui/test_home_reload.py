"""Back on the home screen, the case list is re-read in a worker: keys pressed meanwhile are the learner's."""

from __future__ import annotations

import time

from textual.widgets import OptionList

from sim.tui.app import MlsimApp
from sim.tui.screens import home
from sim.tui.screens.home import HomeScreen
from tests.tui.helpers import settle


async def _listed(pilot) -> tuple[OptionList, str]:
    """The home list once filled, and the option highlighted first."""
    await settle(pilot)
    menu = pilot.app.screen.query_one("#cases", OptionList)
    return menu, menu.highlighted_option.id


async def test_a_highlight_moved_while_the_list_is_re_read_stays_where_the_learner_put_it(monkeypatch):
    app = MlsimApp()
    async with app.run_test(size=(100, 30)) as pilot:
        menu, first = await _listed(pilot)
        read = home.home_options

        def slow_read():  # a busy machine: the re-read takes a while
            time.sleep(0.6)
            return read()

        monkeypatch.setattr(home, "home_options", slow_read)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        screen.reload()
        await pilot.press("down", "down")  # while the list is being read
        moved = menu.highlighted_option.id
        assert moved != first
        await settle(pilot)
        assert app.screen.query_one("#cases", OptionList).highlighted_option.id == moved


async def test_a_re_read_nobody_moved_through_starts_at_the_top(monkeypatch):
    app = MlsimApp()
    async with app.run_test(size=(100, 30)) as pilot:
        menu, first = await _listed(pilot)
        await pilot.press("down", "down")
        app.screen.reload()
        await settle(pilot)
        assert menu.highlighted_option.id == first

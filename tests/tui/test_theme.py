"""The theme picked (Ctrl+T, or Textual's theme picker in the palette) is the theme of the next run."""

from __future__ import annotations

import json

from textual.command import CommandPalette

from sim.tui.app import make_app
from sim.tui.settings import settings_path
from sim.tui.themes import DARK, LIGHT
from tests.tui.helpers import settle


async def test_ctrl_t_is_remembered_for_the_next_run(isolated_home):
    app = make_app(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == DARK.name  # nothing saved yet: the default
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == LIGHT.name
    assert json.loads(settings_path().read_text())["theme"] == LIGHT.name
    assert settings_path().parent == isolated_home  # in the data folder

    again = make_app(animate=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == LIGHT.name


async def test_a_theme_from_the_palettes_picker_is_remembered(isolated_home):
    app = make_app(animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"theme")
        await settle(pilot)
        await pilot.press("enter")  # "Theme": Textual's picker, a palette of every theme
        await settle(pilot)
        await pilot.press(*"nord", "enter")
        await settle(pilot)
        assert app.theme == "nord"
    again = make_app(animate=False)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_an_unknown_or_damaged_setting_starts_in_the_default_theme(isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    for content in ('{"theme": "no-such-theme"}', "{not json", '["a list"]'):
        settings_path().write_text(content)
        app = make_app(animate=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.theme == DARK.name


async def test_a_data_folder_that_cannot_be_written_says_so_and_the_game_goes_on(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MLSIM_HOME", str(blocker))  # the data folder is a file: nothing can be written in it
    app = make_app(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == LIGHT.name  # the theme changes all the same
        messages = [n.message for n in app._notifications]
        assert any("not remembered" in m and str(blocker) in m for m in messages), messages

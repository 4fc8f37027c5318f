"""A trainer's own case in $MLSIM_HOME/scenarios appears on the home screen and plays to the debrief."""

from __future__ import annotations

from sim.cli import main
from sim.tui.app import make_app
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.home import HomeScreen
from sim.tui.screens.project import ProjectScreen
from tests.tui.helpers import answer_pending, choose_action, open_case, settle


async def test_a_trainers_case_is_listed_and_plays(isolated_home, capsys):
    assert main(["new", "harbour-gulls"]) == 0
    capsys.readouterr()
    assert (isolated_home / "scenarios" / "harbour-gulls.yaml").exists()
    app = make_app(seed=3, animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await open_case(pilot, "harbour-gulls.yaml")
        await answer_pending(pilot, {})
        assert isinstance(app.screen, ProjectScreen)
        assert app.session.game.case.id == "harbour-gulls"
        await choose_action(pilot, "ship")
        await answer_pending(pilot, {})
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert app.session.game.finished

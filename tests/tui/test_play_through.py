"""A learner plays bird-detection from the home screen to the debrief by key presses alone."""

from __future__ import annotations

from sim.game.replay import replay
from sim.tui.app import make_app
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.home import HomeScreen
from sim.tui.screens.project import ProjectScreen
from tests.tui.helpers import answer_pending, choose_action, open_case, settle

PLAN = ["measure_human_level", "bigger_network", "carve_train_dev", "error_analysis", "collect_more_data", "ship"]


async def test_home_to_debrief_score_matches_headless(bird):
    case, digest = bird
    app = make_app(seed=11, animate=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await open_case(pilot, "bird-detection.yaml")
        await answer_pending(pilot, {"metric": "a", "split": "b"})
        for action in PLAN:
            assert isinstance(app.screen, ProjectScreen), type(app.screen)
            await choose_action(pilot, action)
            await answer_pending(pilot, {"human": "c"})
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        game = app.session.game
        shown = str(app.screen.query_one("#score").render())
        expert_cells = [app.screen.query_one("#paths").get_cell_at((0, 5))]

    headless = replay(case, digest, 11, game.choices).result()
    assert game.choices[:2] == ["answer a", "answer b"] and "answer c" in game.choices
    assert headless["score"] == game.result()["score"]
    assert f"total     {headless['score']['total']:>5}" in shown  # the number the debrief shows
    assert expert_cells[0] == "answer a"  # the expert's first move is in the path table

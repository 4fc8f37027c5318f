"""`mlsim play FILE --watch`: a broken case shows its located problems in the UI; fixing the file reloads it."""

from __future__ import annotations

import re

from textual.widgets import Static

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.modals import CaseErrorsModal
from sim.tui.screens.project import ProjectScreen
from tests.tui.helpers import answer_pending, choose_action, settle

# A trainer's copy takes an id of its own (an edited copy under a built-in id is refused).
GOOD = find_case("bird-detection").read_text(encoding="utf-8").replace("id: bird-detection", "id: my-birds", 1)
BUDGET = re.search(r"^budget_weeks: (\d+)$", GOOD, re.M)  # whatever the case's budget is today
BROKEN = GOOD.replace(BUDGET.group(0), "budget_weeks: fifty-two")
BROKEN_LINE = GOOD[: BUDGET.start()].count("\n") + 1
LONGER = int(BUDGET.group(1)) + 8


def _problems(app) -> str:
    assert isinstance(app.screen, CaseErrorsModal), type(app.screen)
    return str(app.screen.query_one("#problems", Static).render())


async def test_a_broken_case_shows_located_problems_then_reloads_when_fixed(tmp_path):
    path = tmp_path / "birds.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    app = make_app(str(path), 3, watch=True, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert f"{path}:{BROKEN_LINE}:" in _problems(app)  # file:line:col, not a traceback
        assert "budget_weeks" in _problems(app)

        path.write_text(GOOD.replace("title: Birds over Brightwater", "title: Birds, edited"), encoding="utf-8")
        app.check_case_file()  # what the --watch interval calls
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.case.title == "Birds, edited"
        assert not any(isinstance(s, CaseErrorsModal) for s in app.screen_stack)


async def test_mid_game_edits_replay_the_choices_and_breakage_waits_for_the_fix(tmp_path):
    path = tmp_path / "birds.yaml"
    path.write_text(GOOD, encoding="utf-8")
    app = make_app(str(path), 3, watch=True, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})
        choices = list(app.session.game.choices)

        path.write_text(BROKEN, encoding="utf-8")
        app.check_case_file()
        await settle(pilot)
        assert f"{path}:{BROKEN_LINE}:" in _problems(app)
        app.check_case_file()  # unchanged file: nothing new is stacked
        await settle(pilot)
        assert sum(isinstance(s, CaseErrorsModal) for s in app.screen_stack) == 1

        longer = GOOD.replace(BUDGET.group(0), f"budget_weeks: {LONGER}")  # the briefing says the new budget too
        path.write_text(longer.replace(f"{BUDGET.group(1)} weeks", f"{LONGER} weeks"), encoding="utf-8")
        app.check_case_file()
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert app.session.game.case.budget_weeks == LONGER
        assert app.session.game.choices == choices  # the same path, re-played on the edited case
        assert f"of {LONGER}" in app.screen.sub_title


async def test_an_edit_that_unplays_a_saved_choice_says_which_and_offers_a_restart(tmp_path):
    from sim.tui.screens.modals import DecisionModal, MisfitModal

    path = tmp_path / "birds.yaml"
    path.write_text(GOOD, encoding="utf-8")
    app = make_app(str(path), 3, watch=True, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})
        choices = list(app.session.game.choices)
        human = next(i for i, c in enumerate(choices) if i > choices.index("measure_human_level"))
        renamed = GOOD.replace("      - id: a\n        text: The team of ornithologists",
                               "      - id: team\n        text: The team of ornithologists", 1)
        assert renamed != GOOD
        path.write_text(renamed, encoding="utf-8")
        app.check_case_file()
        await settle(pilot)
        assert isinstance(app.screen, MisfitModal)
        said = str(app.screen.query_one("#misfit", Static).render())
        assert f"Choice {human + 1}, '{choices[human]}'" in said
        assert f"The {human} choices before it were re-played" in said

        await pilot.press("enter")  # keep playing: the choices before it stand, and the decision asks again
        await settle(pilot)
        assert isinstance(app.screen, DecisionModal) and app.session.game.choices == choices[:human]

        path.write_text(renamed.replace("title: Birds over Brightwater", "title: Birds again"), encoding="utf-8")
        app.check_case_file()  # the choices left still play: nothing to say
        await settle(pilot)
        assert not any(isinstance(s, MisfitModal) for s in app.screen_stack)
        assert app.session.game.choices == choices[:human]

        path.write_text(renamed.replace("      - id: a\n", "      - id: first\n", 1), encoding="utf-8")
        app.check_case_file()  # now the first answer (the first decision's option a) no longer fits
        await settle(pilot)
        assert isinstance(app.screen, MisfitModal)
        assert "No choice before it was left" in str(app.screen.query_one("#misfit", Static).render())
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)  # no choice was left to keep: the edited case from its start
        assert app.session is None or app.session.game.choices == []


async def test_restarting_after_a_misfit_shows_the_edited_briefing(tmp_path):
    from sim.tui.screens.modals import MisfitModal

    path = tmp_path / "birds.yaml"
    path.write_text(GOOD, encoding="utf-8")
    app = make_app(str(path), 3, watch=True, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        await choose_action(pilot, "measure_human_level")
        await answer_pending(pilot, {})
        path.write_text(GOOD.replace("      - id: a\n        text: The team of ornithologists",
                                     "      - id: team\n        text: The team of ornithologists", 1)
                        .replace("title: Birds over Brightwater", "title: Birds, renamed"), encoding="utf-8")
        app.check_case_file()
        await settle(pilot)
        assert isinstance(app.screen, MisfitModal)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen) and app.screen.case.title == "Birds, renamed"

"""Saved games offered on the home screen: only games with a choice to continue from."""

from __future__ import annotations

from sim.game.saves import unfinished
from sim.scenario import find_case
from sim.tui.session import Session


def test_a_game_left_at_its_briefing_is_not_offered_but_one_with_a_choice_is():
    session = Session.start(str(find_case("bird-detection")), 5)
    assert session.log.path.exists() and unfinished() == []
    session.choose("answer a")
    assert [s.path for s in unfinished()] == [session.log.path]

"""At 80x24 the coach's log follows the newest verdict until the reader scrolls up; n jumps back to it."""

from __future__ import annotations

import pytest

from sim.scenario import find_case
from sim.tui.app import make_app
from sim.tui.screens.project import ProjectScreen
from sim.tui.widgets.feed import CoachFeed
from tests.tui.helpers import answer_pending, play, settle

PLAN = ("measure_human_level", "bigger_network", "carve_train_dev", "train_longer")


def newest_in_view(feed: CoachFeed) -> bool:
    """The first line of the newest verdict is inside the log's visible rows."""
    top = feed.entries[-1].virtual_region.y
    return feed.scroll_y <= top < feed.scroll_y + feed.scrollable_content_region.height


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_log_follows_the_newest_verdict_until_the_reader_scrolls_up(size):
    app = make_app(str(find_case("bird-detection")), 3, animate=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        assert isinstance(app.screen, ProjectScreen)
        feed = app.screen.query_one(CoachFeed)
        for action in PLAN[:3]:
            await play(pilot, action)
            await settle(pilot)
            assert len(feed.entries) == len(app.session.game.turns)  # one entry per verdict, the newest last
            assert app.session.game.turns[-1].choice in feed.entries[-1].render().plain
            assert newest_in_view(feed), (action, feed.scroll_y, feed.entries[-1].virtual_region)
        if feed.max_scroll_y == 0:
            return  # everything fits (120x40 early on): nothing to scroll away from

        feed.scroll_to(y=0, animate=False)  # the reader scrolls up to the oldest verdicts
        await settle(pilot)
        assert not feed.following
        await play(pilot, PLAN[3])
        await settle(pilot)
        assert feed.scroll_y == 0  # kept where the reader is
        assert "new verdict" in str(feed.border_title)

        await pilot.press("n")  # Newest
        await settle(pilot)
        assert feed.following and newest_in_view(feed)
        assert "new verdict" not in str(feed.border_title)


async def test_the_newest_key_is_in_the_footer_and_the_help():
    from sim.tui.screens.help import KEYS

    app = make_app(str(find_case("bird-detection")), 3, animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        bindings = {b.key: b for _, b, enabled, _ in app.screen.active_bindings.values() if enabled}
        assert bindings["n"].description == "Newest" and bindings["n"].show
    assert "| n |" in KEYS

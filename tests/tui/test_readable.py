"""What a person reads: numbers through sim.fmt with the digits they need, choices in the menu's words, events
told with the week they happened and the week the team learned of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Static

from sim import fmt
from sim.game.choices import VARIETY_WORDS, readable
from sim.game.game import Meter
from sim.tui.app import make_app
from sim.tui.screens.modals import EventModal
from sim.tui.widgets.meters import Meters
from tests.tui.helpers import settle

TUI = Path(__file__).resolve().parents[2] / "sim" / "tui"
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"


@pytest.mark.parametrize("text, shown", [
    ("synthesize_data kind=fog variety=0.1", "synthesize_data kind=fog variety=low"),
    ("synthesize_data variety=0.5", "synthesize_data variety=medium"),
    ("synthesize_data variety=1", "synthesize_data variety=high"),
    ("synthesize_data variety=0.3", "synthesize_data variety=0.3"),  # a number the menu has no word for
    ("bigger_network", "bigger_network"),
    ("answer b", "answer b"),
])
def test_a_choice_reads_in_the_menus_words(text, shown):
    assert readable(text) == shown


def test_every_menu_word_reads_back_as_itself():
    for word, value in VARIETY_WORDS.items():
        assert readable(f"synthesize_data variety={value:g}") == f"synthesize_data variety={word}"


def test_no_screen_formats_a_number_itself():
    """Format specs that round (:.2f, :g, :.0%) belong in sim/fmt.py; widths and alignment are fine here."""
    spec = re.compile(r"\{[^{}:]+:[<>^=]?[+\- ]?\d*,?(\.\d+)?[fge%]\}")
    found = [f"{p.relative_to(TUI)}:{n}: {line.strip()}" for p in TUI.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if spec.search(line)]
    assert not found, "\n".join(found)


def test_no_snapshot_shows_a_number_with_four_or_more_decimals():
    svgs = list(SNAPSHOTS.rglob("*.svg"))
    assert svgs
    long = re.compile(r"\d\.\d{4,}")
    for svg in svgs:
        shown = " ".join(re.findall(r">([^<]*)</text>", svg.read_text(encoding="utf-8"))).replace("&#160;", " ")
        assert not long.search(shown), f"{svg.name}: {long.search(shown).group()}"


@pytest.mark.parametrize("value, limit, reading", [
    (0.012, 0.03, "0.012 ≤ 0.03"),  # read "0.0≤0.03" before
    (0.031, 0.03, "0.031 > 0.03"),  # broken: the number that says by how much, and the sign that says so
    (2.1, 10, "2.1 ≤ 10"),
])
async def test_a_meter_shows_the_precision_its_threshold_needs(value, limit, reading):
    meters = Meters()
    app = make_app(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.screen.mount(meters)
        meters.show(3.31429, 52, [Meter("False wake-ups / 24 h", value, limit, value <= limit)])
        await pilot.pause()
        shown = meters.render().plain
    assert reading in shown and "3.3/52" in shown


async def test_an_event_says_when_it_happened_and_when_the_team_learned_of_it(bird):
    case, _ = bird
    rival = next(e for e in case.events if e.id == "rival")
    app = make_app(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(EventModal(rival, learned=rival.week + 5.61429))
        await settle(pilot)
        title = str(app.screen.query_one(".dialog-title").render())
        when = str(app.screen.query_one("#event-when", Static).render())
        happened, learned = fmt.weeks(rival.week), fmt.weeks(rival.week + 5.61429)
        assert title.startswith(f"Week {happened}: {rival.title}")
        assert f"week {happened}," in when and f"week {learned}." in when and learned.count(".") <= 1
        assert re.search(r"\d\.\d\d", when) is None  # weeks to one decimal
        await pilot.press("enter")
        await settle(pilot)
        await app.push_screen(EventModal(rival, learned=rival.week))  # learned as it happened: the title says it
        await settle(pilot)
        assert not app.screen.query("#event-when")

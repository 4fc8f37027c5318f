"""The leaderboard fits the terminal: at 80 columns no heading or value is cut or scrolled out of view."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from sim import fmt
from sim.board.store import Entry
from sim.tui.app import make_app
from sim.tui.screens.leaderboard import LeaderboardModal, layout
from tests.tui.helpers import settle

ENTRIES = [
    Entry("1", 1, "Ada", "autonomous-driving", 187, 120, 67, 3.4567, 48.6, "2026-12-01T09:25:22.123456Z", "r1"),
    Entry("2", 2, "Maximiliane Oberhauser-Lindqvist", "in-car-speech", 95, 60, 35, 12.3, 51.25, "2026-12-01T10:00:00Z", "r2"),
    Entry("3", 1, "Bea", "bird-detection", -15, -15, 0, 2.0, 3.0, "2026-11-30T23:59:59Z", "r3"),
]


def cells(table: DataTable) -> list[list[str]]:
    return [[str(cell.plain if hasattr(cell, "plain") else cell) for cell in table.get_row_at(i)]
            for i in range(table.row_count)]


@pytest.mark.parametrize("size, wide", [((80, 24), False), ((120, 40), True)])
async def test_the_board_fits_without_cutting_headings_or_values(monkeypatch, size, wide):
    monkeypatch.setattr("sim.tui.board.entries", lambda case_id=None: list(ENTRIES))
    app = make_app(animate=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LeaderboardModal)
        table = app.screen.query_one(DataTable)
        headings = [str(c.label) for c in table.columns.values()]
        assert ("strategy" in headings) == wide and "total" in headings and "real %" in headings
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing off to the right
        shown = cells(table)
        for entry, row in zip(ENTRIES, shown):
            assert "".join(row[headings.index("name")].split()) == "".join(entry.name.split())  # wrapped, whole
            assert row[headings.index("case")] == entry.case
            assert row[headings.index("real %")] == fmt.error(entry.real_world_error)
            assert row[headings.index("weeks")] == fmt.weeks(entry.weeks)
            assert row[headings.index("date")].startswith(entry.date[:10])
        assert "\n" in shown[1][headings.index("name")]  # the long name took two lines


def test_layout_keeps_every_line_within_the_width():
    for width in (70, 90, 140):
        headings, rows = layout(ENTRIES, width)
        widths = [max([len(h)] + [max(len(line) for line in r[i].split("\n")) for r in rows])
                  for i, h in enumerate(headings)]
        assert sum(widths) + 2 * len(headings) <= width, (width, headings, widths)

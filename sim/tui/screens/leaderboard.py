"""The local leaderboard, all cases, ranked as sim.board ranks them; it fits the terminal's width.

When every column does not fit with room for names (at 80 columns, usually), the table drops the strategy and
outcome columns (the total is their sum and decides the rank) and the time of day; long names wrap. No heading
or value is cut or scrolled out of view.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from sim import fmt
from sim.tui import board

CELL_PADDING = 2  # DataTable pads each cell by one column on either side
MIN_NAME = 8
WIDE_NAME = 16  # the wide table is worth it only if names get this much room (wrapped beyond it)
NOTE = "real %: real-world error after launch · Escape to close"


@dataclass(frozen=True)
class Column:
    heading: str
    value: object  # Entry -> str
    wide_only: bool = False


COLUMNS = (
    Column("#", lambda e: str(e.rank)),
    Column("name", lambda e: e.name),
    Column("case", lambda e: e.case),
    Column("total", lambda e: str(e.total)),
    Column("strategy", lambda e: str(e.strategy), wide_only=True),
    Column("outcome", lambda e: str(e.outcome), wide_only=True),
    Column("real %", lambda e: fmt.error(e.real_world_error)),
    Column("weeks", lambda e: fmt.weeks(e.weeks)),
    Column("date", lambda e: e.date[:10]),
)


def wide_date(entry) -> str:
    return entry.date[:16].replace("T", " ")  # to the minute: enough to tell two games apart


def _cells(columns: list[Column], entries: list, width: int) -> tuple[list[list[str]], int, int]:
    """The rows as text, the name column's index, and the room left for names in `width` columns."""
    rows = [[str(c.value(e)) for c in columns] for e in entries]
    name = [c.heading for c in columns].index("name")
    others = sum(max([len(c.heading)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns) if i != name)
    return rows, name, width - others - CELL_PADDING * len(columns)


def layout(entries: list, width: int) -> tuple[list[str], list[list[str]]]:
    """Headings and rows that fit in `width` columns: every column if names get at least WIDE_NAME columns
    (or all they need), else the narrow set; names are wrapped to the room left."""
    columns = [c if c.heading != "date" else Column("date", wide_date) for c in COLUMNS]
    rows, name, room = _cells(columns, entries, width)
    if room < min(max((len(e.name) for e in entries), default=0), WIDE_NAME):
        columns = [c for c in COLUMNS if not c.wide_only]
        rows, name, room = _cells(columns, entries, width)
    for r in rows:
        r[name] = "\n".join(textwrap.wrap(r[name], max(room, MIN_NAME), break_long_words=True) or [""])
    return [c.heading for c in columns], rows


class LeaderboardModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,l", "close", "Close", id="board-close")]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="board-dialog"):
            yield Label("Local leaderboard", classes="dialog-title")
            yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
            yield Label("", id="board-note", classes="hint")

    def on_mount(self) -> None:
        note = self.query_one("#board-note", Label)
        try:
            self.entries = board.entries()
        except Exception as err:  # a damaged board file: say so, keep the game running
            note.update(f"The leaderboard cannot be read: {err}")
            return
        note.update("No results yet: finish a game and save it." if not self.entries else NOTE)
        self.query_one(DataTable).focus()
        self.call_after_refresh(self.fill)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fill)

    def fill(self) -> None:
        """Lay the table out for the dialog's width (again only when the width changed)."""
        if self.entries is None:
            return
        dialog = self.query_one("#board-dialog")
        width = dialog.content_size.width - 2  # room for the table's vertical scrollbar
        if width == self._width or width <= 0:
            return
        self._width = width
        headings, rows = layout(self.entries, width)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*headings)
        for row in rows:
            table.add_row(*map(Text, row), height=None)  # Text: a name is not markup; a wrapped one takes two lines

    def action_close(self) -> None:
        self.dismiss(None)

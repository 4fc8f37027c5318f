"""The local leaderboard, all cases, ranked as sim.board ranks them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from sim.tui import board


class LeaderboardModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,l", "close", "Close", id="board-close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Local leaderboard", classes="dialog-title")
            yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
            yield Label("", id="board-note", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "name", "case", "total", "strategy", "outcome", "real world %", "weeks", "date")
        try:
            rows = board.entries()
        except Exception as err:  # a damaged board file: say so, keep the game running
            self.query_one("#board-note", Label).update(f"The leaderboard cannot be read: {err}")
            return
        for e in rows:
            table.add_row(str(e.rank), e.name, e.case, str(e.total), str(e.strategy), str(e.outcome),
                          f"{e.real_world_error:.2f}", f"{e.weeks:g}", e.date)
        self.query_one("#board-note", Label).update("No results yet: finish a game and save it." if not rows
                                                    else "Escape to close")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

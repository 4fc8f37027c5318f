"""What if, for one turn of the debrief: each choice the learner could have made there, the expert finishing.

The debrief computes the whole game's what-if once, in a worker; this modal shows one turn of it (and waits,
with a spinner, if it is still being computed). ← → move to the previous or next turn.
"""

from __future__ import annotations

import textwrap

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, LoadingIndicator, Static

from sim import fmt
from sim.game.choices import readable
from sim.tui.widgets.feed import GLYPHS
from sim.tui.widgets.styled import BOLD, HEADING, MUTED, RULE, Styled

MARK_BEST, MARK_YOURS = "★", "▸"
FIXED_COLUMNS = 2 + 12 + 6 + 5 + 6  # mark, verdict, real world, weeks, points
CELL_PADDING = 2  # a DataTable cell's padding, both sides
DIALOG_WIDTH, DIALOG_SHARE = 110, 0.95  # .dialog.wide in app.tcss: its width, and its max-width of the screen
DIALOG_FRAME = 6  # the dialog's border and padding, and the table's scrollbar
DIALOG_LINES = 14  # what the dialog shows besides the table (title, summary, detail, hint, borders)


def reached_cell(reached) -> str:
    return fmt.percent(reached.real_world_error) if reached.shipped else "no ship"


def verdict_cell(screen, verdict: str, word: bool = True):
    """A verdict as a table cell in the theme's colour (rich Text: looked up now, filled again on a theme change)."""
    from rich.text import Text

    glyph, style = GLYPHS.get(verdict, ("?", BOLD))
    colours = screen.app.get_css_variables()
    rich_style = " ".join(colours.get(w[1:], "") if w.startswith("$") else w for w in style.split())
    return Text(f"{glyph} {verdict}" if word else glyph, style=rich_style)


class WhatIfModal(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="whatif-close"),
        Binding("left", "turn(-1)", "Previous turn", id="whatif-previous"),
        Binding("right", "turn(1)", "Next turn", id="whatif-next"),
    ]

    def __init__(self, debrief, index: int) -> None:
        super().__init__(classes="modal")
        self.debrief = debrief
        self.index = index  # the learner's turn, 1 for the first choice

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="whatif-dialog"):
            yield Label("What if", id="whatif-title", classes="dialog-title")
            yield Static(id="whatif-summary")
            yield LoadingIndicator(id="whatif-loading")
            yield DataTable(id="whatif-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="whatif-detail")
            yield Label("↑↓ a choice · ← → another turn · Esc back", classes="hint")

    def on_mount(self) -> None:
        self.show()
        self.query_one("#whatif-table").focus()

    @property
    def ready(self) -> bool:
        return self.debrief.whatif is not None

    def on_resize(self, event) -> None:
        # The table's widths are sized to the screen: a terminal resized while the modal is open sizes them again.
        if self.ready:
            self.show(keep_row=True)

    def show(self, keep_row: bool = False) -> None:
        """Fill the modal for self.index (or say it is being computed); called again when the what-if lands, and
        (`keep_row`, the highlighted choice staying highlighted) when the terminal is resized."""
        turn = self.debrief.whatif.turn(self.index) if self.ready else None
        game_turn = self.debrief.session.game.turns[self.index - 1]
        rank = f" (rank {turn.rank_of(turn.chosen)} of {len(turn.alternatives)})" if turn is not None else ""
        self.query_one("#whatif-title", Label).update(
            f"What if, turn {self.index} (week {fmt.weeks(game_turn.week)}): you chose {readable(game_turn.choice)}{rank}")
        self.query_one("#whatif-loading").display = not self.ready
        table = self.query_one("#whatif-table", DataTable)
        table.display = self.ready
        if turn is None:
            text = "Computing what each other choice would have reached, the expert finishing every one…"
            self.query_one("#whatif-summary", Static).update(text)
            self.query_one("#whatif-detail", Static).update("")
            return
        summary = Styled().append("Each row: that choice here, then the expert to the end; ")
        summary.append(f"{MARK_BEST} best, {MARK_YOURS} yours. ", BOLD)
        summary.append("Your own path: " + self._reached(self.debrief.whatif.yours) + ".", MUTED)
        self.query_one("#whatif-summary", Static).update(summary.content())
        kept_row = table.cursor_row if keep_row else None
        table.clear(columns=True)
        screen_w, screen_h = self.app.size
        dialog = min(DIALOG_WIDTH, int(screen_w * DIALOG_SHARE))
        width = min(48, max(14, dialog - DIALOG_FRAME - FIXED_COLUMNS - 6 * CELL_PADDING))
        table.add_column("", width=2, key="mark")
        table.add_column("choice", width=width, key="choice")
        table.add_column("verdict", width=12, key="verdict")
        table.add_column("world", width=6, key="real")
        table.add_column("weeks", width=5, key="weeks")
        table.add_column("points", width=6, key="points")
        for k, alt in enumerate(turn.alternatives):
            mark = (MARK_BEST if k == 0 else " ") + (MARK_YOURS if alt.chosen else "")
            text = readable(alt.choice)
            table.add_row(mark, text, verdict_cell(self, alt.verdict), reached_cell(alt.reached),
                          fmt.weeks(alt.reached.weeks_used), fmt.count(alt.reached.total),
                          height=len(textwrap.wrap(text, width)) or 1, key=str(k))
        # As tall as its rows, up to what the dialog leaves (then it scrolls).
        lines = sum(row.height for row in table.ordered_rows) + 1
        table.styles.height = max(4, min(lines, int(screen_h * 0.9) - DIALOG_LINES))
        row = kept_row if kept_row is not None and 0 <= kept_row < len(turn.alternatives) else \
            next(k for k, a in enumerate(turn.alternatives) if a.chosen)
        table.move_cursor(row=row)
        self._detail(turn, table.cursor_row)

    @staticmethod
    def _reached(reached) -> str:
        if not reached.shipped:
            where = "no ship (past the budget)"
        else:
            where = f"{fmt.percent(reached.real_world_error)} real-world error"
            where += "" if reached.constraints_met else " with a threshold broken"
        return f"{where}, {fmt.weeks_phrase(reached.weeks_used)}, {fmt.count(reached.total)} points"

    def _detail(self, turn, row: int) -> None:
        if not 0 <= row < len(turn.alternatives):
            return
        alt = turn.alternatives[row]
        glyph, style = GLYPHS.get(alt.verdict, ("?", BOLD))
        text = Styled().append(readable(alt.choice), HEADING).append(f"  {glyph} {alt.verdict}", style)
        text.append(f"  [{alt.rule}]", RULE).append(f"  rank {turn.rank_of(alt)} of {len(turn.alternatives)}", MUTED)
        text.append(f"\n{alt.explanation}")
        self.query_one("#whatif-detail", Static).update(text.content())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.ready and self.debrief.whatif.turn(self.index) is not None:
            self._detail(self.debrief.whatif.turn(self.index), event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # Enter on a row: its text is already shown below the table

    def action_turn(self, step: int) -> None:
        turns = len(self.debrief.session.game.turns)
        self.index = min(max(1, self.index + step), turns)
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)

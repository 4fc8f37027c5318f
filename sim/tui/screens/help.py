"""Help: the strategy rules glossary (ids and one-liners) and the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from sim.glossary import LADDER, SCORING, rules_markdown

KEYS = """\
| key | what it does |
|---|---|
| ↑ ↓, Enter | move in a list, choose |
| click, click again | select an action (its description shows), then play it |
| a / b / c | answer a decision by its letter |
| Ctrl+P | command palette: every action, by name |
| e | the last error-analysis table (project) |
| n | the coach's log back to the newest verdict; it follows new ones again (project) |
| Shift+Tab, then ↑ ↓ | into the coach's log, to scroll it: the coach's advice is its last entry (project) |
| b | the briefing again (project) |
| Escape | back home; the game is saved and waits under Continue (briefing, project) |
| d, d | drop the highlighted saved game (home; asks once) |
| Enter | save your result under the name you typed (debrief) |
| Ctrl+N, Escape | a new seed of the same case, or home (debrief) |
| ? or F1 | this help |
| Ctrl+T | light / dark theme |
| q, Ctrl+Q | quit; the game is saved after every choice, `mlsim` continues it |
"""


def glossary_markdown() -> str:
    return "\n".join(["# Keys", "", KEYS, "# Rules the coach applies", "", rules_markdown(table=False),
                      "# The error ladder", "", LADDER, "", SCORING.replace("## ", "# ")])


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,f1", "close", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll", classes="dialog wide"):
            yield Markdown(glossary_markdown())
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

"""The briefing: the story, the data sources, the constraints and the budget, before the first choice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown


def briefing_markdown(case) -> str:
    lines = [case.briefing.strip(), "", "## Data sources", ""]
    lines += [f"- **{name}**: {text}" for name, text in case.sources.items()]
    lines += ["", "## Constraints (satisficing thresholds)", ""]
    lines += [f"- {c.label} ≤ **{c.max:g}**" for c in case.constraints] or ["- none"]
    lines += ["", f"**Budget: {case.budget_weeks:g} weeks.** Every action costs weeks; shipping ends the project."]
    return "\n".join(lines)


class BriefingScreen(Screen):
    BINDINGS = [
        Binding("enter,space", "start", "Start", id="start"),
        Binding("escape", "back", "Back", id="back", show=False),
    ]

    def __init__(self, session, again: bool = False) -> None:
        super().__init__()
        self.session = session
        self.again = again

    def compose(self) -> ComposeResult:
        case = self.session.game.case
        yield Header()
        with VerticalScroll(id="briefing-scroll"):
            yield Markdown(briefing_markdown(case), id="briefing")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.game.case.title
        self.sub_title = f"Briefing · seed {self.session.game.seed} · Enter to {'return' if self.again else 'start'}"
        self.query_one("#briefing-scroll").focus()

    def action_start(self) -> None:
        if self.again:
            self.dismiss()
        else:
            self.app.show_project(self.session)

    def action_back(self) -> None:
        if self.again:
            self.dismiss()

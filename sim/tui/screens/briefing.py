"""The briefing: the story, the data sources, the constraints and the budget, before the first choice.

Drawn as one rich Markdown renderable in a Static: the first screen of `mlsim play`, so it must paint fast
(Textual's Markdown widget builds a widget per block and took ~80 ms longer to the first frame).
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from sim import fmt
from sim.tui.widgets.header import AppHeader


def briefing_markdown(case) -> str:
    from sim.game.texts import fill, fixed_values  # the briefing quotes only the case's fixed facts

    lines = [fill(case.briefing.strip(), fixed_values(case)), "", "## Data sources", ""]
    lines += [f"- **{name}**: {text}" for name, text in case.sources.items()]
    lines += ["", "## Constraints (satisficing thresholds)", ""]
    lines += [f"- {c.label} {'≤' if c.is_max else '≥'} **{fmt.number(c.limit)}**" for c in case.constraints] or ["- none"]
    lines += ["", f"**Budget: {fmt.weeks(case.budget_weeks)} weeks.** Every action costs weeks; shipping ends the project."]
    return "\n".join(lines)


class BriefingScreen(Screen):
    """Needs only the case: the game (the engine's import and its save file) is built when the player presses
    Enter, so nothing but the case stands between `mlsim play` and this first frame."""

    BINDINGS = [
        Binding("enter,space", "start", "Start", id="start"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, case, seed: int, again: bool = False) -> None:
        super().__init__()
        self.case, self.seed = case, seed
        self.again = again

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label("Enter to return to the project" if self.again else "Read the briefing, then Enter to start",
                    id="briefing-hint", classes="section")
        with VerticalScroll(id="briefing-scroll"):
            yield Static(Markdown(briefing_markdown(self.case)), id="briefing")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.case.title
        self.sub_title = f"Briefing · seed {self.seed}"
        self.query_one("#briefing-scroll").focus()

    def action_start(self) -> None:
        if self.again:
            self.dismiss()
        else:
            self.app.begin_project()

    def action_back(self) -> None:
        """Back to the project when reread mid-game; back home when this case was a wrong pick."""
        if self.again:
            self.dismiss()
        else:
            self.app.go_home()

"""Small modal screens: a decision with the coach's verdict, an event, action parameters, training progress."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from sim import fmt
from sim.game import ChoiceError
from sim.game.choices import readable
from sim.rules import RULES
from sim.scenario.schema import Decision, Event
from sim.tui.widgets.feed import GLYPHS
from sim.tui.widgets.styled import BOLD, RULE, Styled

SAME_WEEK = 0.05  # an event learned of less than this after it happened is told as one week


def reflow(text: str) -> str:
    """Case texts are wrapped by hand in YAML; re-wrap them to the dialog's width, keeping paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


class DecisionModal(ModalScreen[None]):
    """The options (arrows/Enter, a click, or the option's letter); then the verdict until Enter."""

    BINDINGS = [Binding("enter,escape", "close", "Continue", id="decision-continue", show=False)]

    def __init__(self, session, decision: Decision) -> None:
        super().__init__(classes="modal")
        self.session = session
        self.decision = decision
        self.answered = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Decision: {self.decision.id}", classes="dialog-title")
            text = self.session.game.text  # the case's `{fields}` read the numbers on screen
            yield Static(reflow(text(self.decision.prompt)), classes="prompt")
            options = OptionList(*[Option(f"{o.id})  {text(o.text)}", id=o.id) for o in self.decision.options],
                                 id="decision-options")
            yield options
            yield Static(id="verdict", classes="verdict")
            yield Label("↑↓ and Enter, or press the option's letter", id="decision-hint", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#verdict").display = False
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        if not self.answered and any(o.id == event.key for o in self.decision.options):
            event.stop()
            self.answer(event.key)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.answered and event.option.id:
            self.answer(event.option.id)

    def answer(self, option_id: str) -> None:
        try:
            turn = self.session.choose(f"answer {option_id}")
        except ChoiceError as err:
            self.notify(str(err), severity="error")
            return
        self.answered = True
        glyph, style = GLYPHS[turn.verdict]
        text = Styled().append(f"{glyph} {turn.verdict}", style).append(f"  you chose {option_id}\n", BOLD)
        text.append(f"[{turn.rule}] ", RULE).append(RULES[turn.rule].text + "\n\n", "italic")
        text.append(turn.explanation)
        verdict = self.query_one("#verdict", Static)
        verdict.update(text.content())
        verdict.display = True
        self.query_one(OptionList).display = False
        self.query_one("#decision-hint", Label).update("Enter to continue")
        self.set_focus(None)

    def action_close(self) -> None:
        if self.answered:
            self.dismiss(None)


class EventModal(ModalScreen[None]):
    """Something happened to the project: when it happened, and when the team learned of it (an event that
    happens during a long action is news only when the action ends)."""

    BINDINGS = [Binding("enter,escape,space", "close", "Continue", id="event-continue")]

    def __init__(self, event: Event, learned: float | None = None, happened: float | None = None,
                 text=None) -> None:
        super().__init__(classes="modal")
        self.event = event
        self.fill = text or (lambda template: template)  # the game's Game.text: `{fields}` filled in
        # A surprise event's week is the seed's (the game says which); a fixed one's is the case's.
        self.happened = float(event.week) if happened is None else happened
        self.learned = self.happened if learned is None else learned

    def when(self) -> str:
        """"" when the team learns of it as it happens (the title's week says it all)."""
        happened, learned = fmt.weeks(self.happened), fmt.weeks(self.learned)
        if self.learned - self.happened < SAME_WEEK or happened == learned:
            return ""
        return f"It happened at week {happened}, during the last action; the team learns of it now, at week {learned}."

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Week {fmt.weeks(self.happened)}: {self.fill(self.event.title)}", classes="dialog-title")
            if self.when():
                yield Static(self.when(), id="event-when", classes="hint")
            yield Static(reflow(self.fill(self.event.text)), classes="prompt")
            yield Label("Enter to continue", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ParamsModal(ModalScreen[str | None]):
    """Which error category an action targets, or which synthetic variety: returns the full choice text."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="params-cancel")]

    def __init__(self, action: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self.action = action
        self.choices = choices  # (choice text, label)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.action}: what does it target?", classes="dialog-title")
            yield OptionList(*[Option(label, id=text) for text, label in self.choices], id="params-options")
            yield Label("↑↓ and Enter; Escape to cancel", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TrainingModal(ModalScreen[None]):
    """Weeks pass while the team works: a short progress bar; any key or click skips it."""

    STEPS = 20

    def __init__(self, choice: str, weeks: float) -> None:
        super().__init__(classes="modal")
        self.choice, self.weeks = choice, weeks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog training"):
            yield Label(f"{readable(self.choice)}: {fmt.weeks(self.weeks)} weeks pass…", classes="dialog-title")
            yield ProgressBar(total=self.STEPS, show_eta=False, id="training-progress")
            yield Label("any key skips", classes="hint")

    def on_mount(self) -> None:
        self.timer = self.set_interval(0.035, self._tick)

    def _tick(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.advance(1)
        if bar.progress >= self.STEPS:
            self._finish()

    def _finish(self) -> None:
        self.timer.stop()
        if self.is_current:
            self.dismiss(None)

    def on_key(self, event) -> None:
        event.stop()
        self._finish()

    def on_click(self) -> None:
        self._finish()


class CaseErrorsModal(ModalScreen[None]):
    """--watch: the case file has problems; shown until the file is fixed (then the app dismisses it)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(classes="modal")
        self.problems = problems

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog errors"):
            yield Label("The case file has problems; fix and save it, this reloads by itself", classes="dialog-title")
            with VerticalScroll():
                yield Static("\n".join(self.problems), id="problems", markup=False)
            yield Label("q quits", classes="hint")

    def update_problems(self, problems: list[str]) -> None:
        self.problems = problems
        self.query_one("#problems", Static).update("\n".join(problems))


class MisfitModal(ModalScreen[bool]):
    """--watch: the edited case no longer plays one of the saved choices; dismissed with True to restart."""

    BINDINGS = [Binding("r", "restart", "Restart at the briefing", id="misfit-restart"),
                Binding("enter,escape", "keep", "Keep playing", id="misfit-keep")]

    def __init__(self, misfit, kept: int) -> None:
        super().__init__(classes="modal")
        self.misfit, self.kept = misfit, kept

    def compose(self) -> ComposeResult:
        m = self.misfit
        kept = (f"The {fmt.count(self.kept)} choice{'s' * (self.kept != 1)} before it "
                f"{'were' if self.kept != 1 else 'was'} re-played on the edited case." if self.kept
                else "No choice before it was left to re-play.")
        with Vertical(classes="dialog errors"):
            yield Label("A saved choice no longer fits the edited case", classes="dialog-title")
            yield Static(f"Choice {m.number}, '{m.choice}': {m.reason}\n\n{kept}", id="misfit", markup=False)
            yield Label("r restarts at the briefing · Enter keeps playing from here", classes="hint")

    def action_restart(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)


class ErrorAnalysisModal(ModalScreen[None]):
    """The last error analysis: one column per category; the share of sampled dev errors and its ceiling."""

    BINDINGS = [Binding("enter,escape", "close", "Close", id="ea-close", priority=True)]

    def __init__(self, analysis: dict) -> None:
        super().__init__(classes="modal")
        self.analysis = analysis

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        with Vertical(classes="dialog wide"):
            yield Label(f"Error analysis of ~100 sampled dev errors (dev error {fmt.percent(self.analysis['dev'])})",
                        classes="dialog-title")
            yield DataTable(id="ea-table", cursor_type="none", zebra_stripes=True)
            yield Static(id="ea-legend", classes="hint")
            yield Markdown("A category's **share** of the dev errors caps what fixing it can gain: the **ceiling**, "
                           "in points of dev error [error-analysis-ceiling].", classes="note")
            yield Label("Enter to close", classes="hint")

    def on_mount(self) -> None:
        from textual.widgets import DataTable

        table = self.query_one(DataTable)
        cats = self.analysis["categories"]
        table.add_column("", key="row")
        for c in cats:  # ids as headers so every column fits at 80 columns; the labels in the legend below
            table.add_column(c["id"], key=c["id"])
        table.add_row("share of errors", *[fmt.share(c["share"]) for c in cats])
        table.add_row("ceiling (points)", *[fmt.error(c["ceiling"]) for c in cats])
        self.query_one("#ea-legend", Static).update("\n".join(f"{c['id']}: {c['label']}" for c in cats))

    def action_close(self) -> None:
        self.dismiss(None)

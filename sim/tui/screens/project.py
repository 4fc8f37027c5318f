"""The project screen: the error ladder, the actions, budget and meters, the trend plot and the coach feed."""

from __future__ import annotations

from itertools import product

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label

from sim import fmt
from sim.scenario.proxy import proxy_words
from sim.game import ChoiceError
from sim.game.choices import VARIETY_WORDS
from sim.tui.screens.modals import (DecisionModal, ErrorAnalysisModal, EventModal, MisfitModal, ParamsModal,
                                    TrainingModal)
from sim.tui.widgets.actions import ActionDetail, ActionMenu
from sim.tui.widgets.feed import CoachFeed
from sim.tui.widgets.header import AppHeader
from sim.tui.widgets.ladder import LadderWidget
from sim.tui.widgets.meters import Meters
from sim.tui.widgets.plot import TrendPlot


class ProjectScreen(Screen):
    BINDINGS = [
        Binding("e", "show_analysis", "Errors", id="error-table", tooltip="The last error-analysis table"),
        Binding("n", "newest", "Newest", id="newest", tooltip="Scroll the coach's log back to the newest verdict"),
        Binding("b", "briefing", "Briefing", id="briefing", tooltip="Read the case's briefing again"),
        # The game is saved after every choice, so leaving loses nothing.
        Binding("escape", "home", "Home", id="project-home", tooltip="Back home; the game waits under Continue"),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.events: list = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield LadderWidget(id="ladder", animate=self.app.animate, proxy=proxy_words(self.game.case).rung)
                yield Meters(id="meters")
                yield TrendPlot(id="plot")
            with Vertical(id="right"):
                yield Label("Actions · ↑↓ Enter · Ctrl+P search", id="actions-title", classes="section")
                yield ActionMenu(id="actions")
                yield ActionDetail(id="action-detail")
                yield CoachFeed(id="feed-box")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.game.case.title
        # A watcher runs as the highlight moves, so the description is drawn in the same frame as the
        # highlight; the OptionHighlighted message would come a frame later (an arrow key cost two frames).
        self.watch(self.query_one(ActionMenu), "highlighted", lambda _: self._describe(), init=False)
        self.refresh_view()
        self.call_after_refresh(self.advance)

    @property
    def game(self):
        return self.session.game

    def refresh_view(self) -> None:
        game = self.game
        self.sub_title = f"seed {game.seed} · week {fmt.weeks(game.week)} of {fmt.weeks(game.case.budget_weeks)}"
        diagnosis = game.diagnosis()
        ladder = dict(game.ladder())
        ladder["real_world"] = game.real_world_error()
        gaps = dict(diagnosis.gaps)
        gaps["deployment_gap"] = game.deployment_gap()
        self.query_one(LadderWidget).show(ladder, gaps, diagnosis.problems)
        self.query_one(Meters).show(game.week, game.case.budget_weeks, game.meters())
        runs = [t.ladder for t in game.turns if not t.choice.startswith("answer")] + [game.ladder()]
        self.query_one(TrendPlot).show([r["train"] for r in runs], [r["dev"] for r in runs])
        self.query_one(ActionMenu).show(game.actions(), game.case.budget_weeks - game.week)
        self.query_one(CoachFeed).show(game.turns, diagnosis.advice)
        self._describe()

    def _describe(self) -> None:
        menu = self.query_one(ActionMenu)
        option = menu.highlighted_option
        self.query_one(ActionDetail).describe(menu.actions.get(option.id) if option else None, menu.weeks_left,
                                              armed=menu.armed is not None)

    def on_action_menu_armed(self, event: ActionMenu.Armed) -> None:
        self._describe()

    def advance(self) -> None:
        """Show what waits before the next action: the end, then new events, then a pending decision."""
        if self.game.finished:
            self.app.show_debrief(self.session)
            return
        misfit = self.session.misfit  # --watch: an edit unplayed a saved choice; said before anything else
        if misfit is not None:
            self.session.misfit = None
            self.app.push_screen(MisfitModal(misfit, len(self.game.choices)), self._after_misfit)
            return
        self.events += [(event, self.game.week) for event in self.session.unseen_events()]
        if self.events:
            event, learned = self.events.pop(0)
            self.app.push_screen(EventModal(event, learned, self.game.event_week(event), self.game.text),
                                 lambda _: self.advance())
            return
        decision = self.game.pending_decision
        if decision is not None:
            self.app.push_screen(DecisionModal(self.session, decision), lambda _: self._after_choice())
            return
        self.query_one(ActionMenu).focus()

    def _after_misfit(self, restart: bool | None) -> None:
        if restart:
            self.app.start_game(self.session.case_path, self.game.seed)
        else:
            self.advance()

    def _after_choice(self) -> None:
        self.refresh_view()
        self.advance()

    def on_option_list_option_selected(self, event: ActionMenu.OptionSelected) -> None:
        if event.option_list.id == "actions" and event.option.id:
            event.stop()
            self.play(event.option.id)

    def play(self, action: str) -> None:
        """Ask for the target if the action takes one, then play, save, let weeks pass, and advance."""
        case = self.game.case
        categories = [("", "no particular category")] + [
            (f" category={c.id}", f"category: {c.label}") for c in case.categories if action in c.fixed_by]
        varieties = [(f" variety={w}", f"variety: {w}") for w in VARIETY_WORDS] if action == "synthesize_data" else [("", "")]
        if len(categories) == 1 and len(varieties) == 1:
            self._play(action)
            return
        choices = [(action + c + v, ", ".join(x for x in (cl, vl) if x)) for (c, cl), (v, vl) in product(categories, varieties)]
        self.app.push_screen(ParamsModal(action, choices), lambda text: text and self._play(text))

    def _play(self, text: str) -> None:
        if self.game.pending_decision is not None or self.game.finished:
            self.notify("Answer the decision first.", severity="warning")
            return
        try:
            turn = self.session.choose(text)
        except ChoiceError as err:
            self.notify(str(err), severity="error", timeout=6)
            return
        weeks = self.game.week - turn.week
        after = self._after_analysis if text.startswith("error_analysis") else self._after_choice
        if self.app.animate and weeks > 0 and not self.game.finished:
            self.app.push_screen(TrainingModal(turn.choice, weeks), lambda _: after())
        else:
            after()

    def _after_analysis(self) -> None:
        self.refresh_view()
        analysis = self.game.error_analysis()
        if analysis is None:
            self.advance()
        else:
            self.app.push_screen(ErrorAnalysisModal(analysis), lambda _: self.advance())

    def action_show_analysis(self) -> None:
        analysis = self.game.error_analysis()
        if analysis is None:
            self.notify("No error analysis yet: choose error_analysis (Measure).")
        else:
            self.app.push_screen(ErrorAnalysisModal(analysis))

    def action_newest(self) -> None:
        self.query_one(CoachFeed).jump_to_newest()

    def action_home(self) -> None:
        self.app.go_home()

    def action_briefing(self) -> None:
        from sim.tui.screens.briefing import BriefingScreen

        self.app.push_screen(BriefingScreen(self.game.case, self.game.seed, again=True))

"""The home screen: continue an unfinished game, or pick a case (pitch, rules it teaches, your best score);
under the list, your record: your weakest rules and the case that teaches each best.

It paints at once and fills the list from a worker: reading the case files, the saves and the leaderboard
pulls in the case schema, numpy and sqlite, which would otherwise delay the first frame of `mlsim`.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from sim.tui.widgets.header import AppHeader
from sim.tui.widgets.styled import BAD, BOLD, HEADING, MUTED, RULE, Styled

TEACHES_WIDTH = 74
RECORD_RULES = 3  # weakest rules the panel names


def _heading(text: str) -> Option:
    return Option(Styled().append(text, HEADING).content(), disabled=True)


def teaches_line(rules: list[str], width: int = TEACHES_WIDTH) -> str:
    """One line, so every case fits on an 80x24 home screen: as many rule ids as fit, then how many more."""
    head = f"teaches {len(rules)} rules: "
    shown: list[str] = []
    for i, rule in enumerate(rules):
        rest = len(rules) - i - 1
        tail = f" … +{rest} more" if rest else ""
        if len(head + ", ".join(shown + [rule]) + tail) > width and shown:
            return head + ", ".join(shown) + f" … +{len(rules) - len(shown)} more"
        shown.append(rule)
    return head + ", ".join(shown)


def _case_option(ref) -> Option:
    from sim.scenario import CaseError, load_case_file
    from sim.tui.board import best_total

    try:
        case, _ = load_case_file(ref.path)
    except CaseError as err:
        first = err.problems[0] if err.problems else None
        label = Styled().append(ref.id, BOLD).append(f"  cannot load: {first.message if first else 'invalid'}", BAD)
        return Option(label.content(), id=f"broken:{ref.id}", disabled=True)
    best = best_total(case.id)
    # Weights only, no colours: a selectable line is drawn on the highlight too, where only the theme's own
    # highlight text colour reads well.
    label = Styled().append(case.title, BOLD).append(f"  ({case.id}{'' if ref.builtin else ', yours'})")
    label.append(f"  best: {best if best is not None else '—'}")
    label.append(f"\n  {case.pitch}")
    label.append(f"\n  {teaches_line(case.teaches)}", "italic")
    return Option(label.content(), id=f"case:{ref.path}")


def home_options() -> tuple[list, list[Option]]:
    """The unfinished games and the menu's options (headings, saved games, cases); runs off the UI thread."""
    from sim.scenario import home, list_cases

    saved = []
    folder = home() / "saves"  # sim.game.saves.saves_folder(), without importing the engine when there is none
    if folder.is_dir() and any(folder.glob("*.jsonl")):
        from sim.game.saves import unfinished

        saved = unfinished()
    options: list[Option] = []
    if saved:
        options.append(_heading("Continue"))
        for i, game in enumerate(saved):
            h = game.header
            n = len(game.choices)
            label = Styled().append(f"{h['case']}", BOLD).append(f"  seed {h['seed']} · {n} choice{'' if n == 1 else 's'} so far")
            if not game.resumable:  # another version of the law would replay its choices elsewhere
                label.append("  (saved by an older simulator: cannot be resumed; d drops it)")
            options.append(Option(label.content(), id=f"continue:{i}"))
        options.append(_heading("New game"))
    options += [_case_option(ref) for ref in list_cases()]
    return saved, options


def record_panel(record) -> Styled:
    """The home screen's few lines on the learner's record (sim.game.record.LearnerRecord)."""
    from sim import fmt

    text = Styled().append("Your record", HEADING)
    if not record.games:
        return text.append("  Finish a game and your weakest rules show here.", MUTED)
    text.append(f"  {fmt.count(record.games)} finished {'game' if record.games == 1 else 'games'}")
    weakest = record.weakest[:RECORD_RULES]
    if not weakest:
        return text.append(": no rule broken yet.", MUTED)
    text.append(" · weakest: ")
    for k, rule in enumerate(weakest):
        text.append(", " if k else "").append(rule.rule, RULE)
        text.append(f" ✗{fmt.count(rule.misaligned)}" + (f" (try {rule.teach})" if rule.teach else ""))
    return text.append("  · mlsim progress for every rule", MUTED)


class HomeScreen(Screen):
    BINDINGS = [
        Binding("l", "leaderboard", "Leaderboard", id="leaderboard"),
        Binding("d", "discard", "Drop saved game", id="discard", show=False),
    ]
    _drop_armed: str | None = None  # the saved game a first d asked about
    _highlight_at_reload: str | None = None  # the option highlighted when the list's re-read began

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label("Pick a case to lead, or continue a saved game.  ↑↓ Enter · ? help · q quit",
                    id="home-hint", classes="section")
        yield OptionList(Option("Reading the cases…", disabled=True), id="cases")
        yield Static(Styled().append("Your record", HEADING).append("  reading your games…", MUTED).content(),
                     id="record")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "mlsim"
        self.sub_title = "lead an ML project"
        self.saved: list = []
        self.loaded = False  # the list is filled (tests wait on this, not on time)
        self.record_loaded = False
        self.query_one("#cases").focus()
        self.app.after_first_frame(self.reload)
        self.app.after_first_frame(self.read_record)

    def on_screen_resume(self) -> None:
        self.reload()
        self.read_record()

    @work(thread=True, exclusive=True, group="record", exit_on_error=False)  # a failure leaves the panel be
    def read_record(self):
        from sim.board.history import learner_record

        return learner_record()

    def reload(self) -> None:
        self._highlight_at_reload = self._highlighted()
        self._read_cases()

    def _highlighted(self) -> str | None:
        option = self.query_one("#cases", OptionList).highlighted_option
        return option.id if option is not None else None

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)  # an error is shown, below
    def _read_cases(self) -> tuple[list, list[Option]]:
        return home_options()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "record":
            self._record_read(event)
            return
        if event.worker.group != "home":
            return
        if event.state == WorkerState.SUCCESS:
            self.saved, options = event.worker.result
            menu = self.query_one("#cases", OptionList)
            # The old list stays usable while a re-read (back from a game) runs: where the learner moved the
            # highlight meanwhile, keep it (the keys were theirs); otherwise start at the top (a saved game's
            # "continue" comes first).
            current = self._highlighted()
            moved = self.loaded and current != self._highlight_at_reload
            menu.clear_options()
            menu.add_options(options)
            ids = [o.id for o in options]
            if moved and current in ids and not options[ids.index(current)].disabled:
                menu.highlighted = ids.index(current)
            else:
                menu.action_first()
            self.loaded = True
        elif event.state == WorkerState.ERROR:  # an unusable data folder (its sentence), or a bug
            self.notify(f"The cases could not be read: {event.worker.error}", severity="error", timeout=10)
            self.loaded = True

    def _record_read(self, event: Worker.StateChanged) -> None:
        panel = self.query_one("#record", Static)
        if event.state == WorkerState.SUCCESS:
            panel.update(record_panel(event.worker.result).content())
            self.record_loaded = True
        elif event.state == WorkerState.ERROR:
            panel.update(Styled().append("Your record", HEADING).append(
                f"  cannot be read ({event.worker.error})", MUTED).content())
            self.record_loaded = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _, value = (event.option.id or "").partition(":")
        if kind == "continue":
            self.app.continue_game(self.saved[int(value)])
        elif kind == "case":
            self.app.start_game(value, self.app.seed)

    def action_discard(self) -> None:
        from sim.game.saves import discard

        option = self.query_one("#cases", OptionList).highlighted_option
        if option is None or not (option.id or "").startswith("continue:"):
            return
        if self._drop_armed != option.id:  # a saved game is dropped only on a second d, on the same line
            self._drop_armed = option.id
            self.notify("Press d again to drop this saved game for good.", timeout=4)
            return
        self._drop_armed = None
        discard(self.saved[int(option.id.split(":")[1])])
        self.reload()

    def action_leaderboard(self) -> None:
        from sim.tui.screens.leaderboard import LeaderboardModal

        self.app.push_screen(LeaderboardModal())

"""The debrief: the real-world reveal, the final ladder, the score, your path beside the expert's, save, again."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from sim import fmt
from sim.scenario.proxy import proxy_words
from sim.game import Game, play_policy
from sim.game.choices import readable
from sim.tui import board
from sim.tui.widgets.feed import GLYPHS
from sim.tui.widgets.header import AppHeader
from sim.tui.widgets.ladder import LadderWidget
from sim.tui.widgets.styled import BAD, BOLD, HEADING, MUTED, Styled


class DebriefScreen(Screen):
    """Opens with the name field focused, just under the reveal: typing a name is the natural next step, so no
    plain letter may do anything else here (a name starting with `n` used to start a new game). Leaving takes
    Ctrl+N or Escape."""

    BINDINGS = [
        Binding("ctrl+n", "again", "New seed", id="again"),
        Binding("escape", "home", "Home", id="home"),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.result = session.result()
        self.expert: Game | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="debrief"):
            yield Static(self._reveal(), id="reveal")
            with Horizontal(id="save-row"):
                yield Input(value=self.session.name or "", placeholder="your name", id="name",
                            max_length=40)
                yield Button("Save to leaderboard", id="save-button", variant="primary")
            yield Label("Type your name and press Enter to save it on the leaderboard.", id="save-status")
            with Horizontal(id="debrief-top"):
                yield LadderWidget(id="final-ladder", animate=False, proxy=proxy_words(self.session.game.case).rung)
                yield Static(self._score(), id="score")
            yield Label("Your path beside the expert's (same seed)", id="paths-title", classes="section")
            yield DataTable(id="paths", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def _reveal(self):
        final = self.result["final"]
        text = Styled()
        if final["shipped"]:
            text.append("Shipped. ", BOLD).append("Real-world error after launch: ")
            text.append(fmt.percent(final["real_world_error"]), HEADING)
        else:
            text.append("The project ran past its budget and never shipped.", BAD)
        text.append(f"\nWeeks used: {fmt.weeks(final['weeks_used'])} of {fmt.weeks(self.session.game.case.budget_weeks)}.  "
                    f"Constraints met: {'yes' if final['constraints_met'] else 'no'}.")
        return text.content()

    def _score(self):
        score = self.result["score"]
        turns = self.session.game.turns
        text = Styled().append("Score\n", BOLD)
        text.append(f"strategy  {score['strategy']:>5}\n").append(f"outcome   {score['outcome']:>5}\n")
        text.append(f"total     {score['total']:>5}\n", HEADING)
        for verdict, (glyph, style) in GLYPHS.items():
            text.append(f"\n{glyph} {verdict:<11}", style).append(str(sum(t.verdict == verdict for t in turns)))
        text.append("\n\nstrategy: points per verdict\noutcome: real-world gain,\n  100 = the expert's on this seed,\n"
                    "  0 if a threshold is broken", MUTED)
        return text.content()

    def on_mount(self) -> None:
        game = self.session.game
        self.title = f"Debrief: {game.case.title}"
        self.sub_title = f"seed {game.seed}"
        ladder = dict(game.ladder())
        ladder["real_world"] = game.real_world_error()
        gaps = dict(game.diagnosis().gaps)
        gaps["deployment_gap"] = game.deployment_gap()
        self.query_one(LadderWidget).show(ladder, gaps, game.diagnosis().problems)
        table = self.query_one("#paths", DataTable)
        table.add_columns("#", "week", "your choice", "verdict", "expert's choice", "verdict")
        self.fill_paths()
        self.app.theme_changed_signal.subscribe(self, lambda _: self.fill_paths())  # the verdicts' colours
        self.play_expert()
        if self.session.workshop and self.session.name:
            self.query_one("#save-status", Label).update("Sending your result to the workshop…")
            self.deliver()
        # The reveal stays in view; the field under it takes the keys (↑↓ still scroll the page).
        self.query_one("#name", Input).focus(scroll_visible=False)

    @work(thread=True, exclusive=True)
    def play_expert(self) -> None:
        game = self.session.game
        expert = play_policy(Game(game.case, game.case_hash, game.seed), "expert")
        self.app.call_from_thread(self._expert_done, expert)

    def _expert_done(self, expert: Game) -> None:
        self.expert = expert
        self.fill_paths()

    def fill_paths(self) -> None:
        table = self.query_one("#paths", DataTable)
        table.clear()
        mine = self.session.game.turns
        theirs = self.expert.turns if self.expert is not None else []
        for i in range(max(len(mine), len(theirs))):
            a = mine[i] if i < len(mine) else None
            b = theirs[i] if i < len(theirs) else None
            table.add_row(str(i + 1), fmt.weeks(a.week) if a else "", readable(a.choice) if a else "", self._verdict(a),
                          readable(b.choice) if b else ("…" if self.expert is None and i == 0 else ""),
                          self._verdict(b))
        # Sized to its rows: a DataTable with height auto keeps the height it had when it was empty.
        table.styles.height = table.row_count + 1
        if self.expert is not None:
            real = self.expert.real_world_error()
            shown = fmt.percent(real) if real is not None else "never shipped"
            self.query_one("#paths-title", Label).update(
                f"Your path beside the expert's (same seed; the expert's real world: {shown})")

    def _verdict(self, turn):
        """A table cell: rich Text, so the theme's colour is looked up here (filled again when the theme changes)."""
        if turn is None:
            return ""
        from rich.text import Text

        glyph, style = GLYPHS[turn.verdict]
        colours = self.app.get_css_variables()
        rich_style = " ".join(colours.get(word[1:], "") if word.startswith("$") else word for word in style.split())
        return Text(f"{glyph} {turn.verdict}", style=rich_style)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save-button":
            self.save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.save()

    def save(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        status = self.query_one("#save-status", Label)
        if not name:
            status.update("Type a name first.")
            self.query_one("#name", Input).focus()
            return
        status.update("Saving…")
        self.query_one("#debrief").focus()
        self.send(name)

    @work(thread=True, exclusive=True, group="save")
    def send(self, name: str) -> None:
        """The board re-plays the game: off the UI thread."""
        self.app.call_from_thread(self._saved, board.save(self.result, name))

    @work(thread=True, group="workshop")
    def deliver(self) -> None:
        """The finished game waits in the outbox (queued as it ended); send it now and say what happened."""
        message = board.deliver(self.session.workshop, self.session.name, self.result)
        self.app.call_from_thread(self._saved, message)

    def _saved(self, message: str) -> None:
        status = self.query_one("#save-status", Label)
        status.update(message)
        status.add_class("-saved")

    def action_again(self) -> None:
        self.app.start_game(self.session.case_path)

    def action_home(self) -> None:
        self.app.go_home()

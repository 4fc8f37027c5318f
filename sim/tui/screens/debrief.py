"""The debrief: the real-world reveal, the final ladder, the score, your path beside the expert's, save, again.

The two paths are lined up by situation (sim.game.paths) in a table whose cells wrap, so it fits 80 columns;
both verdicts of the highlighted row are spelled out under it. Enter on one of your turns opens its what-if
(sim.game.whatif), computed once for the whole game in a worker while the page is read.
"""

from __future__ import annotations

import textwrap

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static
from textual.worker import Worker, WorkerState

from sim import fmt
from sim.scenario.proxy import proxy_words
from sim.game import EXPERT_READS_EXACTLY, Game, play_policy
from sim.game.choices import readable
from sim.tui import board
from sim.tui.screens.whatif import CELL_PADDING, WhatIfModal, verdict_cell
from sim.tui.widgets.feed import GLYPHS
from sim.tui.widgets.header import AppHeader
from sim.tui.widgets.ladder import LadderWidget
from sim.tui.widgets.styled import BAD, BOLD, HEADING, MUTED, RULE, Styled

PATH_FIXED = 2 + 4 + 1 + 4 + 1  # the path table's #, week, verdict, week, verdict columns
PAGE_FRAME = 6  # the page's padding and scrollbar, and the table's own scrollbar


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
        self.rows: list[tuple[int | None, int | None]] = []  # the path table: (your turn, the expert's turn)
        self.whatif = None  # sim.game.whatif.WhatIf, once computed

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
            yield Static(self._paths_hint(), id="paths-hint", classes="hint")
            yield DataTable(id="paths", cursor_type="row", zebra_stripes=True)
            yield Static(id="path-detail")
            yield Label("What if: computing what each other choice would have reached…", id="whatif-status",
                        classes="hint")
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
        self.fill_paths()
        self.app.theme_changed_signal.subscribe(self, lambda _: self.fill_paths())  # the verdicts' colours
        self.play_expert()
        self.compute_whatif()
        if self.session.workshop and self.session.name:
            self.query_one("#save-status", Label).update("Sending your result to the workshop…")
            self.deliver()
        # The reveal stays in view; the field under it takes the keys (↑↓ still scroll the page).
        self.query_one("#name", Input).focus(scroll_visible=False)

    # ---- the expert's path, lined up with yours ------------------------------------------------
    @work(thread=True, exclusive=True)
    def play_expert(self) -> None:
        from sim.game.paths import decisions_along, line_up, situation_keys

        game = self.session.game
        expert = play_policy(Game(game.case, game.case_hash, game.seed), "expert")
        mine, theirs = decisions_along(game.case, [(game.seed, game.choices), (game.seed, expert.choices)])
        rows = line_up(situation_keys(game.choices, mine), situation_keys(expert.choices, theirs))
        self.app.call_from_thread(self._expert_done, expert, rows)

    def _expert_done(self, expert: Game, rows: list[tuple[int | None, int | None]]) -> None:
        self.expert, self.rows = expert, rows
        self.fill_paths()

    def _paths_hint(self) -> str:
        reached = "The expert is playing your seed…"
        if self.expert is not None:
            real = self.expert.real_world_error()
            shown = f"{fmt.percent(real)} real-world error" if real is not None else "no ship"
            reached = f"The expert reached {shown} in {fmt.weeks_phrase(self.expert.week)}. {EXPERT_READS_EXACTLY}"
        return (f"{reached} Rows line up by situation. Tab to the table, ↑↓ a row: both verdicts in full "
                "below it; Enter on one of your turns: what each other choice would have reached.")

    def _choice_width(self) -> int:
        """Each path's choice column: half of what the fixed columns leave (cells wrap, words stay whole)."""
        width = self.size.width or self.app.size.width
        return min(40, max(14, (width - PAGE_FRAME - PATH_FIXED - 7 * CELL_PADDING) // 2))

    def fill_paths(self) -> None:
        table = self.query_one("#paths", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        width = self._choice_width()
        for label, key, size in (("#", "turn", 2), ("week", "week", 4), ("your choice", "mine", width), ("", "v1", 1),
                                 ("week", "expert-week", 4), ("expert's choice", "theirs", width), ("", "v2", 1)):
            table.add_column(label, key=key, width=size)
        mine = self.session.game.turns
        theirs = self.expert.turns if self.expert is not None else []
        if self.expert is None:  # the expert is still playing: your path alone for now
            self.rows = [(i, None) for i in range(len(mine))]
        for k, (i, j) in enumerate(self.rows):
            a = mine[i] if i is not None else None
            b = theirs[j] if j is not None else None
            waiting = "…" if self.expert is None and k == 0 else ""
            left, right = readable(a.choice) if a else "", readable(b.choice) if b else waiting
            height = max(len(textwrap.wrap(text, width)) or 1 for text in (left, right))
            table.add_row(str(i + 1) if a else "", fmt.weeks(a.week) if a else "", left,
                          verdict_cell(self, a.verdict, word=False) if a else "",
                          fmt.weeks(b.week) if b else "", right,
                          verdict_cell(self, b.verdict, word=False) if b else "", height=height)
        # Sized to its rows: a DataTable with height auto keeps the height it had when it was empty.
        table.styles.height = sum(row.height for row in table.ordered_rows) + 1
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1), scroll=False)
        self._detail(table.cursor_row)
        self.query_one("#paths-hint", Static).update(self._paths_hint())

    def _detail(self, row: int) -> None:
        """Both verdicts of a row of the path table, in full."""
        if not 0 <= row < len(self.rows):
            return
        i, j = self.rows[row]
        text = Styled()
        for who, turns, k in (("You", self.session.game.turns, i),
                              ("Expert", self.expert.turns if self.expert else [], j)):
            if k is None or k >= len(turns):
                continue
            turn = turns[k]
            glyph, style = GLYPHS[turn.verdict]
            if text.parts:
                text.append("\n")
            text.append(f"{who}, week {fmt.weeks(turn.week)}: ", BOLD).append(readable(turn.choice), HEADING)
            text.append(f"  {glyph} {turn.verdict}", style).append(f"  [{turn.rule}]", RULE)
            text.append(f"\n  {turn.explanation}")
        self.query_one("#path-detail", Static).update(text.content())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "paths":
            self._detail(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "paths" or not 0 <= event.cursor_row < len(self.rows):
            return
        mine, _ = self.rows[event.cursor_row]
        if mine is None:
            self.notify("The expert alone made this choice; pick one of your turns for its what-if.", timeout=4)
            return
        self.app.push_screen(WhatIfModal(self, mine + 1))

    def on_resize(self) -> None:
        if self.is_mounted:
            self.fill_paths()

    # ---- what if -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False)  # a failure is a sentence, below
    def compute_whatif(self) -> None:
        """The whole game's what-if, one batched pass (seconds for a long game): the keys never wait for it."""
        from sim.game.whatif import what_if

        game = self.session.game
        result = what_if(game.case, game.case_hash, game.seed, game.choices)
        self.app.call_from_thread(self._whatif_done, result)

    def _whatif_done(self, result) -> None:
        self.whatif = result
        self.query_one("#whatif-status", Label).update(
            f"What if: ready, {fmt.count(sum(len(t.alternatives) for t in result.turns))} choices played out.")
        if isinstance(self.app.screen, WhatIfModal):
            self.app.screen.show()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "whatif" and event.state == WorkerState.ERROR:
            self.query_one("#whatif-status", Label).update(f"What if: could not be computed ({event.worker.error}).")

    # ---- saving ------------------------------------------------------------------------------------
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

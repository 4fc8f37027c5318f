"""The home screen: continue an unfinished game, or pick a case (pitch, rules it teaches, your best score)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList
from textual.widgets.option_list import Option

from sim.game.saves import unfinished
from sim.scenario import CaseError, list_cases, load_case_file
from sim.tui.board import best_total
from sim.tui.widgets.styled import Styled


class HomeScreen(Screen):
    BINDINGS = [
        Binding("l", "leaderboard", "Leaderboard", id="leaderboard"),
        Binding("d", "discard", "Drop saved game", id="discard", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Pick a case to lead, or continue a saved game.  ↑↓ Enter · ? help · q quit",
                    id="home-hint", classes="section")
        yield OptionList(id="cases")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "mlsim"
        self.sub_title = "lead an ML project"
        self.saved = []
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.saved = unfinished()
        menu = self.query_one("#cases", OptionList)
        menu.clear_options()
        options: list[Option | None] = []
        if self.saved:
            options.append(Option(Styled().append("Continue", "bold $accent").content(), disabled=True))
            for i, saved in enumerate(self.saved):
                h = saved.header
                label = Styled().append(f"{h['case']}", "bold").append(
                    f"  seed {h['seed']} · {len(saved.choices)} choices so far", "$text-muted")
                options.append(Option(label.content(), id=f"continue:{i}"))
            options.append(Option(Styled().append("New game", "bold $accent").content(), disabled=True))
        for ref in list_cases():
            options.append(self._case_option(ref))
        menu.add_options(options)
        menu.action_first()
        menu.focus()

    def _case_option(self, ref) -> Option:
        try:
            case, _ = load_case_file(ref.path)
        except CaseError as err:
            first = err.problems[0] if err.problems else None
            label = Styled().append(ref.id, "bold").append(f"  cannot load: {first.message if first else 'invalid'}",
                                                           "$error")
            return Option(label.content(), id=f"broken:{ref.id}", disabled=True)
        best = best_total(case.id)
        label = Styled().append(case.title, "bold").append(f"  ({case.id}{'' if ref.builtin else ', yours'})", "dim")
        label.append(f"  best: {best}" if best is not None else "  best: —", "$success" if best is not None else "dim")
        label.append(f"\n  {case.pitch}")
        label.append(f"\n  teaches: {', '.join(case.teaches)}", "dim italic")
        return Option(label.content(), id=f"case:{ref.path}")

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
        if option is not None and (option.id or "").startswith("continue:"):
            discard(self.saved[int(option.id.split(":")[1])])
            self.reload()

    def action_leaderboard(self) -> None:
        from sim.tui.screens.leaderboard import LeaderboardModal

        self.app.push_screen(LeaderboardModal())

"""The Textual app: builds the screens around a Session; `make_app` serves the CLI, `mlsim serve` and the tests."""

from __future__ import annotations

import secrets
from pathlib import Path

from textual import _time, events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.widgets import Input

from sim.tui import settings
from sim.tui.commands import ActionCommands
from sim.tui.themes import DARK, DEFAULT, LIGHT, THEMES, markdown_styles

WATCH_SECONDS = 0.5
ALWAYS_TAKEN = frozenset({"q", "ctrl+q", "ctrl+c"})  # quitting works whenever the key was pressed


class MlsimApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "mlsim"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        # Priority: modal screens (decisions, events) hide app bindings, and q must quit from anywhere.
        Binding("q", "quit_key", "Quit", id="quit", priority=True),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="theme"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, case_path: str | None = None, seed: int | None = None, name: str | None = None,
                 watch: bool = False, workshop: str | None = None, animate: bool = True) -> None:
        super().__init__()
        self.case_path, self.seed, self.player = case_path, seed, name
        self.watch_case, self.workshop, self.animate = watch, workshop, animate
        self.session = None  # sim.tui.session.Session, imported late: it pulls in sim.game
        self._briefed: tuple | None = None  # (case, digest, case_path, seed) shown on the briefing, game not built yet
        self._watched: bytes | None = None  # --watch: the case file as last read
        self._errors_modal = None
        self._first_frame_shown = False
        self._after_first_frame: list = []
        self._screen_shown_at = 0.0  # when the screen on top changed, on the clock of every event's `time`
        for theme in THEMES:
            self.register_theme(theme)
        saved = settings.saved_theme()
        self.theme = saved if saved in self.available_themes else DEFAULT

    # ---- start-up ------------------------------------------------------------------------------
    def after_first_frame(self, callback) -> None:
        """Run start-up work that the first frame does not need once that frame is on the terminal, so it
        neither delays the frame nor competes with it for the interpreter (call_after_refresh runs earlier)."""
        if self._first_frame_shown:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

    def on_ready(self) -> None:  # Textual: the DOM is ready and the first frame has been displayed
        self._first_frame_shown = True
        for callback in self._after_first_frame:
            callback()
        self._after_first_frame.clear()

    # ---- flow ----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._style_markdown()
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.after_first_frame(self.flush_outbox)
        if self.case_path is None:
            from sim.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        else:
            if self.watch_case:
                self._watched = self._read_case_file()
                self.set_interval(WATCH_SECONDS, self.check_case_file)
            self.start_game(self.case_path, self.seed)

    def start_game(self, case_path: str, seed: int | None = None) -> bool:
        """Load the case and show its briefing at once (the game itself is built when the player starts);
        False when the case has problems (shown to the player)."""
        from sim.scenario import CaseError, load_case_file
        from sim.tui.screens.briefing import BriefingScreen

        if seed is None:  # a workshop game plays its ticket's seed, "play again" included
            seed = self.seed if self.workshop and self.seed is not None else secrets.randbelow(10**6)
        try:
            case, digest = load_case_file(case_path)
        except CaseError as err:
            self._show_problems(err)
            return False
        self.session, self._briefed = None, (case, digest, case_path, seed)
        self._replace(BriefingScreen(case, seed))
        return True

    def prepare_session(self):
        """The game of the briefing on screen (built once; its save file exists from here on).

        Not prefetched while the player reads: every hook tried (call_after_refresh, Ready) ran before the
        briefing reached the terminal and delayed it by the ~35 ms this takes; on Enter nobody notices them."""
        if self.session is None and self._briefed is not None:
            from sim.tui.session import Session

            case, digest, case_path, seed = self._briefed
            self.session, self._briefed = Session.create(case, digest, case_path, seed, self.player, self.workshop), None
        return self.session

    def begin_project(self) -> None:
        session = self.prepare_session()
        if session is not None:
            self.show_project(session)

    def continue_game(self, saved) -> None:
        from sim.scenario import CaseError
        from sim.tui.session import Session

        try:
            self.session = Session.resume(saved)
        except CaseError as err:
            self.notify("; ".join(p.message for p in err.problems), severity="error", timeout=8)
            return
        if self.session.game.finished:
            self.show_debrief(self.session)
        else:
            self.show_project(self.session)

    def show_project(self, session: Session) -> None:
        from sim.tui.screens.project import ProjectScreen

        self._replace(ProjectScreen(session))

    def show_debrief(self, session: Session) -> None:
        from sim.tui.screens.debrief import DebriefScreen

        self._replace(DebriefScreen(session))

    def go_home(self) -> None:
        from sim.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HomeScreen())

    def _replace(self, screen) -> None:
        """Keep the home screen (when there is one) under the game; drop every other screen."""
        from sim.tui.screens.home import HomeScreen

        keep = 1 + any(isinstance(s, HomeScreen) for s in self.screen_stack[1:2])
        while len(self.screen_stack) > keep:
            self.pop_screen()
        self.push_screen(screen)

    @work(thread=True, exclusive=True, group="outbox")
    def flush_outbox(self) -> None:
        """Results an earlier game could not send to its workshop: try again (network, so off the UI thread)."""
        from sim.tui import board

        for message in board.flush_outbox():
            self.call_from_thread(self.notify, message, timeout=8)

    # ---- --watch -------------------------------------------------------------------------------
    def _read_case_file(self) -> bytes | None:
        """The file's content: a case file is a few kB, and a modification time can stay the same across two
        quick saves (timestamps are as coarse as the kernel's clock tick)."""
        try:
            return Path(self.case_path).read_bytes()
        except OSError:
            return None

    def check_case_file(self) -> None:
        """--watch, every WATCH_SECONDS: when the file changed, reload it, or show its problems and wait."""
        content = self._read_case_file()
        if content == self._watched:
            return
        self._watched = content
        if self.session is None:  # still on the briefing (or the first load failed): show the new briefing
            if self.start_game(self.case_path, self.seed):
                self._errors_modal = None
                self.notify("Case reloaded.")
            return
        from sim.scenario import CaseError
        from sim.tui.session import Session

        try:
            self.session = Session.reload(self.session, self.case_path)
        except CaseError as err:
            self._show_problems(err)
            return
        self._errors_modal = None
        misfit = self.session.misfit
        if self.session.game.choices:
            self.show_project(self.session)
            if misfit is None:
                self.notify("Case reloaded; your choices were re-played on it.")
        else:
            from sim.tui.screens.briefing import BriefingScreen

            self._replace(BriefingScreen(self.session.game.case, self.session.game.seed))
            if misfit is None:
                self.notify("Case reloaded.")
        if misfit is not None and not self.session.game.choices:  # the project screen says it when choices stand
            from sim.tui.screens.modals import MisfitModal

            self.session.misfit = None
            self.push_screen(MisfitModal(misfit, 0))  # back at the briefing already: restarting is all there is

    def _show_problems(self, err) -> None:
        from sim.tui.screens.modals import CaseErrorsModal

        lines = [f"{p.file}:{p.line}:{p.col}: {p.message}" for p in err.problems]
        if self._errors_modal is not None and self._errors_modal.is_attached:
            self._errors_modal.update_problems(lines)
            return
        if not self.watch_case:
            self.notify("\n".join(lines[:5]), severity="error", timeout=10)
            return
        self._errors_modal = CaseErrorsModal(lines)
        self.push_screen(self._errors_modal)

    # ---- keys ----------------------------------------------------------------------------------
    # A key pressed before the screen on top was shown was meant for the screen that was there: the second
    # Enter of a double press (or a key repeat, or keys typed ahead on a busy machine) would otherwise play the
    # action highlighted under a verdict that just closed, or answer the next decision unread. Such keys are
    # dropped, except quitting and typing into a text field.
    def push_screen(self, *args, **kwargs):
        self._screen_shown_at = _time.get_time()
        return super().push_screen(*args, **kwargs)

    def pop_screen(self):
        self._screen_shown_at = _time.get_time()
        return super().pop_screen()

    def switch_screen(self, screen):
        self._screen_shown_at = _time.get_time()
        return super().switch_screen(screen)

    async def on_event(self, event: events.Event) -> None:
        if (isinstance(event, events.Key) and event.time < self._screen_shown_at and event.key not in ALWAYS_TAKEN
                and not isinstance(self.focused, Input)):
            return
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The q key is a letter like any other while the player types (a name, the palette's search);
        Ctrl+Q always quits."""
        if action == "quit_key" and isinstance(self.focused, Input):
            return False
        return True

    async def action_quit_key(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """Every choice is already on disk; say so, so nobody fears losing the game."""
        if self.session is not None and not self.session.game.finished and self.session.game.choices:
            self.exit(message="Saved after your last choice; run `mlsim` to continue.")
        else:
            self.exit()

    def action_help(self) -> None:
        from sim.tui.screens.help import HelpModal

        if not isinstance(self.screen, HelpModal):
            self.push_screen(HelpModal())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name

    def _style_markdown(self) -> None:
        """Rich renderables (the briefing's Markdown) in the theme's text colours."""
        from rich.theme import Theme as RichTheme

        if getattr(self, "_markdown_theme_pushed", False):
            self.console.pop_theme()
        self.console.push_theme(RichTheme(markdown_styles(self.get_css_variables())))
        self._markdown_theme_pushed = True

    def _remember_theme(self, theme) -> None:
        """Whichever way it was picked (Ctrl+T, the palette's theme picker), the next run starts with it."""
        self._style_markdown()
        self.screen.refresh(layout=True)
        problem = settings.save_theme(theme.name)
        if problem:
            self.notify(problem, severity="warning", timeout=6)

    def get_driver_class(self):
        """Textual's driver for this platform, except that a Linux terminal which goes away ends the game
        (sim/tui/driver.py); the browser's driver (TEXTUAL_DRIVER, set by `mlsim serve`) is left alone."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver":  # by name: the module imports termios
            from sim.tui.driver import HangupAwareDriver

            return HangupAwareDriver
        return driver

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Rules glossary and keys", self.action_help)
        yield SystemCommand("Light / dark theme", "Toggle the theme", self.action_toggle_theme)


def make_app(case_path: str | None = None, seed: int | None = None, name: str | None = None, *,
             watch: bool = False, workshop: str | None = None, animate: bool = True) -> MlsimApp:
    """The one way to build the app (CLI, `mlsim serve`, tests), so tests drive what players run."""
    return MlsimApp(case_path, seed, name, watch=watch, workshop=workshop, animate=animate)


def run_app(case_path: str | None = None, seed: int | None = None, name: str | None = None, *,
            watch: bool = False, workshop: str | None = None) -> int:
    app = make_app(case_path, seed, name, watch=watch, workshop=workshop)
    app.run()
    return app.return_code or 0

"""Command palette (Ctrl+P): every action of the project screen by name, with its cost and summary."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


# Over a window of the project screen (a decision, an event, the error-analysis table) no action can be played:
# the palette says so rather than "No matches found".
BLOCKED = "Answer or close this window first (Enter or Escape): actions are played from the project screen"


class ActionCommands(Provider):
    def _actions(self):
        # Imported when the palette opens: the app's module is on the path of the first frame.
        from sim.tui.screens.project import ProjectScreen

        screen = self.screen
        if not isinstance(screen, ProjectScreen) or screen.game.finished:
            return None, []
        return screen, screen.game.actions()

    def _blocked(self) -> bool:
        """A modal window sits on a project screen whose game goes on."""
        from textual.screen import ModalScreen

        from sim.tui.screens.project import ProjectScreen

        stack = self.app.screen_stack  # the palette itself is on top, above the screen it was opened from
        if not isinstance(self.screen, ModalScreen) or self.screen not in stack:
            return False
        below = stack[: stack.index(self.screen)]
        return bool(below) and isinstance(below[-1], ProjectScreen) and not below[-1].game.finished

    async def discover(self) -> Hits:
        from sim.tui.widgets.actions import cost

        if self._blocked():
            yield DiscoveryHit(BLOCKED, lambda: None)
            return
        screen, actions = self._actions()
        for a in actions:
            yield DiscoveryHit(f"{a.id} ({cost(a)})", partial(screen.play, a.id), help=a.summary)

    async def search(self, query: str) -> Hits:
        from sim.tui.widgets.actions import cost

        if self._blocked():
            yield Hit(1.0, BLOCKED, lambda: None)
            return
        screen, actions = self._actions()
        matcher = self.matcher(query)
        for a in actions:
            label = f"{a.id} ({cost(a)})"
            score = max(matcher.match(label), matcher.match(a.summary) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(screen.play, a.id), help=a.summary)

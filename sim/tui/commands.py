"""Command palette (Ctrl+P): every action of the project screen by name, with its cost and summary."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionCommands(Provider):
    def _actions(self):
        # Imported when the palette opens: the app's module is on the path of the first frame.
        from sim.tui.screens.project import ProjectScreen

        screen = self.screen
        if not isinstance(screen, ProjectScreen) or screen.game.finished:
            return None, []
        return screen, screen.game.actions()

    async def discover(self) -> Hits:
        from sim.tui.widgets.actions import cost

        screen, actions = self._actions()
        for a in actions:
            yield DiscoveryHit(f"{a.id} ({cost(a)})", partial(screen.play, a.id), help=a.summary)

    async def search(self, query: str) -> Hits:
        from sim.tui.widgets.actions import cost

        screen, actions = self._actions()
        matcher = self.matcher(query)
        for a in actions:
            label = f"{a.id} ({cost(a)})"
            score = max(matcher.match(label), matcher.match(a.summary) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(screen.play, a.id), help=a.summary)

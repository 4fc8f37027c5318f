"""The coach's log: every verdict, oldest first, then the coach's advice; it follows the newest verdict.

At 80x24 the log has room for about five lines, less than one verdict with its explanation, so it scrolls
itself to the top of the newest verdict after every choice, until the reader scrolls up to older ones; from
then on it stays where the reader is (its title says a new verdict is waiting) until they scroll back down
or press the key that jumps to the newest (`jump_to_newest`).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from sim import fmt
from sim.game import Turn
from sim.game.choices import readable
from sim.tui.widgets.styled import BAD, BOLD, GOOD, HEADING, MUTED, RULE, WARN, Styled

GLYPHS = {"aligned": ("✓", GOOD), "neutral": ("·", WARN), "misaligned": ("✗", BAD)}
TITLE = "Coach"
EMPTY = "Your choices and the coach's verdicts appear here."


def verdict_text(turn: Turn) -> Styled:
    glyph, style = GLYPHS.get(turn.verdict, ("?", BOLD))
    text = Styled()
    text.append(f"{glyph} {turn.verdict}", style=style)
    text.append(f"  week {fmt.weeks(turn.week)}  ", style=MUTED)
    text.append(readable(turn.choice), style=BOLD)
    text.append(f"  [{turn.rule}]", style=RULE)
    if turn.explanation:
        text.append(f"\n  {turn.explanation}")
    return text


class CoachFeed(VerticalScroll):
    """Arrow keys or the wheel scroll it; one Static per verdict, so the newest can be scrolled to exactly."""

    DEFAULT_CSS = "CoachFeed > .verdict { margin-bottom: 1; } CoachFeed > #advice { margin-bottom: 0; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Static] = []
        self.shown: list[Turn] = []
        self.following = True
        self._follow_y = 0.0  # where following last scrolled to: scrolling above it means reading older verdicts
        self._unseen = 0

    def compose(self):
        yield Static(Styled().append(EMPTY, MUTED).content(), id="advice")

    def on_mount(self) -> None:
        self.border_title = TITLE

    def show(self, turns: list[Turn], advice: list[dict[str, str]]) -> None:
        if turns[: len(self.shown)] != self.shown:  # a re-played game (--watch): start the log again
            for entry in self.entries:
                entry.remove()
            self.entries, self.shown = [], []
        advice_widget = self.query_one("#advice", Static)
        new = turns[len(self.shown):]
        for turn in new:
            entry = Static(verdict_text(turn).content(), classes="verdict")
            self.entries.append(entry)
            self.mount(entry, before=advice_widget)
        self.shown = list(turns)
        text = Styled()
        if advice:
            text.append("Coach: ", style=HEADING).append(advice[0]["text"]).append(f" [{advice[0]['rule']}]", RULE)
            # The most pressing line, then (when it is another) which fix the forecast favours.
            if len(advice) > 1 and advice[-1].get("kind") == "forecast":
                text.append("\n").append(advice[-1]["text"]).append(f" [{advice[-1]['rule']}]", RULE)
        elif not turns:
            text.append(EMPTY, style=MUTED)
        advice_widget.update(text.content())
        if new and not self.following:
            self._unseen += len(new)
            self.border_title = f"{TITLE} · new verdict below ({self._unseen})"
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        """Scroll to the top of the newest verdict (as far as the log scrolls) while following; either way,
        that place becomes the anchor: a reader who scrolls back to it follows again."""
        if not self.entries:
            return
        self._follow_y = min(self.entries[-1].virtual_region.y, self.max_scroll_y)
        if not self.following and self.scroll_y >= self._follow_y - 0.5:  # a clamp on resize, not the reader
            self._set_following(True)
        if self.following:
            self.scroll_to(y=self._follow_y, animate=False, immediate=True)

    def _set_following(self, following: bool) -> None:
        if following and not self.following:
            self._unseen = 0
            self.border_title = TITLE
        self.following = following

    def jump_to_newest(self) -> None:
        self._set_following(True)
        self._follow()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._set_following(new_value >= self._follow_y - 0.5)  # at the newest verdict or below it

    def on_resize(self) -> None:
        self.call_after_refresh(self._follow)  # the verdicts re-wrapped: the newest moved

"""The coach feed: every verdict so far, newest first, with its rule id and the coach's explanation."""

from __future__ import annotations

from sim.tui.widgets.styled import Styled
from textual.widgets import Static

from sim.game import Turn

GLYPHS = {"aligned": ("✓", "bold $success"), "neutral": ("·", "bold $warning"), "misaligned": ("✗", "bold $error")}

def verdict_text(turn: Turn) -> Styled:
    glyph, style = GLYPHS.get(turn.verdict, ("?", ""))
    text = Styled()
    text.append(f"{glyph} {turn.verdict}", style=style)
    text.append(f"  wk {turn.week:g}  ", style="dim")
    text.append(turn.choice, style="bold")
    text.append(f"  [{turn.rule}]", style="italic $accent")
    if turn.explanation:
        text.append(f"\n  {turn.explanation}")
    return text

class CoachFeed(Static):
    DEFAULT_CSS = "CoachFeed { height: auto; }"

    def show(self, turns: list[Turn], advice: list[dict[str, str]]) -> None:
        text = Styled()
        if turns:  # the verdict on the last choice first: it is what the player is waiting for
            text.append_text(verdict_text(turns[-1])).append("\n")
        if advice:
            text.append("Coach: ", style="bold $accent")
            text.append(advice[0]["text"])
            text.append(f" [{advice[0]['rule']}]\n", style="italic dim")
        for turn in reversed(turns[:-1]):
            text.append_text(verdict_text(turn))
            text.append("\n")
        if not turns:
            text.append("Your choices and the coach's verdicts appear here.", style="dim")
        self.update(text.content())

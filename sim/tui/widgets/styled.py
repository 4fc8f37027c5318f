"""A small builder for Textual Content, so widgets can use theme variables ($primary, $error...) in styles."""

from __future__ import annotations

from textual.content import Content


class Styled:
    """Append text pieces with styles, then `content()`; mirrors the few rich.Text calls the widgets need."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str] | str] = []

    def append(self, text: str, style: str | None = None) -> "Styled":
        self.parts.append((text, style) if style else text)
        return self

    def append_text(self, other: "Styled") -> "Styled":
        self.parts.extend(other.parts)
        return self

    def content(self) -> Content:
        return Content.assemble(*self.parts).rstrip()

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else p[0] for p in self.parts)


# Text styles, all in theme colours made for text: tests/tui/test_contrast.py checks each against the backgrounds
# of both themes (WCAG AA, 4.5:1), and that no other module names a colour. Bars are not text: BAR_* below.
BOLD = "bold"
HEADING = "bold $text-accent"
ACCENT = "$text-accent"
RULE = "italic $text-accent"
MUTED = "$text-muted"
MUTED_ITALIC = "italic $text-muted"
GOOD = "bold $text-success"
WARN = "bold $text-warning"
BAD = "bold $text-error"
TRAIN = "bold $text-primary"  # the trend plot's marks
DEV = "bold $text-warning"
TEXT_STYLES = (BOLD, HEADING, ACCENT, RULE, MUTED, MUTED_ITALIC, GOOD, WARN, BAD, TRAIN, DEV)
BAR, BAR_HUMAN, BAR_BAD, BAR_OK, BAR_EMPTY = "$primary", "$success", "$error", "$success", "$text-muted"

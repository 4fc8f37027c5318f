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

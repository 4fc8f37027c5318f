"""The header of every screen: Textual's, with an icon that every font has (its ⭘ is a box in a browser)."""

from __future__ import annotations

from textual.widgets import Header

ICON = "≡"  # clicking it opens the command palette, as a menu icon suggests


class AppHeader(Header):
    def __init__(self) -> None:
        super().__init__(icon=ICON)

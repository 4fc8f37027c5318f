"""The app's two themes: Textual's dark and light ones, with text that reads in both.

Textual's own themes, except for the text colours of the light one: its orange headings
($text-accent), green and amber read at about 3:1 on its grey backgrounds. Text meets WCAG AA (4.5:1) on every
background the app draws text on, in both themes (tests/tui/test_contrast.py computes the ratios).
"""

from __future__ import annotations

from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

DARK = replace(BUILTIN_THEMES["textual-dark"], name="mlsim-dark")
LIGHT = replace(BUILTIN_THEMES["textual-light"], name="mlsim-light", variables={
    **BUILTIN_THEMES["textual-light"].variables,
    "text-accent": "#744300",  # headings, rule ids (Textual's #A86D1C: 3.3:1 on the background)
    "text-warning": "#744300",
    "text-success": "#1D5E30",
    "footer-key-foreground": "#00558F",  # Textual's #0178D4: 2.9:1 on the footer
})
THEMES: tuple[Theme, ...] = (DARK, LIGHT)
DEFAULT = DARK.name

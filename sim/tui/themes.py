"""The app's two themes: Textual's dark and light ones, with text that reads in both.

Textual's own themes, except for a few text colours: the light one's orange headings ($text-accent), green
and amber read at about 3:1 on its grey backgrounds, and the dark one's highlighted line at 3.8:1. Text meets WCAG AA (4.5:1) on every
background the app draws text on, in both themes (tests/tui/test_contrast.py computes the ratios).
"""

from __future__ import annotations

from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

DARK = replace(BUILTIN_THEMES["textual-dark"], name="mlsim-dark", variables={
    **BUILTIN_THEMES["textual-dark"].variables,
    "block-cursor-foreground": "#FFFFFF",  # the highlighted line; Textual's 87% white: 3.8:1 on its blue
})
LIGHT = replace(BUILTIN_THEMES["textual-light"], name="mlsim-light", variables={
    **BUILTIN_THEMES["textual-light"].variables,
    "text-accent": "#744300",  # headings, rule ids (Textual's #A86D1C: 3.3:1 on the background)
    "text-warning": "#744300",
    "text-success": "#1D5E30",
    "footer-key-foreground": "#00558F",  # Textual's #0178D4: 2.9:1 on the footer
})
THEMES: tuple[Theme, ...] = (DARK, LIGHT)
DEFAULT = DARK.name

# The briefing is rich Markdown (fast to paint), whose headings and code rich colours with ANSI magenta and
# cyan-on-black whatever the theme; these take the theme's text colours instead (sim/tui/app.py applies them).
MARKDOWN_STYLES = {
    "markdown.h1": "bold underline $text-accent",
    "markdown.h2": "bold $text-accent",
    "markdown.h3": "bold $text-accent",
    "markdown.h4": "italic $text-accent",
    "markdown.code": "bold $text-primary",
    "markdown.code_block": "$text-primary",
    "markdown.block_quote": "italic",
    "markdown.list": "none",
    "markdown.item.number": "none",
    "markdown.link": "underline $text-primary",
    "markdown.link_url": "underline $text-primary",
    "markdown.table.border": "none",
    "markdown.table.header": "bold",
}


def markdown_styles(variables: dict[str, str]) -> dict[str, str]:
    """MARKDOWN_STYLES with the theme's colours put in (rich knows no theme variables)."""
    def resolve(word: str) -> str:
        return variables[word[1:]] if word.startswith("$") else word

    return {name: " ".join(resolve(w) for w in style.split()) for name, style in MARKDOWN_STYLES.items()}

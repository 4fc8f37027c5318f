"""Text reads in both themes: every text colour the app uses meets WCAG AA (4.5:1) on every background it
draws text on, computed from the theme's colours with the WCAG relative-luminance formula."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color

from sim.tui.app import make_app
from sim.tui.themes import MARKDOWN_STYLES, THEMES
from sim.tui.widgets.styled import TEXT_STYLES

TUI = Path(__file__).resolve().parents[2] / "sim" / "tui"
AA = 4.5
BACKGROUNDS = ("background", "surface", "panel")  # screens, dialogs, header and footer
OWN_PAIRS = (  # Textual's own text on its own backgrounds, shown on every screen
    ("footer-key-foreground", "footer-background"),
    ("footer-description-foreground", "footer-background"),
    ("block-cursor-foreground", "block-cursor-background"),  # the highlighted line of every list
)


def luminance(c: Color) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        v = channel / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)


def ratio(a: Color, b: Color) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def on(background: Color, value: str) -> Color:
    """A colour value as Textual draws it over `background`: "auto 60%" is the contrasting text colour at
    that alpha; any colour with alpha is blended with the background."""
    if value.startswith("auto"):
        alpha = float(value.split()[1].rstrip("%")) / 100 if " " in value else 1.0
        fg = background.get_contrast_text(alpha)
    else:
        fg = Color.parse(value)
    a = fg.a
    return Color(*(round(f * a + b * (1 - a)) for f, b in zip(fg.rgb, background.rgb)))


def text_variables() -> set[str]:
    """Every theme variable used as a text colour: the .tcss's *color: declarations, the widgets' styles and
    the briefing's Markdown styles."""
    tcss = (TUI / "app.tcss").read_text(encoding="utf-8")
    names = set(re.findall(r"[\w-]*color:\s*\$([\w-]+)", tcss))
    for style in (*TEXT_STYLES, *MARKDOWN_STYLES.values()):
        names |= set(re.findall(r"\$([\w-]+)", style))
    return names | {"foreground", "text"}


def test_the_formula_on_known_pairs():
    black, white = Color.parse("#000000"), Color.parse("#ffffff")
    assert ratio(black, white) == pytest.approx(21.0)
    assert ratio(white, white) == pytest.approx(1.0)
    assert ratio(Color.parse("#767676"), white) == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert ratio(Color.parse("#777777"), white) < AA


def test_the_variables_found_are_the_ones_in_use():
    names = text_variables()
    assert {"text-accent", "text-muted", "text-error", "text-success"} <= names
    assert not names & {"accent", "error", "success", "warning", "primary"}  # those are for bars and borders


@pytest.mark.parametrize("theme", [t.name for t in THEMES])
def test_every_text_colour_meets_aa_on_every_background(theme):
    app = make_app()
    app.theme = theme
    colours = app.get_css_variables()
    failures = []
    for name in sorted(text_variables()):
        for background in BACKGROUNDS:
            bg = Color.parse(colours[background])
            value = ratio(on(bg, colours[name]), bg)
            if value < AA:
                failures.append(f"${name} on ${background}: {value:.2f}")
    for fg_name, bg_name in OWN_PAIRS:
        bg = Color.parse(colours[bg_name])
        value = ratio(on(bg, colours[fg_name]), bg)
        if value < AA:
            failures.append(f"${fg_name} on ${bg_name}: {value:.2f}")
    assert not failures, f"{theme}: below {AA}:1: " + "; ".join(failures)


def test_no_module_names_a_colour_of_its_own():
    """Colours are named once (widgets/styled.py, app.tcss), so the test above sees every one; "dim" is a
    terminal's own guess at a colour, which nobody can check."""
    offenders = []
    for path in TUI.rglob("*.py"):
        if path.name in {"styled.py", "themes.py"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""["'][^"']*\$[a-z][^"']*["']""", line) or re.search(r"""["'](?:[^"']*\s)?dim(?:\s[^"']*)?["']""", line):
                offenders.append(f"{path.relative_to(TUI)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


async def test_lines_that_can_be_highlighted_carry_no_colour_of_their_own():
    """On the highlight only the theme's highlight text colour is checked (above): a line that can be
    highlighted (a case, a saved game, an action) uses weights and italics, never a colour."""
    from sim.scenario import find_case
    from sim.tui.widgets.actions import ActionMenu
    from tests.tui.helpers import answer_pending, settle

    def coloured(menu) -> list[str]:
        options = [menu.get_option_at_index(i) for i in range(menu.option_count)]
        return [f"{o.id}: {span.style}" for o in options if not o.disabled
                for span in getattr(o.prompt, "spans", []) if "$" in str(span.style)]

    app = make_app(animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        menu = app.screen.query_one("#cases")
        assert menu.option_count >= 4 and not coloured(menu)
    app = make_app(str(find_case("bird-detection")), 1, animate=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_pending(pilot, {})
        menu = app.screen.query_one(ActionMenu)
        assert menu.option_count > 10 and not coloured(menu)

"""The README's picture is the app's own SVG export, and the script that redraws it works."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import screenshot  # noqa: E402  (scripts/ is not a package)


def test_the_readme_shows_the_picture_near_the_top():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    image = re.search(r"!\[[^\]]+\]\((docs/screenshot\.svg)\)", readme)
    assert image and image.start() < readme.index("## Play")
    svg = (ROOT / image.group(1)).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "terminal-" in svg  # Textual's export (its CSS classes), not a drawing


def test_the_script_draws_the_project_screen(tmp_path, capsys):
    out = tmp_path / "shot.svg"
    assert screenshot.main(["--out", str(out), "--size", "80x24"]) == 0
    svg = out.read_text(encoding="utf-8")
    text = " ".join(re.findall(r">([^<]*)</text>", svg)).replace("&#160;", " ")
    for shown in ("Birds over Brightwater", "human-level", "Actions", "Coach"):
        assert shown in text

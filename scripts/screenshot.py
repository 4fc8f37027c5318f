"""Draw the README's picture: the project screen of a game in progress, as the app's own SVG screenshot export.

    python scripts/screenshot.py                    # writes docs/screenshot.svg (100x30, dark theme)
    python scripts/screenshot.py --size 80x24 --theme mlsim-light --out /tmp/light.svg

The game is played by key presses, headless (Textual's Pilot), in a throwaway data folder, so the picture is
the same on every machine for a given version of the game; re-run it when the screens or the model change.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASE, SEED = "bird-detection", 7
ANSWERS = {"metric": "a", "split": "b"}
PLAN = ("measure_human_level", "bigger_network", "carve_train_dev")  # enough turns for the log and the plot


def parse_size(text: str) -> tuple[int, int]:
    try:
        cols, rows = (int(n) for n in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not COLSxROWS, e.g. 100x30") from None
    if cols < 80 or rows < 24:
        raise argparse.ArgumentTypeError("the game needs at least 80x24")
    return cols, rows


async def draw(size: tuple[int, int], theme: str) -> str:
    from sim.scenario import find_case
    from sim.tui.app import make_app
    from tests.tui.helpers import answer_pending, play, settle

    app = make_app(str(find_case(CASE)), SEED, animate=False)
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await settle(pilot)
        await pilot.press("enter")  # the briefing -> the project
        await answer_pending(pilot, ANSWERS)
        for action in PLAN:
            await play(pilot, action, ANSWERS)
        await settle(pilot)
        return app.export_screenshot(title=f"mlsim: {app.session.game.case.title}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.svg", help="SVG file to write")
    parser.add_argument("--size", type=parse_size, default=(100, 30), metavar="COLSxROWS")
    parser.add_argument("--theme", default="mlsim-dark", choices=("mlsim-dark", "mlsim-light"))
    args = parser.parse_args(argv)
    before = os.environ.get("MLSIM_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["MLSIM_HOME"] = home  # no saves or settings of the person running it, none left behind
        try:
            svg = asyncio.run(draw(args.size, args.theme))
        finally:
            if before is None:
                os.environ.pop("MLSIM_HOME", None)
            else:
                os.environ["MLSIM_HOME"] = before
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(svg, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

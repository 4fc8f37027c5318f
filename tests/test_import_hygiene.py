"""Headless layers never load textual: headless play, lint and the server start fast without it."""

import subprocess
import sys

HEADLESS = ["sim.model", "sim.scenario", "sim.coach", "sim.game", "sim.cli", "sim.commands.play",
            "sim.commands.diagnose", "sim.commands.scenarios"]


def test_headless_modules_do_not_import_textual():
    code = (f"import importlib, sys\nfor m in {HEADLESS!r}: importlib.import_module(m)\n"
            "from sim.cli import main\n"
            "main(['play', 'bird-detection', '--headless', '--policy', 'expert', '--json'])\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_lower_layers_do_not_import_upper_ones():
    code = ("import sys\nimport sim.model\nassert not any(m.startswith(('sim.coach', 'sim.game', 'sim.scenario')) "
            "for m in sys.modules)\nimport sim.scenario\nassert not any(m.startswith(('sim.game', 'sim.tui', "
            "'sim.board')) for m in sys.modules)\nimport sim.coach\nassert not any(m.startswith(('sim.game', "
            "'sim.tui', 'sim.board')) for m in sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)

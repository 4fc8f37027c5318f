"""`mlsim` with no subcommand: the terminal UI's home screen."""

from __future__ import annotations

from sim.commands.output import fail


def run(args) -> int:
    try:
        from sim.tui.app import run_app
    except ImportError:
        return fail("the terminal UI is not installed here; try `mlsim play CASE --headless --policy expert`.")
    return run_app()

"""`mlsim` with no subcommand: the terminal UI's home screen."""

from __future__ import annotations

from sim.commands.output import needs_terminal
from sim.paths import home


def run(args) -> int:
    code = needs_terminal("`mlsim` shows the home screen in a terminal, and standard input is not one; without one, "
                          "play headless: `mlsim play CASE --headless --policy expert`")
    if code:
        return code
    home()  # a broken data folder is one sentence here (DataFolderError), not a traceback inside the game
    from sim.tui.app import run_app

    return run_app()

"""`mlsim` with no subcommand: the terminal UI's home screen."""

from __future__ import annotations

from sim.commands.output import needs_terminal
from sim.paths import builtin_folder, home


def run(args) -> int:
    code = needs_terminal("`mlsim` shows the home screen in a terminal, and standard input is not one; without one, "
                          "play headless: `mlsim play CASE --headless --policy expert`")
    if code:
        return code
    builtin_folder()  # no built-in case (a broken install) and a broken data folder are one sentence here,
    home()  # not a traceback inside the game
    from sim.tui.app import run_app

    return run_app()

"""Serve the game to browser tabs with textual-serve: each tab runs its own `python -P -m sim` process."""

from __future__ import annotations

import shlex
import sys


def serve(host: str, port: int, case: str | None = None) -> int:
    from textual_serve.server import Server

    command = game_command(case)
    print(f"mlsim: open http://{host}:{port} in a browser; Ctrl+C stops the server.", flush=True)
    Server(command, host=host, port=port, title="mlsim").serve()
    return 0


def game_command(case: str | None = None) -> str:
    """The command each tab runs. -P (safe path): `python -m sim` would otherwise put the current folder first
    on the import path and run whatever `sim` folder is there instead of the installed game."""
    command = f"{shlex.quote(sys.executable)} -P -m sim"
    if case:
        command += f" play {shlex.quote(case)}"
    return command

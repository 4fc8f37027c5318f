"""Serve the game to browser tabs with textual-serve: each tab runs its own `python -m sim` process."""

from __future__ import annotations

import shlex
import sys


def serve(host: str, port: int, case: str | None = None) -> int:
    from textual_serve.server import Server

    command = f"{shlex.quote(sys.executable)} -m sim"
    if case:
        command += f" play {shlex.quote(case)}"
    print(f"mlsim: open http://{host}:{port} in a browser; Ctrl+C stops the server.", flush=True)
    Server(command, host=host, port=port, title="mlsim").serve()
    return 0

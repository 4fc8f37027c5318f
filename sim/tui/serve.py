"""Serve the game to browser tabs with textual-serve: each tab runs its own `python -P -m sim` process."""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

_FONT_LINK = re.compile(r'<link[^>]*href="https://fonts\.googleapis\.com/[^"]*"[^>]*>', re.S)
LOCAL_FONT = ("<style>@font-face{font-family:'Roboto Mono';font-weight:100 700;"
              "src:url('{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf') format('truetype')}</style>")


def textual_serve_dir() -> Path:
    import textual_serve

    return Path(os.path.dirname(textual_serve.__file__))


def game_page_template() -> str:
    """textual-serve's terminal page (a Jinja template), with its font served by us: a workshop room may have no
    internet, and a learner's browser should not tell a third party that they are playing (textual-serve ships
    the font files; its page fetches the same font from Google)."""
    text = (textual_serve_dir() / "templates" / "app_index.html").read_text(encoding="utf-8")
    return _FONT_LINK.sub(LOCAL_FONT, text)


def serve(host: str, port: int, case: str | None = None) -> int:
    from textual_serve.server import Server

    command = game_command(case)
    print(f"mlsim: open http://{host}:{port} in a browser; Ctrl+C stops the server.", flush=True)
    with tempfile.TemporaryDirectory(prefix="mlsim-serve-") as templates:
        (Path(templates) / "app_index.html").write_text(game_page_template(), encoding="utf-8")
        Server(command, host=host, port=port, title="mlsim", statics_path=textual_serve_dir() / "static",
               templates_path=templates).serve()
    return 0


def game_command(case: str | None = None) -> str:
    """The command each tab runs. -P (safe path): `python -m sim` would otherwise put the current folder first
    on the import path and run whatever `sim` folder is there instead of the installed game."""
    command = f"{shlex.quote(sys.executable)} -P -m sim"
    if case:
        command += f" play {shlex.quote(case)}"
    return command

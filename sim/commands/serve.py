"""`mlsim serve`: the same game in a browser tab on this machine (textual-serve runs one `mlsim` per tab)."""

from __future__ import annotations

import argparse

from sim.commands.output import complete_case, port_number

EXAMPLES = """\
  mlsim serve
  mlsim serve --port 8080 --case bird-detection
"""


def _port(text: str) -> int:
    return port_number(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="localhost", help="address to listen on (default: localhost, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--case", help="open this case directly instead of the home screen").completer = complete_case


def run(args) -> int:
    from sim.paths import home
    from sim.tui.serve import serve

    home()  # every tab's game keeps its saves there: a broken data folder is one sentence here, not in each tab

    return serve(args.host, args.port, args.case)

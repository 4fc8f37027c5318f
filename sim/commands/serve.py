"""`mlsim serve`: the same game in a browser tab on this machine (textual-serve runs one `mlsim` per tab)."""

from __future__ import annotations

import argparse

from sim.commands.output import EXIT_USAGE, fail, port_number


def _port(text: str) -> int:
    return port_number(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="localhost", help="address to listen on (default: localhost, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--case", help="open this case directly instead of the home screen")


def run(args) -> int:
    try:
        from sim.tui.serve import serve
    except ImportError:
        return fail("textual-serve is not installed here; `pip install textual-serve` and try again.", EXIT_USAGE)
    return serve(args.host, args.port, args.case)

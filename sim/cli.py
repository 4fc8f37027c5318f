"""The `mlsim` command: parses arguments and hands each subcommand to its module in sim.commands."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module in sim.commands; each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS = {
    "play": "Play a case (in the terminal UI, or --headless with a choices script or a policy).",
    "diagnose": "Diagnose an error ladder and, with --action, judge a choice.",
    "scenarios": "List the built-in cases and your own.",
    "leaderboard": "Show the local leaderboard (ranked per case) as a table, JSON or CSV.",
    "workshop": "Run a workshop server (serve) or send the results waiting in your outbox (send).",
    "serve": "Serve the game to a browser tab on this machine (textual-serve).",
    "validate": "Check case files; every mistake as file:line:col: message.",
    "schema": "Print the JSON Schema of a case file (for editors).",
    "lint": "Check that a case is winnable, that following the rules pays, and that every part is reached.",
    "new": "Write a commented starter case into your own cases folder.",
}
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors as one sentence on stderr and exit 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"mlsim: {message}; see `{self.prog} --help`.\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported (start-up stays fast, one command cannot break another)."""
    parser = _Parser(prog="mlsim", description="A simulator that trains the judgement of ML project leads.")
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"mlsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(f"sim.commands.{name.replace('-', '_')}")
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_module=module)
    return parser


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (the first word that is one), if any."""
    return next((word for word in argv if word in COMMANDS), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_command_in(argv)).parse_args(argv)
    if args.command is None:
        from sim.commands import home

        return home.run(args)
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("mlsim: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

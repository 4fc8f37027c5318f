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
}
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors as one sentence on stderr and exit 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"mlsim: {message}; see `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlsim", description="A simulator that trains the judgement of ML project leads.")
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"mlsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"sim.commands.{name.replace('-', '_')}")
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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

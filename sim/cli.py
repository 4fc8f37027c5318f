"""The `mlsim` command: parses arguments and hands each subcommand to its module in sim.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from sim.paths import DataFolderError, MissingCasesError

# subcommand -> module in sim.commands; each module has `add_arguments(parser)`, `run(args) -> int` and
# EXAMPLES (two or three command lines, shown at the end of its --help).
COMMANDS = {
    "play": "Play a case (in the terminal UI, or --headless with a choices script or a policy).",
    "whatif": "What each other choice at each turn of a finished game would have reached (the expert finishing).",
    "progress": "Your record per rule across your saved games, weakest first.",
    "diagnose": "Diagnose an error ladder and, with --action, judge a choice.",
    "scenarios": "List the built-in cases and your own.",
    "leaderboard": "Show the local leaderboard (ranked per case) as a table, JSON or CSV.",
    "workshop": "Run a workshop server (serve) or send the results waiting in your outbox (send).",
    "serve": "Serve the game to a browser tab on this machine (textual-serve).",
    "validate": "Check case files; every mistake as file:line:col: message.",
    "schema": "Print the JSON Schema of a case file (for editors).",
    "lint": "Check that a case is winnable, that following the rules pays, and that every part is reached.",
    "new": "Write a commented starter case into your own cases folder.",
    "completion": "Print the shell completion script for bash, zsh or fish.",
}
EXAMPLES = """\
  mlsim                                   the home screen: pick a case, continue a saved game
  mlsim play bird-detection               play a case in the terminal
  mlsim play cat-app --headless --policy expert --json
"""
EXIT_USAGE = 2
EXIT_INVALID = 1


class _Parser(argparse.ArgumentParser):
    """Usage errors as one sentence on stderr and exit 2, never a traceback."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # examples keep their lines
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"mlsim: {message}; see `{self.prog} --help`.\n")


class _CommandParser(_Parser):
    """A subcommand's parser refuses unknown arguments itself, so the sentence points at its own --help
    (`mlsim play --frob` -> see `mlsim play --help`) rather than at the top-level one."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed, extra


def examples(lines: str) -> str:
    """The epilog every --help ends with."""
    return "examples:\n" + lines


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported (start-up stays fast, one command cannot break another)."""
    parser = _Parser(prog="mlsim", description="A simulator that trains the judgement of ML project leads.",
                     epilog=examples(EXAMPLES))
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for name, help_text in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(f"sim.commands.{name.replace('-', '_')}")
            module.add_arguments(sub_parser)
            sub_parser.epilog = examples(module.EXAMPLES)
            sub_parser.set_defaults(_module=module)
    return parser


class _Version(argparse.Action):
    """--version, read from the package metadata only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError

        import sim

        try:
            print(f"mlsim {sim.__version__}")
        except PackageNotFoundError:  # run from a folder that was never installed
            parser.exit(EXIT_INVALID, "mlsim: this copy of mlsim is not installed, so it has no version; "
                                      "install it (see the README) and try again\n")
        parser.exit(0)


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (the first word that is one), if any."""
    return next((word for word in argv if word in COMMANDS), None)


def _complete() -> None:
    """Shell completion (argcomplete): the shell runs `mlsim` with the line being typed in COMP_LINE; this
    answers on file descriptor 8 and exits. Imported only then, so a normal start does not pay for it."""
    import shlex

    import argcomplete

    line = os.environ.get("COMP_LINE", "")[: int(os.environ.get("COMP_POINT", "0") or 0)]
    try:
        words = shlex.split(line)[1:]
    except ValueError:  # an open quote while typing
        words = line.split()[1:]
    argcomplete.autocomplete(build_parser(_command_in(words)))


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        if "_ARGCOMPLETE" in os.environ:
            _complete()
        argv = sys.argv[1:]
    args = build_parser(_command_in(argv)).parse_args(argv)
    try:
        if args.command is None:
            from sim.commands import home

            return home.run(args)
        return int(args._module.run(args) or 0)
    except (DataFolderError, MissingCasesError) as err:
        from sim.commands.output import fail

        return fail(str(err))
    except KeyboardInterrupt:
        print("mlsim: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

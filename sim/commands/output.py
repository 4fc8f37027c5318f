"""Shared output helpers for commands: JSON on stdout, one-sentence errors on stderr."""

from __future__ import annotations

import json
import os
import sys

EXIT_INVALID = 1
EXIT_USAGE = 2


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def fail(message: str, code: int = EXIT_INVALID) -> int:
    """Print one sentence to stderr and return the exit code."""
    sys.stderr.write(f"mlsim: {message}\n")
    return code


def needs_terminal(sentence: str) -> int:
    """0 when the terminal UI can start; else `sentence` on stderr and exit 2. Without a terminal on standard
    input the UI would wait for keys that never come. `mlsim serve` runs the UI with no terminal but with
    Textual's web driver, named in TEXTUAL_DRIVER."""
    if os.environ.get("TEXTUAL_DRIVER") or (sys.stdin is not None and sys.stdin.isatty()):
        return 0
    return fail(sentence, EXIT_USAGE)


def fail_problems(problems) -> int:
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    return EXIT_INVALID


def port_number(text: str, lowest: int = 1) -> int:
    """An argparse type for a TCP port (the workshop server also takes 0: any free port)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not lowest <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number ({lowest} to 65535)")
    return value


def complete_case(prefix: str, **_) -> list[str]:
    """Shell completion for a CASE argument: built-in and own case ids, then case files. Reads the folders
    directly (sim.paths), not through sim.scenario, whose schema takes a noticeable while to import."""
    from argcomplete.completers import FilesCompleter

    from sim.paths import builtin_folder, home_path

    ids = {p.stem for p in builtin_folder().glob("*.yaml")} | {p.stem for p in (home_path() / "scenarios").glob("*.yaml")}
    return sorted(i for i in ids if i.startswith(prefix)) + list(FilesCompleter(("yaml", "yml"))(prefix))

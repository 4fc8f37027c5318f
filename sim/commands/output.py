"""Shared output helpers for commands: JSON on stdout, one-sentence errors on stderr."""

from __future__ import annotations

import json
import sys

EXIT_INVALID = 1
EXIT_USAGE = 2


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def fail(message: str, code: int = EXIT_INVALID) -> int:
    """Print one sentence to stderr and return the exit code."""
    sys.stderr.write(f"mlsim: {message}\n")
    return code


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

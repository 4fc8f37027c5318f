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

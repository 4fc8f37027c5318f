"""`mlsim validate`: check case files and report every mistake at once as file:line:col: message."""

from __future__ import annotations

from sim.commands.output import EXIT_INVALID, EXIT_USAGE, complete_case, emit_json, fail

EXAMPLES = """\
  mlsim validate my-case.yaml
  mlsim validate owls bird-detection --json
"""


def add_arguments(p) -> None:
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="case files (.yaml) or case ids to check").completer = complete_case
    p.add_argument("--json", action="store_true",
                   help='print {"files": [{"file", "valid", "problems": [{"file", "line", "col", "message"}], '
                        '"warnings": [...]}]}')


def check(name: str) -> tuple[str, list, list]:
    """(the file checked, its problems, its warnings); an id of a built-in or user case is checked at its path.

    Warnings do not make a file invalid: they are spellings an editor's YAML 1.2 reader takes otherwise (5_000).
    """
    from sim.scenario import CaseError, find_case, load_case_file

    try:
        path = find_case(name)
        load_case_file(path)
    except CaseError as err:
        return name, err.problems, _warnings(name)
    return str(path), [], _warnings(str(path))


def _warnings(path: str) -> list:
    from pathlib import Path

    from sim.scenario.loader import case_warnings

    try:
        return case_warnings(Path(path).read_bytes(), path)
    except OSError:
        return []


def run(args) -> int:
    if not args.files:
        return fail("give at least one case file to validate", EXIT_USAGE)
    reports = [check(name) for name in args.files]
    if args.json:
        emit_json({"files": [{"file": file, "valid": not problems, "problems": [p.as_json() for p in problems],
                              "warnings": [w.as_json() for w in warnings]}
                             for file, problems, warnings in reports]})
    else:
        for file, problems, warnings in reports:
            for problem in problems:
                print(problem)
            for warning in warnings:
                print(warning.as_warning())
            if not problems:
                print(f"{file}: valid" + (f" ({len(warnings)} warning{'s' * (len(warnings) != 1)})" if warnings else ""))
        bad = sum(1 for _, problems, _ in reports if problems)
        if bad:
            count = sum(len(problems) for _, problems, _ in reports)
            print(f"{count} problem{'s' * (count != 1)} in {bad} of {len(reports)} file{'s' * (len(reports) != 1)}.")
    return EXIT_INVALID if any(problems for _, problems, _ in reports) else 0

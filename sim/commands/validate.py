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
                   help='print {"files": [{"file", "valid", "problems": [{"file", "line", "col", "message"}]}]}')


def check(name: str) -> tuple[str, list]:
    """(the file checked, its problems); an id of a built-in or user case is checked at its path."""
    from sim.scenario import CaseError, find_case, load_case_file

    try:
        path = find_case(name)
        load_case_file(path)
    except CaseError as err:
        return name, err.problems
    return str(path), []


def run(args) -> int:
    if not args.files:
        return fail("give at least one case file to validate", EXIT_USAGE)
    reports = [check(name) for name in args.files]
    if args.json:
        emit_json({"files": [{"file": file, "valid": not problems, "problems": [p.as_json() for p in problems]}
                             for file, problems in reports]})
    else:
        for file, problems in reports:
            if problems:
                for problem in problems:
                    print(problem)
            else:
                print(f"{file}: valid")
        bad = sum(1 for _, problems in reports if problems)
        if bad:
            count = sum(len(problems) for _, problems in reports)
            print(f"{count} problem{'s' * (count != 1)} in {bad} of {len(reports)} file{'s' * (len(reports) != 1)}.")
    return EXIT_INVALID if any(problems for _, problems in reports) else 0

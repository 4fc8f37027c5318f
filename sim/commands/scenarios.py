"""`mlsim scenarios`: the built-in cases and the user's own folder."""

from __future__ import annotations

from sim import fmt
from sim.commands.output import emit_json
from sim.scenario import CaseError, list_cases, load_case_file, user_folder

EXAMPLES = """\
  mlsim scenarios
  mlsim scenarios --json
"""


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def describe() -> list[dict]:
    out = []
    for ref in list_cases():
        entry = {"id": ref.id, "path": str(ref.path), "builtin": ref.builtin}
        try:
            case, digest = load_case_file(ref.path)
            entry.update(title=case.title, pitch=case.pitch, teaches=list(case.teaches),
                         budget_weeks=case.budget_weeks, case_hash=digest, valid=True)
        except CaseError as err:
            entry.update(valid=False, problems=[str(p) for p in err.problems])
        out.append(entry)
    return out


def run(args) -> int:
    cases = describe()
    if args.json:
        emit_json({"cases": cases, "user_folder": str(user_folder())})
        return 0
    for c in cases:
        origin = "built-in" if c["builtin"] else "yours"
        if c["valid"]:
            print(f"{c['id']:<22} {c['title']} ({origin}, {fmt.weeks(c['budget_weeks'])} weeks)")
            print(f"{'':<22} {c['pitch']}")
        else:
            print(f"{c['id']:<22} INVALID ({origin}): {c['problems'][0]}")
    print(f"\nYour own cases go in {user_folder()} (mlsim play FILE plays any case file).")
    return 0

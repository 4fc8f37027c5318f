"""`mlsim schema`: print the JSON Schema of a case file, or write it beside cases, for editors' completion."""

from __future__ import annotations

from pathlib import Path

from sim.commands.output import EXIT_INVALID, fail

EXAMPLES = """\
  mlsim schema --write ~/.local/share/mlsim/scenarios
  mlsim schema > mlsim-case.schema.json
"""


def add_arguments(p) -> None:
    p.description = ("Print the JSON Schema of a case file, or write it as mlsim-case.schema.json into a folder "
                     "(--write DIR). A case whose first line is `# yaml-language-server: "
                     "$schema=./mlsim-case.schema.json` is then completed and checked as you type.")
    p.add_argument("--write", metavar="DIR", type=Path,
                   help="write mlsim-case.schema.json into DIR (created if missing; an older copy is replaced)")


def run(args) -> int:
    from sim.scenario.editor import SCHEMA_NAME, schema_text, write_schema

    if args.write is None:
        import sys

        sys.stdout.write(schema_text())
        return 0
    folder = args.write.expanduser()
    if folder.exists() and not folder.is_dir():
        return fail(f"{folder} is a file, not a folder; give the folder your cases are in", EXIT_INVALID)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = write_schema(folder)
    except OSError as err:
        return fail(f"cannot write {folder / SCHEMA_NAME} ({err.strerror}); check the folder's permissions")
    print(f"Wrote {path}")
    print(f"Put `# yaml-language-server: $schema=./{SCHEMA_NAME}` on the first line of each case in that folder.")
    return 0

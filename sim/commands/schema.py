"""`mlsim schema`: print the JSON Schema of a case file, for editors' completion and checking."""

from __future__ import annotations

from sim.commands.output import emit_json

EXAMPLES = """\
  mlsim schema > mlsim-case.schema.json
  mlsim schema | head -20
"""


def add_arguments(p) -> None:
    p.description = ("Print the JSON Schema of a case file. Save it (mlsim schema > mlsim-case.schema.json) and put "
                     "`# yaml-language-server: $schema=./mlsim-case.schema.json` on the first line of a case.")


def run(args) -> int:
    from sim.scenario.schema import case_json_schema

    emit_json(case_json_schema())
    return 0

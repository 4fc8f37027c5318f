"""The JSON Schema file editors read beside a case (the YAML language server's `$schema=` modeline).

The built-in cases carry `# yaml-language-server: $schema=./mlsim-case.schema.json` and the package ships that
file beside them (a test keeps it equal to the schema); `mlsim new` and `mlsim schema --write DIR` put one
beside a trainer's cases. Regenerate the shipped copy with: python -m sim.scenario.editor scenarios
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.scenario.schema import case_json_schema

SCHEMA_NAME = "mlsim-case.schema.json"
MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_NAME}"


def schema_text() -> str:
    """The schema as the file holds it (the same bytes `mlsim schema` prints)."""
    return json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(folder: Path) -> Path:
    """Write (or refresh) the schema file in `folder`; it is generated, so an older copy is replaced."""
    path = Path(folder) / SCHEMA_NAME
    path.write_text(schema_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_schema(Path(sys.argv[1] if len(sys.argv) > 1 else "scenarios")))

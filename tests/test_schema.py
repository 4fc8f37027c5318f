"""`mlsim schema` and the field reference: one schema, with a description for every field, and docs in sync."""

from __future__ import annotations

from sim.model import TRUTH_PARAMS

import json
from pathlib import Path

import yaml

from sim.cli import main
from sim.scenario.reference import END, START, embed, field_reference

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"


def printed_schema(capsys) -> dict:
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def test_schema_is_json_with_a_description_for_every_field(capsys):
    schema = printed_schema(capsys)
    assert schema["title"] == "mlsim case" and schema["type"] == "object"
    objects = [schema, schema["properties"]["start"], schema["properties"]["truth"], *schema["$defs"].values()]
    undocumented = [f"{obj.get('title', '?')}.{name}" for obj in objects
                    for name, prop in obj.get("properties", {}).items()
                    if not prop.get("description") and "$ref" not in prop]
    assert undocumented == []
    # Start knobs and truth parameters are listed by name, so editors complete them.
    assert "n_target" in schema["properties"]["start"]["properties"]
    assert schema["properties"]["truth"]["required"] == list(TRUTH_PARAMS)


def _keys_fit(node, schema: dict, defs: dict, path: str) -> list[str]:
    """Every key of a YAML node is one the schema names (a small structural check, no validator needed)."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    options = schema.get("anyOf", []) + schema.get("oneOf", [])
    if options and isinstance(node, dict):
        resolved = [defs[o["$ref"].rsplit("/", 1)[-1]] if "$ref" in o else o for o in options]
        fitting = [o for o in resolved if set(node) & set(o.get("properties", {}))] or \
            [o for o in resolved if o.get("type") == "object"]
        return _keys_fit(node, fitting[0], defs, path) if fitting else [path]
    bad = []
    if isinstance(node, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, value in node.items():
            if props is not None and key in props:
                bad += _keys_fit(value, props[key], defs, f"{path}.{key}")
            elif isinstance(extra, dict):
                names = schema.get("propertyNames", {}).get("enum")
                if names is not None and key not in names:
                    bad.append(f"{path}.{key}")
                bad += _keys_fit(value, extra, defs, f"{path}.{key}")
            else:
                bad.append(f"{path}.{key}")
    elif isinstance(node, list) and "items" in schema:
        for i, item in enumerate(node):
            bad += _keys_fit(item, schema["items"], defs, f"{path}[{i}]")
    return bad


def test_every_key_of_every_builtin_case_is_in_the_schema(capsys):
    schema = printed_schema(capsys)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert _keys_fit(data, schema, schema["$defs"], path.stem) == []


def test_the_authoring_guide_embeds_the_current_field_reference():
    text = GUIDE.read_text(encoding="utf-8")
    assert START in text and END in text
    assert embed(text) == text, "docs/authoring.md is stale: run `python -m sim.scenario.reference docs/authoring.md`"


def test_the_field_reference_covers_every_section():
    reference = field_reference()
    for heading in ("### The top level", "### `start`", "### `truth`", "### Decision", "### Option", "### Category"):
        assert heading in reference
    assert "| `budget_weeks` |" in reference and "| `n_target` |" in reference


def test_the_guide_shows_the_editor_schema_line():
    assert "# yaml-language-server: $schema=" in GUIDE.read_text(encoding="utf-8")

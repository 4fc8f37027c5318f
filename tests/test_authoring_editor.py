"""Editors: the modeline of every case names a schema file that exists beside it, and numbers read alike in
YAML 1.1 (mlsim) and YAML 1.2 (the YAML language server), or validate warns where they do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario.editor import MODELINE, SCHEMA_NAME, schema_text
from sim.scenario.loader import case_warnings
from sim.scenario.starter import starter_case
from sim.scenario.yamlpos import core_value

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_the_shipped_schema_file_is_the_current_schema():
    shipped = ROOT / "scenarios" / SCHEMA_NAME
    assert shipped.read_text(encoding="utf-8") == schema_text(), \
        "scenarios/mlsim-case.schema.json is stale; regenerate it: python -m sim.scenario.editor scenarios"


def test_the_package_ships_the_schema_file_beside_the_cases():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sim.scenarios" = ["*.yaml", "*.json"]' in text


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_each_builtin_points_its_editor_at_the_schema_beside_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    assert (path.parent / first.split("$schema=./", 1)[1]).is_file()


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_each_builtin_reads_the_same_in_yaml_1_1_and_1_2(path):
    assert case_warnings(path.read_bytes(), path.name) == []


def test_the_starter_reads_the_same_in_yaml_1_1_and_1_2():
    text = starter_case("leaves")
    assert text.splitlines()[0] == MODELINE
    assert case_warnings(text.encode("utf-8"), "leaves.yaml") == []


def test_schema_prints_json_and_writes_it_into_a_folder(capsys, tmp_path):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == schema_text() and json.loads(printed)["type"] == "object"

    folder = tmp_path / "my cases"
    assert main(["schema", "--write", str(folder)]) == 0
    assert (folder / SCHEMA_NAME).read_text(encoding="utf-8") == schema_text()
    assert MODELINE.split("# ", 1)[1] in capsys.readouterr().out  # says what to put on a case's first line

    (folder / SCHEMA_NAME).write_text("{}", encoding="utf-8")  # an older copy is replaced
    assert main(["schema", "--write", str(folder)]) == 0
    assert (folder / SCHEMA_NAME).read_text(encoding="utf-8") == schema_text()


def test_schema_write_refuses_a_file_with_a_sentence(capsys, tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("id: x\n", encoding="utf-8")
    assert main(["schema", "--write", str(target)]) == 1
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "id: x\n"


def test_new_puts_the_schema_beside_the_starter(capsys, isolated_home):
    assert main(["new", "leaves"]) == 0
    folder = isolated_home / "scenarios"
    assert (folder / SCHEMA_NAME).read_text(encoding="utf-8") == schema_text()
    assert str(folder / SCHEMA_NAME) in capsys.readouterr().out


@pytest.mark.parametrize("spelling, value", [
    ("5_000", "5_000"), ("5000", 5000), ("yes", "yes"), ("true", True), ("010", 10), ("0o10", 8),
    ("1e3", 1000.0), ("1.5", 1.5), (".inf", float("inf")), ("~", None), ("0x1F", 31), ("12:30", "12:30"),
])
def test_core_schema_reading(spelling, value):
    assert core_value(spelling) == value


@pytest.mark.parametrize("line, spelled, says", [
    ("  n_dev: 10000", "  n_dev: 10_000", "start.n_dev: '10_000' reads as 10000 here but as text to YAML 1.2 readers"),
    ("  mismatch_half: 10000", "  mismatch_half: 010000",
     "truth.mismatch_half: '010000' reads as 4096 here but as 10000 to YAML 1.2 readers"),
])
def test_validate_warns_where_an_editor_reads_a_number_otherwise(capsys, tmp_path, line, spelled, says):
    base = starter_case("leaves")
    assert line in base
    path = tmp_path / "leaves.yaml"
    path.write_text(base.replace(line, spelled, 1), encoding="utf-8")
    assert main(["validate", str(path)]) == 0  # valid: a warning never fails a file
    out = capsys.readouterr().out
    assert f"warning: {says}" in out and "valid (1 warning)" in out
    assert main(["validate", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)["files"][0]
    assert report["valid"] and len(report["warnings"]) == 1
    assert report["warnings"][0]["line"] == base.splitlines().index(line) + 1

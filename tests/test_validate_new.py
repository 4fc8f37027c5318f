"""`mlsim new` and the trainer's folder: a starter case that validates, lints, lists and plays."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.scenario import list_cases


def test_new_writes_a_starter_that_validates_lints_lists_and_plays(capsys, isolated_home):
    assert main(["new", "leaves"]) == 0
    path = isolated_home / "scenarios" / "leaves.yaml"
    assert f"Wrote {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=") and "id: leaves" in text

    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["lint", "leaves", "--runs", "300"]) == 0, capsys.readouterr().out
    capsys.readouterr()

    assert [ref.id for ref in list_cases() if not ref.builtin] == ["leaves"]
    assert main(["scenarios", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)["cases"]}
    assert listed["leaves"]["builtin"] is False and listed["leaves"]["valid"] is True

    assert main(["play", "leaves", "--headless", "--policy", "expert", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["case"] == "leaves" and result["final"]["shipped"] and result["final"]["constraints_met"]
    assert set(result["variant"]) == {"truth.bayes", "truth.start_bias", "truth.start_variance"}


def test_new_refuses_to_overwrite(capsys, isolated_home):
    assert main(["new", "mine"]) == 0
    path = isolated_home / "scenarios" / "mine.yaml"
    path.write_text("# my edits\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "mine"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "# my edits\n"


@pytest.mark.parametrize("name", ["Bad Name", "../escape", "UPPER", "bird-detection"])
def test_new_refuses_bad_names(capsys, isolated_home, name):
    assert main(["new", name]) == 2
    assert capsys.readouterr().err.startswith("mlsim: ")
    assert not (isolated_home / "scenarios").exists() or not any((isolated_home / "scenarios").iterdir())


def test_a_broken_case_in_the_folder_is_listed_as_invalid_not_a_crash(capsys, isolated_home):
    folder = isolated_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "broken" in out and "INVALID (yours)" in out and "YAML syntax error" in out

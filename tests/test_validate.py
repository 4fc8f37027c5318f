"""`mlsim validate`: every mistake at once, located, with a remedy; hostile files refused safely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import CaseError, load_case_file

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))
BIRD = (ROOT / "tests" / "fixtures" / "base-case.yaml").read_text(encoding="utf-8")


def validate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str | bytes, name: str = "case.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def edited(old: str, new: str, text: str = BIRD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_every_builtin_case_is_valid(capsys, path):
    code, out, _ = validate(capsys, str(path))
    assert code == 0, out
    assert out.strip() == f"{path}: valid"


def test_all_mistakes_are_reported_at_once_at_their_lines(capsys, tmp_path):
    text = edited("  n_target: 9_800_000", "  n_targt: 9_800_000")
    text = edited("budget_weeks: 52", "budget_weeks: fifty", text)
    text = edited("        rule: split-size", "        rule: split-sise", text)
    text = edited("  train_longer: {weeks: 0.5}", "  train_longer: {weks: 0.5}", text)
    text = edited("fixed_by: [data_augmentation]", "fixed_by: [data_augmentaton]", text)
    file = write(tmp_path, text)
    code, out, _ = validate(capsys, file)
    assert code == 1
    lines = out.strip().splitlines()
    expected = [
        (line_of(text, "budget_weeks: fifty"), "budget_weeks must be a number (got 'fifty')"),
        (line_of(text, "n_targt"), "unknown key 'n_targt' in start; did you mean 'n_target'?"),
        (line_of(text, "data_augmentaton"), "did you mean 'data_augmentation'?"),
        (line_of(text, "weks"), "unknown key 'weks' in actions.train_longer; did you mean 'weeks'?"),
        (line_of(text, "split-sise"), "did you mean 'split-size'?"),
    ]
    for line, message in expected:
        assert any(l.startswith(f"{file}:{line}:") and message in l for l in lines), (line, message, lines)
    # A typo of a required key is one problem, not "unknown" plus "missing".
    assert not any("missing key 'weeks'" in l for l in lines)
    assert lines[-1] == "5 problems in 1 of 1 file."


def test_json_report_shape(capsys, tmp_path):
    bad = write(tmp_path, edited("  n_target: 9_800_000", "  n_targt: 9_800_000"), "bad.yaml")
    good = str(BUILTIN[0])
    code, out, _ = validate(capsys, "--json", bad, good)
    assert code == 1
    report = json.loads(out)
    assert [f["valid"] for f in report["files"]] == [False, True]
    (problem,) = report["files"][0]["problems"]
    assert set(problem) == {"file", "line", "col", "message"}
    assert (problem["file"], problem["line"], problem["col"]) == (bad, line_of(BIRD, "n_target"), 3)
    assert report["files"][1]["problems"] == []


@pytest.mark.parametrize("old, new, needle, message", [
    ("  - id: rival\n", "  - id: rival\n", None, None),  # placeholder keeps ids aligned; skipped below
    ("    week: 26\n", "    week: 60\n", "week: 60", "event 'new-species' comes at week 60, after the budget of 52 weeks"),
    ("share: 0.4,", "share: 0.9,", None, "the category shares can add up to 1.30"),
    ("  data_augmentation: {weeks: 1}\n", "", "glare", "category 'glare' is fixed by 'data_augmentation', which is not "
                                                      "available in this case"),
    ("  change_metric: {weeks: 1}\n", "", "flags: [metric_problem]", "event 'rival' raises metric_problem, which only "
                                                                       "change_metric resolves"),
    ("{after_event: citizen-photos}", "{after_event: citizen-foto}", "citizen-foto",
     "waits for event 'citizen-foto', which the case does not have; did you mean 'citizen-photos'?"),
    ("{metric: memory_mb, max: 10,", "{metric: memory_mb, max: 0.01,", "max: 0.01",
     "no model meets Model memory (MB) ≤ 0.01: even the smallest size (level 0) needs"),
    ("human_proxy: 2", "human_proxy: 7", "human_proxy: 7", "human_proxy 7 is past the human-level table"),
    ("budget_weeks: 52", "budget_weeks: {between: [40, 52]}", "budget_weeks", "budget_weeks cannot vary by seed"),
    ("  bayes: {between: [0.15, 0.3]}", "  bayes: {betwen: [0.15, 0.3]}", "betwen", "did you mean 'between'?"),
    ("  bayes: {between: [0.15, 0.3]}", "  bayes: {between: [0.3, 0.15]}", "bayes:", "the range starts above its end"),
    ("  - optimizing-satisficing\n  - split-size", "  - optimizing-satisficing\n  - split-sizes", "split-sizes",
     "did you mean 'split-size'?"),
    ("    when: {after_action: measure_human_level}", "    when: {after_action: measure_human}", "measure_human}",
     "did you mean 'measure_human_level'?"),
    ("  bigger_network: {weeks: 1}", "  biger_network: {weeks: 1}", "biger_network",
     "unknown key 'biger_network' in actions; did you mean 'bigger_network'?"),
    ("  ship: {weeks: 1}\n", "", "actions:", "the actions must include ship"),
    ("coach:\n  long_run_weeks: 3", "coach:\n  long_run_wekes: 3", "long_run_wekes", "did you mean 'long_run_weeks'?"),
])
def test_cross_checks_and_suggestions(capsys, tmp_path, old, new, needle, message):
    if message is None:
        return
    text = edited(old, new)
    code, out, _ = validate(capsys, write(tmp_path, text))
    assert code == 1
    hits = [l for l in out.splitlines() if message in l]
    assert hits, out
    if needle is not None:
        assert any(f":{line_of(text, needle)}:" in h for h in hits), (hits, line_of(text, needle))


def test_cross_checks_still_run_when_another_part_has_a_type_error(capsys, tmp_path):
    text = edited("title: Birds over Brightwater", "title: [not, text]")
    text = edited("    week: 26\n", "    week: 60\n", text)
    code, out, _ = validate(capsys, write(tmp_path, text))
    assert code == 1
    assert "title must be text" in out
    assert "event 'new-species' comes at week 60" in out


LATIN1 = "id: caf\xe9\ntitle: Caf\xe9\n".encode("latin-1")
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))


@pytest.mark.parametrize("content, line, words", [
    ("id: x\ntitle: [unclosed\n", 3, "YAML syntax error"),
    ("id: x\nstart:\n\tlevel: 2\n", 3, "tabs"),
    (BIRD.replace("title: Birds over Brightwater\n", "title: Birds over Brightwater\ntitle: Twice\n"), 5,
     "duplicate key 'title' (first at line 4); keep one"),
    ("id: !!python/object/apply:os.system ['touch PWNED']\n", 1, "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"),
    (BOMB, 0, "alias bomb"),
    ("", 0, "the file is empty"),
    ("# only a comment\n", 0, "the file is empty"),
    (bytes(range(256)) * 4, 0, "binary data"),
    (LATIN1, 1, "not UTF-8 text"),
    (b"id: x\n" + b"# padding\n" * 120_000, 0, "a case file must be under 1,000,000"),
    ("- just\n- a list\n", 1, "a mapping of keys"),
    ("42\n", 1, "a mapping of keys"),
], ids=["syntax", "tab", "duplicate", "python-tag", "alias-bomb", "empty", "comment-only", "random-bytes", "latin-1",
        "over-1mb", "a-list", "a-number"])
def test_broken_files_get_one_clear_sentence(capsys, tmp_path, monkeypatch, content, line, words):
    monkeypatch.chdir(tmp_path)
    file = write(tmp_path, content)
    code, out, err = validate(capsys, file)
    assert code == 1
    assert "Traceback" not in out + err
    problems = [l for l in out.splitlines() if l.startswith(file)]
    assert any(words in p for p in problems), out
    first = next(p for p in problems if words in p)
    assert first.startswith(f"{file}:{line}:" if line else f"{file}: ")
    assert not (tmp_path / "PWNED").exists()


def test_tags_construct_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, BIRD.replace("title: Birds over Brightwater",
                                        "title: !!python/object/apply:os.system ['touch PWNED']"))
    with pytest.raises(CaseError):
        load_case_file(path)
    assert not (tmp_path / "PWNED").exists()


def test_missing_file_and_usage(capsys, tmp_path):
    code, out, _ = validate(capsys, str(tmp_path / "nope.yaml"))
    assert code == 1 and "no such file" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["validate"])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_case_id_is_validated_at_its_path(capsys):
    code, out, _ = validate(capsys, "bird-detection")
    assert code == 0 and out.strip().endswith("bird-detection.yaml: valid")

"""Generated docs stay in sync with the code they describe."""

from pathlib import Path

from sim.glossary import glossary_markdown
from sim.rules import RULE_IDS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_rules_glossary_is_generated_from_the_rules():
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    assert text == glossary_markdown(), "run `python -m sim.glossary docs/rules.md`"
    assert all(f"`{rule}`" in text for rule in RULE_IDS)


def test_the_thresholds_the_glossary_states_are_the_coachs():
    """docs/rules.md "When a gap is a problem" names each threshold's constant: its figure there is the code's."""
    import importlib
    import re

    from sim.scenario.schema import CoachFacts

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    section = text.split("## When a gap is a problem", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| ([\d.]+) \| `([\w.]+)` \|$", section, flags=re.MULTILINE)
    assert len(rows) >= 10, "the thresholds table lost its rows"
    for value, name in rows:
        if name == "sim.scenario.schema.CoachFacts.long_run_weeks":
            actual = CoachFacts.model_fields["long_run_weeks"].default
        else:
            module, constant = name.rsplit(".", 1)
            actual = getattr(importlib.import_module(module), constant)
        assert float(value) == actual, f"docs/rules.md says {name} is {value}; the code has {actual}"
    for constant in ("PROBLEM_SHARE", "NOISE_Z", "SIGNIFICANT_SHARE", "LARGEST_SHARE_FLOOR", "TINY_SHARE",
                     "FIX_VALUE_RATIO", "WEEKS_PER_SD", "MIN_PROBLEM", "long_run_weeks"):
        assert any(name.endswith(constant) for _, name in rows), constant


def test_the_situations_each_case_poses_are_the_ones_docs_cases_shows():
    """docs/cases.md: the share of seeds 0-999 by primary problem at the first full diagnosis, per case."""
    from sim.game.spread import _builtin_cases, embed

    text = (DOCS / "cases.md").read_text(encoding="utf-8")
    assert text == embed(text, _builtin_cases()), "run `python -m sim.game.spread docs/cases.md`"

"""Generated docs stay in sync with the code they describe."""

from pathlib import Path

from sim.glossary import glossary_markdown
from sim.rules import RULE_IDS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_rules_glossary_is_generated_from_the_rules():
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    assert text == glossary_markdown(), "run `python -m sim.glossary docs/rules.md`"
    assert all(f"`{rule}`" in text for rule in RULE_IDS)

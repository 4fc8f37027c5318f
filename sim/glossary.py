"""The rules glossary as Markdown (docs/rules.md is generated from it; a test keeps the file in sync).

Run `python -m sim.glossary docs/rules.md` after changing sim/rules.py or the scoring.
"""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path

from sim.rules import RULES

SCORING = """\
## How a game is scored

- **Strategy**: every choice earns points from the coach's verdict: aligned +10, neutral 0,
  misaligned −5 (a case may change these under `scoring:`). Decisions earn what their chosen
  option is marked.
- **Outcome**: from the real-world error at the end, against where you started and what the
  expert (the rules as a policy) reaches on the same seed:
  `outcome = 100 × (start − yours) / max(start − expert, start / 10)`, rounded and held between
  0 and 150. Matching the expert's improvement scores 100; beating it scores up to 150.
- The outcome is **0** when the project ends past its budget or ships a model that breaks a
  satisficing threshold.
- **Total** = strategy + outcome. On a leaderboard, ties go to the lower real-world error, then
  fewer weeks, then the earlier submission.
- Shipping is judged by "ship when the gain per week is small": shipping is misaligned while a
  fix the rules would make still fits the budget, neutral while a measurement is still due.
"""


LADDER = ("avoidable bias = train − human-level; variance = train-dev − train; data mismatch = dev − train-dev; "
          "dev overfitting = test − dev; deployment gap = real world − test.")


def rules_markdown(table: bool = True) -> str:
    """The rules by group: a table for the docs, a list for narrow terminals (the in-game help)."""
    lines = []
    for group, rules in groupby(RULES.values(), key=lambda rule: rule.group):
        lines += [f"## {group}", ""]
        if table:
            lines += ["| id | rule |", "|---|---|"] + [f"| `{r.id}` | {r.text} |" for r in rules]
        else:
            lines += [f"- `{r.id}`: {r.text}" for r in rules]
        lines.append("")
    return "\n".join(lines)


def glossary_markdown() -> str:
    """docs/rules.md."""
    intro = ("Each verdict in the game cites one of these rules by its id. The substance comes from the\n"
             "course material on structuring ML projects; the wording is ours.\n")
    return "\n".join(["# Rules the coach applies", "", intro, rules_markdown(table=True), "## The error ladder", "",
                      LADDER, "", SCORING])


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules.md")
    target.write_text(glossary_markdown(), encoding="utf-8")
    print(f"wrote {target}")

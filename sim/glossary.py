"""The rules glossary as Markdown (docs/rules.md is generated from it; a test keeps the file in sync).

Run `python -m sim.glossary docs/rules.md` after changing sim/rules.py, the scoring or a threshold (the thresholds
live in sim.coach, above this leaf module: their text is kept here, and tests/test_docs.py checks the figures).
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


THRESHOLDS = """\
## When a gap is a problem

The coach calls a gap a problem, and a fix worth its weeks, by the thresholds below. Each one comes
from the course's own examples; the table at the end says where the code states it (a test keeps
the two equal).

- **A second problem must clearly be one: strictly more than half the largest gap.** In the
  course, 0.5 points of avoidable bias beside 2 of variance (a quarter) means "work on variance",
  while 10 points of bias beside 9 of data mismatch means two problems, and in a case-study
  question a mismatch of about 60% of the bias still counts as a second one. None of its examples
  calls a gap of half the largest, or less, a second problem, so the line is drawn strictly above
  half: on a ladder with bias 8 and variance 4 the one problem is bias, and more data or
  regularisation work on the smaller gap. Which fix a problem earns follows the same care: more
  data whenever variance is a problem; regularisation and a smaller network, which cost a little
  bias, only when variance is the primary problem.
- **A gap under 0.2 points is never a problem.** The smallest gaps the course's examples act on
  are a few tenths of a point (the ladders near a team of doctors' 0.5%); below that a gap
  changes no decision.
- **A gap must stand out from the sets' sampling noise: more than twice its standard deviation.**
  An error of e% read on n examples wobbles by about √(e × (100 − e) / n) points; a gap between
  two readings by the square root of the sum of their squares. A gap under twice that (about 95%
  confidence) could be chance. The course's reason: a test set must be big enough to trust, and a
  dev set of 10,000 (1% of a million) is what lets a team see small differences. With 100 dev
  examples at 3%, one standard deviation is 1.7 points, so 1.9 points of variance could be
  chance; with 10,000 it is 0.17 and the 1.9 is a problem. A question that gives no set sizes
  (`mlsim diagnose` without `--dev-size`, `--test-size`, `--train-dev-size`) takes the noise as
  negligible, and the verdict says it assumed so.
- **Mismatched data without a train-dev set hides two gaps.** When the training data comes from
  another distribution than dev/test, dev − train is variance and data mismatch in unknown
  shares, either of which may be all of it: bias is then a problem only when it is more than half
  of the whole of dev − train, and variance and mismatch fixes wait for a train-dev set.
- **A training run of two weeks or more is slow.** The course's way of working is to build a
  first system fast and iterate; a run that takes two weeks or more brakes every later
  experiment, so speeding the loop up (faster hardware, training on a subset) comes before tuning.
  A case may set another threshold (`coach: long_run_weeks:`) only for a reason its briefing
  gives. In a case with a budget, a run of half that or more also counts when the runs left would
  save at least twice what the speed-up costs.
- **An error-analysis share is large at a fifth of dev errors.** A category's share of dev errors
  times the dev error is the most fixing it can gain (5% of a 10% error: at most 0.5 points; 50%:
  up to 5). A share is large at a fifth, or when it is the largest in the table and at least a
  tenth (4% is small however it ranks); a category under a twentieth is never worth a fix's weeks.
  Cleaning dev and test labels is aligned only when the mislabelled share is large in this sense
  (and above 2% of errors, noise in a count of 100): the course's 6% of a 10% error is 0.6
  points, against 9.4 from other causes.
- **Cost weighting: points per week, at least 75% of the best fix on screen.** A fix is judged by
  what it should gain (the coach's forecast from the ladder and the shape of learning curves; for
  a category, its ceiling times the part one fix removes) against its weeks: "how much could this
  gain" is only half of the course's question, the other half is how long it takes. A fix the
  rules call right is aligned when its points per week are at least 75% of the best such fix on
  screen, and neutral below that. A gain must also be worth a run at all: at least 0.02 points
  and half a standard deviation of the dev reading, and at least one dev standard deviation
  (counted as no finer than 0.05 points) per five weeks; below that, the gain per week is small
  and it is time to ship. A smaller gap's fix is right too once the larger gaps' fixes are spent,
  or when it buys at least 75% of what the best of them buys per week. A bare ladder (a
  question put to `mlsim diagnose`) has no project to forecast from: there, every fix the rules
  call right for a problem gap is aligned, and weeks are not weighed.

| threshold | value | in the code |
|---|---|---|
| a second problem is strictly above this share of the largest gap | 0.5 | `sim.coach.diagnose.PROBLEM_SHARE` |
| the smallest gap that can be a problem, points | 0.2 | `sim.coach.diagnose.MIN_PROBLEM` |
| standard deviations of sampling noise a gap must exceed | 2 | `sim.coach.diagnose.NOISE_Z` |
| a training run this long or longer is slow, weeks | 2 | `sim.scenario.schema.CoachFacts.long_run_weeks` |
| a large share of dev errors | 0.2 | `sim.coach.situation.SIGNIFICANT_SHARE` |
| the largest share in the table counts from | 0.1 | `sim.coach.situation.LARGEST_SHARE_FLOOR` |
| a share under this is never worth a fix | 0.05 | `sim.coach.situation.TINY_SHARE` |
| the smallest mislabelled share worth cleaning | 0.02 | `sim.coach.situation.MIN_MISLABELLED` |
| a fix is aligned at this part of the best points per week | 0.75 | `sim.coach.situation.FIX_VALUE_RATIO` |
| the smallest forecast gain worth a run, points | 0.02 | `sim.coach.situation.MIN_GAIN` |
| ... and in dev standard deviations | 0.5 | `sim.coach.situation.GAIN_SDS` |
| weeks that must buy one dev standard deviation | 5 | `sim.coach.situation.WEEKS_PER_SD` |
| ... counting a dev standard deviation as at least, points | 0.05 | `sim.coach.situation.MIN_RATE_SD` |
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
                      LADDER, "", THRESHOLDS, SCORING])


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules.md")
    target.write_text(glossary_markdown(), encoding="utf-8")
    print(f"wrote {target}")

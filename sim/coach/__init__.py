"""The coach: the strategy rules, diagnosis of the ladder, verdicts on choices, the score and the expert."""

from sim.coach.diagnose import GAPS, PRIMARIES, Diagnosis, diagnose, diagnose_batch, diagnosis_row
from sim.coach.judge import VERDICTS, Choice, Verdict, judge, judge_batch
from sim.rules import RULE_IDS, RULES, Rule
from sim.coach.score import Score, outcome_points
from sim.coach.visible import Visible

__all__ = [
    "GAPS", "PRIMARIES", "Diagnosis", "diagnose", "diagnose_batch", "diagnosis_row", "VERDICTS", "Choice",
    "Verdict", "judge", "judge_batch", "RULE_IDS", "RULES", "Rule", "Score", "outcome_points", "Visible",
]

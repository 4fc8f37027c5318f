"""Lint a case: play many seeds of the expert, random and anti-rule policies in one vectorised pass and
check that the case is winnable, that following the rules pays, and that every decision and event is reached.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim import fmt
from sim.coach.anti import AntiRulePolicy
from sim.coach.policy import RandomPolicy
from sim.game.coherence import CoherenceReport, coherence
from sim.game.engine import Engine
from sim.game.runner import ANSWER, OPTIONS, BatchRun, expert_policy, run_batch, totals
from sim.model import ACTION_IDS
from sim.scenario.schema import Case
from sim.scenario.variants import extremes

POLICIES = ("expert", "random", "anti-rule")
MIN_EXPERT_WINS = 0.95  # following the rules must beat playing at random on this share of seeds
COHERENCE_STATES = 1000  # seeds per policy the coherence check draws a state from


@dataclass
class LintReport:
    case: Case
    runs: int
    policies: dict[str, BatchRun]
    expert_beats_random: float
    expert_beats_anti: float
    unreached_decisions: list[str]
    unreached_events: list[str]
    never_aligned: list[str]
    expert_path: list[str]
    expert_path_share: float
    reasons: list[str]
    totals: dict[str, np.ndarray]  # score per seed and policy (strategy + outcome against the expert)
    coherence: CoherenceReport | None = None  # does what the coach calls aligned work in the model?

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_json(self) -> dict:
        def dist(values: np.ndarray) -> dict:
            p10, median, p90 = np.percentile(values, [10, 50, 90]) if len(values) else (np.nan,) * 3
            return {"p10": _round(p10), "median": _round(median), "p90": _round(p90)}

        return {
            "case": self.case.id, "runs": self.runs, "ok": self.ok, "reasons": self.reasons,
            "expert_beats_random": round(self.expert_beats_random, 4),
            "expert_beats_anti_rule": round(self.expert_beats_anti, 4),
            "policies": {name: {"win_rate": round(float(run.valid.mean()), 4) if self.runs else 0.0,
                                "score": dist(self.totals[name]), "real_world_error": dist(run.real_world),
                                "weeks": dist(run.weeks)} for name, run in self.policies.items()},
            "expert_path": {"choices": self.expert_path, "share": round(self.expert_path_share, 4)},
            "unreached": {"decisions": self.unreached_decisions, "events": self.unreached_events},
            "never_aligned_actions": self.never_aligned,
            **({"coherence": self.coherence.as_json()} if self.coherence is not None else {}),
        }


def _round(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 3)


def beats(a: BatchRun, b: BatchRun) -> np.ndarray:
    """Per seed: `a` shipped a valid model, and `b` did not or ended with a higher real-world error."""
    return a.valid & (~b.valid | (a.real_world < b.real_world - 1e-9))


def lint(case: Case, runs: int = 1000, first_seed: int = 0,
         progress: Callable[[int, int], None] | None = None, coherence_states: int | None = COHERENCE_STATES) -> LintReport:
    """`progress(done, total)`, if given, is told each time one of the policies has played every seed (and once more
    when the coherence check is done). `coherence_states`: seeds per policy for the coherence check (None: skip)."""
    seeds = np.arange(first_seed, first_seed + runs, dtype=np.int64)
    base = Engine(case, seeds)  # built once: the hidden truth and seed draws are the same for every policy
    played = 0

    def done(run: BatchRun) -> BatchRun:
        nonlocal played
        played += 1
        if progress:
            progress(played, len(POLICIES) + (coherence_states is not None))
        return run

    policies = {
        "expert": done(run_batch(case, base, expert_policy, "expert")),
        "random": done(run_batch(case, base, RandomPolicy(case, base.truth.draws), "random")),
        "anti-rule": done(run_batch(case, base, AntiRulePolicy(case, base.truth.draws), "anti-rule")),
    }
    expert = policies["expert"]
    scores = {name: totals(run, expert.real_world)[1] for name, run in policies.items()}
    win_random = float(beats(expert, policies["random"]).mean()) if runs else 0.0
    win_anti = float(beats(expert, policies["anti-rule"]).mean()) if runs else 0.0
    reached_d = np.any([r.decisions_reached for r in policies.values()], axis=0) if case.decisions else np.zeros(0, bool)
    reached_e = np.any([r.events_reached for r in policies.values()], axis=0) if case.events else np.zeros(0, bool)
    unreached_d = [d.id for d, hit in zip(case.decisions, reached_d) if not hit]
    unreached_e = [e.id for e, hit in zip(case.events, reached_e) if not hit]
    aligned = sum(r.aligned_actions for r in policies.values())
    never = [a for a in case.actions if aligned[ACTION_IDS.index(a)] == 0]
    path, share = typical_path(case, expert.path)
    reasons = []
    if win_random < MIN_EXPERT_WINS:
        reasons.append(f"following the rules does not pay: the expert beats the random player on "
                       f"{100 * win_random:.1f}% of seeds (needs {100 * MIN_EXPERT_WINS:.0f}%); "
                       + _why_expert_loses(expert, policies["random"]))
    for d in unreached_d:
        reasons.append(f"decision '{d}' is never reached in {runs} seeds of any policy; "
                       + _why_unreached(case, next(x for x in case.decisions if x.id == d)))
    for e in unreached_e:
        week = _week_text(next(x.week for x in case.events if x.id == e))
        reasons.append(f"event '{e}' (week {week}) is never reached in {runs} seeds of any policy; every "
                       f"playthrough ends before it (latest end: week {max(r.weeks.max() for r in policies.values()):.1f})")
    checked = None
    if coherence_states is not None:
        checked = coherence(case, coherence_states, first_seed)
        played += 1
        if progress:
            progress(played, len(POLICIES) + 1)
        reasons += coherence_reasons(checked)
    return LintReport(case, runs, policies, win_random, win_anti, unreached_d, unreached_e, never, path, share, reasons,
                      scores, checked)


def coherence_reasons(report: CoherenceReport) -> list[str]:
    """One sentence per coherence figure that misses its target, naming a state that shows it."""
    out = []
    for name, figure in report.figures.items():
        if figure.ok:
            continue
        op, bound = figure.target
        where = ""
        if figure.example:
            ex = figure.example
            path = ", ".join(ex.get("path", [])) or "the start"
            where = (f"; e.g. seed {ex['seed']} ({ex.get('policy', '')} player) after {path}: {ex['action']} is "
                     f"{ex.get('verdict', 'a category fix')} and gains {fmt.signed(ex['gain'])} points")
            if "sd" in ex:
                where += f" (one dev-set sd is {fmt.error(ex['sd'])})"
            if "ceiling" in ex:
                where += f", above its ceiling of {fmt.error(ex['ceiling'])}"
        pct = lambda x: fmt.percent(100 * x, 1)  # noqa: E731  a whole percent could round across the target
        meets = figure.value >= bound if op == ">=" else figure.value <= bound
        if op != "==" and meets:  # the share is on target but its interval is too wide to be sure of it
            out.append(f"coherence: {name} is {pct(figure.value)} but its 95% interval ({pct(figure.low)} to "
                       f"{pct(figure.high)}) reaches past {pct(bound)}: {figure.n} observations are too few to be "
                       "sure; raise --coherence-states")
            continue
        out.append(f"coherence: {name} is {pct(figure.value) if op != '==' else figure.hits} "
                   f"(95% interval {pct(figure.low)} to {pct(figure.high)}), target {op} "
                   f"{pct(bound) if op != '==' else fmt.number(bound)}{where}")
    return out


def _why_expert_loses(expert: BatchRun, random: BatchRun) -> str:
    if expert.valid.mean() < MIN_EXPERT_WINS:
        return (f"the expert ships a valid model on only {100 * expert.valid.mean():.0f}% of seeds "
                "(over budget or past a threshold); loosen the budget, the thresholds or the action costs")
    gain = np.median(random.real_world[random.valid] - expert.real_world[random.valid]) if random.valid.any() else np.nan
    return (f"the median real-world error gap between random and expert is {gain:.2f} points; make the gaps the rules "
            "attack larger than the measurement noise (truth.start_bias, start_variance, start_mismatch vs real_noise)")


def _why_unreached(case: Case, decision) -> str:
    when = decision.when
    if when.week is not None:
        return f"it waits for week {when.week:g} and every playthrough ends before (lower the week or the action costs)"
    if when.after_event is not None:
        return f"it waits for event '{when.after_event}', which never happens"
    if when.ladder is not None:
        return (f"it waits for the ladder to show `{when.ladder}`, which no playthrough's ladder ever does "
                "(loosen the condition, or make the truth reach it)")
    if when.after_answer is not None:
        return (f"it waits for answer '{when.after_answer.option}' to decision '{when.after_answer.decision}', "
                "which no policy ever gives (the random player tries every option: is that decision reached?)")
    return f"it waits for action '{when.after_action}', which no policy ever takes"


def typical_path(case: Case, path: np.ndarray) -> tuple[list[str], float]:
    """The expert's most common sequence of choices, as choice text, and the share of seeds that follow it."""
    if not len(path):
        return [], 0.0
    counts = Counter(row.tobytes() for row in path)
    key, count = counts.most_common(1)[0]
    out = []
    for code in np.frombuffer(key, dtype=path.dtype):
        if code < 0:
            continue
        if code >= ANSWER:
            d, o = divmod(int(code) - ANSWER, OPTIONS)
            out.append(f"answer {case.decisions[d].options[o].id}")
        else:
            out.append(ACTION_IDS[int(code)])
    return out, float(count / len(path))


def _week_text(num) -> str:
    """An event's week as the case gives it: one week, or the range a surprise is drawn from."""
    low, high = extremes(num)
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"

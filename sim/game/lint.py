"""Lint a case: play many seeds of the expert, random and anti-rule policies in one vectorised pass and
check that the case is winnable, that following the rules pays, and that every decision and event is reached.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from sim.coach.anti import AntiRulePolicy, codes_in
from sim.coach.judge import ALIGNED, VERDICTS, Choice, Context
from sim.coach.policy import SHIP, RandomPolicy
from sim.coach.score import outcome_points
from sim.game.engine import Engine, Moves
from sim.game.runner import MAX_TURNS, Policy, expert_policy
from sim.model import ACTION_IDS, TAPE_TURNS
from sim.scenario.schema import Case

POLICIES = ("expert", "random", "anti-rule")
MIN_EXPERT_WINS = 0.95  # following the rules must beat playing at random on this share of seeds
_ANSWER = 1000  # path code of an answer: _ANSWER + decision * _OPTIONS + option
_OPTIONS = 64


@dataclass
class PolicyRun:
    """One policy over every seed: outcomes per row, and what it reached."""

    name: str
    real_world: np.ndarray
    valid: np.ndarray  # shipped inside the budget with every threshold met
    strategy: np.ndarray
    weeks: np.ndarray
    path: np.ndarray  # (B, MAX_TURNS + 1) per turn: action code, answer code, or -1
    decisions_reached: np.ndarray  # (D,) bool
    events_reached: np.ndarray  # (E,) bool
    aligned_actions: np.ndarray  # (len(ACTION_IDS),) times each action was judged aligned
    chosen_actions: np.ndarray  # (len(ACTION_IDS),) times each action was chosen
    outcome: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def total(self) -> np.ndarray:
        return self.strategy + self.outcome


@dataclass
class LintReport:
    case: Case
    runs: int
    policies: dict[str, PolicyRun]
    expert_beats_random: float
    expert_beats_anti: float
    unreached_decisions: list[str]
    unreached_events: list[str]
    never_aligned: list[str]
    expert_path: list[str]
    expert_path_share: float
    reasons: list[str]

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
                                "score": dist(run.total), "real_world_error": dist(run.real_world),
                                "weeks": dist(run.weeks)} for name, run in self.policies.items()},
            "expert_path": {"choices": self.expert_path, "share": round(self.expert_path_share, 4)},
            "unreached": {"decisions": self.unreached_decisions, "events": self.unreached_events},
            "never_aligned_actions": self.never_aligned,
        }


def _round(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 3)


def fork(engine: Engine) -> Engine:
    """An independent copy of a freshly built engine; the (read-only) hidden truth is shared, not copied."""
    twin = copy.copy(engine)
    for name, value in vars(engine).items():
        if isinstance(value, np.ndarray):
            setattr(twin, name, value.copy())
    twin.knobs = engine.knobs.copy()
    return twin


def _row_fields(engine: Engine) -> list[str]:
    """Names of the engine's per-row arrays (found on a 3-row probe of the same case, so no shape can be mistaken)."""
    probe = Engine(engine.case, np.arange(3))
    return [name for name, value in vars(probe).items() if isinstance(value, np.ndarray) and value.shape[:1] == (3,)]


def shrink(engine: Engine, policy: Policy, keep: np.ndarray, row_fields: list[str]) -> tuple[Engine, Policy]:
    """The engine and policy restricted to rows `keep` (finished rows stop costing a step)."""
    small = copy.copy(engine)
    for name in row_fields:
        setattr(small, name, getattr(engine, name)[keep])
    small.knobs = type(engine.knobs)(**{n: getattr(engine.knobs, n)[keep] for n in engine.knobs.names()})
    small.truth = engine.truth.take(keep)
    small.batch = len(keep)
    if hasattr(policy, "tape"):  # per-seed tapes of the random and anti-rule players
        policy = copy.copy(policy)
        policy.tape = policy.tape[keep]
    return small, policy


def play(engine: Engine, policy: Policy, name: str) -> PolicyRun:
    """Play every row of `engine` to the end with `policy`, scoring each choice with the coach's verdicts."""
    case, b = engine.case, engine.batch
    points = np.array([case.scoring.aligned, case.scoring.neutral, case.scoring.misaligned])
    option_codes = [np.array([VERDICTS.index(o.verdict) for o in d.options]) for d in case.decisions]
    strategy = np.zeros(b, dtype=np.int64)
    path = np.full((b, MAX_TURNS + 2), -1, dtype=np.int64)
    aligned = np.zeros(len(ACTION_IDS), dtype=np.int64)
    chosen = np.zeros(len(ACTION_IDS), dtype=np.int64)
    # Finished rows are set aside (their results copied out) whenever they are most of the batch.
    out = {"real_world": np.full(b, np.nan), "valid": np.zeros(b, bool), "weeks": np.zeros(b),
           "triggered": np.zeros((b, len(case.decisions)), bool), "fired": np.zeros((b, len(case.events)), bool)}
    origin = np.arange(b)  # row of the full batch each engine row stands for
    row_fields = _row_fields(engine) if b > 1000 else None

    def set_aside(rows: np.ndarray) -> None:
        where = origin[rows]
        out["real_world"][where] = engine.real_world[rows]
        out["valid"][where] = (engine.shipped & engine.constraint_values()[1])[rows]
        out["weeks"][where] = engine.week[rows]
        out["triggered"][where] = engine.answered[rows]
        out["fired"][where] = engine.fired[rows]

    for _ in range(2 * TAPE_TURNS):
        if engine.done.all():
            break
        if row_fields is not None and engine.done.mean() > 0.5:
            set_aside(np.flatnonzero(engine.done))
            keep = np.flatnonzero(~engine.done)
            engine, policy = shrink(engine, policy, keep, row_fields)
            origin = origin[keep]
        vis = engine.visible()
        pending = engine.pending
        picks = policy(vis, case, pending, engine.turn)
        live = ~engine.done
        action = picks.action.copy()
        action[(engine.turn >= MAX_TURNS) & (pending < 0)] = SHIP
        slot = np.minimum(engine.turn, MAX_TURNS + 1)
        for d, codes in enumerate(option_codes):
            rows = np.flatnonzero(live & (pending == d))
            if rows.size:
                option = np.clip(picks.option[rows], 0, len(codes) - 1)
                strategy[origin[rows]] += points[codes[option]]
                path[origin[rows], slot[rows]] = _ANSWER + d * _OPTIONS + option
        acting = live & (pending < 0)
        # One diagnosis for the whole batch; each action's clauses are read on the rows that chose it.
        ctx = Context(vis, case, Choice("", picks.category, picks.variety))
        for code in np.unique(action[acting]):
            rows = np.flatnonzero(acting & (action == code))
            verdicts = codes_in(ctx, ACTION_IDS[code])[rows]
            strategy[origin[rows]] += points[verdicts]
            aligned[code] += int(np.count_nonzero(verdicts == ALIGNED))
            chosen[code] += rows.size
            path[origin[rows], slot[rows]] = code
        engine.step(Moves(action, picks.option, picks.category, picks.variety))
    else:  # every row answers or acts each step, so this is a bug, not a case problem
        raise RuntimeError("playthroughs did not finish")
    set_aside(np.arange(engine.batch))
    return PolicyRun(name, out["real_world"], out["valid"], strategy, out["weeks"], path,
                     out["triggered"].any(axis=0), out["fired"].any(axis=0), aligned, chosen)


def beats(a: PolicyRun, b: PolicyRun) -> np.ndarray:
    """Per seed: `a` shipped a valid model, and `b` did not or ended with a higher real-world error."""
    return a.valid & (~b.valid | (a.real_world < b.real_world - 1e-9))


def lint(case: Case, runs: int = 1000, first_seed: int = 0) -> LintReport:
    seeds = np.arange(first_seed, first_seed + runs, dtype=np.int64)
    base = Engine(case, seeds)  # built once: the hidden truth and noise tape are the same for every policy
    policies = {
        "expert": play(fork(base), expert_policy, "expert"),
        "random": play(fork(base), RandomPolicy(case, base.truth.draws), "random"),
        "anti-rule": play(fork(base), AntiRulePolicy(case, base.truth.draws), "anti-rule"),
    }
    expert = policies["expert"]
    for run in policies.values():
        run.outcome = outcome_points(base.start_real, run.real_world, expert.real_world, run.valid, run.valid)
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
        week = next(x.week for x in case.events if x.id == e)
        reasons.append(f"event '{e}' (week {week:g}) is never reached in {runs} seeds of any policy; every "
                       f"playthrough ends before it (latest end: week {max(r.weeks.max() for r in policies.values()):.1f})")
    return LintReport(case, runs, policies, win_random, win_anti, unreached_d, unreached_e, never, path, share, reasons)


def _why_expert_loses(expert: PolicyRun, random: PolicyRun) -> str:
    if expert.valid.mean() < MIN_EXPERT_WINS:
        return (f"the expert ships a valid model on only {100 * expert.valid.mean():.0f}% of seeds "
                "(over budget or past a threshold); loosen the budget, the thresholds or the action costs")
    gain = np.median(random.real_world[random.valid] - expert.real_world[random.valid]) if random.valid.any() else np.nan
    return (f"the median real-world error gap between random and expert is {gain:.2f} points; make the gaps the rules "
            "attack larger than the measurement noise (truth.start_bias, start_variance, mismatch_scale vs real_noise)")


def _why_unreached(case: Case, decision) -> str:
    when = decision.when
    if when.week is not None:
        return f"it waits for week {when.week:g} and every playthrough ends before (lower the week or the action costs)"
    if when.after_event is not None:
        return f"it waits for event '{when.after_event}', which never happens"
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
        if code >= _ANSWER:
            d, o = divmod(int(code) - _ANSWER, _OPTIONS)
            out.append(f"answer {case.decisions[d].options[o].id}")
        else:
            out.append(ACTION_IDS[int(code)])
    return out, float(count / len(path))


def most_chosen(run: PolicyRun, top: int = 5) -> list[tuple[str, int]]:
    counter = Counter({ACTION_IDS[i]: int(n) for i, n in enumerate(run.chosen_actions) if n})
    return counter.most_common(top)

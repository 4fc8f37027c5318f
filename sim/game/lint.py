"""Lint a case: play many seeds of the expert, random and anti-rule policies, vectorised and a chunk of seeds at
a time, and check that the case is winnable, that following the rules pays, that play cites the rules it claims
to teach, and that the expert reaches every decision and event in most seeds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from sim import fmt
from sim.coach.anti import AntiRulePolicy
from sim.coach.policy import RandomPolicy
from sim.game.coherence import CoherenceReport, coherence, path_text
from sim.game.engine import Engine
from sim.game.options_check import event_floor_reasons, floor_reasons, option_outcomes, option_reasons
from sim.game.runner import BatchRun, expert_policy, run_batch, totals
from sim.model import ACTION_IDS
from sim.rules import RULE_IDS
from sim.scenario.schema import Case
from sim.scenario.variants import extremes

POLICIES = ("expert", "random", "anti-rule")
MIN_EXPERT_WINS = 0.95  # following the rules must beat playing at random on this share of seeds
MIN_TEACH_SHARE = 0.20  # a rule the case teaches is cited on the expert's or the random player's path this often
MIN_EXPERT_REACH = 0.5  # an event or decision the expert sees in fewer seeds than this is mostly unseen
COHERENCE_STATES = 1000  # seeds per policy the coherence check draws a state from
# When a figure is on the right side of its bar but its interval still reaches past it, the default check draws
# this many instead (once): a case near a bar is measured well enough to say which side it is on.
COHERENCE_STATES_NEAR_A_BAR = 3000
OPTION_SEEDS = 100  # seeds whose expert answers each decision every way (steady to a few hundredths of a point)
CHUNK = 5_000  # seeds played at once: the batch's memory is a chunk's, not all runs' (20,000: twice the peak, 15% faster)
PATH_KEEP = 100_000  # distinct expert paths counted at most (past it the rarest are dropped: only the commonest is shown)


@dataclass(frozen=True)
class Rate:
    """How many of `n` seeds something happened in, with its 95% (Wilson) interval."""

    hits: int
    n: int

    @property
    def value(self) -> float:
        return self.hits / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        if not self.n:
            return 0.0, 1.0
        z, p, n = 1.96, self.value, self.n
        mid = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, float(mid - half)), min(1.0, float(mid + half))

    def near(self, bound: float) -> bool:
        """Whether `bound` lies inside the interval: another --runs could land on its other side."""
        low, high = self.interval
        return low <= bound <= high

    def as_json(self) -> dict:
        low, high = self.interval
        return {"hits": self.hits, "share": round(self.value, 4), "low": round(low, 4), "high": round(high, 4)}


@dataclass
class PolicyStats:
    """One policy over every seed, gathered chunk by chunk: per seed only what the report's figures need."""

    name: str
    valid: np.ndarray  # (B,) shipped inside the budget with every threshold met
    real_world: np.ndarray  # (B,)
    weeks: np.ndarray  # (B,)
    score: np.ndarray  # (B,) strategy + outcome against the expert
    rule_rows: np.ndarray  # (len(RULE_IDS),) seeds whose path cites each rule
    answered: np.ndarray  # (D,) seeds that answered each decision
    fired: np.ndarray  # (E,) seeds in which each event fired
    aligned: np.ndarray  # (len(ACTION_IDS),) times each action was judged aligned
    limits_met: np.ndarray | None = None  # (C,) seeds whose final model met each satisficing threshold


@dataclass
class LintReport:
    case: Case
    runs: int
    policies: dict[str, PolicyStats]
    expert_beats_random: float
    expert_beats_anti: float
    unreached_decisions: list[str]
    unreached_events: list[str]
    never_aligned: list[str]
    expert_path: list[str]
    expert_path_share: float
    reasons: list[str]
    notes: list[str] = field(default_factory=list)  # figures within noise of a bar: true now, may flip with --runs
    coherence: CoherenceReport | None = None  # does what the coach calls aligned work in the model?
    # Per decision, per option: the project's real-world error when the expert answers so and then finishes.
    options: list[list[np.ndarray]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def totals(self) -> dict[str, np.ndarray]:
        return {name: stats.score for name, stats in self.policies.items()}

    def cited(self, policy: str) -> dict[str, Rate]:
        """Rule -> the seeds whose `policy` path cites it, for every rule the case teaches."""
        stats = self.policies[policy]
        return {rule: Rate(int(stats.rule_rows[RULE_IDS.index(rule)]), self.runs) for rule in self.case.teaches}

    def reach(self, policy: str) -> tuple[dict[str, Rate], dict[str, Rate]]:
        """(decision id -> seeds that answered it, event id -> seeds it fired in) for `policy`."""
        stats = self.policies[policy]
        return ({d.id: Rate(int(n), self.runs) for d, n in zip(self.case.decisions, stats.answered)},
                {e.id: Rate(int(n), self.runs) for e, n in zip(self.case.events, stats.fired)})

    def as_json(self) -> dict:
        def dist(values: np.ndarray) -> dict:
            p10, median, p90 = np.percentile(values, [10, 50, 90]) if len(values) else (np.nan,) * 3
            return {"p10": _round(p10), "median": _round(median), "p90": _round(p90)}

        def rates(table: dict[str, Rate]) -> dict:
            return {key: rate.as_json() for key, rate in table.items()}

        return {
            "case": self.case.id, "runs": self.runs, "ok": self.ok, "reasons": self.reasons, "notes": self.notes,
            "expert_beats_random": round(self.expert_beats_random, 4),
            "expert_beats_anti_rule": round(self.expert_beats_anti, 4),
            "policies": {name: {"win_rate": round(float(run.valid.mean()), 4) if self.runs else 0.0,
                                "score": dist(run.score), "real_world_error": dist(run.real_world),
                                "weeks": dist(run.weeks)} for name, run in self.policies.items()},
            "expert_path": {"choices": self.expert_path, "share": round(self.expert_path_share, 4)},
            "unreached": {"decisions": self.unreached_decisions, "events": self.unreached_events},
            "teaches": {rule: {"expert": self.cited("expert")[rule].as_json(),
                               "random": self.cited("random")[rule].as_json()} for rule in self.case.teaches},
            "reach": {name: {"decisions": rates(self.reach(name)[0]), "events": rates(self.reach(name)[1])}
                      for name in ("expert", "random")},
            "never_aligned_actions": self.never_aligned,
            **({"coherence": self.coherence.as_json()} if self.coherence is not None else {}),
            **({"options": {d.id: {o.id: {"verdict": o.verdict, "seeds": int(len(self.options[i][j])),
                                          "real_world_error": dist(self.options[i][j])}
                                   for j, o in enumerate(d.options)}
                            for i, d in enumerate(self.case.decisions)}} if self.options else {}),
        }


def _round(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 3)


def beats(a, b) -> np.ndarray:
    """Per seed: `a` shipped a valid model, and `b` did not or ended with a higher real-world error."""
    return a.valid & (~b.valid | (a.real_world < b.real_world - 1e-9))


def _empty(name: str, case: Case, runs: int) -> PolicyStats:
    """Every seed's place allocated at once: chunks fill it in, and nothing small is left between their arrays
    (kept pieces scattered over the heap held the freed chunks' memory: RSS grew with every chunk)."""
    return PolicyStats(name, np.zeros(runs, bool), np.full(runs, np.nan), np.zeros(runs), np.zeros(runs),
                       np.zeros(len(RULE_IDS), np.int64), np.zeros(len(case.decisions), np.int64),
                       np.zeros(len(case.events), np.int64), np.zeros(len(ACTION_IDS), np.int64),
                       np.zeros(len(case.constraints), np.int64))


def lint(case: Case, runs: int = 1000, first_seed: int = 0,
         progress: Callable[[int, int], None] | None = None, coherence_states: int | None = COHERENCE_STATES,
         chunk: int = CHUNK, where: Callable[[tuple], str] | None = None,
         extend_near_a_bar: bool = True) -> LintReport:
    """`progress(done, total)`, if given, is told each time a policy has played a chunk of seeds (and once more
    when the coherence check is done). `coherence_states`: seeds per policy for the coherence check (None: skip).
    Seeds are played `chunk` at a time: the batches' memory is a chunk's; what is kept is a few numbers per seed.
    `where(path)`: 'file:line:col: ' of a path in the case file, so advice names the line to change.
    `extend_near_a_bar`: draw COHERENCE_STATES_NEAR_A_BAR states once when a coherence figure's interval reaches
    past its bar while the figure itself does not (off when the caller chose the number of states)."""
    where = where or (lambda path: "")  # no file: advice without a place
    starts = list(range(first_seed, first_seed + runs, chunk))
    steps = len(starts) * len(POLICIES) + (coherence_states is not None)
    played = 0
    policies = {name: _empty(name, case, runs) for name in POLICIES}
    wins = {"random": 0, "anti-rule": 0}
    paths: Counter = Counter()
    for begin in starts:
        seeds = np.arange(begin, min(begin + chunk, first_seed + runs), dtype=np.int64)
        base = Engine(case, seeds)  # built once: the hidden truth and seed draws are the same for every policy
        runs_here: dict[str, BatchRun] = {}
        for name in POLICIES:
            policy = (expert_policy if name == "expert" else RandomPolicy(case, base.truth.draws) if name == "random"
                      else AntiRulePolicy(case, base.truth.draws))
            runs_here[name] = run_batch(case, base, policy, name)
            played += 1
            if progress:
                progress(played, steps)
        expert = runs_here["expert"]
        for name in wins:
            wins[name] += int(beats(expert, runs_here[name]).sum())
        rows = slice(begin - first_seed, begin - first_seed + len(seeds))
        for name, run in runs_here.items():
            stats = policies[name]
            stats.valid[rows], stats.real_world[rows], stats.weeks[rows] = run.valid, run.real_world, run.weeks
            stats.score[rows] = totals(run, expert.real_world)[1]
            stats.rule_rows += run.rules.sum(axis=0)
            stats.answered += run.answered.sum(axis=0)
            stats.fired += run.fired.sum(axis=0)
            stats.aligned += run.aligned_actions
            stats.limits_met += run.limits_met.sum(axis=0)
        paths.update(_path_key(row) for row in expert.path)
        if len(paths) > PATH_KEEP:
            paths = Counter(dict(paths.most_common(PATH_KEEP // 10)))
        del runs_here, expert, base  # the next chunk reuses the memory
    win_random = wins["random"] / runs if runs else 0.0
    win_anti = wins["anti-rule"] / runs if runs else 0.0
    answered = np.sum([p.answered for p in policies.values()], axis=0) if case.decisions else np.zeros(0)
    fired = np.sum([p.fired for p in policies.values()], axis=0) if case.events else np.zeros(0)
    unreached_d = [d.id for d, n in zip(case.decisions, answered) if not n]
    unreached_e = [e.id for e, n in zip(case.events, fired) if not n]
    aligned = sum(p.aligned for p in policies.values())
    never = [a for a in case.actions if aligned[ACTION_IDS.index(a)] == 0]
    path, share = _typical(case, paths, runs)
    report = LintReport(case, runs, policies, win_random, win_anti, unreached_d, unreached_e, never, path, share, [])
    reasons, notes = report.reasons, report.notes
    if win_random < MIN_EXPERT_WINS:
        reasons.append(f"following the rules does not pay: the expert beats the random player on "
                       f"{fmt.percent(100 * win_random, 1)} of seeds (needs {fmt.percent(100 * MIN_EXPERT_WINS, 0)}); "
                       + _why_expert_loses(policies["expert"], policies["random"]))
    reasons += _thresholds_missed(case, policies["expert"], runs, where)
    for d in unreached_d:
        reasons.append(f"decision '{d}' is never reached in {fmt.count(runs)} seeds of any policy; "
                       + _why_unreached(case, next(x for x in case.decisions if x.id == d)))
    for e in unreached_e:
        week = _week_text(next(x.week for x in case.events if x.id == e))
        latest = max(float(p.weeks.max()) for p in policies.values()) if runs else 0.0
        reasons.append(f"event '{e}' (week {week}) is never reached in {fmt.count(runs)} seeds of any policy; every "
                       f"playthrough ends before it (latest end: week {fmt.number(round(latest, 1))})")
    _teaching(report, reasons, notes)
    _expert_reach(report, reasons, notes, set(unreached_d) | set(unreached_e))
    if coherence_states is not None:
        report.coherence = coherence(case, coherence_states, first_seed)
        near = _near_a_bar(report.coherence)
        if near and extend_near_a_bar and coherence_states < COHERENCE_STATES_NEAR_A_BAR:
            report.coherence = coherence(case, COHERENCE_STATES_NEAR_A_BAR, first_seed)
            notes.append(f"coherence: {', '.join(near)} within noise of {'its bar' if len(near) == 1 else 'their bars'} "
                         f"at {fmt.count(coherence_states)} seeds per policy, so measured at "
                         f"{fmt.count(COHERENCE_STATES_NEAR_A_BAR)}")
        played += 1
        if progress:
            progress(played, steps)
        reasons += coherence_reasons(report.coherence)
        # The same yardstick for the answers: does the option called aligned lead to the better project?
        report.options, floors = option_outcomes(case, min(OPTION_SEEDS, coherence_states), first_seed)
        reasons += option_reasons(case, report.options, where)
        reasons += floor_reasons(case, floors, where)
        reasons += event_floor_reasons(case, where, first_seed=first_seed)
    return report


def _pct(x: float) -> str:
    return fmt.percent(100 * x, 1)


def _noise(rate: Rate, bound: float) -> str:
    low, high = rate.interval
    return (f"{_pct(rate.value)} is within noise of {_pct(bound)} at {fmt.count(rate.n)} seeds (95% interval "
            f"{_pct(low)} to {_pct(high)}): raise --runs to be sure")


def _teaching(report: LintReport, reasons: list[str], notes: list[str]) -> None:
    """A rule the case claims to teach must be cited on the expert's or the random player's path in at least
    MIN_TEACH_SHARE of seeds: else the player is rarely told it."""
    expert, random = report.cited("expert"), report.cited("random")
    for rule in report.case.teaches:
        best = max(expert[rule], random[rule], key=lambda r: r.value)
        said = (f"'{rule}' (in teaches) is cited on the expert's path in {_pct(expert[rule].value)} of seeds and on "
                f"the random player's in {_pct(random[rule].value)}")
        if best.value < MIN_TEACH_SHARE:
            reasons.append(f"{said}, below {_pct(MIN_TEACH_SHARE)}: add a decision or an event whose choice "
                           f"cites it, or take it out of teaches")
            if best.near(MIN_TEACH_SHARE):
                notes.append(f"teaches '{rule}': {_noise(best, MIN_TEACH_SHARE)}")
        elif best.near(MIN_TEACH_SHARE):
            notes.append(f"teaches '{rule}': {_noise(best, MIN_TEACH_SHARE)}")


def _expert_reach(report: LintReport, reasons: list[str], notes: list[str], unreached: set[str]) -> None:
    """An event or decision the expert sees in fewer than half the seeds is what most players following the rules
    never meet (an event at the last week counts as reached by one late game, but teaches nobody)."""
    decisions, events = report.reach("expert")
    for kind, table in (("decision", decisions), ("event", events)):
        for key, rate in table.items():
            if key in unreached:
                continue
            if rate.value < MIN_EXPERT_REACH:
                reasons.append(f"{kind} '{key}' is reached by the expert in only {_pct(rate.value)} of seeds "
                               f"(needs {_pct(MIN_EXPERT_REACH)}); "
                               + _why_rarely_reached(report.case, kind, key, events))
            if rate.near(MIN_EXPERT_REACH):
                notes.append(f"{kind} '{key}' reached by the expert: {_noise(rate, MIN_EXPERT_REACH)}")


def _why_rarely_reached(case: Case, kind: str, key: str, events: dict[str, Rate]) -> str:
    if kind == "event":
        event = next(e for e in case.events if e.id == key)
        low, high = extremes(event.week)
        if high > case.budget_weeks:
            return (f"its week ({_week_text(event.week)}) falls past the budget of {fmt.number(case.budget_weeks)} "
                    "weeks in many seeds; draw it from an earlier range")
        return (f"it comes at week {_week_text(event.week)}, after most expert games have shipped; move it earlier "
                "(the expert's typical path shows when it ships)")
    when = next(d for d in case.decisions if d.id == key).when
    if when.after_event is not None and when.after_event in events:
        return (f"it waits for event '{when.after_event}', which the expert sees in "
                f"{_pct(events[when.after_event].value)} of seeds")
    if when.week is not None:
        return f"it waits for week {fmt.number(when.week)}, after most expert games have shipped; lower the week"
    if when.after_action is not None:
        return f"it waits for action '{when.after_action}', which the expert rarely takes"
    if when.ladder is not None:
        return f"it waits for the ladder to show `{when.ladder}`, which the expert's rarely does; loosen the condition"
    if when.after_answer is not None:
        return (f"it follows answer '{when.after_answer.option}' to '{when.after_answer.decision}', which the expert "
                "rarely gives")
    return "the condition it waits for rarely holds on the expert's path; loosen it"


def _path_key(row: np.ndarray) -> bytes:
    """A path's choices without the unused slots, compactly (codes fit in 32 bits)."""
    return row[row >= 0].astype(np.int32).tobytes()


def _typical(case: Case, paths: Counter, runs: int) -> tuple[list[str], float]:
    """The expert's most common sequence of choices, as choice text, and the share of seeds that follow it."""
    if not paths:
        return [], 0.0
    key, count = paths.most_common(1)[0]
    return path_text(case, np.frombuffer(key, dtype=np.int32)), float(count / runs)


def _near_a_bar(report: CoherenceReport) -> list[str]:
    """Figures on the right side of their bar whose 95% interval still reaches past it."""
    out = []
    for name, figure in report.figures.items():
        op, bound = figure.target
        if not figure.ok and op != "==" and (figure.value >= bound if op == ">=" else figure.value <= bound):
            out.append(name)
    return out


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


def _thresholds_missed(case: Case, expert: PolicyStats, runs: int, where) -> list[str]:
    """A threshold the expert's final model misses on too many seeds, named at its line, with what moves it."""
    out = []
    own = {m.id: k for k, m in enumerate(case.metrics)}
    for j, con in enumerate(case.constraints):
        met = expert.limits_met[j] / runs if runs else 1.0
        if met >= MIN_EXPERT_WINS:
            continue
        if con.metric in own:
            how = (f"raise its {'max' if con.is_max else 'min'}, or let the model move it more "
                   f"(metrics[{own[con.metric]}]: error, capacity or actions)")
        else:
            how = (f"raise its {'max' if con.is_max else 'min'}, or give the first model more room "
                   f"(truth.{con.metric}, start.level)")
        out.append(f"{where(('constraints', j))}threshold '{con.label}' "
                   f"{'≤' if con.is_max else '≥'} {fmt.number(con.limit)} is met by the expert's final model on only "
                   f"{fmt.percent(100 * met, 1)} of seeds (needs {fmt.percent(100 * MIN_EXPERT_WINS, 0)}): {how}")
    return out


def _why_expert_loses(expert: PolicyStats, random: PolicyStats) -> str:
    if expert.valid.mean() < MIN_EXPERT_WINS:
        return (f"the expert ships a valid model on only {fmt.percent(100 * expert.valid.mean(), 0)} of seeds "
                "(over budget or past a threshold); loosen the budget, the thresholds or the action costs")
    gain = np.median(random.real_world[random.valid] - expert.real_world[random.valid]) if random.valid.any() else np.nan
    return (f"the median real-world error gap between random and expert is {fmt.error(gain)}; make the gaps the rules "
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


def _week_text(num) -> str:
    """An event's week as the case gives it: one week, or the range a surprise is drawn from."""
    low, high = extremes(num)
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"

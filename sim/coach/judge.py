"""The verdict on one choice, judged only from what the player could see when making it.

Each action has an ordered table of clauses (condition, verdict, rule, sentence) over the Situation
(sim.coach.situation); the first that holds for a row is its verdict. Every table ends in a catch-all and
every sentence names only fields that exist: both are checked when this module loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from string import Formatter
from typing import Callable

import numpy as np

from sim import fmt
from sim.coach.diagnose import (BIAS, GAP_NAMES, GAP_RULES, MISMATCH, NONE, OVERFIT, SURPASSED, UNKNOWN, VARIANCE,
                                advised_gaps)
from sim.coach.policy import next_fix
from sim.coach.situation import LOW_VARIETY, SMALL_DATA_STEP, TINY_SHARE, Situation
from sim.coach.visible import Visible
from sim.model import ACTION_IDS, ACTIONS
from sim.rules import RULE_IDS, RULES
from sim.scenario.proxy import proxy_words
from sim.scenario.schema import Case

VERDICTS = ("aligned", "neutral", "misaligned")
ALIGNED, NEUTRAL, MISALIGNED = 0, 1, 2

# How explanations name an action ("... : a bigger network attacks a gap that matters").
NOUNS = {
    "bigger_network": "a bigger network", "train_longer": "longer training", "better_optimizer": "a better optimiser",
    "architecture_search": "an architecture search", "reduce_regularization": "less regularisation",
    "collect_more_data": "more training data", "add_regularization": "more regularisation",
    "data_augmentation": "data augmentation", "smaller_network": "a smaller network",
    "early_stopping": "early stopping", "collect_target_data": "data like dev/test",
    "synthesize_data": "synthetic data", "error_analysis": "an error analysis",
    "measure_human_level": "measuring human-level error", "carve_train_dev": "a train-dev set",
    "evaluate_test": "a look at the test set", "bigger_dev_set": "a bigger dev set", "change_metric": "a new metric",
    "change_dev_test": "new dev/test sets", "clean_dev_test_labels": "cleaning dev and test labels",
    "clean_dev_labels": "cleaning dev labels", "clean_train_labels": "cleaning training labels",
    "transfer_learning": "transfer learning", "multi_task_learning": "multi-task learning",
    "end_to_end": "an end-to-end system", "pipeline": "a pipeline", "train_on_subset": "a subset",
    "faster_hardware": "faster hardware", "ship": "shipping",
}


@dataclass(frozen=True)
class Choice:
    """One action id chosen by every row, with per-row parameters: category (-1 none) and variety."""

    action: str
    category: np.ndarray
    variety: np.ndarray


Condition = Callable[[Situation, Choice], np.ndarray]


@dataclass(frozen=True)
class Clause:
    when: Condition | None  # None: always (the catch-all that ends every table)
    verdict: int
    rule: str
    template: str


@dataclass(frozen=True)
class Verdict:
    action: str
    verdict: str
    rule: str
    rule_text: str
    explanation: str

    def as_json(self) -> dict:
        return {"action": self.action, "verdict": self.verdict, "rule": self.rule, "explanation": self.explanation}


class Context:
    """What one judgement reads: the situation, the choice, and (for ship) the expert's next move."""

    def __init__(self, situation: Situation, choice: Choice):
        self.s, self.choice = situation, choice
        self.vis, self.case, self.g = situation.vis, situation.case, situation.g
        self.next_action: np.ndarray | None = None
        self.words = proxy_words(self.case)  # what the Bayes proxy is: a human level, a system, an estimate

    def explain(self, template: str, i: int) -> str:
        """Fill a clause's sentence with row i's visible numbers (only the fields the sentence names)."""
        return template.format(**{name: FIELDS[name](self, i) for name in _template_fields(template)})


class Judgement:
    """Verdicts for a batch that made one action, with the clause each row matched."""

    def __init__(self, action: str, ctx: Context):
        clauses = CLAUSES[action]
        batch = ctx.s.batch
        self.action, self.clauses, self.ctx = action, clauses, ctx
        self.clause = np.full(batch, -1)
        for i, clause in enumerate(clauses):
            open_rows = self.clause < 0
            if not open_rows.any():
                break
            when = ctx.s.all if clause.when is None else np.asarray(clause.when(ctx.s, ctx.choice), dtype=bool)
            self.clause = np.where(open_rows & when, i, self.clause)
        self.codes = _CODES[action][self.clause]
        self.rule_index = _RULE_INDEX[action][self.clause]  # into RULE_IDS

    def row(self, i: int) -> Verdict:
        clause = self.clauses[self.clause[i]]
        text = self.ctx.explain(clause.template, i) + _assumptions(self.ctx, self.action, clause, i)
        return Verdict(self.action, VERDICTS[clause.verdict], clause.rule, RULES[clause.rule].text, text)


def _assumptions(c: Context, action: str, clause: Clause, i: int) -> str:
    """What a verdict takes for granted because the question did not say it (only `mlsim diagnose` leaves gaps)."""
    notes = []
    v = c.vis
    if action in ("reduce_regularization", "add_regularization") and not v.regularization_known[i]:
        notes.append("whether the model is regularised is not given; judged by the rule")
    if action in ("faster_hardware", "train_on_subset") and np.isnan(v.run_weeks[i]):
        notes.append("how long a training run takes is not given, so the loop is taken as fast enough")
    gap_rules = {"avoidable-bias", "variance", "data-mismatch", "dev-overfitting"}
    if clause.rule in gap_rules and np.isnan(v.n_dev[i]) and not np.isnan(v.dev[i]):
        notes.append("set sizes not given, so sampling noise is taken as negligible")
    text = f" (Assumed: {'; '.join(notes)}.)" if notes else ""
    proxy, best = v.human[i], v.human_best[i]
    if clause.rule in gap_rules | {"surpassing-human", "need-human-level"} and not np.isnan(best) and proxy > best + 1e-12:
        chosen, kept = fmt.pair(proxy, best)
        text += f" Bias is read against {c.words.best}, {kept}%, not the {chosen}% the team took."
    return text


# ---- the fields a sentence may name --------------------------------------------------------------
def _in_sentence(label: str) -> str:
    """A category label as it reads mid-sentence ("Blurry images" -> "blurry images"; "UI glitches" stays)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


@lru_cache(maxsize=None)
def _noun(action: str) -> str:
    return NOUNS.get(action, action.replace("_", " "))


@lru_cache(maxsize=4096)  # a verdict's sentence is one of a few hundred templates: parsed once each
def _template_fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


def _filled(template: str, c: Context, i: int) -> str:
    """A sentence part that is itself a template of fields."""
    return template.format(**{name: FIELDS[name](c, i) for name in _template_fields(template)})


def _gap(c: Context, i: int, j: int) -> str:
    return fmt.error(c.g.gaps[i, j])


def _others(c: Context, i: int, skip: int) -> str:
    parts = [f"{GAP_NAMES[j]} {fmt.error(c.g.gaps[i, j])}" for j in range(4)
             if j != skip and not np.isnan(c.g.gaps[i, j])]
    return ", ".join(parts) if parts else "no other gap measured"


def _primary_name(c: Context, i: int) -> str:
    primary = int(c.g.primary[i])
    return GAP_NAMES[primary] if primary < 4 else "no gap"


def _primary_gap(c: Context, i: int) -> str:
    primary = int(c.g.primary[i])
    return fmt.error(c.g.gaps[i, primary]) if primary < 4 else "0"


def _against(c: Context, i: int) -> str:
    """What the judged gap stands against: the primary problem, or that none stands out."""
    primary = int(c.g.primary[i])
    if primary < 4:
        return f" while {GAP_NAMES[primary]} is {fmt.error(c.g.gaps[i, primary])}"
    return {UNKNOWN: " and the largest gap is not yet known", SURPASSED: f" and error is below {c.words.best}"}.get(
        primary, " and no gap stands out")


def _below(c: Context, i: int) -> str:
    """Which rung is below the Bayes proxy, both printed with the digits the comparison needs."""
    v = c.vis
    best = v.human_best[i]
    rung, name = (v.train[i], "Train") if v.train[i] < best else (v.dev[i], "Dev")
    ours, human = fmt.pair(rung, best)
    return f"{name} {ours}% is below {c.words.best}, {human}%"


def _label(c: Context, i: int) -> str:
    cat = int(c.choice.category[i])
    return _in_sentence(c.case.categories[cat].label) if cat >= 0 else ""


def _share(c: Context, i: int) -> float:
    return float(c.s.share_of(c.choice.category)[i])


def _ceiling(c: Context, i: int, share: float) -> str:
    """A share's ceiling with the +- of a count of 100 (95%), e.g. "0.93 (+-0.34)"."""
    dev = float(c.vis.dev[i])
    half = 1.96 * np.sqrt(max(share * (1.0 - share), 0.0) / 100.0) * dev
    return f"{fmt.error(share * dev)} (±{fmt.error(half)})"


def _best_fix_name(c: Context, i: int) -> str:
    """The fix with the most forecast points per week, as a phrase ("synthetic data aimed at fog")."""
    j = int(c.s.best_fix[i])
    if j < 0:
        return "no fix"
    best = c.s.ranked[j]
    name = _noun(best.action)
    if best.category >= 0:
        name += f" for {_in_sentence(c.case.categories[best.category].label)}"
    return name


def _limits(c: Context, i: int) -> str:
    return ", ".join(f"{k.label} {'≤' if k.is_max else '≥'} {fmt.number(k.limit)}" for k in c.case.constraints) or "none"


def _metric_now(c: Context, i: int) -> str:
    parts = []
    for j, k in enumerate(c.case.constraints):
        if c.vis.limits.shape[1] == len(c.case.constraints):
            value = c.vis.limits[i, j]
        else:  # a view built from a bare ladder names only the built-in metrics
            value = {"inference_s": c.vis.inference_s[i], "memory_mb": c.vis.memory_mb[i]}.get(k.metric, np.nan)
        parts.append(f"{k.label} {fmt.metric(value, k.limit)}")
    return ", ".join(parts) or "no thresholds"


def _time_left(c: Context, i: int) -> str:
    left = c.vis.weeks_left[i]
    return f"{fmt.weeks_phrase(left)} left" if np.isfinite(left) else "time left"


FIELDS: dict[str, Callable[[Context, int], str]] = {
    "human": lambda c, i: fmt.error(c.vis.human_best[i]),
    "proxy": lambda c, i: c.words.noun,
    "Proxy": lambda c, i: c.words.noun[:1].upper() + c.words.noun[1:],
    "measure": lambda c, i: c.words.measure,
    "train": lambda c, i: fmt.error(c.vis.train[i]),
    "train_dev": lambda c, i: fmt.error(c.vis.train_dev[i]),
    "dev": lambda c, i: fmt.error(c.vis.dev[i]),
    "test": lambda c, i: fmt.error(c.vis.test[i]),
    "bias": lambda c, i: _gap(c, i, BIAS),
    "variance": lambda c, i: _gap(c, i, VARIANCE),
    "mismatch": lambda c, i: _gap(c, i, MISMATCH),
    "overfit": lambda c, i: _gap(c, i, OVERFIT),
    "not_bias": lambda c, i: _others(c, i, BIAS),
    "not_variance": lambda c, i: _others(c, i, VARIANCE),
    "not_mismatch": lambda c, i: _others(c, i, MISMATCH),
    "not_overfit": lambda c, i: _others(c, i, OVERFIT),
    "primary": _primary_name,
    "primary_gap": _primary_gap,
    "against": _against,
    "dev_minus_train": lambda c, i: fmt.error(c.vis.dev[i] - c.vis.train[i]),
    "run_weeks": lambda c, i: fmt.weeks_phrase(c.vis.run_weeks[i]),
    "long_run": lambda c, i: fmt.weeks_phrase(c.case.coach.long_run_weeks),
    "below": _below,
    "label": _label,
    "Label": lambda c, i: _label(c, i)[:1].upper() + _label(c, i)[1:],
    "share": lambda c, i: fmt.share(_share(c, i)),
    "ceiling": lambda c, i: _ceiling(c, i, _share(c, i)),
    "largest": lambda c, i: fmt.share(c.s.largest_share[i]),
    "mislabelled": lambda c, i: fmt.share(c.s.mislabelled[i]),
    "mis_points": lambda c, i: _ceiling(c, i, float(c.s.mislabelled[i])),
    "limits": _limits,
    "metrics_now": _metric_now,
    "rounds": lambda c, i: f"{c.vis.rounds_since_test[i]:.0f}",
    "peeks": lambda c, i: f"{c.vis.test_peeks[i]:.0f}",
    "data": lambda c, i: fmt.count(c.vis.data[i]),
    "threshold": lambda c, i: fmt.count(c.vis.e2e_threshold[i]),
    "n_target": lambda c, i: fmt.count(c.vis.n_target[i]),
    "variety": lambda c, i: fmt.share(c.choice.variety[i]),
    "dev_sd": lambda c, i: fmt.error(c.s.dev_sd[i]),
    "ea_age": lambda c, i: f"{int(c.vis.ea_age[i])}",
    "stale": lambda c, i: "" if c.vis.ea_fresh[i] else " (in an analysis from before the last change: shares move)",
    "growth": lambda c, i: fmt.share(c.s.data_growth(c.choice.action)[i]),
    "gain": lambda c, i: fmt.error(c.s.gain_of(c.choice.action, c.choice.category, c.choice.variety)[i]),
    "fix_weeks": lambda c, i: fmt.weeks_phrase(c.s.weeks_table[i, ACTION_IDS.index(c.choice.action)]),
    "poorer": lambda c, i: _filled(_BETTER_ELSEWHERE if c.s.best_fix[i] >= 0 else _TOO_LITTLE, c, i),
    "worth": lambda c, i: ", and " + _filled(_WORTH_FORECAST, c, i).rstrip(".") if c.s.forecasts else "",
    "best_fix": _best_fix_name,
    "best_gain": lambda c, i: fmt.error(c.s.gains[i, c.s.best_fix[i]]) if c.s.best_fix[i] >= 0 else "0",
    "best_weeks": lambda c, i: (fmt.weeks_phrase(c.s.weeks_table[i, ACTION_IDS.index(c.s.ranked[c.s.best_fix[i]].action)])
                                if c.s.best_fix[i] >= 0 else "0"),
    "what": lambda c, i: _noun(c.choice.action),
    "time_left": _time_left,
    "fit_action": lambda c, i: _noun(ACTION_IDS[int(_fit_action(c.s)[i])]),
    "speed_ups": lambda c, i: " or ".join(_noun(a) for a in ("faster_hardware", "train_on_subset")
                                          if c.s.speed_up_pays(a)[i]) or "faster hardware, a subset",
    "next_noun": lambda c, i: _noun(ACTION_IDS[int(c.next_action[i])]),
    "source": lambda c, i: (t.source if (t := c.s.facts_of(i).transfer) else "no related task"),
    "source_examples": lambda c, i: (fmt.count(t.source_examples) if (t := c.s.facts_of(i).transfer) else "0"),
    "tasks": lambda c, i: (m.tasks if (m := c.s.facts_of(i).multitask) else "no related tasks"),
}


# ---- the clause tables ---------------------------------------------------------------------------
def _named(c: Choice) -> np.ndarray:
    return c.category >= 0


def _good(s: Situation, c: Choice) -> np.ndarray:
    return s.good_fix_of(c.action, c.category, c.variety)


def _allowed(s: Situation, c: Choice) -> np.ndarray:
    return s.rule_fix_of(c.action, c.category, c.variety)


_SPEED_TEXT = ("One training run takes {run_weeks}: speed up the loop first ({speed_ups}), then tune; every later "
               "experiment gets cheaper.")
_SPEED = Clause(lambda s, c: s.speed_up_first, NEUTRAL, "iteration-speed", _SPEED_TEXT)
_WORTH = ("{what} attacks a gap that matters{worth}.")
_WORTH_FORECAST = ("it should gain about {gain} points in {fix_weeks}, as good a use of the weeks as any fix on "
          "screen.")
_BETTER_ELSEWHERE = ("but {best_fix} should gain about {best_gain} points in {best_weeks}: more per week than {what} "
                     "(about {gain} in {fix_weeks}).")
_TOO_LITTLE = ("but {what} should gain only about {gain} points in {fix_weeks}, and no fix on screen is worth "
               "its weeks: the gain per week is small, so it is time to ship.")
_POORER = "{poorer}"  # one of the two above: a better fix on screen, or none worth a run


def _bias_family(action: str) -> tuple[Clause, ...]:
    clauses: list[Clause] = []
    if action == "bigger_network":
        clauses.append(Clause(lambda s, c: s.vis.bigger_breaks, MISALIGNED, "optimizing-satisficing",
                              "One size up would break a satisficing threshold ({limits}; now {metrics_now}): "
                              "optimise accuracy only among models that meet every threshold."))
    if action == "reduce_regularization":
        clauses.append(Clause(lambda s, c: s.vis.regularization_known & ~s.vis.regularized, NEUTRAL, "avoidable-bias",
                              "The model has no regularisation to remove: train {train}% will not move."))
    if action == "train_longer":
        clauses.append(Clause(lambda s, c: s.vis.retrain_due, ALIGNED, "change-metric-or-dev-set",
                              "The dev/test sets changed since this model was trained: a training run aims it at "
                              "the new target (dev {dev}% is measured on them)."))
    clauses += [
        Clause(lambda s, c: s.human_unknown, NEUTRAL, "need-human-level",
               "{Proxy} is unknown, so train error {train}% cannot be split into avoidable bias and "
               "Bayes error: {measure} first."),
        Clause(lambda s, c: s.surpassed, NEUTRAL, "surpassing-human",
               "{below}: avoidable bias can no longer be measured, so a bias fix is a guess; more data and error "
               "analysis are surer."),
        _SPEED,
        Clause(_good, ALIGNED, "avoidable-bias", "Avoidable bias is {bias} points ({not_bias}): " + _WORTH),
        Clause(_allowed, NEUTRAL, "avoidable-bias", "Avoidable bias is {bias} points, " + _POORER),
        Clause(lambda s, c: s.need_train_dev, NEUTRAL, "train-dev-set",
               "Avoidable bias is {bias} points, but dev - train {dev_minus_train} is variance and data mismatch "
               "in unknown shares: carve a train-dev set before choosing which gap to attack."),
    ]
    if action == "architecture_search":
        clauses.append(Clause(lambda s, c: s.bias_problem | s.variance_problem, NEUTRAL, "avoidable-bias",
                              "Only one of avoidable bias ({bias}) and variance ({variance}) is a problem: its own "
                              "knob is cheaper than a search that spends weeks and tuning rounds on both."))
    clauses += [
        Clause(lambda s, c: s.bias_problem, NEUTRAL, "avoidable-bias",
               "Avoidable bias is {bias} points, but {what} does not fit the {time_left} with a ship after it."),
        Clause(None, MISALIGNED, "avoidable-bias",
               "Avoidable bias is only {bias} points{against}: {what} works on the smaller gap."),
    ]
    return tuple(clauses)


def _variance_family(action: str) -> tuple[Clause, ...]:
    clauses = []
    if action == "smaller_network":
        clauses.append(Clause(lambda s, c: s.vis.smaller_helps, ALIGNED, "optimizing-satisficing",
                              "The model breaks a satisficing threshold ({limits}; now {metrics_now}): a smaller "
                              "network is how it gets back under them before anything else."))
    clauses += [
        Clause(lambda s, c: s.human_unknown, NEUTRAL, "need-human-level",
               "{Proxy} is unknown: without it, dev - train {dev_minus_train} cannot be weighed against "
               "avoidable bias; {measure} first."),
        Clause(lambda s, c: s.need_train_dev, NEUTRAL, "train-dev-set",
               "Training data comes from another distribution and there is no train-dev set: dev - train "
               "{dev_minus_train} mixes variance and data mismatch; carve a train-dev set first."),
        _SPEED,
    ]
    if action == "early_stopping":
        clauses.append(Clause(lambda s, c: s.variance_problem, NEUTRAL, "orthogonalization",
                              "Variance is {variance} points, but early stopping also raises train error: it moves "
                              "two links at once. Prefer regularisation or more data."))
    if action == "collect_more_data":
        clauses.append(Clause(lambda s, c: s.surpassed & _good(s, c), ALIGNED, "surpassing-human",
                              "{below}: gains now come from more data; " + _WORTH))
    clauses += [
        Clause(lambda s, c: s.surpassed & ~s.variance_problem, NEUTRAL, "surpassing-human",
               "{below}: the gaps are hard to read; look at the errors first."),
        Clause(_good, ALIGNED, "variance", "Variance is {variance} points ({not_variance}): " + _WORTH),
        Clause(_allowed, NEUTRAL, "variance", "Variance is {variance} points, " + _POORER),
    ]
    if action in ("add_regularization", "smaller_network"):
        # Regularisation and a smaller network buy variance with bias: only when variance leads.
        clauses.append(Clause(lambda s, c: s.variance_problem, NEUTRAL, "variance",
                              "Variance is {variance} points, but {primary} is {primary_gap}: {what} would raise bias "
                              "to cut variance; more data cuts it at no bias cost."))
    clauses += [
        Clause(lambda s, c: s.variance_problem, NEUTRAL, "variance",
               "Variance is {variance} points, but {what} does not fit the {time_left} with a ship after it."),
        Clause(None, MISALIGNED, "variance",
               "Variance is only {variance} points{against}: {what} works on the smaller gap."),
    ]
    return tuple(clauses)


def _category_clauses(action: str) -> tuple[Clause, ...]:
    named = lambda s, c: _named(c)  # noqa: E731
    rule = "synthetic-data-coverage" if action == "synthesize_data" else "error-analysis-ceiling"
    tail = (" and the synthetic data covers about {variety} of their real variety" if action == "synthesize_data"
            else "")
    return (
        Clause(lambda s, c: named(s, c) & s.vis.devset_flawed, NEUTRAL, "dev-test-same-distribution",
               "The dev/test sets do not hold the users' data (an earlier choice), so their error analysis of dev "
               "{dev}% cannot say how much {label} cost users; rebuild them from the users' data first."),
        Clause(lambda s, c: named(s, c) & s.speed_up_first, NEUTRAL, "iteration-speed",
               "One training run takes {run_weeks}: speed up the loop first (faster hardware, a subset), "
               "then fix {label}."),
        Clause(lambda s, c: named(s, c) & ~s.vis.ea_done, NEUTRAL, "error-analysis-first",
               "No error analysis yet: you cannot know how much of the dev error {dev}% comes from {label}, nor "
               "whether they are worth the weeks; look at the errors first."),
        Clause(lambda s, c: named(s, c) & _good(s, c), ALIGNED, rule,
               "{Label} are {share} of dev errors{stale}: fixing them can gain up to {ceiling} points" + tail + "; "
               + _WORTH),
        Clause(lambda s, c: named(s, c) & _allowed(s, c) & (s.share_of(c.category) >= TINY_SHARE - 1e-12), NEUTRAL,
               "error-analysis-ceiling", "{Label} are {share} of dev errors{stale} (up to {ceiling} points), " + _POORER),
        Clause(named, MISALIGNED, "error-analysis-ceiling",
               "{Label} are only {share} of dev errors: at most {ceiling} of the {dev} points, too little for the "
               "weeks a fix takes."),
    )


def _mismatch_family(action: str) -> tuple[Clause, ...]:
    clauses: list[Clause] = []
    if action == "synthesize_data":
        clauses.append(Clause(lambda s, c: c.variety < LOW_VARIETY, NEUTRAL, "synthetic-data-coverage",
                              "The synthetic data covers about {variety} of the real variety: the network may fit "
                              "that small corner and gain little on dev."))
    clauses.append(Clause(lambda s, c: s.need_train_dev, NEUTRAL, "train-dev-set",
                          "Without a train-dev set, dev - train {dev_minus_train} mixes variance and data mismatch; "
                          "carve a train-dev set first."))
    clauses += list(_category_clauses(action))
    clauses += [_SPEED, Clause(lambda s, c: s.vis.devset_flawed, NEUTRAL, "dev-test-same-distribution",
                               "The dev/test sets do not hold the users' data (an earlier choice), so dev {dev}% "
                               "cannot show what {what} gains for users; rebuild them from the users' data first.")]
    same = lambda s, c: ~s.vis.differ  # noqa: E731  one distribution everywhere: no data mismatch to close
    if action == "collect_target_data":
        clauses.append(Clause(lambda s, c: s.forecasts & (s.data_growth(action) < SMALL_DATA_STEP), NEUTRAL, "variance",
                              "One collection adds only {growth} more examples like these: too small a step on a "
                              "learning curve to be worth a run (dev is {dev}%)."))
        # Data like dev/test is then simply more data: judged as a variance fix.
        clauses += [Clause(lambda s, c: same(s, c) & s.human_unknown, NEUTRAL, "need-human-level",
                           "{Proxy} is unknown: without it, dev - train {dev_minus_train} cannot be "
                           "weighed against avoidable bias; {measure} first."),
                    Clause(lambda s, c: same(s, c) & _good(s, c), ALIGNED, "variance",
                           "Train and dev share a distribution and variance is {variance} points: " + _WORTH)]
    clauses.append(Clause(same, MISALIGNED, "data-mismatch",
                          "Training data already looks like dev/test (one distribution), so there is no data "
                          "mismatch for {what} to close{against}."))
    rule = "synthetic-data-coverage" if action == "synthesize_data" else "data-mismatch"
    clauses += [
        Clause(_good, ALIGNED, rule, "Data mismatch is {mismatch} points ({not_mismatch}): " + _WORTH),
        Clause(_allowed, NEUTRAL, rule, "Data mismatch is {mismatch} points, " + _POORER),
        Clause(lambda s, c: s.mismatch_problem, NEUTRAL, "data-mismatch",
               "Data mismatch is {mismatch} points, but {what} does not fit the {time_left} with a ship after it."),
        Clause(None, MISALIGNED, "data-mismatch",
               "Data mismatch is only {mismatch} points{against}: {what} works on the smaller gap."),
    ]
    return tuple(clauses)


def _analysis() -> tuple[Clause, ...]:
    return (
        Clause(lambda s, c: s.vis.ea_fresh & ~s.vis.ea_cleaned, NEUTRAL, "error-analysis-first",
               "These dev errors ({dev}%) were already analysed and neither the model nor the dev set has changed "
               "since."),
        Clause(lambda s, c: s.analyse & s.mismatch_problem, ALIGNED, "data-mismatch",
               "Data mismatch is {mismatch} points: reading ~100 misclassified dev examples shows how dev differs "
               "from the training data, and which difference is worth the weeks."),
        Clause(lambda s, c: s.analyse & s.surpassed, ALIGNED, "surpassing-human",
               "{below}: reading the misclassified dev examples is how you still find gains."),
        Clause(lambda s, c: s.analyse, ALIGNED, "error-analysis-first",
               "Variance is {variance} points: counting ~100 misclassified dev examples by category shows which "
               "kind of example the model needs more of, and which fix is worth the weeks."),
        Clause(lambda s, c: s.unknown, NEUTRAL, "error-analysis-first",
               "Reading errors is always useful, but first measure what is missing: the largest gap behind dev "
               "{dev}% is not known yet."),
        Clause(lambda s, c: s.vis.ea_done & (s.mismatch_problem | s.variance_problem), NEUTRAL, "error-analysis-first",
               "The last table is recent enough to aim a fix by ({ea_age} run since): reading the errors again now "
               "would mostly show the same shares."),
        Clause(lambda s, c: s.worth_a_run, NEUTRAL, "error-analysis-first",
               "The ladder already says what to do: {primary} is the largest gap ({primary_gap} points), and its "
               "fixes do not need a count of categories."),
        Clause(None, NEUTRAL, "error-analysis-first", "Dev error is {dev}% and no gap stands out: little left to find."),
    )


# A ship verdict that names the skipped fix names the gap that fix is for (not the primary gap, which the
# forecast may have passed over for a better use of the weeks).
_SKIPPED_GAP = {"bias": "avoidable bias is {bias} points", "variance": "variance is {variance} points",
                "mismatch": "data mismatch is {mismatch} points", "dev_overfitting": "test is {overfit} points above dev",
                None: "{primary} is {primary_gap} points"}
_SKIPPED_FIX = " and {next_noun} still fits the budget and should gain more than the noise; ship when the gain per week is small."


def _ship() -> tuple[Clause, ...]:
    return (
        Clause(lambda s, c: ~s.vis.constraints_ok, MISALIGNED, "optimizing-satisficing",
               "The model breaks a satisficing threshold ({limits}; now {metrics_now}): it cannot ship."),
        Clause(lambda s, c: s.metric_stale | s.devset_stale, MISALIGNED, "change-metric-or-dev-set",
               "The metric or the dev/test sets no longer say what users need (an event showed it, or an earlier "
               "choice the coach called wrong): dev {dev}% says little about the real world."),
        Clause(lambda s, c: s.vis.retrain_due, MISALIGNED, "change-metric-or-dev-set",
               "The dev/test sets changed since this model was trained and no run has aimed it at them yet: its "
               "dev {dev}% is a model tuned for other sets."),
        # Each measurement skipped cites its own rule (a ship before an error analysis is not about human level).
        *[Clause(_next_measure(action), NEUTRAL, rule,
                 "Shipping at dev {dev}% with {time_left}, before {next_noun}: you ship without knowing what the next "
                 "weeks could still gain.")
          for action, rule in SKIPPED_MEASURE.items()],
        # An architecture search serves variance too: where variance is the problem and bias is not, it is its fix.
        Clause(lambda s, c: _next_family("bias")(s, c) & (s.ship_next == ACTION_IDS.index("architecture_search"))
               & s.variance_problem & ~s.bias_problem, MISALIGNED, "variance",
               "Shipping at dev {dev}% with {time_left}: " + _SKIPPED_GAP["variance"] + _SKIPPED_FIX),
        *[Clause(_next_family(family), MISALIGNED, rule,
                 "Shipping at dev {dev}% with {time_left}: " + _SKIPPED_GAP.get(family, _SKIPPED_GAP[None])
                 + _SKIPPED_FIX)
          for family, rule in SKIPPED_RULE.items()],
        Clause(_next_is_fix, NEUTRAL, "build-fast-then-iterate",
               "Shipping at dev {dev}% with {time_left}: {next_noun} could still gain a little, about as much as "
               "the dev set can tell from noise; shipping now is defensible."),
        Clause(None, ALIGNED, "optimizing-satisficing",
               "Every threshold is met ({limits}) and dev error is {dev}%: what is left gains little per week; "
               "ship the best model that satisfies them."),
    )


# The rule each family of fixes serves: the ship clauses name the expert's skipped move by it, the forecast
# advice the gap its fix is for.
SKIPPED_RULE = {"bias": "avoidable-bias", "variance": "variance", "mismatch": "data-mismatch",
                "dev_overfitting": "dev-overfitting", "aim": "change-metric-or-dev-set",
                "other_tasks": "build-fast-then-iterate"}
SKIPPED_MEASURE = {"measure_human_level": "need-human-level", "carve_train_dev": "train-dev-set",
                   "evaluate_test": "dev-overfitting", "error_analysis": "error-analysis-first"}


def _next_family(family: str) -> Condition:
    """The expert's next move is a fix of this family, clearly worth its weeks."""
    codes = [ACTION_IDS.index(a) for a in ACTION_IDS if ACTIONS[a].family == family and a not in SKIPPED_MEASURE]
    return lambda s, c: np.isin(s.ship_next, codes) & s.clearly_worth


def _next_measure(action: str) -> Condition:
    """The expert's next move is this measurement."""
    code = ACTION_IDS.index(action)
    return lambda s, c: s.ship_next == code


def _next_is_fix(s: Situation, c: Choice) -> np.ndarray:
    """The expert's next move is a fix (not a measurement, not ship)."""
    nxt = s.ship_next  # set by judge_in for ship
    measure = np.isin(nxt, [ACTION_IDS.index(a) for a in SKIPPED_MEASURE])
    return (nxt >= 0) & (nxt != ACTION_IDS.index("ship")) & ~measure


def _table(action: str) -> tuple[Clause, ...]:
    family = ACTIONS[action].family
    facts_free = {
        "measure_human_level": (
            Clause(lambda s, c: s.human_unknown, ALIGNED, "need-human-level",
                   "Train error is {train}% but Bayes error is unknown: {proxy} tells how much of it is "
                   "avoidable."),
            Clause(None, NEUTRAL, "need-human-level", "{Proxy} ({human}%) is already known."),
        ),
        "carve_train_dev": (
            Clause(lambda s, c: s.need_train_dev, ALIGNED, "train-dev-set",
                   "Training data comes from another distribution: a train-dev set splits dev - train "
                   "{dev_minus_train} into variance and data mismatch."),
            Clause(lambda s, c: ~np.isnan(s.vis.train_dev), NEUTRAL, "train-dev-set",
                   "A train-dev set is already there ({train_dev}%)."),
            Clause(None, NEUTRAL, "train-dev-set",
                   "Train and dev come from one distribution: dev - train ({dev_minus_train}) already measures "
                   "variance."),
        ),
        "evaluate_test": (
            Clause(lambda s, c: ~s.test_unread, NEUTRAL, "dev-overfitting",
                   "Test was already read for this model ({test}%): reading it again tells nothing new."),
            Clause(lambda s, c: s.test_due & ~s.vis.test_ever_read, ALIGNED, "dev-overfitting",
                   "{rounds} tuning rounds against the dev set and test never read: time to check test - dev for "
                   "overfitting."),
            Clause(lambda s, c: s.test_due, ALIGNED, "dev-overfitting",
                   "{rounds} tuning rounds against the dev set since the last look at test: time to check test - "
                   "dev for overfitting."),
            Clause(lambda s, c: s.test_worn, MISALIGNED, "dev-overfitting",
                   "Test has been looked at {peeks} times with little tuning between: it is turning into a second "
                   "dev set."),
            Clause(lambda s, c: ~s.vis.test_ever_read, NEUTRAL, "dev-overfitting",
                   "Tuning rounds against the dev set so far: {rounds}, too few to overfit it; keep test for later."),
            Clause(None, NEUTRAL, "dev-overfitting",
                   "Tuning rounds since test was last read: {rounds}, too few for much overfitting to find yet."),
        ),
        "bigger_dev_set": (
            Clause(lambda s, c: s.split_wrong, MISALIGNED, "dev-test-same-distribution",
                   "Dev and test come from different distributions, so test - dev measures that difference, not "
                   "overfitting (dev is {dev}%): make them one distribution first."),
            Clause(lambda s, c: s.resolution_limited, ALIGNED, "split-size",
                   "The fixes left should gain about {best_gain} points, less than this dev set can tell from noise "
                   "(one standard deviation is {dev_sd}): a bigger dev set lets the team see what still helps."),
            Clause(lambda s, c: s.test_unread, NEUTRAL, "dev-overfitting",
                   "Test is not measured for this model, so overfitting to the dev set (dev {dev}%) is unknown: "
                   "evaluate on test first."),
            Clause(lambda s, c: s.overfit_problem, ALIGNED, "dev-overfitting",
                   "Test is {overfit} points above dev ({not_overfit}): the dev set is overfit; a bigger one fixes "
                   "that."),
            Clause(None, MISALIGNED, "dev-overfitting",
                   "Test - dev is only {overfit} points: the dev set is not overfit."),
        ),
        "change_metric": (
            Clause(lambda s, c: s.vis.metric_problem, ALIGNED, "change-metric-or-dev-set",
                   "Dev error is {dev}%, yet doing well on this metric no longer means doing well for users: change "
                   "the metric first, then optimise it."),
            Clause(lambda s, c: s.vis.metric_flawed, ALIGNED, "single-number-metric",
                   "The metric chosen earlier misranks models for users (the coach said so then), so dev {dev}% "
                   "ranks them wrongly: replace it with one number that says what users need, then optimise that."),
            Clause(None, MISALIGNED, "change-metric-or-dev-set",
                   "Nothing shows the metric misleads you (dev {dev}%); changing the target now costs weeks and "
                   "comparability."),
        ),
        "change_dev_test": (
            Clause(lambda s, c: s.vis.devset_stale, ALIGNED, "change-metric-or-dev-set",
                   "Dev error is {dev}%, yet the dev/test sets no longer reflect the users' data: change them first, "
                   "then optimise on them."),
            Clause(lambda s, c: s.split_wrong, ALIGNED, "dev-test-same-distribution",
                   "Dev and test come from different distributions: rebuild both from the users' data so that "
                   "doing well on dev (now {dev}%) means doing well on test."),
            Clause(lambda s, c: s.vis.devset_flawed, ALIGNED, "dev-test-same-distribution",
                   "The dev/test sets built earlier do not reflect the users' data (the coach said so then), so dev "
                   "{dev}% says little about them: rebuild both from it, then optimise on them."),
            Clause(None, MISALIGNED, "change-metric-or-dev-set",
                   "Nothing shows the dev set misleads you (dev {dev}%); changing it now costs weeks and "
                   "comparability."),
        ),
        "clean_dev_test_labels": (
            Clause(lambda s, c: s.vis.dev_labels_clean, MISALIGNED, "fix-dev-test-labels-together",
                   "The dev and test labels were already cleaned: there is nothing left to fix in them (dev {dev}%)."),
            Clause(lambda s, c: ~s.vis.ea_done, NEUTRAL, "error-analysis-first",
                   "No error analysis yet: you do not know how much of the dev error {dev}% is mislabelled examples."),
            Clause(lambda s, c: s.labels_big, ALIGNED, "fix-dev-test-labels-together",
                   "Mislabelled examples are {mislabelled} of dev errors (up to {mis_points} points): fixing dev and "
                   "test by the same process keeps them one distribution."),
            Clause(None, MISALIGNED, "fix-dev-test-labels-together",
                   "Mislabelled examples are only {mislabelled} of dev errors (up to {mis_points} points): not worth "
                   "the weeks."),
        ),
        "clean_dev_labels": (
            Clause(None, MISALIGNED, "fix-dev-test-labels-together",
                   "Fixing dev labels (dev {dev}%) but not test makes dev and test two distributions; fix both by the "
                   "same process or neither."),
        ),
        "clean_train_labels": (
            Clause(lambda s, c: s.vis.labels_cleaned, NEUTRAL, "train-label-noise",
                   "No label noise is left in the training data; train error is {train}%."),
            Clause(lambda s, c: s.label_noise("systematic"), ALIGNED,
                   "train-label-noise",
                   "The training labels are wrong in a systematic way; the network learns that mistake (dev {dev}% "
                   "against train {train}%), so cleaning pays."),
            Clause(lambda s, c: s.label_noise("random"), MISALIGNED,
                   "train-label-noise",
                   "The training-label errors are random and the set is large ({data} examples): a deep network "
                   "shrugs them off."),
            Clause(None, NEUTRAL, "train-label-noise",
                   "No label noise in the training data has been reported; train error is {train}%."),
        ),
        "transfer_learning": (
            Clause(lambda s, c: s.vis.transfer_used, NEUTRAL, "transfer-learning",
                   "Pretrained weights are already in use ({data} effective examples)."),
            Clause(lambda s, c: s.transfer_holds, ALIGNED, "transfer-learning",
                   "{source} has {source_examples} examples of the same kind of input against {n_target} here, and "
                   "its low-level features help: start from its weights."),
            Clause(None, MISALIGNED, "transfer-learning", "Transfer does not pay here: {transfer_why} (dev {dev}%)."),
        ),
        "multi_task_learning": (
            Clause(lambda s, c: s.vis.multitask_used, NEUTRAL, "multi-task-learning",
                   "The tasks are already learned together (train {train}%, dev {dev}%)."),
            Clause(lambda s, c: s.multitask_holds, ALIGNED, "multi-task-learning",
                   "{tasks} share low-level features and have similar amounts of data: one network can learn them "
                   "together (the loss summed over the labels each image has); train is {train}%, dev {dev}%."),
            Clause(None, MISALIGNED, "multi-task-learning",
                   "Multi-task learning does not pay here: {multitask_why} (dev {dev}%)."),
        ),
        "end_to_end": (
            Clause(lambda s, c: s.vis.e2e, NEUTRAL, "end-to-end-needs-data",
                   "The system is already end-to-end ({data} examples)."),
            Clause(lambda s, c: s.enough_for_e2e, ALIGNED, "end-to-end-needs-data",
                   "{data} examples are enough (the whole mapping needs about {threshold}) to learn it end to end."),
            Clause(None, MISALIGNED, "end-to-end-needs-data",
                   "{data} examples are too few to learn the whole mapping (about {threshold} needed): keep the "
                   "hand-designed pipeline."),
        ),
        "pipeline": (
            Clause(lambda s, c: ~s.vis.e2e, NEUTRAL, "end-to-end-needs-data",
                   "The system is already a pipeline ({data} examples)."),
            Clause(lambda s, c: ~s.enough_for_e2e, ALIGNED, "end-to-end-needs-data",
                   "With {data} examples (about {threshold} needed end to end), hand-designed components win."),
            Clause(None, MISALIGNED, "end-to-end-needs-data",
                   "{data} examples are enough to learn the mapping end to end; the pipeline's hand-designed parts "
                   "now cost accuracy."),
        ),
        "error_analysis": _analysis(),
        "ship": _ship(),
    }
    if action in facts_free:
        return facts_free[action]
    if action in ("train_on_subset", "faster_hardware"):
        done = (lambda s, c: s.vis.faster_hardware) if action == "faster_hardware" else (lambda s, c: s.vis.subset)
        return (
            Clause(lambda s, c: done(s, c), NEUTRAL, "iteration-speed",
                   "The loop is already sped up that way; a training run takes {run_weeks}."),
            Clause(lambda s, c: s.slow_enough & s.speed_up_pays(c.action), ALIGNED, "iteration-speed",
                   "One training run takes {run_weeks}: speed up the loop before tuning; the runs left will "
                   "save more than it costs."),
            Clause(lambda s, c: s.long_run, NEUTRAL, "iteration-speed",
                   "A training run takes {run_weeks}, but with {time_left} too few runs are left to win back "
                   "what speeding up costs."),
            Clause(None, NEUTRAL, "iteration-speed",
                   "A training run takes {run_weeks} (slow is {long_run} or more): the loop is fast enough."),
        )
    if action in ("collect_target_data", "synthesize_data"):
        return _mismatch_family(action)
    # Any fix may be aimed at a category a case lists it for: then it acts on that category alone and is
    # judged by the error analysis (the category clauses fire only when the choice names one).
    if family == "bias":
        return _category_clauses(action) + _bias_family(action)
    if family == "variance":
        return _category_clauses(action) + _variance_family(action)
    raise ValueError(f"no verdict clauses for action {action!r}")


def _transfer_why(c: Context, i: int) -> str:
    t = c.s.facts_of(i).transfer
    if t is None:
        return "there is no related task to transfer from"
    if not t.same_input:
        return f"{t.source} takes another kind of input"
    if not t.features_help:
        return f"{t.source}'s features do not help this task"
    return f"{t.source} has {fmt.count(t.source_examples)} examples, not far more than the {fmt.count(c.vis.n_target[i])} here"


def _multitask_why(c: Context, i: int) -> str:
    m = c.s.facts_of(i).multitask
    if m is None:
        return "there are no related tasks"
    if not m.shared_features:
        return f"{m.tasks} do not share low-level features"
    return f"{m.tasks} have very different amounts of data"


FIELDS["transfer_why"] = _transfer_why
FIELDS["multitask_why"] = _multitask_why

def _eases_limit(action: str) -> tuple[Clause, ...]:
    """An action whose own effect brings a broken threshold back comes before any gap (a case says which)."""
    if action == "ship":
        return ()
    return (Clause(lambda s, c: s.eases_limit(c.action), ALIGNED, "optimizing-satisficing",
                   "The model breaks a satisficing threshold ({limits}; now {metrics_now}): {what} moves it back "
                   "toward its bound, and no model that breaks one can ship."),)


CLAUSES: dict[str, tuple[Clause, ...]] = {action: _eases_limit(action) + _table(action) for action in ACTION_IDS}
_CODES = {a: np.array([c.verdict for c in clauses]) for a, clauses in CLAUSES.items()}
_RULE_INDEX = {a: np.array([RULE_IDS.index(c.rule) for c in clauses]) for a, clauses in CLAUSES.items()}


def _check_tables() -> None:
    """Every table ends in a catch-all, and every sentence names only known fields (checked on import)."""
    for action, clauses in CLAUSES.items():
        if not clauses or clauses[-1].when is not None:
            raise AssertionError(f"the clauses for {action} must end in a catch-all (when=None)")
        for clause in clauses:
            unknown = set(_template_fields(clause.template)) - set(FIELDS)
            if unknown:
                raise AssertionError(f"a sentence for {action} names unknown fields: {sorted(unknown)}")
            if clause.rule not in RULES:
                raise AssertionError(f"a clause for {action} cites an unknown rule {clause.rule!r}")


_check_tables()


def situation(vis: Visible, case: Case) -> Situation:
    return Situation(vis, case)


def judge_in(s: Situation, action: str, choice: Choice) -> Judgement:
    """Judge `action` for every row of an existing situation (one diagnosis serves every action)."""
    if action == "ship" and not hasattr(s, "ship_next"):
        s.ship_next = next_fix(s)
    ctx = Context(s, choice)
    if action == "ship":
        ctx.next_action = s.ship_next
    return Judgement(action, ctx)


def forecast_advice(s: Situation, i: int) -> dict[str, str] | None:
    """Row i's best forecast fix as a line of advice ("kind": "forecast"), with the rule its verdict cites (None
    without a forecast or a fix worth its weeks). The gap advice names every fix of the largest gap; the verdicts
    weigh those fixes by their forecast, so the advice says which one the forecast favours."""
    j = int(s.best_fix[i]) if s.forecasts and s.ranked else -1
    if j < 0:
        return None
    fix = s.ranked[j]
    choice = Choice(fix.action, np.full(s.batch, fix.category), np.full(s.batch, fix.variety))
    ctx = Context(s, choice)
    rule = judge_in(s, fix.action, choice).row(i).rule
    text = _filled("The forecast's best use of the weeks now: {best_fix}, about {best_gain} points in {best_weeks}",
                   ctx, i)
    # The gap advice names the largest gap's fixes first: when the forecast favours a fix for something else, say
    # so, or the learner who follows that advice meets a neutral verdict.
    named = advised_gaps(s.g, i)
    if named and SKIPPED_RULE.get(ACTIONS[fix.action].family) != GAP_RULES[named[0]]:
        text += f", more per week than any fix for {GAP_NAMES[named[0]]}"
    return {"rule": rule, "text": text + ".", "kind": "forecast"}


@dataclass(frozen=True)
class _First:
    """A line of advice for what comes before any fix: when it holds, the rule its verdicts cite, its sentence,
    and whether every fix waits for it meanwhile (its verdict neutral, so no fix's forecast line is shown)."""

    holds: Callable[[Situation], np.ndarray]
    rule: str
    template: str
    fixes_wait: bool = False


# What the expert does before any fix, in its order (sim.coach.policy._choose), so the line the coach leads with
# is the one the verdicts enforce.
_FIRST = (
    # Only where an action on the menu moves the broken threshold back (a threshold broken because the model is
    # not yet good enough is met by the fixes the ladder advises, as the expert does).
    _First(lambda s: _fit_action(s) >= 0, "optimizing-satisficing",
           "The model breaks a satisficing threshold ({limits}; now {metrics_now}): {fit_action} moves it back "
           "toward its bound; do that first, or it cannot ship."),
    _First(lambda s: s.metric_stale, "change-metric-or-dev-set",
           "The metric no longer says what users need: change it; until then dev {dev}% says little about what users "
           "get."),
    _First(lambda s: s.devset_stale, "change-metric-or-dev-set",
           "The dev/test sets no longer hold the data users bring: change them; until then dev {dev}% says little "
           "about what users get."),
    _First(lambda s: s.split_wrong, "dev-test-same-distribution",
           "Dev and test come from different distributions: make them one before tuning to dev."),
    # After the rungs a gap needs are measured (the ladder's own advice asks for those first, as the expert does).
    _First(lambda s: s.speed_up_first & ~s.human_unknown & ~s.need_train_dev, "iteration-speed", _SPEED_TEXT,
           fixes_wait=True),
)


def _fit_action(s: Situation) -> np.ndarray:
    """Per row, the action the expert plays first to bring a broken threshold back (-1 where none does)."""
    out = np.full(s.batch, -1)
    for action, rows in s.fit_moves():
        if action in s.case.actions:
            out = np.where((out < 0) & rows & s.affordable(action), ACTION_IDS.index(action), out)
    return out


def coach_advice(s: Situation, i: int) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Row i's own lines beside the ladder's advice: (what comes before any fix, "kind": "first"; the forecast's
    best fix, "kind": "forecast"), either None. The first leads the advice, the forecast ends it."""
    first = next((f for f in _FIRST if f.holds(s)[i]), None)
    if first is None:
        return None, forecast_advice(s, i)
    ctx = Context(s, Choice("ship", np.full(s.batch, -1), np.ones(s.batch)))
    line = {"rule": first.rule, "text": _filled(first.template, ctx, i), "kind": "first"}
    return line, None if first.fixes_wait else forecast_advice(s, i)


def judge_batch(vis: Visible, case: Case, choice: Choice) -> Judgement:
    """Judge one action chosen by every row of `vis`."""
    return judge_in(Situation(vis, case), choice.action, choice)


def judge(vis: Visible, case: Case, action: str, category: int = -1, variety: float = 1.0) -> Verdict:
    """Judge one choice in a single playthrough (a batch of one)."""
    choice = Choice(action, np.array([category]), np.array([variety]))
    return judge_batch(vis, case, choice).row(0)


__all__ = ["VERDICTS", "ALIGNED", "NEUTRAL", "MISALIGNED", "Verdict", "Choice", "Context", "Judgement", "Clause",
           "CLAUSES", "judge", "judge_batch", "judge_in", "coach_advice", "forecast_advice", "situation", "UNKNOWN", "SURPASSED", "NONE"]

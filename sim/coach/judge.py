"""The verdict on one choice, judged only from what the player could see when making it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from string import Formatter
from typing import Callable

import numpy as np

from sim.coach.diagnose import GAP_NAMES, GAPS, NONE, SURPASSED, UNKNOWN, GapsBatch, diagnose_batch
from sim.rules import RULE_IDS, RULES
from sim.coach.visible import Visible
from sim.model import ACTION_IDS, ACTIONS
from sim.scenario.schema import Case

VERDICTS = ("aligned", "neutral", "misaligned")
ALIGNED, NEUTRAL, MISALIGNED = 0, 1, 2
LOW_VARIETY = 0.3  # synthetic data covering less of the real space than this overfits its corner
SIGNIFICANT_SHARE = 0.2  # a category is worth fixing at this share of dev errors (or the largest)
TEST_CHECK_ROUNDS = 4  # tuning rounds after which a look at test is due
TRANSFER_RATIO = 10.0  # task A needs this many times B's data for transfer to pay

# How explanations name an action ("... : a bigger network attacks a gap that matters").
NOUNS = {
    "bigger_network": "a bigger network", "train_longer": "longer training", "better_optimizer": "a better optimiser",
    "architecture_search": "an architecture search", "reduce_regularization": "less regularisation",
    "collect_more_data": "more training data", "add_regularization": "more regularisation",
    "data_augmentation": "data augmentation", "smaller_network": "a smaller network",
    "early_stopping": "early stopping", "collect_target_data": "data like dev/test",
    "synthesize_data": "synthetic data",
}


@dataclass(frozen=True)
class Clause:
    when: np.ndarray  # (B,) bool
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


@dataclass(frozen=True)
class Choice:
    """One action id chosen by every row, with per-row parameters: category (-1 none) and variety."""

    action: str
    category: np.ndarray
    variety: np.ndarray


class Judgement:
    """Verdicts for a batch that made one action, with the clause each row matched."""

    def __init__(self, action: str, clauses: list[Clause], ctx: "Context"):
        batch = ctx.vis.batch
        self.action, self.clauses, self.ctx = action, clauses, ctx
        self.clause = np.full(batch, -1)
        for i, clause in enumerate(clauses):
            self.clause = np.where((self.clause < 0) & clause.when, i, self.clause)
        self.codes = np.array([c.verdict for c in clauses])[self.clause]
        self.rule_index = np.array([RULE_IDS.index(c.rule) for c in clauses])[self.clause]  # into RULE_IDS

    def row(self, i: int) -> Verdict:
        clause = self.clauses[self.clause[i]]
        return Verdict(self.action, VERDICTS[clause.verdict], clause.rule, RULES[clause.rule].text,
                       self.ctx.explain(clause.template, i))


def _in_sentence(label: str) -> str:
    """A category label as it reads mid-sentence ("Blurry images" -> "blurry images"; "UI glitches" stays)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _fmt(value: float, digits: int = 1) -> str:
    return "unknown" if np.isnan(value) else f"{value:.{digits}f}"


class Context:
    """Masks and numbers shared by every clause of one judgement."""

    def __init__(self, vis: Visible, case: Case, choice: Choice):
        self.vis, self.case, self.choice = vis, case, choice
        self.next_action: np.ndarray | None = None  # the expert's next move, filled in when judging a ship
        self.g: GapsBatch = diagnose_batch(vis.human, vis.train, vis.train_dev, vis.dev, vis.test, vis.differ)
        b = vis.batch
        self.all = np.ones(b, dtype=bool)
        self.human_unknown = self.g.missing_human
        self.need_td = self.g.missing_train_dev
        self.surpassed = self.g.surpassed & ~self.human_unknown
        k = len(case.categories)
        self.category = choice.category
        named = self.category >= 0
        # A view built without an analysis (e.g. from a bare ladder) carries no per-category shares.
        shares = vis.ea_shares if vis.ea_shares.shape[1] == k else np.full((b, k), np.nan)
        safe = np.where(named, self.category, 0)
        self.cat_share = np.where(named & vis.ea_done, shares[np.arange(b), safe] if k else 0.0, np.nan)
        largest = np.nanmax(np.where(np.isnan(shares), -np.inf, shares), axis=1) if k else np.zeros(b)
        largest = np.maximum(largest, np.where(np.isnan(vis.ea_mislabelled), 0.0, vis.ea_mislabelled))
        self.largest_share = largest
        self.cat_big = (self.cat_share >= SIGNIFICANT_SHARE) | (self.cat_share >= largest - 1e-12)
        mis = vis.ea_mislabelled
        self.labels_big = vis.ea_done & ((mis >= SIGNIFICANT_SHARE) | (mis >= largest - 1e-12)) & (mis > 0.02)

    def others(self, i: int, skip: int) -> str:
        parts = [f"{GAP_NAMES[j]} {self.g.gaps[i, j]:.1f}" for j in range(4)
                 if j != skip and not np.isnan(self.g.gaps[i, j])]
        return ", ".join(parts) if parts else "no other gap measured"

    def explain(self, template: str, i: int) -> str:
        """Fill a clause's sentence with row i's visible numbers (only the fields the sentence names)."""
        return template.format(**{name: _FIELDS[name](self, i) for name in _template_fields(template)})

    def _below(self, i: int) -> str:
        v = self.vis
        if np.isnan(v.human[i]):
            return f"Error {_fmt(v.dev[i])}%"
        return f"Train {_fmt(v.train[i])}%" if v.train[i] < v.human[i] else f"Dev {_fmt(v.dev[i])}%"

    def _label(self, i: int) -> str:
        cat = int(self.category[i])
        return _in_sentence(self.case.categories[cat].label) if cat >= 0 else ""


@lru_cache(maxsize=None)
def _noun(action: str) -> str:
    return NOUNS.get(action, action.replace("_", " "))


def _template_fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


def _primary_name(c: "Context", i: int) -> str:
    primary = int(c.g.primary[i])
    return GAP_NAMES[primary] if primary < 4 else "no gap"


def _primary_gap(c: "Context", i: int) -> str:
    primary = int(c.g.primary[i])
    return _fmt(c.g.gaps[i, primary]) if primary < 4 else "0"


def _against(c: "Context", i: int) -> str:
    """What the judged gap stands against: the primary problem, or that none stands out."""
    primary = int(c.g.primary[i])
    if primary < 4:
        return f" while {GAP_NAMES[primary]} is {_fmt(c.g.gaps[i, primary])}"
    return {UNKNOWN: " and the largest gap is not yet known", SURPASSED: " and error is below human level"}.get(
        primary, " and no gap stands out")


# Every field a clause's sentence may name, computed for one row from what the player could see.
_FIELDS = {
    "human": lambda c, i: _fmt(c.vis.human[i]),
    "train": lambda c, i: _fmt(c.vis.train[i]),
    "train_dev": lambda c, i: _fmt(c.vis.train_dev[i]),
    "dev": lambda c, i: _fmt(c.vis.dev[i]),
    "test": lambda c, i: _fmt(c.vis.test[i]),
    "bias": lambda c, i: _fmt(c.g.gaps[i, 0]),
    "variance": lambda c, i: _fmt(c.g.gaps[i, 1]),
    "mismatch": lambda c, i: _fmt(c.g.gaps[i, 2]),
    "overfit": lambda c, i: _fmt(c.g.gaps[i, 3]),
    "not_bias": lambda c, i: c.others(i, 0),
    "not_variance": lambda c, i: c.others(i, 1),
    "not_mismatch": lambda c, i: c.others(i, 2),
    "not_overfit": lambda c, i: c.others(i, 3),
    "primary": _primary_name,
    "primary_gap": _primary_gap,
    "against": _against,
    "dev_minus_train": lambda c, i: _fmt(c.vis.dev[i] - c.vis.train[i]),
    "run_weeks": lambda c, i: _fmt(c.vis.run_weeks[i]),
    "long_run": lambda c, i: f"{c.case.coach.long_run_weeks:g}",
    "below": lambda c, i: c._below(i),
    "label": lambda c, i: c._label(i),
    "Label": lambda c, i: c._label(i)[:1].upper() + c._label(i)[1:],
    "share": lambda c, i: _fmt(100 * c.cat_share[i], 0),
    "ceiling": lambda c, i: _fmt(c.cat_share[i] * c.vis.dev[i], 2),
    "largest": lambda c, i: _fmt(100 * c.largest_share[i], 0),
    "mislabelled": lambda c, i: _fmt(100 * c.vis.ea_mislabelled[i], 0),
    "mis_points": lambda c, i: _fmt(c.vis.ea_mislabelled[i] * c.vis.dev[i], 2),
    "limits": lambda c, i: ", ".join(f"{k.label} ≤ {k.max:g}" for k in c.case.constraints) or "none",
    "inference": lambda c, i: _fmt(c.vis.inference_s[i], 2),
    "memory": lambda c, i: _fmt(c.vis.memory_mb[i], 1),
    "rounds": lambda c, i: f"{c.vis.rounds_since_test[i]:.0f}",
    "peeks": lambda c, i: f"{c.vis.test_peeks[i]:.0f}",
    "data": lambda c, i: f"{c.vis.data[i]:,.0f}",
    "threshold": lambda c, i: f"{c.vis.e2e_threshold[i]:,.0f}",
    "n_target": lambda c, i: f"{c.vis.n_target[i]:,.0f}",
    "variety": lambda c, i: _fmt(100 * c.choice.variety[i], 0),
    "what": lambda c, i: _noun(c.choice.action),
    "time_left": lambda c, i: (f"{c.vis.weeks_left[i]:g} weeks left" if np.isfinite(c.vis.weeks_left[i])
                               else "time left"),
    "next_noun": lambda c, i: _noun(ACTION_IDS[int(c.next_action[i])]),
}


def _bias_family(c: Context, action: str) -> list[Clause]:
    g, v = c.g, c.vis
    p_bias = g.problem("avoidable_bias")
    clauses = []
    if action == "bigger_network":
        clauses.append(Clause(v.bigger_breaks, MISALIGNED, "optimizing-satisficing",
                              "One size up would break a satisficing threshold ({limits}; now {inference} s, "
                              "{memory} MB): optimise accuracy only among models that meet every threshold."))
    if action == "reduce_regularization":
        clauses.append(Clause(~v.regularized, NEUTRAL, "avoidable-bias",
                              "The model has no regularisation to remove: train {train}% will not move; this changes nothing."))
    clauses += [
        Clause(c.human_unknown, NEUTRAL, "need-human-level",
               "Human-level error is unknown, so train error {train}% cannot be split into avoidable bias and "
               "Bayes error: measure human-level first."),
        Clause(c.surpassed, NEUTRAL, "surpassing-human",
               "{below} is below the human-level {human}%: avoidable bias can no longer be "
               "measured, so a bias fix is a guess; more data and error analysis are surer."),
    ]
    if action == "architecture_search":
        p_var = g.problem("variance")
        clauses.append(Clause(p_bias | p_var, ALIGNED, "avoidable-bias",
                              "Avoidable bias is {bias} points, variance {variance}: a search over architectures "
                              "and hyper-parameters can lower both."))
    clauses += [
        Clause(p_bias, ALIGNED, "avoidable-bias",
               "Avoidable bias is {bias} points ({not_bias}): {what} attacks a gap that matters."),
        Clause(c.need_td, NEUTRAL, "train-dev-set",
               "Avoidable bias is {bias} points, but dev - train {dev_minus_train} is variance and data mismatch "
               "in unknown shares: carve a train-dev set before choosing which gap to attack."),
        Clause(c.all, MISALIGNED, "avoidable-bias",
               "Avoidable bias is only {bias} points{against}: {what} works on the "
               "smaller gap."),
    ]
    return clauses


def _variance_family(c: Context, action: str) -> list[Clause]:
    g = c.g
    p_var = g.problem("variance")
    clauses = [
        Clause(c.human_unknown, NEUTRAL, "need-human-level",
               "Human-level error is unknown: without it, dev - train {dev_minus_train} cannot be weighed against "
               "avoidable bias; measure human-level first."),
        Clause(c.need_td, NEUTRAL, "train-dev-set",
               "Training data comes from another distribution and there is no train-dev set: dev - train "
               "{dev_minus_train} mixes variance and data mismatch; carve a train-dev set first."),
    ]
    if action == "early_stopping":
        clauses.append(Clause(p_var, NEUTRAL, "orthogonalization",
                              "Variance is {variance} points, but early stopping also raises train error: it moves "
                              "two links at once. Prefer regularisation or more data."))
    if action == "collect_more_data":
        clauses.append(Clause(c.surpassed, ALIGNED, "surpassing-human",
                              "{below} is below the human-level {human}%: gains now come from more data."))
    clauses += [
        Clause(c.surpassed & ~p_var, NEUTRAL, "surpassing-human",
               "{below} is below the human-level {human}%: the gaps are hard to read; "
               "look at the errors first."),
        Clause(p_var, ALIGNED, "variance",
               "Variance is {variance} points ({not_variance}): {what} attacks a gap that matters."),
        Clause(c.all, MISALIGNED, "variance",
               "Variance is only {variance} points{against}: {what} works on the smaller gap."),
    ]
    return clauses


def _category_clauses(c: Context) -> list[Clause]:
    named = c.category >= 0
    return [
        Clause(named & ~c.vis.ea_done, NEUTRAL, "error-analysis-first",
               "No error analysis yet: you cannot know how much of the dev error {dev}% comes from {label}, nor "
               "whether they are worth the weeks; look at the errors first."),
        Clause(named & c.cat_big, ALIGNED, "error-analysis-ceiling",
               "{Label} are {share}% of dev errors (largest {largest}%): fixing them can gain up to {ceiling} points."),
        Clause(named, MISALIGNED, "error-analysis-ceiling",
               "{Label} are only {share}% of dev errors: at most {ceiling} of the {dev} points, while the largest "
               "category is {largest}%."),
    ]


def _mismatch_family(c: Context, action: str) -> list[Clause]:
    v = c.vis
    clauses = []
    if action == "synthesize_data":
        clauses.append(Clause(c.choice.variety < LOW_VARIETY, NEUTRAL, "synthetic-data-coverage",
                              "The synthetic data covers about {variety}% of the real variety: the network may fit "
                              "that small corner and gain little on dev."))
    clauses.append(Clause(c.need_td, NEUTRAL, "train-dev-set",
                          "Without a train-dev set, dev - train {dev_minus_train} mixes variance and data mismatch; "
                          "carve a train-dev set first."))
    if action == "synthesize_data":
        # A large category fixed with varied synthetic data: the ceiling and the coverage both hold.
        named = (c.category >= 0) & v.ea_done
        clauses.append(Clause(named & c.cat_big, ALIGNED, "synthetic-data-coverage",
                              "{Label} are {share}% of dev errors (up to {ceiling} points) and the synthetic data "
                              "covers about {variety}% of their real variety: enough to learn from, not one corner."))
    clauses += _category_clauses(c)
    same = ~v.differ  # one distribution everywhere: no data mismatch to close
    if action == "collect_target_data":
        # Data like dev/test is then simply more data: judged as a variance fix.
        clauses += [Clause(same & c.human_unknown, NEUTRAL, "need-human-level",
                           "Human-level error is unknown: without it, dev - train {dev_minus_train} cannot be "
                           "weighed against avoidable bias; measure human-level first."),
                    Clause(same & c.g.problem("variance"), ALIGNED, "variance",
                           "Train and dev share a distribution and variance is {variance} points: more data helps.")]
    clauses.append(Clause(same, MISALIGNED, "data-mismatch",
                          "Training data already looks like dev/test (one distribution), so there is no data "
                          "mismatch for {what} to close{against}."))
    rule = "synthetic-data-coverage" if action == "synthesize_data" else "data-mismatch"
    clauses += [
        Clause(c.g.problem("data_mismatch"), ALIGNED, rule,
               "Data mismatch is {mismatch} points ({not_mismatch}): {what} makes training look more like dev/test."),
        Clause(c.all, MISALIGNED, "data-mismatch",
               "Data mismatch is only {mismatch} points{against}: {what} works on the "
               "smaller gap."),
    ]
    return clauses


def _clauses(c: Context, action: str) -> list[Clause]:
    v, g = c.vis, c.g
    family = ACTIONS[action].family
    facts = c.case.coach
    if action in {"collect_target_data", "synthesize_data"}:
        return _mismatch_family(c, action)
    if action == "data_augmentation":
        return _category_clauses(c) + _variance_family(c, action)
    if family == "bias":
        return _bias_family(c, action)
    if family == "variance":
        return _variance_family(c, action)
    if action == "error_analysis":
        worth = (v.dev - np.where(np.isnan(v.human), 0.0, v.human)) >= 1.0
        return [
            Clause(v.ea_fresh, NEUTRAL, "error-analysis-first",
                   "These dev errors ({dev}%) were already analysed and no training run has changed them since."),
            Clause(np.full(v.batch, not c.case.categories), NEUTRAL, "error-analysis-first",
                   "Reading errors is always useful, but dev error {dev}% has no categories to find in this case."),
            Clause(g.problem("data_mismatch"), ALIGNED, "data-mismatch",
                   "Data mismatch is {mismatch} points: reading dev errors shows how dev differs from training data."),
            Clause(c.surpassed, ALIGNED, "surpassing-human",
                   "{below} is below the human-level {human}%: error analysis is how you still find gains."),
            Clause(worth, ALIGNED, "error-analysis-first",
                   "Dev error is {dev}%: counting ~100 errors by category shows what is worth fixing."),
            Clause(c.all, NEUTRAL, "error-analysis-first", "Dev error is only {dev}%: little left to find."),
        ]
    if action == "measure_human_level":
        return [Clause(c.human_unknown, ALIGNED, "need-human-level",
                       "Train error is {train}% but Bayes error is unknown: human-level error tells how much of it "
                       "is avoidable."),
                Clause(c.all, NEUTRAL, "need-human-level", "Human-level error ({human}%) is already known.")]
    if action == "carve_train_dev":
        return [Clause(c.need_td, ALIGNED, "train-dev-set",
                       "Training data comes from another distribution: a train-dev set splits dev - train "
                       "{dev_minus_train} into variance and data mismatch."),
                Clause(~v.differ, NEUTRAL, "train-dev-set",
                       "Train and dev come from one distribution: dev - train ({dev_minus_train}) already measures "
                       "variance."),
                Clause(c.all, NEUTRAL, "train-dev-set", "A train-dev set is already there ({train_dev}%).")]
    if action == "evaluate_test":
        return [Clause(v.rounds_since_test >= TEST_CHECK_ROUNDS, ALIGNED, "dev-overfitting",
                       "{rounds} tuning rounds against the dev set since the last look at test: time to check test "
                       "- dev for overfitting."),
                Clause((v.test_peeks >= 3) & (v.rounds_since_test < 2), MISALIGNED, "dev-overfitting",
                       "Test has been looked at {peeks} times with little tuning between: it is turning into a "
                       "second dev set."),
                Clause(c.all, NEUTRAL, "dev-overfitting",
                       "Only {rounds} tuning rounds since test was last read: little overfitting to find yet.")]
    if action == "bigger_dev_set":
        return [Clause(np.isnan(v.test), NEUTRAL, "dev-overfitting",
                       "Test error is not measured since the last change, so overfitting to the dev set (dev "
                       "{dev}%) is unknown: evaluate on test first."),
                Clause(g.problem("dev_overfitting"), ALIGNED, "dev-overfitting",
                       "Test is {overfit} points above dev ({not_overfit}): the dev set is overfit; a bigger one "
                       "fixes that."),
                Clause(c.all, MISALIGNED, "dev-overfitting",
                       "Test - dev is only {overfit} points: the dev set is not overfit.")]
    if action in {"change_metric", "change_dev_test"}:
        flag = v.metric_problem if action == "change_metric" else v.devset_stale
        return [Clause(flag, ALIGNED, "change-metric-or-dev-set",
                       "Dev error is {dev}%, yet doing well on this metric and dev set no longer means doing well "
                       "for users: change the aim first, then optimise it."),
                Clause(c.all, MISALIGNED, "change-metric-or-dev-set",
                       "Nothing shows the metric or dev set misleads you (dev {dev}%); changing the target now costs "
                       "weeks and comparability.")]
    if action == "clean_dev_test_labels":
        return [Clause(~v.ea_done, NEUTRAL, "error-analysis-first",
                       "No error analysis yet: you do not know how much of the dev error {dev}% is mislabelled "
                       "examples."),
                Clause(c.labels_big, ALIGNED, "fix-dev-test-labels-together",
                       "Mislabelled examples are {mislabelled}% of dev errors ({mis_points} points): fixing dev and "
                       "test by the same process keeps them one distribution."),
                Clause(c.all, MISALIGNED, "fix-dev-test-labels-together",
                       "Mislabelled examples are only {mislabelled}% of dev errors ({mis_points} points): not worth "
                       "the weeks yet.")]
    if action == "clean_dev_labels":
        return [Clause(c.all, MISALIGNED, "fix-dev-test-labels-together",
                       "Fixing dev labels (dev {dev}%) but not test makes dev and test two distributions; fix both "
                       "by the same process or neither.")]
    if action == "clean_train_labels":
        kind = facts.train_label_noise
        return [Clause(np.full(v.batch, kind == "systematic"), ALIGNED, "train-label-noise",
                       "The training labels are wrong in a systematic way; the network learns that mistake (dev "
                       "{dev}% against train {train}%), so cleaning pays."),
                Clause(np.full(v.batch, kind == "random"), MISALIGNED, "train-label-noise",
                       "The training-label errors are random and the set is large ({data} examples): a deep network "
                       "shrugs them off."),
                Clause(c.all, NEUTRAL, "train-label-noise", "No label noise in the training data has been reported; train error is {train}%.")]
    if action == "transfer_learning":
        t = facts.transfer
        holds = bool(t and t.same_input and t.features_help) & (
            (t.source_examples if t else 0.0) >= TRANSFER_RATIO * np.maximum(v.n_target, 1.0))
        why = ("there is no related task to transfer from" if t is None else
               f"{t.source} takes another kind of input" if not t.same_input else
               f"{t.source}'s features do not help this task" if not t.features_help else
               f"{t.source} has {t.source_examples:,.0f} examples, not far more than the {{n_target}} here")
        return [Clause(v.transfer_used, NEUTRAL, "transfer-learning", "Pretrained weights are already in use ({data} effective examples)."),
                Clause(holds, ALIGNED, "transfer-learning",
                       (f"{t.source} has {t.source_examples:,.0f} examples of the same kind of input against "
                        "{n_target} here, and its low-level features help: transfer pays.") if t else ""),
                Clause(c.all, MISALIGNED, "transfer-learning", f"Transfer does not pay: {why} (dev {{dev}}%).")]
    if action == "multi_task_learning":
        m = facts.multitask
        holds = bool(m and m.shared_features and m.similar_data)
        why = ("there are no related tasks" if m is None else
               f"{m.tasks} do not share low-level features" if not m.shared_features else
               f"{m.tasks} have very different amounts of data")
        return [Clause(v.multitask_used, NEUTRAL, "multi-task-learning", "The tasks are already learned together (train {train}%, dev {dev}%)."),
                Clause(np.full(v.batch, holds), ALIGNED, "multi-task-learning",
                       (f"{m.tasks} share low-level features and have similar data: one network learns them "
                        "together (loss summed over the known labels); train is {train}%, dev {dev}%.") if m else ""),
                Clause(c.all, MISALIGNED, "multi-task-learning",
                       f"Multi-task learning does not pay: {why} (dev {{dev}}%).")]
    if action in {"end_to_end", "pipeline"}:
        enough = v.data >= v.e2e_threshold
        if action == "end_to_end":
            return [Clause(v.e2e, NEUTRAL, "end-to-end-needs-data", "The system is already end-to-end ({data} examples)."),
                    Clause(enough, ALIGNED, "end-to-end-needs-data",
                           "{data} examples are enough (the mapping needs about {threshold}) to learn it end to end."),
                    Clause(c.all, MISALIGNED, "end-to-end-needs-data",
                           "{data} examples are too few to learn the whole mapping (about {threshold} needed): keep "
                           "the hand-designed pipeline.")]
        return [Clause(~v.e2e, NEUTRAL, "end-to-end-needs-data", "The system is already a pipeline ({data} examples)."),
                Clause(~enough, ALIGNED, "end-to-end-needs-data",
                       "With {data} examples (about {threshold} needed end to end), hand-designed components win."),
                Clause(c.all, MISALIGNED, "end-to-end-needs-data",
                       "{data} examples are enough to learn the mapping end to end; the pipeline's hand-designed "
                       "parts now cost accuracy.")]
    if action in {"train_on_subset", "faster_hardware"}:
        done = v.faster_hardware if action == "faster_hardware" else v.subset
        long = v.run_weeks >= facts.long_run_weeks
        return [Clause(long & ~done, ALIGNED, "iteration-speed",
                       "One training run takes {run_weeks} weeks: speed up the loop before tuning."),
                Clause(c.all, NEUTRAL, "iteration-speed",
                       "A training run takes {run_weeks} weeks (long is {long_run} or more): the loop is fast enough.")]
    if action == "ship":
        pending = v.metric_problem | v.devset_stale
        return [Clause(~v.constraints_ok, MISALIGNED, "optimizing-satisficing",
                       "The model breaks a satisficing threshold ({limits}; now {inference} s, {memory} MB): it "
                       "cannot ship."),
                Clause(pending, MISALIGNED, "change-metric-or-dev-set",
                       "Users' needs have changed and the metric or dev set has not: the dev {dev}% says little "
                       "about the real world."),
                *_early_ship_clauses(c),
                Clause(c.all, ALIGNED, "optimizing-satisficing",
                       "Every threshold is met ({limits}) and dev error is {dev}%: ship the best model that "
                       "satisfies them.")]
    raise ValueError(f"no verdict clauses for action {action!r}")


# Which rule an unfinished next step belongs to, when shipping skips it.
_SKIPPED_RULE = {"bias": "avoidable-bias", "variance": "variance", "mismatch": "data-mismatch",
                 "dev_overfitting": "dev-overfitting", "aim": "change-metric-or-dev-set",
                 "other_tasks": "build-fast-then-iterate", "iteration_speed": "iteration-speed"}
_SKIPPED_MEASURE = {"measure_human_level": "need-human-level", "carve_train_dev": "train-dev-set",
                    "evaluate_test": "dev-overfitting", "error_analysis": "error-analysis-first"}


def _early_ship_clauses(c: Context) -> list[Clause]:
    """Shipping is judged by the rule "ship when the gain per week is small": against what the expert
    (the rules as a policy) would do now. If it would still fix a gap it can afford, shipping is
    premature; if it would first measure something, shipping is a blind guess."""
    from sim.coach.policy import SHIP, expert  # local: the expert policy itself reads the judge's constants

    nxt = expert(c.vis, c.case, np.full(c.vis.batch, -1)).action
    c.next_action = nxt
    clauses = []
    for code in np.unique(nxt[nxt != SHIP]):
        action = ACTION_IDS[code]
        rows = nxt == code
        if action in _SKIPPED_MEASURE:
            clauses.append(Clause(rows, NEUTRAL, _SKIPPED_MEASURE[action],
                                  "Shipping at dev {dev}% with {time_left}, before {next_noun}: you "
                                  "ship without knowing what the next weeks could still gain."))
        else:
            clauses.append(Clause(rows, MISALIGNED, _SKIPPED_RULE[ACTIONS[action].family],
                                  "Shipping at dev {dev}% with {time_left}: {primary} is {primary_gap} "
                                  "points and {next_noun} still fits the budget; ship when the gain per week is "
                                  "small."))
    return clauses


def judge_batch(vis: Visible, case: Case, choice: Choice) -> Judgement:
    """Judge one action chosen by every row of `vis`."""
    return judge_in(Context(vis, case, choice), choice.action)


def judge_in(ctx: Context, action: str) -> Judgement:
    """Judge `action` for every row of an existing context (one diagnosis serves every action)."""
    return Judgement(action, _clauses(ctx, action), ctx)


def judge(vis: Visible, case: Case, action: str, category: int = -1, variety: float = 1.0) -> Verdict:
    """Judge one choice in a single playthrough (a batch of one)."""
    choice = Choice(action, np.array([category]), np.array([variety]))
    return judge_batch(vis, case, choice).row(0)


__all__ = ["VERDICTS", "Verdict", "Choice", "Context", "Judgement", "judge", "judge_batch", "judge_in", "GAPS", "UNKNOWN", "SURPASSED", "NONE"]

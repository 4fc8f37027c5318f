"""The strategy rules catalogue: stable ids and one-line texts (data shared by case files and the coach)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    text: str


_RULES = (
    ("single-number-metric", "Aim", "Pick one real-number metric so models can be compared at a glance."),
    ("optimizing-satisficing", "Aim", "Optimise one metric and hold every other to a threshold; never ship past a threshold."),
    ("dev-test-same-distribution", "Aim", "Dev and test come from one distribution: the data you expect and care about."),
    ("split-size", "Aim", "Small data: 60/20/20 is fine. Millions of examples: keep dev and test near 1% each."),
    ("change-metric-or-dev-set", "Aim", "When doing well on metric and dev set no longer means doing well for users, change them first."),
    ("orthogonalization", "Aim", "Prefer knobs that move one link of the chain at a time; early stopping moves two."),
    ("human-level-as-bayes", "Bias and variance", "The best human performance available is the proxy for Bayes error."),
    ("need-human-level", "Bias and variance", "Without a human-level estimate you cannot tell whether train error is avoidable bias."),
    ("avoidable-bias", "Bias and variance", "When train minus human-level is the largest gap: bigger model, longer or better training, search."),
    ("variance", "Bias and variance", "When train-dev minus train is the largest gap: more data, regularisation, augmentation."),
    ("surpassing-human", "Bias and variance", "Below human level, avoidable bias cannot be measured; gains come from data and error analysis."),
    ("train-dev-set", "Mismatched data", "Training data from another distribution: carve a train-dev set to separate variance from mismatch."),
    ("data-mismatch", "Mismatched data", "When dev minus train-dev is large: analyse the errors, get or make data like dev/test."),
    ("synthetic-data-coverage", "Mismatched data", "Synthetic data can cover a tiny corner of the real space and the network may overfit it."),
    ("dev-overfitting", "Mismatched data", "Test minus dev measures overfitting to the dev set; if large, get a bigger dev set."),
    ("put-target-data-in-dev-test", "Mismatched data", "With little target data, put it in dev/test (and some in train), not shuffled into everything."),
    ("build-fast-then-iterate", "Error analysis", "Set up dev/test and a metric, build a first system fast, then let the gaps prioritise."),
    ("error-analysis-ceiling", "Error analysis", "A category's share of dev errors caps what fixing it can gain; work on the large ones."),
    ("error-analysis-first", "Error analysis", "Look at the errors before spending weeks on a fix for a suspected category."),
    ("fix-dev-test-labels-together", "Error analysis", "Fix dev labels only when they are a large share of errors, and fix test the same way."),
    ("train-label-noise", "Error analysis", "Deep networks shrug off random label errors in a big training set, not systematic ones."),
    ("transfer-learning", "Other tasks", "Transfer from A to B when the input is the same kind, A has far more data and its features help B."),
    ("multi-task-learning", "Other tasks", "Learn tasks together when they share low-level features, have similar data and the network is big."),
    ("end-to-end-needs-data", "Other tasks", "End-to-end learning needs enough data for the whole mapping; with little, a pipeline wins."),
    ("iteration-speed", "Other tasks", "When one experiment takes weeks, speed up the loop before tuning."),
)

RULES: dict[str, Rule] = {row[0]: Rule(*row) for row in _RULES}
RULE_IDS: tuple[str, ...] = tuple(RULES)

"""Diagnosis of the error ladder: the gaps, which of them are problems, the primary one, and advice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules import RULES

GAPS = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")
GAP_RULES = ("avoidable-bias", "variance", "data-mismatch", "dev-overfitting")
GAP_NAMES = ("avoidable bias", "variance", "data mismatch", "dev overfitting")
PRIMARIES = GAPS + ("unknown", "surpassed_human", "none")
UNKNOWN, SURPASSED, NONE = 4, 5, 6
MIN_PROBLEM = 0.2  # points: a smaller gap is never a problem
PROBLEM_SHARE = 0.5  # a gap at least this share of the largest is a problem too
EPS = 1e-9

ADVICE = {
    "avoidable-bias": "Avoidable bias is {gap:.1f} points: train a bigger network, train longer or better, search architectures.",
    "variance": "Variance is {gap:.1f} points: get more training data, regularise or augment.",
    "data-mismatch": "Data mismatch is {gap:.1f} points: analyse the dev errors, then get or synthesise data like dev/test.",
    "dev-overfitting": "Test is {gap:.1f} points above dev: the dev set is overfit; get a bigger dev set.",
}


@dataclass(frozen=True)
class GapsBatch:
    """Gaps (NaN where a rung is missing), problem masks, primary codes and what is missing, per row."""

    gaps: np.ndarray  # (B, 4)
    problems: np.ndarray  # (B, 4) bool
    primary: np.ndarray  # (B,) index into PRIMARIES
    missing_human: np.ndarray
    missing_train_dev: np.ndarray
    surpassed: np.ndarray

    def gap(self, name: str) -> np.ndarray:
        return self.gaps[:, GAPS.index(name)]

    def problem(self, name: str) -> np.ndarray:
        return self.problems[:, GAPS.index(name)]


def diagnose_batch(human, train, train_dev, dev, test, differ) -> GapsBatch:
    """Vectorised diagnosis. `differ`: training data comes from another distribution than dev."""
    human, train, train_dev, dev, test = (np.asarray(x, dtype=np.float64) for x in (human, train, train_dev, dev, test))
    differ = np.asarray(differ, dtype=bool)
    no_td = np.isnan(train_dev)
    bias = train - human
    # Without a train-dev set, dev - train is variance only when train and dev share a distribution.
    variance = np.where(no_td, np.where(differ, np.nan, dev - train), train_dev - train)
    mismatch = np.where(no_td, np.nan, dev - train_dev)
    overfit = test - dev
    gaps = np.stack([bias, variance, mismatch, overfit], axis=1)
    with np.errstate(invalid="ignore"):
        largest = np.nanmax(np.where(np.isnan(gaps), -np.inf, gaps), axis=1)
        # A hair of tolerance: 0.7 - 0.5 is 0.19999999999999996 in floating point, and means 0.2.
        problems = (gaps >= MIN_PROBLEM - EPS) & (gaps >= PROBLEM_SHARE * largest[:, None] - EPS)
    missing_human = np.isnan(human)
    missing_td = no_td & differ
    # Without a train-dev set on mismatched data, dev - train is variance and mismatch in unknown
    # shares, either of which may be all of it: bias is a problem only if it is large beside that.
    with np.errstate(invalid="ignore"):
        unsplit = np.where(missing_td, dev - train, -np.inf)
        problems[:, 0] &= ~(bias < PROBLEM_SHARE * unsplit - EPS)
    surpassed = ~missing_human & ((train < human) | (dev < human))
    ranked = np.where(problems, gaps, -np.inf)
    primary = np.where(np.any(problems, axis=1), np.argmax(ranked, axis=1), NONE)
    primary = np.where(surpassed, SURPASSED, primary)
    primary = np.where(missing_human | missing_td, UNKNOWN, primary)
    return GapsBatch(gaps, problems, primary, missing_human, missing_td, surpassed)


@dataclass(frozen=True)
class Diagnosis:
    """One ladder's diagnosis, shaped as the `mlsim diagnose --json` contract."""

    gaps: dict[str, float | None]
    problems: list[str]
    primary: str
    missing: list[str]
    advice: list[dict[str, str]]

    def as_json(self) -> dict:
        return {"gaps": self.gaps, "problems": self.problems, "primary": self.primary,
                "missing": self.missing, "advice": self.advice}


def _num(x) -> float:
    return np.nan if x is None else float(x)


def diagnose(human=None, train=None, train_dev=None, dev=None, test=None, differ=False) -> Diagnosis:
    """Diagnose one ladder given in percent; None marks a rung not measured."""
    g = diagnose_batch(*([_num(v)] for v in (human, train, train_dev, dev, test)), [differ])
    return diagnosis_row(g, 0)


def diagnosis_row(g: GapsBatch, i: int) -> Diagnosis:
    gaps = {name: (None if np.isnan(v) else round(float(v), 4)) for name, v in zip(GAPS, g.gaps[i])}
    order = sorted((j for j in range(4) if g.problems[i, j]), key=lambda j: -g.gaps[i, j])
    problems = [GAPS[j] for j in order]
    missing = [name for name, flag in (("human_level", g.missing_human[i]), ("train_dev", g.missing_train_dev[i])) if flag]
    advice = []
    if g.missing_human[i]:
        advice.append({"rule": "need-human-level",
                       "text": "Human-level error is unknown: measure it (a team of experts) before splitting train "
                               "error into avoidable bias and Bayes error."})
    if g.missing_train_dev[i]:
        advice.append({"rule": "train-dev-set",
                       "text": "Training data comes from another distribution: carve a train-dev set to tell "
                               "variance from data mismatch."})
    if g.surpassed[i] and not g.missing_human[i]:
        advice.append({"rule": "surpassing-human",
                       "text": RULES["surpassing-human"].text})
    for j in order:
        if j == 0 and (g.surpassed[i] or g.missing_human[i]):
            continue
        advice.append({"rule": GAP_RULES[j], "text": ADVICE[GAP_RULES[j]].format(gap=g.gaps[i, j])})
    return Diagnosis(gaps, problems, PRIMARIES[int(g.primary[i])], missing, advice)

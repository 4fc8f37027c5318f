"""Diagnosis of the error ladder: the gaps, which of them are problems, the primary one, and advice.

The thresholds and their reasons from the course are stated in docs/rules.md ("When a gap is a problem").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import fmt
from sim.rules import RULES

GAPS = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")
GAP_RULES = ("avoidable-bias", "variance", "data-mismatch", "dev-overfitting")
GAP_NAMES = ("avoidable bias", "variance", "data mismatch", "dev overfitting")
PRIMARIES = GAPS + ("unknown", "surpassed_human", "none")
BIAS, VARIANCE, MISMATCH, OVERFIT = range(4)
UNKNOWN, SURPASSED, NONE = 4, 5, 6
MIN_PROBLEM = 0.2  # points: a smaller gap is never a problem (below the course's smallest gap worth a fix, 0.5)
# A second gap is a problem only when it is clearly one: strictly more than half the largest. The course's
# examples: bias 0.5 beside variance 2 (a quarter) is "focus on variance"; bias 9 beside mismatch 9 (equal) and
# bias 10 beside mismatch 6 (60%) are "both"; half exactly is where the course stops calling it a tie.
PROBLEM_SHARE = 0.5
NOISE_Z = 2.0  # a gap under twice its own sampling noise (about 95% confidence) could be chance
EPS = 1e-9

ADVICE = {
    "avoidable-bias": "Avoidable bias is {gap} points: train a bigger network, train longer or better, search architectures.",
    "variance": "Variance is {gap} points: get more training data, regularise or augment.",
    "data-mismatch": "Data mismatch is {gap} points: analyse the dev errors, then get or synthesise data like dev/test.",
    "dev-overfitting": "Test is {gap} points above dev: the dev set is overfit; get a bigger dev set.",
}


@dataclass(frozen=True)
class GapsBatch:
    """Gaps (NaN where a rung is missing), their sampling noise, problem masks, primary codes and what is missing."""

    gaps: np.ndarray  # (B, 4)
    noise: np.ndarray  # (B, 4) standard deviation of each gap from the sets' sampling noise (0: sizes unknown)
    problems: np.ndarray  # (B, 4) bool
    primary: np.ndarray  # (B,) index into PRIMARIES
    missing_human: np.ndarray
    missing_train_dev: np.ndarray
    surpassed: np.ndarray

    def gap(self, name: str) -> np.ndarray:
        return self.gaps[:, GAPS.index(name)]

    def problem(self, name: str) -> np.ndarray:
        return self.problems[:, GAPS.index(name)]

    @property
    def largest(self) -> np.ndarray:
        """The largest gap that is a problem (-inf where none)."""
        return np.max(np.where(self.problems, self.gaps, -np.inf), axis=1)

    def take(self, idx) -> "GapsBatch":
        return GapsBatch(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


def _sd(error: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sampling standard deviation of a reading, in points; 0 where the set's size is unknown (NaN)."""
    e = np.clip(np.nan_to_num(error, nan=0.0), 0.0, 100.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(e * (100.0 - e) / np.maximum(n, 1.0))
    return np.where(np.isnan(n), 0.0, sd)


def diagnose_batch(human, train, train_dev, dev, test, differ, n_train=None, n_train_dev=None, n_dev=None,
                   n_test=None) -> GapsBatch:
    """Vectorised diagnosis. `differ`: training data comes from another distribution than dev.
    `n_*`: the sets' sizes (NaN or None: unknown, and their sampling noise is taken as negligible)."""
    human, train, train_dev, dev, test = (np.asarray(x, dtype=np.float64) for x in (human, train, train_dev, dev, test))
    b = len(train)
    size = lambda n: np.full(b, np.nan) if n is None else np.broadcast_to(np.asarray(n, dtype=np.float64), (b,))  # noqa: E731
    sd_train, sd_td = _sd(train, size(n_train)), _sd(train_dev, size(n_train_dev))
    sd_dev, sd_test = _sd(dev, size(n_dev)), _sd(test, size(n_test))
    differ = np.asarray(differ, dtype=bool)
    no_td = np.isnan(train_dev)
    bias = train - human
    # Without a train-dev set, dev - train is variance only when train and dev share a distribution.
    variance = np.where(no_td, np.where(differ, np.nan, dev - train), train_dev - train)
    mismatch = np.where(no_td, np.nan, dev - train_dev)
    overfit = test - dev
    gaps = np.stack([bias, variance, mismatch, overfit], axis=1)
    noise = np.stack([sd_train, np.where(no_td, np.hypot(sd_dev, sd_train), np.hypot(sd_td, sd_train)),
                      np.hypot(sd_dev, sd_td), np.hypot(sd_test, sd_dev)], axis=1)
    with np.errstate(invalid="ignore"):
        # A hair of tolerance: 0.7 - 0.5 is 0.19999999999999996 in floating point, and means 0.2.
        real = (gaps >= MIN_PROBLEM - EPS) & (gaps > NOISE_Z * noise - EPS)  # not chance, not negligible
        largest = np.max(np.where(real, gaps, -np.inf), axis=1)
        problems = real & (gaps > PROBLEM_SHARE * largest[:, None] + EPS)
    missing_human = np.isnan(human)
    missing_td = no_td & differ
    # Without a train-dev set on mismatched data, dev - train is variance and mismatch in unknown
    # shares, either of which may be all of it: bias is a problem only if it is large beside that.
    with np.errstate(invalid="ignore"):
        unsplit = np.where(missing_td, dev - train, -np.inf)
        problems[:, BIAS] &= ~(bias <= PROBLEM_SHARE * unsplit + EPS)
    surpassed = ~missing_human & ((train < human - EPS) | (dev < human - EPS))
    ranked = np.where(problems, gaps, -np.inf)
    primary = np.where(np.any(problems, axis=1), np.argmax(ranked, axis=1), NONE)
    primary = np.where(surpassed, SURPASSED, primary)
    # Without a train-dev set the largest gap is unknown, unless bias is large beside all of dev - train: then it
    # leads however that splits (the course: train far above Bayes is avoidable bias whatever else is going on).
    primary = np.where(missing_human | (missing_td & ~problems[:, BIAS]), UNKNOWN, primary)
    return GapsBatch(gaps, noise, problems, primary, missing_human, missing_td, surpassed)


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


def diagnose(human=None, train=None, train_dev=None, dev=None, test=None, differ=False, **sizes) -> Diagnosis:
    """Diagnose one ladder given in percent; None marks a rung not measured."""
    g = diagnose_batch(*([_num(v)] for v in (human, train, train_dev, dev, test)), [differ],
                       **{k: (None if v is None else [float(v)]) for k, v in sizes.items()})
    return diagnosis_row(g, 0)


def _problems_by_size(g: GapsBatch, i: int) -> list[int]:
    return sorted((j for j in range(4) if g.problems[i, j]), key=lambda j: -g.gaps[i, j])


def advised_gaps(g: GapsBatch, i: int) -> list[int]:
    """Row i's problem gaps in the order its advice names them: largest first, avoidable bias left out while
    human-level error is unknown or surpassed (it cannot be read then)."""
    return [j for j in _problems_by_size(g, i) if not (j == BIAS and (g.surpassed[i] or g.missing_human[i]))]


def diagnosis_row(g: GapsBatch, i: int) -> Diagnosis:
    gaps = {name: (None if np.isnan(v) else round(float(v), 4)) for name, v in zip(GAPS, g.gaps[i])}
    problems = [GAPS[j] for j in _problems_by_size(g, i)]
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
        advice.append({"rule": "surpassing-human", "text": RULES["surpassing-human"].text})
    for j in advised_gaps(g, i):
        advice.append({"rule": GAP_RULES[j], "text": ADVICE[GAP_RULES[j]].format(gap=fmt.error(g.gaps[i, j]))})
    return Diagnosis(gaps, problems, PRIMARIES[int(g.primary[i])], missing, advice)

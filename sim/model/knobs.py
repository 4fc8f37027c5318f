"""The knobs of a project: what the team's choices move, one array row per playthrough."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class Knobs:
    """Every field is a float64 array of shape (B,), except `cat_residual` (B, K)."""

    level: np.ndarray  # model size level; capacity C = 2**level
    effort: np.ndarray  # training effort (epochs) multiplier
    opt: np.ndarray  # optimiser quality: multiplies the under-training term (1 = baseline)
    arch: np.ndarray  # architecture quality: multiplies bias and variance coefficients
    reg: np.ndarray  # regularisation strength (0 = none)
    aug: np.ndarray  # augmentation strength: multiplies data seen by the variance term
    n_target: np.ndarray  # training examples from the target (users') distribution
    n_other: np.ndarray  # training examples from other distributions
    n_syn: np.ndarray  # synthetic training examples
    syn_variety: np.ndarray  # share of the target space the synthetic data covers, 0..1
    n_dev: np.ndarray
    n_test: np.ndarray
    train_dev: np.ndarray  # 1 once a train-dev set is carved
    dev_noise: np.ndarray  # percent of dev labels that are wrong
    test_noise: np.ndarray  # percent of test labels that are wrong
    train_noise_random: np.ndarray  # percent of training labels wrong at random
    train_noise_systematic: np.ndarray  # percent of training labels wrong the same way
    metric_gap: np.ndarray  # real-world points lost because the metric ranks models wrongly
    devset_gap: np.ndarray  # real-world points lost because dev/test do not reflect users
    transfer: np.ndarray  # 1 when starting from pretrained weights
    multitask: np.ndarray  # 1 when trained jointly with related tasks
    e2e: np.ndarray  # 1 end-to-end, 0 hand-designed pipeline
    rounds: np.ndarray  # tuning rounds spent against the current dev set
    speed: np.ndarray  # hardware speed multiplier
    subset: np.ndarray  # 1 when experiments run on a subset
    cat_residual: np.ndarray  # (B, K): share of each error category still unfixed

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return _NAMES

    def copy(self) -> "Knobs":
        return Knobs(**{name: getattr(self, name).copy() for name in _NAMES})

    def take(self, rows: np.ndarray) -> "Knobs":
        return Knobs(**{name: getattr(self, name)[rows] for name in _NAMES})

    def row(self, i: int) -> dict[str, float | list[float]]:
        """One playthrough's knobs as plain Python values (for records and the reference step)."""
        out: dict[str, float | list[float]] = {}
        for name in self.names():
            value = getattr(self, name)[i]
            out[name] = value.tolist() if np.ndim(value) else float(value)
        return out


_NAMES = tuple(f.name for f in fields(Knobs))
# Knobs a scenario may set directly (start values, decision and event effects).
SETTABLE_KNOBS = tuple(name for name in _NAMES if name != "cat_residual")

# Values a knob takes when a case does not set it.
KNOB_DEFAULTS: dict[str, float] = {
    "level": 3.0, "effort": 1.0, "opt": 1.0, "arch": 1.0, "reg": 0.0, "aug": 0.0,
    "n_target": 0.0, "n_other": 0.0, "n_syn": 0.0, "syn_variety": 0.0, "n_dev": 1000.0, "n_test": 1000.0,
    "train_dev": 0.0, "dev_noise": 0.0, "test_noise": 0.0, "train_noise_random": 0.0,
    "train_noise_systematic": 0.0, "metric_gap": 0.0, "devset_gap": 0.0, "transfer": 0.0, "multitask": 0.0,
    "e2e": 1.0, "rounds": 0.0, "speed": 1.0, "subset": 0.0,
}


def initial_knobs(values: dict[str, np.ndarray], batch: int, categories: int) -> Knobs:
    """Knobs for a batch: the given per-row values, defaults elsewhere, every category unfixed."""
    columns = {name: np.broadcast_to(np.asarray(values.get(name, KNOB_DEFAULTS[name]), dtype=np.float64),
                                     (batch,)).copy() for name in SETTABLE_KNOBS}
    return Knobs(**columns, cat_residual=np.ones((batch, categories)))

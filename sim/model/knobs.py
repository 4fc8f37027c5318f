"""The knobs of a project: what the team's choices move, one array row per playthrough.

The engine keeps two sets: the plan (what the next training run will use, and the data sets the model
is measured on now) and the trained model (a copy of the plan's model knobs taken at the last run).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.model.params import KNOB_DEFAULTS, SETTABLE_KNOBS


@dataclass
class Knobs:
    """Every field is a float64 array of shape (B,), except `cat_residual` (B, K) and `metric_shift` (B, M).
    See sim.model.params."""

    level: np.ndarray
    effort: np.ndarray
    opt: np.ndarray
    arch: np.ndarray
    reg: np.ndarray
    aug: np.ndarray
    n_target: np.ndarray
    n_other: np.ndarray
    n_syn: np.ndarray
    syn_variety: np.ndarray
    train_noise_random: np.ndarray
    train_noise_systematic: np.ndarray
    transfer: np.ndarray
    multitask: np.ndarray
    e2e: np.ndarray
    n_dev: np.ndarray
    n_test: np.ndarray
    n_train_dev: np.ndarray
    dev_target: np.ndarray
    test_target: np.ndarray
    dev_noise: np.ndarray
    test_noise: np.ndarray
    train_dev: np.ndarray
    rounds: np.ndarray
    metric_gap: np.ndarray  # flaw of the team's metric (what models trained under it lose for users)
    devset_gap: np.ndarray  # flaw of the team's dev/test sets
    speed: np.ndarray
    subset: np.ndarray
    # Not settable by a case: the state the actions and events build up.
    metric_world: np.ndarray  # points the users' needs moved away from any metric (events add)
    metric_ref: np.ndarray  # the part of metric_world the team's metric reflects (set by change_metric)
    devset_world: np.ndarray  # points the users' data moved away from any dev/test set (events add)
    devset_ref: np.ndarray  # the part of devset_world the team's dev/test sets reflect (change_dev_test)
    cat_residual: np.ndarray  # (B, K): share of each error category still unfixed
    metric_shift: np.ndarray  # (B, M): what actions have added to each of the case's own satisficing metrics

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return _NAMES

    def copy(self) -> "Knobs":
        return Knobs(**{name: getattr(self, name).copy() for name in _NAMES})

    @classmethod
    def concat(cls, batches: list["Knobs"]) -> "Knobs":
        """One batch of the rows of several, in order."""
        return cls(**{name: np.concatenate([getattr(k, name) for k in batches]) for name in _NAMES})

    def take(self, rows: np.ndarray) -> "Knobs":
        return Knobs(**{name: getattr(self, name)[rows] for name in _NAMES})

    def assign(self, rows: np.ndarray, other: "Knobs") -> None:
        """Copy `other`'s values into this batch at `rows` (a boolean mask or indices)."""
        for name in _NAMES:
            getattr(self, name)[rows] = getattr(other, name)[rows]

    def row(self, i: int) -> dict[str, float | list[float]]:
        """One playthrough's knobs as plain Python values (for records and the reference step)."""
        out: dict[str, float | list[float]] = {}
        for name in self.names():
            value = getattr(self, name)[i]
            out[name] = value.tolist() if np.ndim(value) else float(value)
        return out


_NAMES = tuple(f.name for f in fields(Knobs))
INTERNAL_KNOBS = ("metric_world", "metric_ref", "devset_world", "devset_ref")
assert _NAMES == SETTABLE_KNOBS + INTERNAL_KNOBS + ("cat_residual", "metric_shift"), \
    "Knobs fields must follow sim.model.params"


def initial_knobs(values: dict[str, np.ndarray], batch: int, categories: int, metrics: int = 0) -> Knobs:
    """Knobs for a batch: the given per-row values, defaults elsewhere, every category unfixed, no action yet
    moving the case's own metrics."""
    columns = {name: np.broadcast_to(np.asarray(values.get(name, KNOB_DEFAULTS[name]), dtype=np.float64),
                                     (batch,)).copy() for name in SETTABLE_KNOBS}
    internal = {name: np.zeros(batch) for name in INTERNAL_KNOBS}
    return Knobs(**columns, **internal, cat_residual=np.ones((batch, categories)), metric_shift=np.zeros((batch, metrics)))

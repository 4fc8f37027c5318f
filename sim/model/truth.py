"""The hidden truth of each playthrough: constants of the error law, drawn once per seed and calibrated."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.model.seeds import SeedDraws


SHARED_FROM_ROWS = 4096  # below this, finding the shared fields costs more than the scalar operands save


@dataclass(frozen=True)
class Truth:
    """Arrays over the batch. A, S, V and M are solved by sim.model.calibrate from the case's start numbers."""

    bayes: np.ndarray
    bayes_gap: np.ndarray
    A: np.ndarray  # capacity-limited bias coefficient
    S: np.ndarray  # under-training coefficient
    V: np.ndarray  # variance coefficient
    M: np.ndarray  # data-mismatch coefficient (the mismatch with no target-like training data)
    a: np.ndarray
    b: np.ndarray
    gamma: np.ndarray
    mismatch_half: np.ndarray
    k_overfit: np.ndarray
    world_shift: np.ndarray
    real_noise: np.ndarray
    transfer_data: np.ndarray
    transfer_half: np.ndarray
    multitask_data: np.ndarray
    e2e_floor: np.ndarray
    e2e_threshold: np.ndarray
    run_weeks0: np.ndarray
    inference_s0: np.ndarray
    memory_mb0: np.ndarray
    C0: np.ndarray  # starting capacity (reference for time and memory)
    D0: np.ndarray  # starting training examples (reference for run time)
    cat_share: np.ndarray  # (B, K) share of the errors between train and dev owned by each category
    draws: SeedDraws  # every random number of each row, from its seed's own Generator

    @property
    def shared(self) -> "Truth":
        """This truth with each per-row field that every row shares as a plain float: numpy's scalar operands
        cost a third of an array's (the law reads it; computed once per truth, which rarely changes).

        Kept by hand, not with functools.cached_property: a small truth is its own shared form, and caching it
        would make each one a reference cycle whose arrays wait for the cyclic collector (lint's memory grew
        by several KB per seed until a full collection)."""
        if len(self.bayes) < SHARED_FROM_ROWS:
            return self
        kept = self.__dict__.get("_shared")
        if kept is None:
            kept = self.__dict__["_shared"] = self._with_shared_floats()
        return kept

    def _with_shared_floats(self) -> "Truth":
        changes = {}
        for f in fields(self):
            values = getattr(self, f.name)
            if (f.name not in ("draws", "cat_share") and isinstance(values, np.ndarray) and len(values)
                    and values.min() == values.max()):
                changes[f.name] = float(values[0])
                # The truth is drawn once per seed and never edited (`replace` and `where` make new ones): a
                # read-only array makes that a fact, so the float kept for it can never go stale. (Only here:
                # freezing every truth made cost a field walk on every small truth a forecast builds.)
                values.flags.writeable = False
        return self.replace(**changes)

    def take(self, idx: np.ndarray) -> "Truth":
        """These rows (a field every row shares as a float stays one)."""
        return Truth(**{f.name: self.draws.take(idx) if f.name == "draws" else value[idx]
                        if isinstance(value := getattr(self, f.name), np.ndarray) else value for f in fields(self)})

    def replace(self, **changes) -> "Truth":
        return Truth(**{f.name: changes.get(f.name, getattr(self, f.name)) for f in fields(self)})

    def where(self, rows: np.ndarray, other: "Truth") -> "Truth":
        """`other`'s values at `rows`, this one's elsewhere (new arrays only for the fields that differ)."""
        changes = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name != "draws" and mine is not theirs:
                mask = rows[:, None] if mine.ndim == 2 else rows
                changes[f.name] = np.where(mask, theirs, mine)
        return self.replace(**changes) if changes else self

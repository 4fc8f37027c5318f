"""Seeded variants: a case's ranged numbers resolved per seed, the same seed always the same values."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Between, Case, Num, OneOf

_VARIANT_STREAM = 0x766172  # keeps variant draws apart from the measurement-noise tape


def ranged_paths(case: Case) -> list[tuple[str, str]]:
    """The (section, key) of every number the seed picks, in a fixed order."""
    return [(section, key) for section in ("start", "truth")
            for key, value in sorted(getattr(case, section).items()) if not isinstance(value, float)]


def resolve(case: Case, seeds: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[tuple[str, str]]]:
    """Per-row arrays for `start` and `truth`, and the ranged paths (for recording the values used)."""
    paths = ranged_paths(case)
    draws = np.empty((len(seeds), max(len(paths), 1)))
    if paths:
        for i, seed in enumerate(seeds):
            draws[i, : len(paths)] = np.random.default_rng([int(seed), _VARIANT_STREAM]).random(len(paths))
    column = {path: draws[:, j] for j, path in enumerate(paths)}

    def values(section: str) -> dict[str, np.ndarray]:
        out = {}
        for key, num in getattr(case, section).items():
            out[key] = _pick(num, column.get((section, key)), len(seeds))
        return out

    return values("start"), values("truth"), paths


def _pick(num: Num, u: np.ndarray | None, batch: int) -> np.ndarray:
    if isinstance(num, Between):
        low, high = num.between
        return low + u * (high - low)
    if isinstance(num, OneOf):
        options = np.asarray(num.one_of, dtype=np.float64)
        return options[np.minimum((u * len(options)).astype(np.int64), len(options) - 1)]
    return np.full(batch, float(num))

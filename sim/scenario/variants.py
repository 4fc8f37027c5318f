"""Seeded variants: a case's ranged numbers resolved per seed, the same seed always the same values.

Which numbers may vary: those the player is never told, the first model's knobs (`start`) and the
hidden law (`truth`). Numbers the briefing states (the budget, thresholds, the human-level table,
action costs, event weeks) are fixed, so the text a player reads is true in every variant; the loader
says so when a trainer writes a range there.

Draws come from a counter-based hash of (seed, stream, index), vectorised over seeds, so a batch of
100,000 seeds resolves in milliseconds and a seed's values never depend on its batch.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Between, Case, Num, OneOf

VARIANT_STREAM = 0x766172  # keeps variant draws apart from every other per-seed stream
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 whose outputs look independent for neighbouring inputs."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def seeded_uniform(seeds, stream: int, count: int) -> np.ndarray:
    """(B, count) uniform draws in [0, 1): row i depends only on seeds[i], `stream` and the column."""
    s = np.asarray(seeds, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = _mix(_mix(s) ^ np.uint64(stream))
        bits = _mix(key[:, None] + np.arange(count, dtype=np.uint64)[None, :])
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def ranged_paths(case: Case) -> list[tuple[str, str]]:
    """The (section, key) of every number the seed picks, in a fixed order."""
    return [(section, key) for section in ("start", "truth")
            for key, value in sorted(getattr(case, section).items()) if not isinstance(value, (int, float))]


def resolve(case: Case, seeds: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[tuple[str, str]]]:
    """Per-row arrays for `start` and `truth`, and the ranged paths (for recording the values used)."""
    seeds = np.asarray(seeds, dtype=np.int64)
    paths = ranged_paths(case)
    # Each path draws from its own column, keyed by its name, so adding a range elsewhere leaves it alone.
    column = {path: seeded_uniform(seeds, VARIANT_STREAM ^ _name_key(path), 1)[:, 0] for path in paths}

    def values(section: str) -> dict[str, np.ndarray]:
        return {key: _pick(num, column.get((section, key)), len(seeds)) for key, num in getattr(case, section).items()}

    return values("start"), values("truth"), paths


def _name_key(path: tuple[str, str]) -> int:
    key = 0
    for byte in ".".join(path).encode():
        key = (key * 131 + byte) & 0xFFFFFFFF
    return key << 24


def variant_values(case: Case, seed: int) -> dict[str, float]:
    """The values one seed picks, keyed "section.key" (what the result record stores under `variant`)."""
    start, truth, paths = resolve(case, np.array([seed]))
    return {f"{s}.{k}": float((start if s == "start" else truth)[k][0]) for s, k in paths}


def _pick(num: Num, u: np.ndarray | None, batch: int) -> np.ndarray:
    if isinstance(num, Between):
        low, high = num.between
        return low + u * (high - low)
    if isinstance(num, OneOf):
        options = np.asarray(num.one_of, dtype=np.float64)
        return options[np.minimum((u * len(options)).astype(np.int64), len(options) - 1)]
    return np.full(batch, float(num))

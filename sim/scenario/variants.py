"""Seeded variants: a case's ranged numbers resolved per seed, the same seed always the same values.

Which numbers may vary: those the player is never told, the first model's knobs (`start`) and the
hidden law (`truth`). Numbers the briefing states (the budget, thresholds, the human-level table,
action costs, event weeks) are fixed, so the text a player reads is true in every variant; the loader
says so when a trainer writes a range there.

Draws come from each seed's own numpy Generator (sim.model.seeds); each ranged number takes the
slot its name hashes to, so adding a range elsewhere leaves the other numbers' draws alone.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.model.seeds import VARIANT_SLOTS, seed_draws
from sim.scenario.schema import Between, Case, Num, OneOf

def ranged_paths(case: Case) -> list[tuple[str, str]]:
    """The (section, key) of every number the seed picks, in a fixed order."""
    return [(section, key) for section in ("start", "truth")
            for key, value in sorted(getattr(case, section).items()) if not isinstance(value, (int, float))]


def resolve(case: Case, uniforms: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[tuple[str, str]]]:
    """Per-row arrays for `start` and `truth` from each row's variant uniforms (B, VARIANT_SLOTS),
    and the ranged paths (for recording the values used)."""
    paths = ranged_paths(case)
    slots = variant_slots(paths)
    batch = len(uniforms)
    column = {path: uniforms[:, slots[path]] for path in paths}

    def values(section: str) -> dict[str, np.ndarray]:
        return {key: _pick(num, column.get((section, key)), batch) for key, num in getattr(case, section).items()}

    return values("start"), values("truth"), paths


def variant_slots(paths: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Each path's slot: where its name hashes, or the next free one (in sorted order) on a collision."""
    if len(paths) > VARIANT_SLOTS:
        raise ValueError(f"a case may vary at most {VARIANT_SLOTS} numbers")
    taken: dict[tuple[str, str], int] = {}
    used: set[int] = set()
    for path in sorted(paths):
        slot = zlib.crc32(".".join(path).encode()) % VARIANT_SLOTS
        while slot in used:
            slot = (slot + 1) % VARIANT_SLOTS
        taken[path] = slot
        used.add(slot)
    return taken


def variant_values(case: Case, seed: int) -> dict[str, float]:
    """The values one seed picks, keyed "section.key" (what the result record stores under `variant`)."""
    start, truth, paths = resolve(case, seed_draws([seed]).variant)
    return {f"{s}.{k}": float((start if s == "start" else truth)[k][0]) for s, k in paths}


def _pick(num: Num, u: np.ndarray | None, batch: int) -> np.ndarray:
    if isinstance(num, Between):
        low, high = num.between
        return low + u * (high - low)
    if isinstance(num, OneOf):
        options = np.asarray(num.one_of, dtype=np.float64)
        return options[np.minimum((u * len(options)).astype(np.int64), len(options) - 1)]
    return np.full(batch, float(num))

"""Seeded variants: a case's ranged numbers resolved per seed, the same seed always the same values.

Which numbers may vary: those the player is never told, the first model's knobs (`start`) and the
hidden law (`truth`) and the error categories' shares. Numbers the briefing states (the budget, thresholds, the human-level table,
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

def ranged_paths(case: Case) -> list[tuple[str, ...]]:
    """The path of every number the seed picks, in a fixed order: ("start", key), ("truth", key) or
    ("categories", id, "share")."""
    paths: list[tuple[str, ...]] = [(section, key) for section in ("start", "truth")
                                    for key, value in sorted(getattr(case, section).items()) if _ranged(value)]
    paths += [("categories", c.id, "share") for c in case.categories if _ranged(c.share)]
    return paths


def _ranged(value) -> bool:
    return not isinstance(value, (int, float))


def resolve(case: Case, uniforms: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray,
                                                      dict[tuple[str, ...], np.ndarray]]:
    """Per-row arrays for `start` and `truth`, the category shares (B, K), from each row's variant uniforms
    (B, VARIANT_SLOTS); and the values each ranged path took (for recording them)."""
    paths = ranged_paths(case)
    slots = variant_slots(paths)
    batch = len(uniforms)
    column = {path: uniforms[:, slots[path]] for path in paths}

    def values(section: str) -> dict[str, np.ndarray]:
        return {key: _pick(num, column.get((section, key)), batch) for key, num in getattr(case, section).items()}

    start, truth = values("start"), values("truth")
    shares = np.stack([_pick(c.share, column.get(("categories", c.id, "share")), batch) for c in case.categories],
                      axis=1) if case.categories else np.zeros((batch, 0))
    taken = {}
    for path in paths:
        if path[0] == "categories":
            taken[path] = shares[:, [c.id for c in case.categories].index(path[1])]
        else:
            taken[path] = (start if path[0] == "start" else truth)[path[1]]
    return start, truth, shares, taken


def variant_slots(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Each path's slot: where its name hashes, or the next free one (in sorted order) on a collision."""
    if len(paths) > VARIANT_SLOTS:
        raise ValueError(f"a case may vary at most {VARIANT_SLOTS} numbers")
    taken: dict[tuple[str, ...], int] = {}
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
    *_, taken = resolve(case, seed_draws([seed]).variant)
    return {".".join(path): float(values[0]) for path, values in taken.items()}


def _pick(num: Num, u: np.ndarray | None, batch: int) -> np.ndarray:
    if isinstance(num, Between):
        low, high = num.between
        return low + u * (high - low)
    if isinstance(num, OneOf):
        options = np.asarray(num.one_of, dtype=np.float64)
        return options[np.minimum((u * len(options)).astype(np.int64), len(options) - 1)]
    return np.full(batch, float(num))

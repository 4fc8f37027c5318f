"""Seeded variants: a case's ranged numbers resolved per seed, the same seed always the same values.

Which numbers may vary: those the player is never told, the first model's knobs (`start`) and the
hidden law (`truth`), the error categories' shares and the weeks of surprise events. Numbers the briefing
states (the budget, thresholds, the human-level table, action costs) are fixed, so the text a player reads
is true in every variant; the loader says so when a trainer writes a range there.

Draws come from each seed's own numpy Generator (sim.model.seeds); each ranged number takes the
slot its name hashes to, so adding a range elsewhere leaves the other numbers' draws alone.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.model.seeds import VARIANT_SLOTS, seed_draws
from sim.scenario.schema import Between, Case, Num, OneOf

def ranged_paths(case: Case) -> list[tuple[str, ...]]:
    """The path of every number the seed picks, in a fixed order: ("start", key), ("truth", key) or
    ("categories", id, "share")."""
    paths: list[tuple[str, ...]] = [(section, key) for section in ("start", "truth")
                                    for key, value in sorted(getattr(case, section).items()) if _ranged(value)]
    paths += [("categories", c.id, "share") for c in case.categories if _ranged(c.share)]
    paths += [("events", e.id, "week") for e in case.events if _ranged(e.week)]
    return paths


def _ranged(value) -> bool:
    return not isinstance(value, (int, float))


@dataclass(frozen=True)
class Resolved:
    """A case's numbers for each row of a batch."""

    start: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    shares: np.ndarray  # (B, K) category shares
    event_weeks: np.ndarray  # (B, E) the week each event happens
    taken: dict[tuple[str, ...], np.ndarray]  # the values each ranged path took (for recording them)


def resolve(case: Case, uniforms: np.ndarray) -> Resolved:
    """Per-row values of every number of the case that a seed may pick, from each row's variant uniforms
    (B, VARIANT_SLOTS)."""
    paths = ranged_paths(case)
    slots = variant_slots(paths)
    batch = len(uniforms)
    column = {path: uniforms[:, slots[path]] for path in paths}

    def values(section: str) -> dict[str, np.ndarray]:
        return {key: _pick(num, column.get((section, key)), batch) for key, num in getattr(case, section).items()}

    def per_item(items, section: str, name: str) -> np.ndarray:
        picked = [_pick(getattr(item, name), column.get((section, item.id, name)), batch) for item in items]
        return np.stack(picked, axis=1) if picked else np.zeros((batch, 0))

    start, truth = values("start"), values("truth")
    shares = per_item(case.categories, "categories", "share")
    event_weeks = per_item(case.events, "events", "week")
    taken = {}
    for path in paths:
        if path[0] == "categories":
            taken[path] = shares[:, [c.id for c in case.categories].index(path[1])]
        elif path[0] == "events":
            taken[path] = event_weeks[:, [e.id for e in case.events].index(path[1])]
        else:
            taken[path] = (start if path[0] == "start" else truth)[path[1]]
    return Resolved(start, truth, shares, event_weeks, taken)


def extremes(num: Num) -> tuple[float, float]:
    """The smallest and largest value a number can take in any variant."""
    if isinstance(num, Between):
        return num.between
    if isinstance(num, OneOf):
        return min(num.one_of), max(num.one_of)
    return float(num), float(num)


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
    taken = resolve(case, seed_draws([seed]).variant).taken
    return {".".join(path): float(values[0]) for path, values in taken.items()}


def _pick(num: Num, u: np.ndarray | None, batch: int) -> np.ndarray:
    if isinstance(num, Between):
        low, high = num.between
        return low + u * (high - low)
    if isinstance(num, OneOf):
        options = np.asarray(num.one_of, dtype=np.float64)
        return options[np.minimum((u * len(options)).astype(np.int64), len(options) - 1)]
    return np.full(batch, float(num))

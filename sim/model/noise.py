"""Sampling noise that belongs to (model, data set): the same model measured on the same set reads the same.

Each seed's own numpy Generator draws one 64-bit key (sim.model.seeds); every measurement's noise is then a
pure function of (key, what is measured, which model, which version of the set), computed with the
splitmix64 mixer and a Box-Muller transform. So a number never moves when nothing changed, a new model or
a new set gets fresh noise, and a row's draws do not depend on which rows share its batch.
"""

from __future__ import annotations

import numpy as np

# What a draw is for (part of the hash, so the streams never overlap).
TRAIN, TRAIN_DEV, DEV, TEST, REAL, ANALYSIS = 1, 2, 3, 4, 5, 6
CLIP = 3.0  # a reading further out than 3 standard deviations is so rare it only confuses a learner

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 that scrambles every bit (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def _unit(h: np.ndarray) -> np.ndarray:
    """Uniform in (0, 1] from the top 53 bits."""
    return ((h >> _S11).astype(np.float64) + 1.0) * _TO_UNIT


def normals(key: np.ndarray, kind: int, model: np.ndarray, version: np.ndarray, lane: int = 0) -> np.ndarray:
    """One standard normal per row for (kind, model id, set version, lane), clipped to +-CLIP."""
    with np.errstate(over="ignore"):
        label = (np.uint64(kind) << np.uint64(56)) ^ (np.uint64(lane) << np.uint64(48))
        tag = label ^ (np.asarray(model, dtype=np.uint64) << np.uint64(24)) ^ np.asarray(version, dtype=np.uint64)
        h1 = _mix(np.asarray(key, dtype=np.uint64) ^ _mix(tag + _GOLDEN))
        h2 = _mix(h1 + _GOLDEN)
    z = np.sqrt(-2.0 * np.log(_unit(h1))) * np.cos(2.0 * np.pi * _unit(h2))
    return np.clip(z, -CLIP, CLIP)

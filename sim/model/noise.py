"""Sampling noise that belongs to (model, data set): the same model measured on the same set reads the same.

Each seed's own numpy Generator draws one 64-bit key (sim.model.seeds); every measurement's noise is then a
pure function of (key, what is measured, which model, which version of the set): one splitmix64 step from
the key, whose top 16 bits pick a quantile of the standard normal from a table. So a number never moves
when nothing changed, a new model or a new set gets fresh noise, and a row's draws do not depend on which
rows share its batch. (The table is an inverse CDF at 65,536 evenly spaced probabilities: a draw is exact
to 1/65,536 in probability, far finer than any reading shows, and one gather replaces the log, square root
and cosine a Box-Muller transform would need on every row.)
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

# What a draw is for (part of the hash, so the streams never overlap).
TRAIN, TRAIN_DEV, DEV, TEST, REAL, ANALYSIS = 1, 2, 3, 4, 5, 6
CLIP = 3.0  # a reading further out than 3 standard deviations is so rare it only confuses a learner
TABLE_BITS = 16

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27 = np.uint64(30), np.uint64(27)
_TOP = np.uint64(64 - TABLE_BITS)
_QUANTILES = np.clip([NormalDist().inv_cdf((i + 0.5) / 2**TABLE_BITS) for i in range(2**TABLE_BITS)], -CLIP, CLIP)


def _top_bits(x: np.ndarray) -> np.ndarray:
    """The top TABLE_BITS of splitmix64's finaliser, in place when x is an array (wrapping arithmetic). Its last
    step, x ^= x >> 31, never reaches the top 31 bits, so it is left out."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x >>= _TOP
    return x


def _label(kind: int, lane: int) -> np.uint64:
    return (np.uint64(kind) << np.uint64(56)) | (np.uint64(lane) << np.uint64(48))


def _counter(key: np.ndarray, model: np.ndarray) -> np.ndarray:
    """key + (model id << 24) * golden: the part of every stream's counter that (key, model) fix."""
    with np.errstate(over="ignore"):
        h = np.asarray(model, dtype=np.uint64) << np.uint64(24)  # a new array: model may be the caller's
        h *= _GOLDEN
        h += np.asarray(key, dtype=np.uint64)
    return h


def _draw(counter: np.ndarray, kind: int, version, lane: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = counter + _label(kind, lane) * _GOLDEN
        if np.any(version):  # version 0 adds nothing: skip a multiply and an add over the batch
            h += np.asarray(version, dtype=np.uint64) * _GOLDEN
        h = _top_bits(h)  # in place for arrays; a 0-d input comes back as a new scalar
    return np.take(_QUANTILES, np.asarray(h).view(np.int64))


def normals(key: np.ndarray, kind: int, model: np.ndarray, version: np.ndarray, lane: int = 0) -> np.ndarray:
    """One standard normal per row for (kind, model id, set version, lane), clipped to +-CLIP.

    The stream's tag (kind, lane, model id and set version, each in its own bits) is splitmix64's counter:
    the draw is mix(key + tag * golden), as splitmix64 itself steps from a seed.
    """
    return _draw(_counter(key, model), kind, version, lane)


def readings(key: np.ndarray, model: np.ndarray, versions: dict[int, np.ndarray | int]) -> dict[int, np.ndarray]:
    """normals(key, kind, model, version) for each kind's set version, sharing the work (key, model) fix."""
    counter = _counter(key, model)
    return {kind: _draw(counter, kind, version, 0) for kind, version in versions.items()}

"""Every random number a playthrough uses, drawn once from that seed's own numpy Generator.

A playthrough's numbers must not depend on which other playthroughs share its batch (lint's
10,000 seeds and one game in the terminal must agree), so each seed gets its own Generator, and
the draws are laid out by what they are for: measurement noise, variant values, policy choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TAPE_TURNS = 64  # turns of a playthrough (each re-measurement of dev draws fresh sampling noise)
TEST_READS = 16  # looks at the test set with fresh sampling noise; later looks reuse the last draw
ANALYSES = 16  # error analyses with fresh sampling noise
MAX_CATEGORIES = 8  # error categories a case may have
VARIANT_SLOTS = 64  # ranged numbers a case may have
POLICY_DRAWS = 4  # uniforms per turn for a policy that plays at random

# Layout of the normal draws per seed.
_DEV = 0
_TEST = _DEV + TAPE_TURNS
_REAL = _TEST + TEST_READS
_ANALYSIS = _REAL + 1
_ANALYSIS_WIDTH = 1 + MAX_CATEGORIES  # the mislabelled share, then one per category
NORMALS = _ANALYSIS + ANALYSES * _ANALYSIS_WIDTH


@dataclass(frozen=True)
class SeedDraws:
    normal: np.ndarray  # (NORMALS, B) standard normal: one draw for every row is contiguous
    variant: np.ndarray  # (B, VARIANT_SLOTS) uniform [0, 1)
    policy: np.ndarray  # (B, TAPE_TURNS, POLICY_DRAWS) uniform [0, 1), float32

    def take(self, idx) -> "SeedDraws":
        return SeedDraws(self.normal[:, idx], self.variant[idx], self.policy[idx])

    def _column(self, column: np.ndarray) -> np.ndarray:
        """Row i's draw number column[i]; when every row is at the same draw, that is one contiguous view."""
        batch = self.normal.shape[1]
        if batch and column.min() == column.max():
            return self.normal[int(column[0])]
        return self.normal.ravel()[column * batch + np.arange(batch)]

    def dev(self, turn: np.ndarray) -> np.ndarray:
        """Dev-set sampling noise for each row at its own turn."""
        return self._column(_DEV + np.minimum(turn, TAPE_TURNS - 1))

    def test(self, reads: np.ndarray) -> np.ndarray:
        """Test-set sampling noise for each row's n-th look at the test set."""
        return self._column(_TEST + np.minimum(reads, TEST_READS - 1).astype(np.int64))

    def real(self) -> np.ndarray:
        return self.normal[_REAL]

    def analysis(self, count: np.ndarray, categories: int) -> tuple[np.ndarray, np.ndarray]:
        """Sampling noise of each row's n-th error analysis: (mislabelled (B,), per category (B, K))."""
        base = _ANALYSIS + np.minimum(count, ANALYSES - 1).astype(np.int64) * _ANALYSIS_WIDTH
        rows = np.arange(self.normal.shape[1])[:, None]
        block = self.normal[base[:, None] + np.arange(1 + categories)[None, :], rows]
        return block[:, 0], block[:, 1:]


def seed_draws(seeds) -> SeedDraws:
    seeds = np.asarray(seeds, dtype=np.int64)
    b = len(seeds)
    normal = np.empty((NORMALS, b))
    variant = np.empty((b, VARIANT_SLOTS))
    policy = np.empty((b, TAPE_TURNS, POLICY_DRAWS), dtype=np.float32)
    for i, seed in enumerate(seeds):
        generator = np.random.default_rng(int(seed))
        normal[:, i] = generator.standard_normal(NORMALS)
        variant[i] = generator.random(VARIANT_SLOTS)
        policy[i] = generator.random((TAPE_TURNS, POLICY_DRAWS), dtype=np.float32)
    return SeedDraws(normal, variant, policy)

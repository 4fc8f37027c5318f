"""Every random number a playthrough uses comes from that seed's own numpy Generator, drawn once.

A playthrough's numbers must not depend on which other playthroughs share its batch (lint's
10,000 seeds and one game in the terminal must agree), so each seed gets its own Generator. It draws
a 64-bit key for measurement noise (sim.model.noise turns the key into the noise of each
(model, data set)), the variant values of a case's ranged numbers, and the random players' choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TAPE_TURNS = 64  # turns of a playthrough a random player has draws for
MAX_CATEGORIES = 8  # error categories a case may have
VARIANT_SLOTS = 64  # ranged numbers a case may have
POLICY_DRAWS = 4  # uniforms per turn for a policy that plays at random


@dataclass(frozen=True)
class SeedDraws:
    key: np.ndarray  # (B,) uint64: the root of every measurement's noise
    variant: np.ndarray  # (B, VARIANT_SLOTS) uniform [0, 1)
    policy: np.ndarray  # (B, TAPE_TURNS, POLICY_DRAWS) uniform [0, 1), float32

    def take(self, idx) -> "SeedDraws":
        return SeedDraws(self.key[idx], self.variant[idx], self.policy[idx])


def seed_draws(seeds) -> SeedDraws:
    seeds = np.asarray(seeds, dtype=np.int64)
    b = len(seeds)
    key = np.empty(b, dtype=np.uint64)
    variant = np.empty((b, VARIANT_SLOTS))
    policy = np.empty((b, TAPE_TURNS, POLICY_DRAWS), dtype=np.float32)
    for i, seed in enumerate(seeds):
        generator = np.random.default_rng(int(seed))
        key[i] = generator.integers(0, 2**63, dtype=np.uint64)
        variant[i] = generator.random(VARIANT_SLOTS)
        policy[i] = generator.random((TAPE_TURNS, POLICY_DRAWS), dtype=np.float32)
    return SeedDraws(key, variant, policy)

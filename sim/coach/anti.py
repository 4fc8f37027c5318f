"""The anti-rule policy: always picks what the coach calls misaligned where it can (lint's straw man).

If following the rules pays, a player who breaks them at every turn must do worse; `mlsim lint`
plays this policy beside the expert and the random player to show it.
"""

from __future__ import annotations

import copy

import numpy as np

from sim.coach.judge import ALIGNED, MISALIGNED, NEUTRAL, Choice, judge_in
from sim.coach.situation import Situation
from sim.coach.policy import SHIP, Picks
from sim.coach.visible import Visible
from sim.model import ACTION_INDEX, TAPE_TURNS, SeedDraws
from sim.scenario.schema import Case

ANTI_VARIETY = 0.1  # the anti-rule player synthesises from a tiny corner of the real space


class AntiRulePolicy:
    """Per row: a misaligned action if the coach would call any so, else a neutral one, else an aligned one.

    Ties are broken by a per-seed tape, so every seed plays its own anti-rule game, the same each time.
    Decisions get a misaligned option where there is one. Ship counts like any other action: this player
    ships only when shipping itself breaks a rule (or when nothing else is left).
    """

    def __init__(self, case: Case, draws: SeedDraws):
        self.case = case
        self.ids = list(case.actions)
        self.codes = [ACTION_INDEX[a] for a in self.ids]
        self.tape = draws.policy[:, :, 0].astype(np.float64)  # (B, TAPE_TURNS): breaks ties between rules broken
        self.options = [self._worst_options(d) for d in case.decisions]

    def take(self, rows: np.ndarray) -> "AntiRulePolicy":
        """The same player for the rows still playing."""
        narrowed = copy.copy(self)
        narrowed.tape = self.tape[rows]
        return narrowed

    @staticmethod
    def _worst_options(decision) -> int:
        rank = {"misaligned": 0, "neutral": 1, "aligned": 2}
        return min(range(len(decision.options)), key=lambda i: (rank[decision.options[i].verdict], i))

    def __call__(self, vis: Visible, case: Case, pending: np.ndarray, turn: np.ndarray,
                 situation: Situation | None = None) -> Picks:
        b = vis.batch
        u = self.tape[np.arange(b), np.minimum(turn, TAPE_TURNS - 1)] if b else np.zeros(0)
        no_category, variety = np.full(b, -1), np.full(b, ANTI_VARIETY)
        # Preference per (row, action): misaligned 3, neutral 2, aligned 1; ship only as neutral's last resort.
        preference = np.zeros((b, len(self.codes)))
        s = situation if situation is not None else Situation(vis, case)
        for j, (action, code) in enumerate(zip(self.ids, self.codes)):
            verdicts = judge_in(s, action, Choice(action, no_category, variety)).codes
            score = np.select([verdicts == MISALIGNED, verdicts == NEUTRAL, verdicts == ALIGNED], [3.0, 2.0, 1.0])
            if code == SHIP:
                score = np.where(verdicts == MISALIGNED, 3.0, 0.5)
            preference[:, j] = np.where(vis.offered[:, code], score, -np.inf)  # only what is on the menu
        best = preference.max(axis=1, keepdims=True) if b else preference
        candidates = preference >= best - 1e-12
        # The u-th candidate in each row, by the tape.
        counts = candidates.sum(axis=1)
        nth = np.minimum((u * counts).astype(np.int64), np.maximum(counts - 1, 0))
        order = np.cumsum(candidates, axis=1) - 1
        chosen = np.argmax(candidates & (order == nth[:, None]), axis=1) if b else np.zeros(0, dtype=np.int64)
        action = np.asarray(self.codes)[chosen] if b else np.zeros(0, dtype=np.int64)
        option = np.full(b, -1)
        for d, worst in enumerate(self.options):
            option[pending == d] = worst
        return Picks(np.where(pending >= 0, -1, action), option, no_category, variety)

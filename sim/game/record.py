"""The learner's record: per strategy rule, how their finished games went, and the rules they are weakest on.

Input is the learner's finished result records (sim.board.history gathers them from the local board and the
replay logs). A rule is *met* at a turn whose verdict cites it; each meeting is aligned, neutral or
misaligned. The weakest rules are the ones broken (misaligned) most often, then the larger share of the
times met. Each weak rule comes with the case that teaches it best: among the cases that list it in
`teaches`, the one whose expert path cites it on the most seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim.rules import RULE_IDS
from sim.scenario.schema import Case

TEACHING_SEEDS = 8  # expert games per case to see which rules its path cites
TREND_EPSILON = 0.1  # a change in the share broken smaller than this is "steady"


@dataclass(frozen=True)
class PlayedGame:
    """One finished game of the learner's: when it ended (ISO 8601, UTC) and its result record."""

    when: str
    result: dict


@dataclass(frozen=True)
class RuleRecord:
    rule: str
    met: int  # turns whose verdict cited the rule
    aligned: int
    misaligned: int
    games: int  # games in which it was met
    broken_by_game: tuple[bool, ...]  # per game it was met in, oldest first: broken at least once there
    teach: str | None = None  # the case that teaches it best

    @property
    def neutral(self) -> int:
        return self.met - self.aligned - self.misaligned

    @property
    def broken_share(self) -> float:
        return self.misaligned / self.met if self.met else 0.0

    @property
    def trend(self) -> str | None:
        """"better", "worse" or "steady": the share of games broken in the newer half against the older half."""
        n = len(self.broken_by_game)
        if n < 2:
            return None
        older, newer = self.broken_by_game[: n // 2], self.broken_by_game[n // 2:]
        change = float(np.mean(newer)) - float(np.mean(older))
        return "steady" if abs(change) < TREND_EPSILON else ("worse" if change > 0 else "better")

    def as_json(self) -> dict:
        return {"rule": self.rule, "met": self.met, "aligned": self.aligned, "neutral": self.neutral,
                "misaligned": self.misaligned, "games": self.games, "trend": self.trend,
                "broken_by_game": list(self.broken_by_game), "teach": self.teach}


@dataclass(frozen=True)
class LearnerRecord:
    games: int
    rules: tuple[RuleRecord, ...]  # weakest first, then every other rule met

    @property
    def weakest(self) -> tuple[RuleRecord, ...]:
        """The rules broken at least once, weakest first."""
        return tuple(r for r in self.rules if r.misaligned)

    def as_json(self) -> dict:
        return {"games": self.games, "weakest": [r.rule for r in self.weakest],
                "rules": [r.as_json() for r in self.rules]}


def weakness(rule: RuleRecord) -> tuple:
    """Sort key, weakest first: broken most often, then the larger share of the times met, then the id."""
    return -rule.misaligned, -rule.broken_share, rule.rule


def learner_record(games: Sequence[PlayedGame], cases: Sequence[tuple[Case, str]] = ()) -> LearnerRecord:
    """The record over `games` (in any order; trends read them oldest first). With `cases` (each with its content
    hash), each weak rule is given the one that teaches it best."""
    ordered = sorted(games, key=lambda g: g.when)
    tallies: dict[str, list[int]] = {}  # rule -> [met, aligned, misaligned, games]
    broken: dict[str, list[bool]] = {}
    for game in ordered:
        seen: dict[str, bool] = {}
        for turn in game.result.get("turns", []):
            rule, verdict = turn.get("rule"), turn.get("verdict")
            if rule not in RULE_IDS:
                continue
            t = tallies.setdefault(rule, [0, 0, 0, 0])
            t[0] += 1
            t[1] += verdict == "aligned"
            t[2] += verdict == "misaligned"
            seen[rule] = seen.get(rule, False) or verdict == "misaligned"
        for rule, was_broken in seen.items():
            tallies[rule][3] += 1
            broken.setdefault(rule, []).append(was_broken)
    rules = [RuleRecord(rule, met, aligned, misaligned, n, tuple(broken[rule]))
             for rule, (met, aligned, misaligned, n) in tallies.items()]
    rules.sort(key=weakness)
    if cases:
        rules = [r if not r.misaligned else RuleRecord(r.rule, r.met, r.aligned, r.misaligned, r.games,
                                                       r.broken_by_game, teaching_case(r.rule, cases))
                 for r in rules]
    return LearnerRecord(len(ordered), tuple(rules))


_cited: dict[str, np.ndarray] = {}  # case content hash -> share of seeds whose expert cites each rule


def _citations(case: Case, case_hash: str) -> np.ndarray:
    """Per rule, the share of TEACHING_SEEDS expert games whose path cites it (cached per case in this process)."""
    from sim.game.runner import run_batch

    key = case_hash
    if key not in _cited:
        run = run_batch(case, np.arange(TEACHING_SEEDS), "expert", record_path=False)
        _cited[key] = run.rules.mean(axis=0)
    return _cited[key]


def teaching_case(rule: str, cases: Sequence[tuple[Case, str]]) -> str | None:
    """The case that teaches `rule` best: it lists the rule in `teaches` and its expert path cites it on the most
    seeds (the first such case in `cases` on a tie); without a case that lists it, the one whose expert cites it
    most; None if no case's expert ever does."""
    j = RULE_IDS.index(rule)
    teaching = [(c, h) for c, h in cases if rule in c.teaches]
    pool = teaching or list(cases)
    scored = [(float(_citations(c, h)[j]), -k, c.id) for k, (c, h) in enumerate(pool)]
    best = max(scored, default=None)
    if best is None or (best[0] == 0.0 and not teaching):
        return None
    return best[2]

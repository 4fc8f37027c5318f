"""The room's debrief, for the trainer: per case, how the outcomes spread, who broke which rule, where the room
left the expert's path and what it chose instead, and the best path beside a typical one.

Read from a board's stored records (every one re-played when it was stored, so its turns are the game's own).
"Leaving the expert's path" compares each learner's choices (parameters left out) with the expert's game on
the same seed, turn by turn: the first turn where they differ is where that learner left it. Rendering is
sim.board.report's; this module holds the numbers only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from sim.board.store import Entry

TOP_CHOICES = 3  # what the room chose instead: the most common few


def choice_kind(choice: str) -> str:
    """A choice without its parameters: "synthesize_data kind=car variety=0.5" -> "synthesize_data"."""
    parts = choice.split()
    if not parts:
        return ""
    return " ".join(parts[:2]) if parts[0] == "answer" else parts[0]


@dataclass(frozen=True)
class RuleBreaks:
    rule: str
    learners: int  # who met it (a turn of theirs was judged on it)
    broke: int  # who broke it at least once
    room: int  # every learner of the case

    @property
    def share(self) -> float:
        """The share of the room who broke it."""
        return self.broke / self.room if self.room else 0.0


@dataclass(frozen=True)
class Departure:
    """The turn where most learners left the expert's path."""

    turn: int  # 1-based
    decision: str | None  # the decision the expert answered there, if it was one
    learners: int  # who left it here
    of: int  # learners of the case
    expert: tuple[tuple[str, int], ...]  # the expert's choice there (seeds differ, so it may differ), with counts
    instead: tuple[tuple[str, int], ...]  # what those learners chose instead, most common first
    stayed: int  # learners who followed the expert's path to its end


@dataclass(frozen=True)
class PathRow:
    best: str | None
    typical: str | None


@dataclass(frozen=True)
class CaseDebrief:
    case: str
    entries: int
    totals: tuple[int, ...]  # every learner's total (the histogram's data)
    real_world: tuple[float, ...]
    rules: tuple[RuleBreaks, ...]  # most broken first
    departure: Departure | None
    best: Entry
    typical: Entry  # the entry whose total is the room's median (the better-ranked of two)
    paths: tuple[PathRow, ...]  # the best and the typical path lined up by situation

    def as_json(self) -> dict:
        d = self.departure
        return {
            "case": self.case, "entries": self.entries, "totals": list(self.totals),
            "real_world_error": list(self.real_world),
            "rules": [{"rule": r.rule, "met": r.learners, "broke": r.broke, "share": r.share} for r in self.rules],
            "departure": None if d is None else {
                "turn": d.turn, "decision": d.decision, "learners": d.learners, "of": d.of,
                "expert": [{"choice": c, "learners": n} for c, n in d.expert],
                "instead": [{"choice": c, "learners": n} for c, n in d.instead], "stayed": d.stayed},
            "best": {"name": self.best.name, "total": self.best.total, "choices": [r.best for r in self.paths if r.best]},
            "typical": {"name": self.typical.name, "total": self.typical.total,
                        "choices": [r.typical for r in self.paths if r.typical]},
        }


def _rules(records: Sequence[dict]) -> tuple[RuleBreaks, ...]:
    met, broke = Counter(), Counter()
    for record in records:
        rules = {t.get("rule") for t in record.get("turns", []) if t.get("rule")}
        broken = {t.get("rule") for t in record.get("turns", []) if t.get("verdict") == "misaligned"}
        met.update(rules)
        broke.update(broken)
    n = len(records)
    out = [RuleBreaks(rule, met[rule], broke[rule], n) for rule in met]
    return tuple(sorted(out, key=lambda r: (-r.broke, -r.learners, r.rule)))


def _departure(case, case_hash: str, records: Sequence[dict]) -> Departure | None:
    from sim.game.runner import expert_runs

    experts = expert_runs(case, case_hash, [int(r["seed"]) for r in records])
    left: dict[int, list[tuple[str, str | None, str]]] = {}  # turn -> [(learner's, expert's, expert's kind)]
    stayed = 0
    for record, expert in zip(records, experts):
        mine = [choice_kind(c) for c in record.get("choices", [])]
        theirs = list(expert.path)
        k = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
        if k is None:
            if len(mine) == len(theirs):
                stayed += 1
                continue
            k = min(len(mine), len(theirs))
        ours = mine[k] if k < len(mine) else "(stopped)"
        expert_choice = theirs[k] if k < len(theirs) else "(stopped)"
        left.setdefault(k, []).append((ours, expert_choice))
    if not left:
        return None
    k, rows = max(left.items(), key=lambda item: (len(item[1]), -item[0]))
    expert_counts = Counter(e for _, e in rows).most_common()
    decision = _decision_at(case, records, experts, k)
    return Departure(k + 1, decision, len(rows), len(records), tuple(expert_counts),
                     tuple(Counter(o for o, _ in rows).most_common(TOP_CHOICES)), stayed)


def _decision_at(case, records, experts, k: int) -> str | None:
    """The decision the expert answered at turn k, if its choice there was an answer (the first such seed's)."""
    from sim.game.paths import decisions_along

    for record, expert in zip(records, experts):
        if k < len(expert.path) and expert.path[k].startswith("answer "):
            return decisions_along(case, [(int(record["seed"]), list(expert.path[: k + 1]))])[0][k]
    return None


def _paths(case, best: dict, typical: dict) -> tuple[PathRow, ...]:
    from sim.game.paths import decisions_along, line_up, situation_keys

    a, b = best.get("choices", []), typical.get("choices", [])
    da, db = decisions_along(case, [(int(best["seed"]), a), (int(typical["seed"]), b)])
    rows = line_up(situation_keys(a, da), situation_keys(b, db))
    return tuple(PathRow(None if i is None else a[i], None if j is None else b[j]) for i, j in rows)


def case_debrief(case, case_hash: str, ranked: Sequence[tuple[Entry, dict]]) -> CaseDebrief | None:
    """The debrief of one case from its ranked (entry, record) pairs; None without entries."""
    ranked = [(e, r) for e, r in ranked if r.get("case_hash") == case_hash] or list(ranked)
    if not ranked:
        return None
    records = [r for _, r in ranked]
    by_total = sorted(range(len(ranked)), key=lambda i: (ranked[i][0].total, -i))
    typical_index = by_total[len(by_total) // 2]
    best, typical = ranked[0], ranked[typical_index]
    return CaseDebrief(
        case=case.id, entries=len(ranked), totals=tuple(e.total for e, _ in ranked),
        real_world=tuple(e.real_world_error for e, _ in ranked), rules=_rules(records),
        departure=_departure(case, case_hash, records),
        best=best[0], typical=typical[0], paths=_paths(case, best[1], typical[1]))


def room_debrief(records: Sequence[tuple[Entry, dict]]) -> list[CaseDebrief]:
    """Every case among a board's (entry, record) pairs (`Store.records`: hidden entries are already out;
    practice ones are left out here), cases in id order; a case no longer installed is skipped."""
    from sim.board.verify import find_case_by_id

    pairs = [(e, r) for e, r in records if not e.practice]
    out = []
    for case_id in sorted({e.case for e, _ in pairs}):
        found = find_case_by_id(case_id)
        if found is None:
            continue
        case, case_hash = found[:2]
        debrief = case_debrief(case, case_hash, [(e, r) for e, r in pairs if e.case == case_id])
        if debrief is not None:
            out.append(debrief)
    return out

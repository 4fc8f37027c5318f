"""Trust no submitted score: re-play a result record from its case, seed and choices, and compare.

Both boards (local and workshop) store only what `verify` computes. A record is accepted when it was
made by this version of the simulator (its "model"), its case is known with the same content hash, its
choices re-play to a finished game, and the id, score and final ladder it claims equal the re-play's:
scores exactly, ladder numbers within FLOAT_TOLERANCE. That tolerance is what lets a record made with
one numpy release re-play with another (tests/board/test_numpy_versions.py runs the oldest numpy that
pyproject allows against the installed one). Everything here is plain data in and out so a worker
process can run it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields

MAX_CHOICES = 200  # far above a real game (the engine ships by itself long before); bounds the work per record
MAX_CHOICE_CHARS = 200
FLOAT_TOLERANCE = 1e-3  # records round ladders to 4 decimals; another platform or numpy may differ in the last digit
MAX_POINTS = 1_000_000  # no score comes near this; a bigger number is not a score
MAX_ERROR = 1000.0  # errors are percents; anything far past 100 is not one
LADDER_KEYS = ("human", "train", "train_dev", "dev", "test")
REPLAY_FIELDS = ("model", "id", "case", "case_hash", "seed", "choices", "score", "final")


class ResultRejected(Exception):
    """A result that cannot be stored; str(err) is one sentence for the player."""


@dataclass(frozen=True)
class Verified:
    """What the re-play computed: the only numbers a board stores."""

    result_id: str
    case: str
    case_hash: str
    seed: int
    strategy: int
    outcome: int
    total: int
    real_world_error: float
    weeks: float
    record: dict  # the re-played result record
    follows_expert: bool = False  # its choices are the expert policy's on its seed, move for move

    def as_dict(self) -> dict:
        """Shallow on purpose: `asdict` would deep-copy the record, which costs more than its re-play."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# (path, mtime_ns, size) -> (Case, hash): a case file is parsed once until it changes.
_case_cache: dict[tuple[str, int, int], tuple[object, str]] = {}


def find_case_by_id(case_id: str):
    """The current (Case, hash) of the case with this id among `list_cases()`, or None."""
    from sim.scenario import CaseError, list_cases, load_case_file

    for ref in list_cases():
        if ref.id != case_id:
            continue
        try:
            st = os.stat(ref.path)
            key = (str(ref.path), st.st_mtime_ns, st.st_size)
            if key not in _case_cache:
                _case_cache[key] = load_case_file(ref.path)
            return _case_cache[key]
        except (OSError, CaseError):
            return None
    return None


def _number(x, limit: float) -> bool:
    """A JSON number a record could hold: finite and within `limit` (a 400-digit integer is not one)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    return abs(x) <= limit and (isinstance(x, int) or math.isfinite(x))


def check_record(result) -> dict:
    """The fields a re-play reads, checked for type, range and size (cheap: no re-play, no case file).

    Raises ResultRejected (one sentence) for anything a finished game of this simulator could not have
    written; the workshop server runs it before queueing, so a bad record is refused alone and never
    reaches a batch of good ones. Returns a copy holding only REPLAY_FIELDS (nothing else travels).
    """
    from sim.model import MODEL_VERSION

    if not isinstance(result, dict):
        raise ResultRejected("the result is not a result record (a JSON object)")
    model = result.get("model")
    if model != MODEL_VERSION:
        made_by = f"model {model}" if isinstance(model, int) and not isinstance(model, bool) else "an older model"
        raise ResultRejected(f"the result was made by another version of the simulator ({made_by}; this one runs "
                             f"model {MODEL_VERSION}), so it cannot be re-played here")
    case_id, case_hash, seed, choices = (result.get(k) for k in ("case", "case_hash", "seed", "choices"))
    if not isinstance(case_id, str) or not isinstance(case_hash, str) or not 0 < len(case_id) <= 100 \
            or len(case_hash) > 100:
        raise ResultRejected("the result names no case or case hash")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise ResultRejected("the result's seed is not a whole number from 0 to 2^63-1")
    if not isinstance(choices, list) or not all(isinstance(c, str) and len(c) <= MAX_CHOICE_CHARS for c in choices):
        raise ResultRejected("the result's choices are not a list of choice lines")
    if len(choices) > MAX_CHOICES:
        raise ResultRejected(f"the result has {len(choices)} choices, more than a game allows")
    rid = result.get("id")
    if not isinstance(rid, str) or not 0 < len(rid) <= 100:
        raise ResultRejected("the result has no id")
    score = result.get("score")
    if not isinstance(score, dict) or not all(isinstance(score.get(k), int) and _number(score.get(k), MAX_POINTS)
                                              for k in ("strategy", "outcome", "total")):
        raise ResultRejected("the result's score is not three whole numbers (strategy, outcome, total)")
    final = result.get("final")
    ladder = final.get("ladder") if isinstance(final, dict) else None
    if not isinstance(ladder, dict) or not all(ladder.get(k) is None or _number(ladder.get(k), MAX_ERROR)
                                               for k in LADDER_KEYS):
        raise ResultRejected("the result's final ladder is not five errors in percent")
    real = final.get("real_world_error")
    if real is not None and not _number(real, MAX_ERROR):
        raise ResultRejected("the result's real-world error is not an error in percent")
    return {"model": model, "id": rid, "case": case_id, "case_hash": case_hash, "seed": seed, "choices": list(choices),
            "score": {k: score[k] for k in ("strategy", "outcome", "total")},
            "final": {"ladder": {k: ladder.get(k) for k in LADDER_KEYS}, "real_world_error": real}}


def _same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= FLOAT_TOLERANCE


def _tampered(claimed: dict, replayed: dict) -> str | None:
    """What differs between the claimed record and the re-play (None when they agree)."""
    if claimed.get("id") != replayed["id"]:
        return "its id does not match its case hash, seed and choices"
    score = claimed.get("score")
    if not isinstance(score, dict) or any(score.get(k) != replayed["score"][k] for k in ("strategy", "outcome", "total")):
        return "its score is not the score its choices earn"
    final = claimed.get("final")
    if not isinstance(final, dict) or not isinstance(final.get("ladder"), dict):
        return "it has no final ladder"
    if any(not _same_number(final["ladder"].get(k), replayed["final"]["ladder"][k]) for k in LADDER_KEYS):
        return "its final ladder is not the ladder its choices reach"
    if not _same_number(final.get("real_world_error"), replayed["final"]["real_world_error"]):
        return "its real-world error is not the one its choices reach"
    return None


def _known_case(case_id: str, case_hash: str):
    found = find_case_by_id(case_id)
    if found is None:
        raise ResultRejected(f"unknown case '{case_id}': this board has no case with that id")
    case, current_hash = found
    if current_hash != case_hash:
        raise ResultRejected(f"unknown case hash for '{case_id}': the result was played on another version of the case")
    return case


def _accept(claimed: dict, replayed) -> Verified:
    """Compare a claimed record with its re-play (a record, or the ChoiceError that stopped it)."""
    from sim.game import ChoiceError

    if isinstance(replayed, ChoiceError):
        if "before the project does" in str(replayed):
            raise ResultRejected("the result's game has not ended; only finished games go on the board")
        raise ResultRejected(f"the result's choices cannot be re-played: {replayed}")
    problem = _tampered(claimed, replayed)
    if problem:
        raise ResultRejected(f"the result does not match its re-play: {problem}")
    score, final = replayed["score"], replayed["final"]
    return Verified(replayed["id"], replayed["case"], replayed["case_hash"], replayed["seed"], int(score["strategy"]),
                    int(score["outcome"]), int(score["total"]), float(final["real_world_error"]),
                    float(final["weeks_used"]), replayed)


def verify(result) -> Verified:
    """Re-play a submitted result record; raises ResultRejected (one sentence) when it cannot be trusted."""
    outcome = verify_chunk([check_record(result)])[0]
    if "error" in outcome:
        raise ResultRejected(outcome["error"])
    return Verified(**outcome)


def _kind(choice: str) -> str:
    """What a choice does, without its parameters: "bigger_network", "answer b"."""
    words = choice.split()
    return " ".join(words[:2]) if words and words[0] == "answer" else (words[0] if words else "")


def _given_expert(value) -> tuple[float, tuple[str, ...]] | None:
    """The expert's run a workshop server attached to a record (kept from when its ticket was issued)."""
    if not isinstance(value, dict) or not _number(value.get("real_world"), MAX_ERROR):
        return None
    path = value.get("path")
    if not isinstance(path, list) or not all(isinstance(step, str) for step in path):
        return None
    return float(value["real_world"]), tuple(path)


def verify_chunk(results: list) -> list[dict]:
    """Verify several checked records (a worker's unit of work): each a Verified as a dict, or {"error": sentence}.

    Records of the same case are re-played together in lockstep through the batched engine. The expert's
    run on each seed (the outcome score's yardstick, and its path to tell a bot's game from a learner's) is
    the one a record carries under "expert" — the workshop server attaches the run it kept when the ticket
    was issued, never one a client sent — and is played here, once for all seeds that lack it, otherwise.
    """
    from sim.game.playthroughs import replay_many
    from sim.game.runner import expert_runs

    out: list[dict | None] = [None] * len(results)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, result in enumerate(results):
        try:
            check_record(result)
        except ResultRejected as err:
            out[i] = {"error": str(err)}
            continue
        groups.setdefault((result["case"], result["case_hash"]), []).append(i)
    for (case_id, case_hash), members in groups.items():
        try:
            case = _known_case(case_id, case_hash)
        except ResultRejected as err:
            for i in members:
                out[i] = {"error": str(err)}
            continue
        experts = {i: _given_expert(results[i].get("expert")) for i in members}
        missing = [i for i in members if experts[i] is None]
        if missing:
            for i, run in zip(missing, expert_runs(case, case_hash, [results[i]["seed"] for i in missing])):
                experts[i] = (run.real_world, run.path)
        replays = replay_many(case, case_hash, [(results[i]["seed"], results[i]["choices"]) for i in members],
                              expert_real=[experts[i][0] for i in members])
        for i, replayed in zip(members, replays):
            try:
                verified = _accept(results[i], replayed).as_dict()
            except ResultRejected as err:
                out[i] = {"error": str(err)}
                continue
            verified["follows_expert"] = tuple(_kind(c) for c in replayed["choices"]) == experts[i][1]
            out[i] = verified
    return out


def expert_chunk(jobs: list) -> list[dict]:
    """The expert's run for each [case id, case hash, seed] (a worker's other unit of work): {"real_world",
    "path"} or {"error": sentence}. Seeds of one case are played together, without verdicts."""
    from sim.game.runner import expert_runs

    out: list[dict | None] = [None] * len(jobs)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, job in enumerate(jobs):
        if not (isinstance(job, list) and len(job) == 3 and all(isinstance(x, str) for x in job[:2])
                and isinstance(job[2], int) and not isinstance(job[2], bool) and 0 <= job[2] < 2**63):
            out[i] = {"error": "not a [case, case hash, seed] job"}
            continue
        groups.setdefault((job[0], job[1]), []).append(i)
    for (case_id, case_hash), members in groups.items():
        try:
            case = _known_case(case_id, case_hash)
        except ResultRejected as err:
            for i in members:
                out[i] = {"error": str(err)}
            continue
        for i, run in zip(members, expert_runs(case, case_hash, [jobs[i][2] for i in members])):
            out[i] = {"real_world": run.real_world, "path": list(run.path)}
    return out


def warm_up(_worker: int = 0) -> int:
    """Import the game and parse the cases in a fresh worker, so the first submission is not the slow one."""
    import sim.game.playthroughs  # noqa: F401
    from sim.scenario import list_cases

    for ref in list_cases():
        find_case_by_id(ref.id)
    return os.getpid()

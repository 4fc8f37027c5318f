"""`mlsim whatif RESULT.json`: what each other choice at each turn would have reached, the expert finishing."""

from __future__ import annotations

import argparse
import json
import sys

from sim import fmt
from sim.commands.output import EXIT_USAGE, emit_json, fail, fail_problems

EXAMPLES = """\
  mlsim whatif result.json        (result.json from `mlsim play CASE --headless ... --json`)
  mlsim whatif result.json --turn 3
  mlsim whatif - --json < result.json
"""
MARKS = {"best": "★", "yours": "▸"}


def _turn(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a turn number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"turns are numbered from 1, not {text}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("result", metavar="RESULT.json",
                   help="a result record (`mlsim play ... --headless --json`), a finished saved game (.jsonl), "
                        "or - for stdin")
    p.add_argument("--turn", type=_turn, metavar="N", help="only turn N (1 is the first choice), with every verdict's text")
    p.add_argument("--case", metavar="FILE", help="the case file the game was played on, if it is not a built-in "
                                                 "case or one in your own folder")
    p.add_argument("--json", action="store_true", help="print the what-if as JSON")


def _read_saved_game(source: str) -> tuple[dict | None, int]:
    """A saved game's log (`.jsonl`, the TUI's own save): its result record, once the game has ended."""
    from sim.game.replay import read_log
    from sim.scenario import CaseError

    try:
        saved = read_log(source)
    except CaseError as err:
        return None, fail_problems(err.problems)
    except (OSError, UnicodeDecodeError) as err:
        return None, fail(f"{source}: cannot be read ({getattr(err, 'strerror', None) or err})")
    if "case" not in saved.header:
        return None, fail(f"{source}:1:1: is not a saved game of mlsim (its first line names no case)")
    if not saved.finished or saved.result is None:
        return None, fail(f"{source}: this saved game has not ended yet; continue it with `mlsim` and ship, "
                          "then ask again")
    return saved.result, 0


def _read(source: str) -> tuple[dict | None, int]:
    if source != "-" and source.endswith(".jsonl"):
        return _read_saved_game(source)
    name = "<stdin>" if source == "-" else source
    try:
        raw = sys.stdin.buffer.read() if source == "-" else open(source, "rb").read()
    except OSError as err:
        return None, fail(f"{name}: cannot be read ({err.strerror})")
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f":{err.lineno}:{err.colno}" if isinstance(err, json.JSONDecodeError) else ""
        return None, fail(f"{name}{where}: is not a result record (JSON); save one with "
                          "`mlsim play CASE --headless ... --json > result.json`")
    if not isinstance(record, dict) or not isinstance(record.get("choices"), list) \
            or not all(isinstance(c, str) for c in record["choices"]) or not isinstance(record.get("case"), str) \
            or not isinstance(record.get("seed"), int) or isinstance(record.get("seed"), bool):
        return None, fail(f"{name}: is not a result record (it needs a case, a seed and its choices)")
    if not 0 <= record["seed"] < 2**63:  # the range the engine's seeds take (and the board's check)
        return None, fail(f"{name}: the result's seed {record['seed']} is not a whole number from 0 to 2^63-1")
    return record, 0


def run(args) -> int:
    record, code = _read(args.result)
    if code:
        return code
    from sim.game.choices import ChoiceError
    from sim.model import MODEL_VERSION
    from sim.scenario import CaseError, find_case, load_case_file

    name = "<stdin>" if args.result == "-" else args.result
    if record.get("model", MODEL_VERSION) != MODEL_VERSION:
        return fail(f"{name}: the game was played under another version of the simulator (model "
                    f"{record.get('model')}; this one runs model {MODEL_VERSION}), so its choices lead elsewhere now")
    try:
        case, digest = load_case_file(find_case(args.case or record["case"]))
    except CaseError as err:
        return fail_problems(err.problems)
    if record.get("case_hash") not in (None, digest):
        return fail(f"{name}: the case '{case.id}' has changed since this game was played, so it cannot be "
                    "re-played exactly (pass --case FILE with the version it was played on)")
    if args.turn is not None and args.turn > len(record["choices"]):
        return fail(f"--turn {args.turn}: the game has {len(record['choices'])} turns", EXIT_USAGE)
    from sim.game.whatif import what_if

    try:
        result = what_if(case, digest, record["seed"], record["choices"],
                         None if args.turn is None else [args.turn])
    except ChoiceError as err:
        return fail(f"{name}: the choices cannot be re-played: {err}")
    claimed = record.get("score", {}).get("total") if isinstance(record.get("score"), dict) else None
    if claimed is not None and claimed != result.yours.total:
        return fail(f"{name}: the result does not match its re-play (it claims {claimed} points, its choices earn "
                    f"{result.yours.total})")
    if args.json:
        emit_json(result.as_json())
    else:
        print_what_if(result, explain=args.turn is not None)
    return 0


def reached_text(reached) -> str:
    """Where a path ends, in words: "1.16% real world, 45.9 weeks, 420 points"."""
    if not reached.shipped:
        ending = "past the budget, never shipped"
    elif not reached.constraints_met:
        ending = f"{fmt.percent(reached.real_world_error)} real world but a threshold broken"
    else:
        ending = f"{fmt.percent(reached.real_world_error)} real world"
    return f"{ending}, {fmt.weeks_phrase(reached.weeks_used)}, {fmt.count(reached.total)} points"


def print_what_if(result, explain: bool = False) -> None:
    from sim.game.choices import readable

    print(f"What if — {result.case}, seed {result.seed}. Your path ended at {reached_text(result.yours)}.")
    print(f"Each row: that choice at that turn, then the expert to the end. {MARKS['best']} best, "
          f"{MARKS['yours']} yours.")
    for turn in result.turns:
        own = turn.chosen
        print(f"\nTurn {turn.index}, week {fmt.weeks(turn.week)}"
              + (f", decision {turn.decision}" if turn.decision else "")
              + f": you chose {readable(turn.choice)} ({own.verdict}, rank {turn.rank_of(own)} of "
                f"{len(turn.alternatives)})")
        width = max(len(readable(a.choice)) for a in turn.alternatives)
        print(f"  {'':2}{'rank':>4}  {'choice':<{width}}  {'verdict':<10}  {'real world':>10}  {'weeks':>5}  {'points':>6}")
        for a in turn.alternatives:
            mark = (MARKS["best"] if a is turn.best else " ") + (MARKS["yours"] if a.chosen else " ")
            r = a.reached
            real = fmt.percent(r.real_world_error) if r.shipped else "no ship"
            note = "" if r.shipped and r.constraints_met else ("  past budget" if not r.shipped else "  threshold broken")
            print(f"  {mark}{turn.rank_of(a):>4}  {readable(a.choice):<{width}}  {a.verdict:<10}  {real:>10}  "
                  f"{fmt.weeks(r.weeks_used):>5}  {fmt.count(r.total):>6}{note}")
            if explain:
                print(f"  {'':6}  [{a.rule}] {a.explanation}")

"""`mlsim progress`: the learner's record per rule across their saved games, weakest first."""

from __future__ import annotations

from sim import fmt
from sim.commands.output import emit_json

EXAMPLES = """\
  mlsim progress
  mlsim progress --json
"""
WEAKEST_SHOWN = 3


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help='print the record as JSON ({"weakest": [rule ids], ...})')


def run(args) -> int:
    from sim.board.history import learner_record

    record = learner_record()
    if args.json:
        emit_json(record.as_json())
        return 0
    print_record(record)
    return 0


def games_row(rule) -> str:
    """Each game the rule came up in, oldest first: ✗ broken there, ✓ not."""
    return "".join("✗" if broken else "✓" for broken in rule.broken_by_game)


def print_record(record) -> None:
    if not record.games:
        print("No finished games yet: play a case to the end (`mlsim`, or `mlsim play CASE`) and your record shows here.")
        return
    print(f"Your record over {fmt.count(record.games)} finished {'game' if record.games == 1 else 'games'} "
          "(the local leaderboard and your saved games).")
    weakest = record.weakest[:WEAKEST_SHOWN]
    if weakest:
        print("\nYour weakest rules:")
        for k, r in enumerate(weakest, 1):
            where = f"; the case that teaches it best: {r.teach}" if r.teach else ""
            print(f"  {k}. {r.rule}: broken {fmt.count(r.misaligned)} of {fmt.count(r.met)} times met{where}")
    else:
        print("\nNo rule broken in any of them.")
    width = max(len(r.rule) for r in record.rules)
    print(f"\n  {'rule':<{width}}  {'met':>4}  {'aligned':>7}  {'neutral':>7}  {'broken':>6}  {'trend':<7}  "
          "games (oldest first; ✗ broken)")
    for r in record.rules:
        print(f"  {r.rule:<{width}}  {fmt.count(r.met):>4}  {fmt.count(r.aligned):>7}  {fmt.count(r.neutral):>7}  "
              f"{fmt.count(r.misaligned):>6}  {r.trend or '':<7}  {games_row(r)}")

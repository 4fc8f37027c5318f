"""`mlsim leaderboard`: the local board, ranked per case, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import sqlite3

from sim import fmt
from sim.commands.output import emit_json, fail, fail_problems

EXAMPLES = """\
  mlsim leaderboard
  mlsim leaderboard --case bird-detection
  mlsim leaderboard --csv > board.csv
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--case", metavar="ID", help="only this case")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help='print {"entries": [...]} as JSON')
    form.add_argument("--csv", action="store_true", help="print CSV with a header row")


def run(args) -> int:
    from sim.board.local import LocalBoard, default_path

    try:
        board = LocalBoard.open()
        entries = board.entries(args.case)
        board.close()
    except sqlite3.DatabaseError as err:
        return fail(f"{default_path()}: the leaderboard cannot be read ({err}); move the file away to start afresh")
    if args.case and not entries:  # a typo, not an empty board (a removed case's entries would still show)
        from sim.scenario import CaseError, find_case

        try:
            find_case(args.case)
        except CaseError as err:
            return fail_problems(err.problems)
    if args.json:
        emit_json({"entries": [e.as_json() for e in entries]})
    elif args.csv:
        from sim.board.export import entries_csv

        print(entries_csv(entries), end="")
    elif not entries:
        where = f" for {args.case}" if args.case else ""
        print(f"No results yet{where}. Save one with `mlsim play CASE --headless --policy expert --save NAME`.")
    else:
        print(f"{'rank':>4}  {'name':<24} {'case':<20} {'total':>5} {'strat':>5} {'outc':>5} {'real-world':>10} "
              f"{'weeks':>6}  date")
        for e in entries:
            print(f"{e.rank:>4}  {e.name:<24.24} {e.case:<20.20} {e.total:>5} {e.strategy:>5} {e.outcome:>5} "
                  f"{fmt.percent(e.real_world_error):>10} {fmt.weeks(e.weeks):>6}  {e.date[:16].replace('T', ' ')}")
    return 0

"""`mlsim diagnose`: the coach's reading of a ladder given on the command line, and a verdict on an action."""

from __future__ import annotations

import argparse
import difflib

from sim import fmt
from sim.coach import diagnose, judge
from sim.coach.visible import Visible
from sim.commands.output import EXIT_USAGE, emit_json, fail
from sim.model import ACTION_IDS
from sim.scenario.schema import bare_case

EXAMPLES = """\
  mlsim diagnose --human 1 --train 8 --dev 10
  mlsim diagnose --human 1 --train 8 --dev 10 --action bigger_network
  mlsim diagnose --human 0 --train 1 --train-dev 1.5 --dev 10 --json
"""


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not (0.0 <= value <= 100.0) or value != value:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage between 0 and 100")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--human", type=_percent, help="human-level error, percent (the Bayes proxy)")
    p.add_argument("--train", type=_percent, required=True, help="training error, percent")
    p.add_argument("--train-dev", dest="train_dev", type=_percent, help="train-dev error, percent")
    p.add_argument("--dev", type=_percent, required=True, help="dev error, percent")
    p.add_argument("--test", type=_percent, help="test error, percent")
    p.add_argument("--action", help="an action id to judge against this ladder")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    if args.action is not None and args.action not in ACTION_IDS:
        close = difflib.get_close_matches(args.action, ACTION_IDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known actions: {', '.join(ACTION_IDS)}"
        return fail(f"unknown action '{args.action}'{hint}", EXIT_USAGE)
    result = diagnose(args.human, args.train, args.train_dev, args.dev, args.test).as_json()
    if args.action is not None:
        # A train-dev rung only exists when the training data differs from dev/test.
        vis = Visible.single(args.human, args.train, args.train_dev, args.dev, args.test,
                             differ=args.train_dev is not None)
        result["verdict"] = judge(vis, bare_case(), args.action).as_json()
    if args.json:
        emit_json(result)
        return 0
    gaps = ", ".join(f"{k.replace('_', ' ')} {fmt.error(v)}" for k, v in result["gaps"].items() if v is not None)
    print(f"Gaps: {gaps or 'none measurable'}")
    print(f"Primary: {result['primary'].replace('_', ' ')}"
          + (f" (missing: {', '.join(result['missing'])})" if result["missing"] else ""))
    for item in result["advice"]:
        print(f"  [{item['rule']}] {item['text']}")
    if "verdict" in result:
        v = result["verdict"]
        print(f"{v['action']}: {v['verdict']} [{v['rule']}] {v['explanation']}")
    return 0

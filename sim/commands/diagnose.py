"""`mlsim diagnose`: the coach's reading of a ladder given on the command line, and a verdict on an action.

A course question states more than the rungs: whether the model is regularised, whether the training data comes
from another distribution, how long a run takes, an error-analysis table, the sets' sizes. Each flag here is one
such fact, handed to the coach as the field of `sim.coach.visible.Visible` it names; what a question leaves out
stays at the coach's stated assumption (its explanation says so).
"""

from __future__ import annotations

import argparse
import difflib
import math
import re
from dataclasses import dataclass

import numpy as np

from sim import fmt
from sim.coach import diagnose, judge
from sim.coach.visible import Visible
from sim.commands.output import EXIT_USAGE, emit_json, fail
from sim.game.choices import ChoiceError, parse_choice
from sim.model import ACTION_IDS
from sim.scenario.schema import Case, Category, bare_case

EXAMPLES = """\
  mlsim diagnose --human 1 --train 8 --dev 10 --action bigger_network
  mlsim diagnose --human 0 --train 1 --train-dev 1.5 --dev 10 --categories dogs=0.08,blurry=0.61 --json
  mlsim diagnose --human 0 --train 1 --train-dev 1.5 --dev 10 --categories fog=0.5 --action "synthesize_data kind=fog variety=high"
"""

MISLABELLED = ("mislabelled", "mislabeled")  # the error-analysis column for dev examples whose label is wrong
CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_-]*$")  # the case schema's category id
# An error category named here is one a fix aimed at it can remove: data like it (collected or synthesised) or
# training examples augmented to look like it, the course's fixes for a kind of dev error.
CATEGORY_FIXES = ("collect_target_data", "synthesize_data", "data_augmentation")


@dataclass(frozen=True)
class Table:
    """What --categories said: the categories, their shares of dev errors (None: not yet counted), and the
    mislabelled share (None: not given)."""

    names: tuple[str, ...]
    shares: tuple[float, ...] | None
    mislabelled: float | None


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number ({what})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number ({what})")
    return value


def _percent(text: str) -> float:
    value = _number(text, "an error in percent, 0 to 100")
    if not 0.0 <= value <= 100.0:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage between 0 and 100")
    return value


def _weeks(text: str) -> float:
    value = _number(text, "weeks one training run takes")
    if value < 0.0:
        raise argparse.ArgumentTypeError(f"{text} weeks is negative; give the weeks one training run takes")
    return value


def _size(text: str) -> int:
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):  # 10,000 as the course writes it
        text = text.replace(",", "")
    value = _number(text, "a number of examples")
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"{text} is not a number of examples (a whole number, 1 or more)")
    return int(value)


def _share(name: str, text: str) -> float:
    value = _number(text, f"the share of dev errors that are {name}, 0 to 1")
    if 1.0 < value <= 100.0:
        raise argparse.ArgumentTypeError(f"{name}={text}: a share is a fraction of dev errors from 0 to 1 "
                                         f"(write {fmt.number(value / 100.0)} for {fmt.number(value)}%)")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{name}={text}: a share of dev errors is between 0 and 1")
    return value


def _table(text: str) -> Table:
    """NAME=SHARE,... (a counted table) or NAME,... (categories suspected, not yet counted); mislabelled=SHARE is
    the mislabelled column."""
    names: list[str] = []
    shares: list[float | None] = []
    mislabelled = None
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError("give at least one category, e.g. --categories dog=0.08,great_cats=0.43")
    for part in parts:
        if not part:
            raise argparse.ArgumentTypeError(f"'{text}' has an empty entry between commas")
        name, sep, value = (s.strip() for s in part.partition("="))
        if sep and not value:
            raise argparse.ArgumentTypeError(f"'{part}' has no share after '='; write {name}=SHARE, e.g. {name}=0.2")
        if name in MISLABELLED:
            if not sep:
                raise argparse.ArgumentTypeError("mislabelled needs its share of dev errors, e.g. mislabelled=0.06")
            if mislabelled is not None:
                raise argparse.ArgumentTypeError("mislabelled is given twice; give it once")
            mislabelled = _share(name, value)
            continue
        if not CATEGORY_ID.match(name):
            raise argparse.ArgumentTypeError(f"'{name}' is not a category name (lowercase letters, digits, - or _, "
                                             "starting with a letter)")
        if name in names:
            raise argparse.ArgumentTypeError(f"the category '{name}' is given twice; give it once")
        names.append(name)
        shares.append(_share(name, value) if sep else None)
    counted = [s is not None for s in shares]
    if any(counted) and not all(counted):
        raise argparse.ArgumentTypeError("give every category its share (a counted table, NAME=SHARE) or none "
                                         "(categories suspected, not yet counted)")
    if mislabelled is not None and names and not all(counted):
        raise argparse.ArgumentTypeError("mislabelled=SHARE comes from a counted table: give the categories' "
                                         "shares too")
    return Table(tuple(names), tuple(shares) if all(counted) and names else None, mislabelled)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--human", type=_percent, help="human-level error, percent (the Bayes proxy)")
    p.add_argument("--train", type=_percent, required=True, help="training error, percent")
    p.add_argument("--train-dev", dest="train_dev", type=_percent,
                   help="train-dev error, percent (a train-dev set implies --mismatched)")
    p.add_argument("--dev", type=_percent, required=True, help="dev error, percent")
    p.add_argument("--test", type=_percent, help="test error, percent")
    p.add_argument("--regularized", choices=("yes", "no", "unknown"), default="unknown",
                   help="whether the model is regularised (default unknown: judged by the rule, and the "
                        "explanation says it assumed)")
    p.add_argument("--mismatched", action="store_true",
                   help="the training data comes from another distribution than dev/test")
    p.add_argument("--run-weeks", dest="run_weeks", type=_weeks, metavar="W", help="weeks one training run takes")
    p.add_argument("--categories", type=_table, metavar="NAME=SHARE,...",
                   help="an error-analysis table of the current model's dev errors: each category's share, 0 to 1, "
                        "named as a table's columns read (dogs=0.08,great_cats=0.43,blurry=0.61); mislabelled=SHARE "
                        "is the mislabelled column; names alone (dogs,blurry) are categories suspected but not yet "
                        "counted")
    p.add_argument("--dev-size", dest="dev_size", type=_size, metavar="N", help="examples in the dev set")
    p.add_argument("--test-size", dest="test_size", type=_size, metavar="N", help="examples in the test set")
    p.add_argument("--train-dev-size", dest="train_dev_size", type=_size, metavar="N",
                   help="examples in the train-dev set (without sizes, sampling noise is taken as negligible)")
    p.add_argument("--action", metavar="'ID [key=value ...]'",
                   help="a choice to judge against this ladder, written as in a choices script, e.g. "
                        "bigger_network or 'synthesize_data kind=fog variety=high'")
    p.add_argument("--json", action="store_true", help="print JSON")


def _sizes_without_rungs(args) -> str | None:
    for flag, size, rung, name in (("--train-dev-size", args.train_dev_size, args.train_dev, "--train-dev"),
                                   ("--test-size", args.test_size, args.test, "--test")):
        if size is not None and rung is None:
            return f"{flag} sizes a reading that was not given; add {name} or drop {flag}"
    return None


def _case(table: Table | None) -> Case:
    if table is None or not table.names:
        return bare_case()
    shares = table.shares or (0.0,) * len(table.names)
    categories = [Category(id=name, label=name.replace("_", " ").replace("-", " ").capitalize(), share=share,
                           fixed_by=list(CATEGORY_FIXES))
                  for name, share in zip(table.names, shares)]
    return bare_case(categories=categories)


def _facts(args, differ: bool) -> dict:
    """The Visible fields the flags state (sim.coach.visible); the rest keep Visible.single's neutral values."""
    nan = float("nan")
    facts = {
        "differ": differ,
        "regularized": args.regularized == "yes",
        "regularization_known": args.regularized != "unknown",
        "n_dev": nan if args.dev_size is None else float(args.dev_size),
        "n_test": nan if args.test_size is None else float(args.test_size),
        "n_train_dev": nan if args.train_dev_size is None else float(args.train_dev_size),
        "run_weeks": nan if args.run_weeks is None else args.run_weeks,
    }
    table: Table | None = args.categories
    if table is not None and (table.shares is not None or table.mislabelled is not None):
        # A counted table of the model on screen: done, and fresh.
        facts.update(ea_shares=np.array([table.shares or ()], dtype=float).reshape(1, len(table.names)),
                     ea_mislabelled=nan if table.mislabelled is None else table.mislabelled,
                     ea_done=True, ea_fresh=True)
    return facts


def _verdict(args, differ: bool) -> dict | str:
    """The coach's verdict on --action as JSON, or the sentence that says why the choice cannot be judged."""
    case = _case(args.categories)
    text = " ".join(args.action.split())
    words = text.split()
    if not words:
        return "--action is empty; give an action id, e.g. --action bigger_network"
    if words[0] == "answer":
        return "--action takes an action id (as in a choices script), not an answer to a decision"
    if words[0] not in ACTION_IDS:
        close = difflib.get_close_matches(words[0], ACTION_IDS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known actions: {', '.join(ACTION_IDS)}"
        return f"unknown action '{words[0]}' in --action; {hint}"
    named = [w.partition("=")[2] for w in words[1:] if w.partition("=")[0] in ("category", "kind")]
    ids = [c.id for c in case.categories]
    for name in named:
        if name not in ids:
            given = f"the categories given are {', '.join(ids)}" if ids else "no --categories were given"
            return f"--action '{text}' names the category '{name}', but {given}; list it with --categories"
    try:
        choice = parse_choice(text, case)
    except ChoiceError as error:
        return f"--action '{text}': {error}"
    vis = Visible.single(human=args.human, train=args.train, train_dev=args.train_dev, dev=args.dev, test=args.test,
                         **_facts(args, differ))
    with np.errstate(all="ignore"):  # a bare ladder has no budget: infinities the coach reads as "affordable"
        verdict = judge(vis, case, choice.action, choice.category, choice.variety)
    out = verdict.as_json()
    out["action"] = choice.text
    return out


def run(args) -> int:
    problem = _sizes_without_rungs(args)
    if problem:
        return fail(problem, EXIT_USAGE)
    # A train-dev rung exists only because the training data differs from dev/test.
    differ = args.mismatched or args.train_dev is not None
    sizes = {"n_train_dev": args.train_dev_size, "n_dev": args.dev_size, "n_test": args.test_size}
    result = diagnose(args.human, args.train, args.train_dev, args.dev, args.test, differ=differ, **sizes).as_json()
    if args.action is not None:
        verdict = _verdict(args, differ)
        if isinstance(verdict, str):
            return fail(verdict, EXIT_USAGE)
        result["verdict"] = verdict
    if args.json:
        emit_json(result)
        return 0
    gaps = ", ".join(f"{k.replace('_', ' ')} {fmt.error(v)}" for k, v in result["gaps"].items() if v is not None)
    print(f"Gaps: {gaps or 'none measurable'}")
    print(f"Problems: {', '.join(p.replace('_', ' ') for p in result['problems']) or 'none'}")
    print(f"Primary: {result['primary'].replace('_', ' ')}"
          + (f" (missing: {', '.join(result['missing'])})" if result["missing"] else ""))
    for item in result["advice"]:
        print(f"  [{item['rule']}] {item['text']}")
    if "verdict" in result:
        v = result["verdict"]
        print(f"{v['action']}: {v['verdict']} [{v['rule']}] {v['explanation']}")
    return 0

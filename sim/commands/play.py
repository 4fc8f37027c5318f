"""`mlsim play`: a case in the terminal UI, or headless from a choices script or a policy."""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import TYPE_CHECKING

from sim import fmt
from sim.commands.output import EXIT_USAGE, complete_case, emit_json, fail, fail_problems, needs_terminal
from sim.paths import DataFolderError, home
from sim.scenario import CaseError, find_case, load_case_file

if TYPE_CHECKING:
    from sim.game import Game

EXAMPLES = """\
  mlsim play bird-detection --seed 7 --name Ada
  mlsim play my-case.yaml --headless --choices my-moves.txt --save Ada
  mlsim play cat-app --headless --choices first-moves.txt --then expert --json
"""


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text} is out of range (0 to 2^63-1)")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE",
                   help="a case id (see `mlsim scenarios`) or a path to a case file").completer = complete_case
    p.add_argument("--seed", type=_seed, help="the seed that picks the hidden truth (default: 1 headless, random in the UI)")
    p.add_argument("--name", help="your name on the leaderboard")
    p.add_argument("--headless", action="store_true", help="play without the UI and print the result")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--choices", metavar="FILE", help="with --headless: a choices script, or - for stdin")
    source.add_argument("--policy", choices=("expert", "random"), help="with --headless: let a policy play")
    p.add_argument("--then", choices=("expert",),
                   help="with --choices: let the expert finish the project after the script's last line")
    p.add_argument("--json", action="store_true", help="with --headless: print the result record as JSON")
    p.add_argument("--watch", action="store_true", help="in the UI: reload the case file whenever it changes")
    p.add_argument("--workshop", metavar="URL", help="send the result to a workshop server (URL with its code)")
    p.add_argument("--save", metavar="NAME", help="with --headless: save the result on the local leaderboard as NAME")


def run(args) -> int:
    if not args.headless:
        if args.choices or args.policy or args.json or args.save is not None:
            return fail("--choices, --policy, --json and --save go with --headless", EXIT_USAGE)
        code = _check_workshop_flags(args)
        if code:
            return code
        try:
            case_path = find_case(args.case)
            loaded = None if args.watch and not args.workshop else load_case_file(case_path)
        except CaseError as err:  # with --watch the UI shows the problems and waits for the fix
            return fail_problems(err.problems)
        code = needs_terminal("`mlsim play CASE` shows the game in a terminal, and standard input is not one; "
                              "to play without one add --headless with --policy expert or --choices FILE")
        if code:
            return code
        home()  # a broken data folder is one sentence here (DataFolderError), not a traceback inside the game
        seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
        if args.workshop:
            seed, code = _workshop_ticket(args, *loaded, seed, wait_for_enter=sys.stdin.isatty())
            if code:
                return code
        from sim.tui.app import run_app

        return run_app(case_path=str(case_path), seed=seed, name=args.name, watch=args.watch, workshop=args.workshop)
    from sim.game import EXPERT_READS_EXACTLY, Game, play_policy  # not before the UI's first frame: numpy and the engine

    if not (args.choices or args.policy):
        return fail("--headless needs --choices FILE (or -) or --policy expert|random", EXIT_USAGE)
    if args.then and not args.choices:
        return fail("--then expert finishes a --choices script; with --policy the policy plays the whole game",
                    EXIT_USAGE)
    code = _check_board_flags(args)
    if code:
        return code
    try:
        case, digest = load_case_file(find_case(args.case))
    except CaseError as err:
        return fail_problems(err.problems)
    seed = args.seed if args.seed is not None else 1
    if args.workshop:
        seed, code = _workshop_ticket(args, case, digest, seed)
        if code:
            return code
    game = Game(case, digest, seed)
    if args.policy:
        play_policy(game, args.policy)
    else:
        code = _play_script(game, args.choices, finish=args.then is not None)
        if code:
            return code
        if args.then and not game.finished:
            play_policy(game, args.then)
    result = game.result()
    if args.json:
        emit_json(result)
    else:
        print_transcript(game, result)
        if "expert" in (args.policy, args.then) and any(t.verdict != "aligned" for t in game.turns):
            print(f"({EXPERT_READS_EXACTLY})")
    return _send_to_boards(args, result)


def _check_workshop_flags(args) -> int:
    """Usage errors for --workshop (a name to show, a URL with its join code) before any game starts."""
    if not args.workshop:
        return 0
    from sim.board.client import WorkshopURLError, parse_workshop_url

    if not (args.name or "").strip():
        return fail("--workshop needs --name NAME (your name on the workshop board)", EXIT_USAGE)
    if args.seed is not None:
        return fail("--seed does not go with --workshop: the workshop's ticket gives the seed to play", EXIT_USAGE)
    try:
        parse_workshop_url(args.workshop)
    except WorkshopURLError as err:
        return fail(str(err), EXIT_USAGE)
    return 0


def _workshop_ticket(args, case, digest: str, seed: int, wait_for_enter: bool = False) -> tuple[int, int]:
    """Fetch the learner's ticket before the game: (the seed to play, 0) or (_, exit code) when refused.

    Without an answer from the server the game is played for practice on `seed`: it says so, and the
    result will not count (nothing without a ticket goes on the board).
    """
    from sim.board.client import fetch_ticket

    outcome = fetch_ticket(args.workshop, args.name, case.id)
    out = sys.stderr if getattr(args, "json", False) or not args.headless else sys.stdout
    if outcome.ticket is None and outcome.reachable:
        return seed, fail(f"{outcome.message}.")
    if outcome.ticket is None:
        print(f"{outcome.message}: this game will not count on the workshop board unless a ticket can be had "
              "(start it again when the server answers); you can play it for practice.", file=out, flush=True)
        if wait_for_enter:
            try:
                input("Press Enter to play anyway, Ctrl+C to stop. ")
            except EOFError:
                pass
        return seed, 0
    ticket = outcome.ticket
    if ticket.get("case_hash") not in (None, digest):
        return seed, fail(f"your copy of case '{case.id}' is not the workshop's version, so its results would be "
                          "refused; install the mlsim the trainer uses (or the trainer's case file) and start again")
    who = ticket["name"]
    typed = args.name.strip()
    if who != typed:
        from sim.board.names import clean_name, skeleton

        # The same skeleton: this installation joined under that name before (names that read alike are one).
        same = skeleton(clean_name(typed)) == skeleton(clean_name(who))
        who += (f" (the name you joined with before; {typed!r} reads the same)" if same
                else f" (the name {typed!r} was taken)")
    race = "the room's seed: everyone plays the same project" if ticket.get("room_seed") else "your own seed"
    print(f"Workshop ticket for {who} on {case.id}: seed {ticket['seed']} ({race}).", file=out, flush=True)
    return int(ticket["seed"]), 0


def _check_board_flags(args) -> int:
    """Usage errors for --save / --workshop before playing; then deliver what waits in the outbox."""
    if args.save is not None and not args.save.strip():
        return fail("--save needs a name to show on the leaderboard", EXIT_USAGE)
    code = _check_workshop_flags(args)
    if code:
        return code
    if args.save is not None or args.workshop:
        home()  # both keep files in the data folder: a broken one is refused before the game is played
    from sim.board.client import has_queued

    try:
        queued = has_queued()
    except DataFolderError:  # no usable data folder, so no outbox: nothing waits to be sent
        queued = False
    if queued:  # results an earlier game could not send: try again now
        from sim.board.client import flush_outbox

        for outcome in flush_outbox():
            print(outcome.message, file=sys.stderr)
    return 0


def _send_to_boards(args, result: dict) -> int:
    """--save: the local board; --workshop: the server (or the outbox). Messages go to stderr with --json."""
    out = sys.stderr if args.json else sys.stdout
    code = 0
    if args.save is not None:
        import sqlite3

        from sim.board.local import LocalBoard, ResultRejected

        try:
            board = LocalBoard.open()
            entry = board.save(result, args.save)
            board.close()
            print(f"Saved on the local leaderboard as {entry.name}: rank {entry.rank} on {entry.case} "
                  f"with {entry.total} points.", file=out)
        except ResultRejected as err:
            code = fail(f"not saved on the local leaderboard: {err}")
        except sqlite3.DatabaseError as err:
            code = fail(f"not saved: the local leaderboard cannot be written ({err})")
    if args.workshop:
        from sim.board.client import submit_or_queue

        if args.policy:  # a policy's game is labelled: the workshop takes it as practice, never as a learner's
            result = {**result, "policy": args.policy}
        outcome = submit_or_queue(args.workshop, args.name, result)
        print(outcome.message, file=out)
        if outcome.refused:
            code = 1
    return code


def _play_script(game: Game, source: str, finish: bool = False) -> int:
    """Play each line of a choices script; `finish`: the script may stop before the project ends."""
    from sim.game import ChoiceError, parse_script

    name = "<stdin>" if source == "-" else source
    try:
        raw = sys.stdin.buffer.read() if source == "-" else open(source, "rb").read()
        text = raw.decode("utf-8")
    except OSError as err:
        return fail(f"{name}: cannot be read ({err.strerror})")
    except UnicodeDecodeError:
        return fail(f"{name}: is not UTF-8 text")
    numbered = [(i + 1, line) for i, raw in enumerate(text.splitlines()) for line in parse_script(raw)]
    for line_no, choice in numbered:
        if game.finished:
            return fail(f"{name}:{line_no}: the project has already ended; remove the choices after `ship`")
        try:
            game.choose(choice)
        except ChoiceError as err:
            return fail(f"{name}:{line_no}: {err}")
    if not game.finished and not finish:
        return fail(f"{name}: the choices ran out at week {fmt.weeks(game.week)} before the project ended; end with "
                    "`ship` (or add --then expert to let the expert finish)")
    return 0


def print_transcript(game: Game, result: dict) -> None:
    print(f"{game.case.title} — seed {game.seed}")
    for turn in game.turns:
        print(f"week {fmt.weeks(turn.week):>5}  {turn.choice:<28} {turn.verdict:<10} [{turn.rule}] {turn.explanation}")
    final = result["final"]
    ladder = ", ".join(f"{k} {fmt.error(v)}" for k, v in final["ladder"].items() if v is not None)
    print(f"\nFinal ladder: {ladder}")
    print(f"Real-world error: {fmt.percent(final['real_world_error'])}  weeks used: {fmt.weeks(final['weeks_used'])}  "
          f"constraints met: {'yes' if final['constraints_met'] else 'no'}")
    s = result["score"]
    print(f"Score: strategy {s['strategy']} + outcome {s['outcome']} = {s['total']}")

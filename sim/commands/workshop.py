"""`mlsim workshop serve` (the trainer's server) and `mlsim workshop send` (a learner's outbox)."""

from __future__ import annotations

import argparse
import sys

from sim.commands.output import EXIT_USAGE, fail, port_number

EXAMPLES = """\
  mlsim workshop serve --host 0.0.0.0 --port 8765 --code BIRDS7
  mlsim workshop send
"""


def _port(text: str) -> int:
    return port_number(text, lowest=0)  # 0: any free port


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    serve = sub.add_parser("serve", help="run the workshop server (loopback unless --host says otherwise)",
                           description="Run the workshop server: learners submit results, a projector page ranks them.",
                           epilog="examples:\n  mlsim workshop serve                    a rehearsal on this machine\n"
                                  "  mlsim workshop serve --host 0.0.0.0 --port 8765 --code BIRDS7\n"
                                  "  mlsim workshop serve --host 0.0.0.0 --db session-1.sqlite3\n")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 lets the room's laptops in)")
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 picks a free one)")
    serve.add_argument("--code", help="join code (default: the one this board already has, or a new one)")
    serve.add_argument("--db", metavar="PATH", help="board file (default: MLSIM_HOME/workshop.sqlite3)")
    serve.add_argument("--workers", type=_count, default=0, help="re-play processes (default: one per CPU, at most 4)")
    serve.add_argument("--rate", type=_count, default=30,
                       help="submissions per minute per learner address (default 30; 0 turns the limit off)")
    send = sub.add_parser("send", help="send the results waiting in your outbox",
                          description="Send the results waiting in your outbox to their workshop.",
                          epilog="examples:\n  mlsim workshop send\n"
                                 "  mlsim workshop send --url 'http://192.168.1.20:8765/?code=BIRDS7'\n")
    send.add_argument("--url", help="send them to this workshop URL instead (e.g. after a new join code)")


def run(args) -> int:
    if args.action == "serve":
        return _serve(args)
    if args.action == "send":
        return _send(args)
    return fail("say what to do: `mlsim workshop serve` or `mlsim workshop send`", EXIT_USAGE)


def _serve(args) -> int:
    import asyncio
    import os
    import secrets
    import sqlite3
    from pathlib import Path

    from sim.board import server
    from sim.scenario import home

    if args.code is not None and not server.normalise_code(args.code).isalnum():
        return fail("--code takes letters and digits only, e.g. --code BIRDS7", EXIT_USAGE)
    db = Path(args.db) if args.db else home() / "workshop.sqlite3"
    try:
        store = server.open_store(db)
    except (OSError, sqlite3.DatabaseError) as err:
        return fail(f"{db}: the board file cannot be opened ({err}); pass another --db PATH")
    # The code and the admin token live in the board file: a restarted server keeps the URL learners have.
    code = server.normalise_code(args.code) if args.code else store.setting("code") or server.new_code()
    store.set_setting("code", code)
    token = store.setting("admin_token") or secrets.token_urlsafe(16)
    store.set_setting("admin_token", token)
    workers = args.workers or min(4, os.cpu_count() or 1)
    if not server.is_loopback(args.host):
        print(f"WARNING: listening on {args.host}: anyone on this network who has the join code can submit "
              "results. Use this on a workshop network only; stop the server (Ctrl+C) when the session ends.",
              file=sys.stderr, flush=True)

    def say(join_url: str, port: int) -> None:
        print(f"mlsim workshop server on {args.host}:{port}, board {db}", flush=True)
        print(f"Join URL: {join_url}", flush=True)
        print(f"Join code: {code}", flush=True)
        print(f"Admin token (keep it off the projector): {token}", flush=True)
        print(f"Projector page: {join_url.split('?')[0]}   CSV: {join_url.split('?')[0]}export.csv?token={token}",
              flush=True)
        print("Press Ctrl+C to stop.", flush=True)

    executor = server.process_pool(workers)
    try:
        asyncio.run(server.run_server(args.host, args.port, code, token, store, executor, workers, args.rate, say))
    except OSError as err:
        return fail(f"cannot listen on {args.host}:{args.port} ({err.strerror or err}); "
                    "pick another --port or stop the program using it")
    finally:
        store.close()
    print("Workshop server stopped.", flush=True)
    return 0


def _send(args) -> int:
    from sim.board.client import WorkshopURLError, flush_outbox, has_queued, parse_workshop_url

    if args.url:
        try:
            parse_workshop_url(args.url)
        except WorkshopURLError as err:
            return fail(str(err), EXIT_USAGE)
    if not has_queued():
        print("The outbox is empty: nothing to send.")
        return 0
    outcomes = flush_outbox(url=args.url)
    for outcome in outcomes:
        print(outcome.message)
    waiting = sum(not o.sent for o in outcomes)
    return 1 if waiting else 0

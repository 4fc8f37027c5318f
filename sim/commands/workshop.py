"""`mlsim workshop serve` (the trainer's server) and `mlsim workshop send` (a learner's outbox)."""

from __future__ import annotations

import argparse
import sys

from sim.commands.output import EXIT_USAGE, fail, port_number

EXAMPLES = """\
  mlsim workshop serve --host 0.0.0.0 --port 8765 --code BIRDS7
  mlsim workshop send
  mlsim workshop report --html debrief.html
"""


SHOWN_ROOMS = 20  # rooms listed when a server starts with --all-rooms


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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 <= value <= 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to 86400")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text} is not a number of minutes above 0 and at most 1440")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"{text} is not a number of days from 0 to 3650")
    return value


def _seed(text: str) -> int:
    value = _count(text)
    if value >= 2**63:
        raise argparse.ArgumentTypeError(f"{text} is out of range (0 to 2^63-1)")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    serve = sub.add_parser("serve", help="run the workshop server (loopback unless --host says otherwise)",
                           description="Run the workshop server: learners get a ticket, play, and their results "
                                       "are re-played and ranked on a projector page.",
                           epilog="examples:\n  mlsim workshop serve                    a rehearsal on this machine\n"
                                  "  mlsim workshop serve --host 0.0.0.0 --code BIRDS7 --play   the room plays in browsers\n"
                                  "  mlsim workshop serve --host 0.0.0.0 --db postgresql://mlsim:SECRET@db/mlsim   hosted\n")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 lets the room's laptops in)")
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 picks a free one)")
    serve.add_argument("--code", help="join code (default: the one this board already has, or a new one)")
    serve.add_argument("--db", metavar="PATH|URL",
                       help="board file (default: MLSIM_HOME/workshop.sqlite3), or a PostgreSQL database "
                            "(postgresql://USER:PASSWORD@HOST/DB) that several server processes share")
    serve.add_argument("--room-seed", type=_seed, metavar="N",
                       help="one seed for everyone: a fair race on the same project (default: a seed per learner)")
    serve.add_argument("--min-play-seconds", type=_seconds, default=60.0, metavar="S",
                       help="refuse results sent sooner than S seconds after their ticket (default 60)")
    serve.add_argument("--allow-practice", action="store_true",
                       help="take games played by a policy or move for move like the expert, as practice "
                            "(shown, never ranked); by default they are refused")
    serve.add_argument("--names", choices=("suffix", "refuse"), default="suffix",
                       help="a name already taken in the room (or a look-alike): 'suffix' shows it as "
                            "'Ada (2)' (default), 'refuse' asks the learner for another")
    serve.add_argument("--workers", type=_count, default=0, help="re-play processes (default: one per CPU, at most 4)")
    serve.add_argument("--rate", type=_count, default=10,
                       help="submissions per minute per learner (address and ticket; default 10; 0: no limit)")
    serve.add_argument("--room-rate", type=_count, default=2000,
                       help="submissions per minute for the whole room (default 2000; 0: no limit)")
    serve.add_argument("--page-seconds", type=_count, default=12,
                       help="the projector page moves to the next page every S seconds (default 12; 0: by key only)")
    serve.add_argument("--name-days", type=_days, metavar="D",
                       help="delete a learner's name, tickets and results D days after they joined (default: 30 "
                            "for a PostgreSQL board, kept for a board file; 0 keeps them)")
    serve.add_argument("--play", action="store_true",
                       help="learners can also play in the browser from the join page (/join): nothing to install")
    serve.add_argument("--play-sessions", type=_count, default=0, metavar="N",
                       help="with --play: games running at once (default: this machine's free memory over "
                            "120 MB); the others wait on a page that retries")
    serve.add_argument("--idle-minutes", type=_minutes, default=20.0, metavar="M",
                       help="with --play: a game with no key pressed for M minutes is saved and closed "
                            "(reloading the tab continues it; default 20)")
    serve.add_argument("--room", metavar="CODE",
                       help="serve this room of the board (made by `mlsim workshop room add`) instead of its own")
    serve.add_argument("--all-rooms", action="store_true",
                       help="serve every room of the board (made by `mlsim workshop room add`), each at its own "
                            "join code: one server, or several behind a load balancer, for a whole course")
    room = sub.add_parser("room", help="add, list or delete the rooms of a hosted board",
                          description="The rooms of a board: each with its own join code, admin token and seeds. "
                                      "Serve one with `mlsim workshop serve --db URL --room CODE`, or all of "
                                      "them from one server with `--all-rooms`.",
                          epilog="examples:\n  mlsim workshop room add --db postgresql://mlsim:SECRET@db/mlsim --room-seed 7\n"
                                 "  mlsim workshop room list --db postgresql://mlsim:SECRET@db/mlsim\n")
    room.add_argument("what", choices=("add", "list", "delete"), help="add a room, list them, or delete one")
    room.add_argument("code", nargs="?", help="delete: the room's join code")
    room.add_argument("--db", required=True, metavar="PATH|URL", help="the board (a file, or a PostgreSQL URL)")
    room.add_argument("--room-seed", type=_seed, metavar="N", help="add: one seed for everyone in the room")
    room.add_argument("--name-days", type=_days, metavar="D",
                      help="add: delete a learner's name, tickets and results D days after they joined (default 30)")
    room.add_argument("--min-play-seconds", type=_seconds, default=60.0, metavar="S",
                      help="add: refuse a result sent sooner than S seconds after its ticket (default 60)")
    send = sub.add_parser("send", help="send the results waiting in your outbox",
                          description="Send the results waiting in your outbox to their workshop.",
                          epilog="examples:\n  mlsim workshop send\n"
                                 "  mlsim workshop send --url 'http://192.168.1.20:8765/?code=BIRDS7'\n")
    send.add_argument("--url", help="send them to this workshop URL instead (e.g. after a new join code)")
    report = sub.add_parser("report", help="the room's debrief as an HTML file to mail or Markdown",
                            description="The room's debrief from a workshop board: per case, how the scores spread, "
                                        "the share who broke each rule, where the room left the expert's path and "
                                        "what it chose instead, the best path beside a typical one.",
                            epilog="examples:\n  mlsim workshop report --html debrief.html\n"
                                   "  mlsim workshop report --db session-1.sqlite3 --md debrief.md\n")
    report.add_argument("--db", metavar="PATH", help="board file (default: MLSIM_HOME/workshop.sqlite3)")
    out = report.add_mutually_exclusive_group(required=True)
    out.add_argument("--html", metavar="FILE", help="write a self-contained HTML page (plots inline, no scripts)")
    out.add_argument("--md", metavar="FILE", help="write Markdown with the same tables")


def run(args) -> int:
    if args.action == "serve":
        return _serve(args)
    if args.action == "send":
        return _send(args)
    if args.action == "room":
        return _rooms(args)
    if args.action == "report":
        return _report(args)
    return fail("say what to do: `mlsim workshop serve`, `mlsim workshop room`, `mlsim workshop send` or "
                "`mlsim workshop report`", EXIT_USAGE)


def _rooms(args) -> int:
    import secrets
    import sqlite3

    from sim import fmt
    from sim.board import server
    from sim.board.store import Room, StoreUnavailable

    if args.what == "delete" and not args.code:
        return fail("say which room to delete: `mlsim workshop room delete CODE --db ...`", EXIT_USAGE)
    try:
        store = server.open_store(args.db)
    except (OSError, sqlite3.DatabaseError, StoreUnavailable) as err:
        return fail(f"the board cannot be opened ({err}); check --db")
    except ImportError:
        return fail("a PostgreSQL board needs psycopg: pip install 'mlsim[hosted]'")
    try:
        if args.what == "add":
            room = Room(secrets.token_hex(6), server.new_code(), secrets.token_urlsafe(16), args.room_seed,
                        min_play_seconds=args.min_play_seconds,
                        name_days=(30.0 if args.name_days is None else args.name_days) or None)
            store.put_room(room)
            print(f"Join code: {room.code}")
            print(f"Admin token (keep it off the projector): {room.admin_token}")
            print(f"Serve it: mlsim workshop serve --db ... --room {room.code} (or every room: --all-rooms)")
        elif args.what == "list":
            sizes = store.room_sizes()
            for room in store.rooms():
                size = sizes.get(room.id)
                seeds = f"seed {room.room_seed}" if room.room_seed is not None else "a seed per learner"
                print(f"{room.code}  {seeds}; {fmt.count(size.names if size else 0)} names, "
                      f"{fmt.count(size.entries if size else 0)} results")
        else:
            room = store.room_by_code(server.normalise_code(args.code))
            if room is None:
                return fail(f"the board has no room with the code {args.code}; `mlsim workshop room list` shows them")
            size = store.delete_room(room.id)
            print(f"Deleted room {room.code} with {fmt.count(size.names if size else 0)} names and "
                  f"{fmt.count(size.entries if size else 0)} results.")
    except StoreUnavailable as err:
        return fail(f"the board cannot be used now ({err}); try again")
    finally:
        store.close()
    return 0


def _room(store, args):
    """This board's room with the trainer's settings of this start (code and token kept across restarts)."""
    import secrets

    from sim.board import server
    from sim.board.store import Room

    if args.room:
        chosen = store.room_by_code(server.normalise_code(args.room))
        if chosen is None:
            raise LookupError(f"the board has no room with the code {args.room}; `mlsim workshop room list` shows them")
        return chosen
    old = store.room(server.ROOM_ID)
    # Board files from before rooms kept the code and the token as settings: the learners' URLs keep working.
    code = (server.normalise_code(args.code) if args.code else None) or (old and old.code) \
        or store.setting("code") or server.new_code()
    token = (old and old.admin_token) or store.setting("admin_token") or secrets.token_urlsafe(16)
    hosted = isinstance(args.db, str) and args.db.startswith(("postgresql://", "postgres://"))
    days = args.name_days if args.name_days is not None else (30.0 if hosted else None)
    room = Room(server.ROOM_ID, code, token, args.room_seed, args.min_play_seconds, args.allow_practice, args.names,
                name_days=days or None)
    store.put_room(room)
    store.adopt_entries(room.id)
    return store.room(room.id)


def _serve(args) -> int:
    import asyncio
    import sqlite3
    from pathlib import Path

    from sim import fmt
    from sim.board import server
    from sim.board.pool import ProcessPool, default_workers
    from sim.board.store import StoreUnavailable
    from sim.scenario import home

    if args.code is not None and not server.normalise_code(args.code).isalnum():
        return fail("--code takes letters and digits only, e.g. --code BIRDS7", EXIT_USAGE)
    if (args.play_sessions or args.idle_minutes != 20.0) and not args.play:
        return fail("--play-sessions and --idle-minutes go with --play", EXIT_USAGE)
    if args.all_rooms and (args.room or args.code is not None or args.room_seed is not None):
        return fail("--all-rooms serves the rooms as `mlsim workshop room add` made them: leave out --room, --code "
                    "and --room-seed", EXIT_USAGE)
    hosted = bool(args.db) and args.db.startswith(("postgresql://", "postgres://"))
    db = args.db if hosted else (Path(args.db) if args.db else home() / "workshop.sqlite3")
    try:
        store = server.open_store(db)
        rooms = store.rooms() if args.all_rooms else [_room(store, args)]
        if not rooms:
            raise LookupError("the board has no rooms yet; add one with `mlsim workshop room add --db ...`")
        room = rooms[0]
    except (OSError, sqlite3.DatabaseError, StoreUnavailable) as err:
        if hosted:
            return fail(f"the board's database cannot be used ({err}); check the --db URL and that PostgreSQL runs")
        return fail(f"{db}: the board file cannot be opened ({err}); pass another --db PATH")
    except ImportError:
        return fail("a PostgreSQL board needs psycopg: pip install 'mlsim[hosted]'")
    except LookupError as err:
        store.close()
        return fail(str(err))
    workers = args.workers or default_workers()
    if not server.is_loopback(args.host):
        print(f"WARNING: listening on {args.host}: anyone on this network who has the join code can submit "
              "results. Use this on a workshop network only; stop the server (Ctrl+C) when the session ends.",
              file=sys.stderr, flush=True)

    def say_started(join_url: str, port: int) -> None:
        base = join_url.split("?")[0].rstrip("/")
        where = getattr(store, "where", db)  # a PostgreSQL URL without its password
        print(f"mlsim workshop server on {args.host}:{port}, board {where}", flush=True)
        if args.all_rooms:
            print(f"Serving every room of the board ({fmt.count(len(rooms))} now; rooms added later are served too):",
                  flush=True)
            for each in rooms[:SHOWN_ROOMS]:
                seeds = f"seed {each.room_seed}" if each.room_seed is not None else "a seed per learner"
                print(f"  {base}/?code={each.code}  ({seeds})", flush=True)
            if len(rooms) > SHOWN_ROOMS:
                print(f"  … and {fmt.count(len(rooms) - SHOWN_ROOMS)} more (`mlsim workshop room list` lists them)",
                      flush=True)
            print("Each room's admin token is the one `mlsim workshop room add` printed; it reaches that room only.",
                  flush=True)
            if play is not None:
                print(f"Play in the browser: {base}/join?code=CODE (at most {fmt.count(play.cap)} games at once)",
                      flush=True)
            print(f"Re-play workers: {workers}. Press Ctrl+C to stop.", flush=True)
            return
        seeds = (f"one seed for the room ({room.room_seed}): a fair race" if room.room_seed is not None
                 else "a seed per learner")
        print(f"Join URL: {join_url}", flush=True)
        print(f"Join code: {room.code}", flush=True)
        print(f"Admin token (keep it off the projector): {room.admin_token}", flush=True)
        print(f"Projector page: {base}/", flush=True)
        print(f"CSV: curl -H 'Authorization: Bearer {room.admin_token}' -o workshop.csv {base}/export.csv", flush=True)
        if room.name_days:
            print(f"Learners' names, tickets and results are deleted {fmt.count(room.name_days)} days after they "
                  "joined (--name-days).", flush=True)
        print(f"Seeds: {seeds}; results count after {fmt.seconds(room.min_play_seconds)} of play; "
              f"{'practice games are taken (not ranked)' if room.allow_practice else 'policy and expert-copy games are refused'}; "
              f"taken names: {room.names}.", flush=True)
        if play is not None:
            print(f"Play in the browser: {base}/join?code={room.code} (at most {fmt.count(play.cap)} games at once)",
                  flush=True)
        print(f"Re-play workers: {workers}. Press Ctrl+C to stop.", flush=True)

    limits = server.Limits(learner_per_minute=args.rate, room_per_minute=args.room_rate)
    play = None
    if args.play:
        import tempfile

        from sim.tui.browser_play import BrowserPlay

        # The learners' games (saves and tickets) beside a board file; a hosted board's in this machine's data.
        folder = (Path(db).with_suffix(".play") if not hosted
                  else home() / "workshop-play" / ("all-rooms" if args.all_rooms else room.code))
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            folder = Path(tempfile.mkdtemp(prefix="mlsim-play-"))
        play = BrowserPlay(folder, args.play_sessions or None, args.idle_minutes * 60, server.say_line)

    async def main() -> None:
        pool = ProcessPool(workers, server.say_line)
        await server.run_server(args.host, args.port, store, None if args.all_rooms else room.id, pool, limits,
                                say_started, server.say_line,
                                page_seconds=args.page_seconds, play=play)

    try:
        asyncio.run(main())
    except OSError as err:
        return fail(f"cannot listen on {args.host}:{args.port} ({err.strerror or err}); "
                    "pick another --port or stop the program using it")
    finally:
        store.close()
    print("Workshop server stopped.", flush=True)
    return 0


def _send(args) -> int:
    from sim.board.client import PATIENCE_S, WorkshopURLError, flush_outbox, has_queued, parse_workshop_url

    if args.url:
        try:
            parse_workshop_url(args.url)
        except WorkshopURLError as err:
            return fail(str(err), EXIT_USAGE)
    if not has_queued():
        print("The outbox is empty: nothing to send.")
        return 0
    outcomes = flush_outbox(url=args.url, patience_s=PATIENCE_S)
    for outcome in outcomes:
        print(outcome.message)
    waiting = sum(not o.sent for o in outcomes)
    return 1 if waiting else 0


def _report(args) -> int:
    import sqlite3
    from pathlib import Path

    from sim import fmt
    from sim.board.debrief import room_debrief
    from sim.board.report import render_html, render_markdown
    from sim.board.sqlite_store import SQLiteStore
    from sim.board.store import StoreUnavailable
    from sim.scenario import home

    db = Path(args.db) if args.db else home() / "workshop.sqlite3"
    if not db.is_file():
        return fail(f"{db}: no workshop board there; pass the board file with --db PATH")
    try:
        store = SQLiteStore(db)
        try:
            debriefs = room_debrief(store.records())
        finally:
            store.close()
    except StoreUnavailable as err:  # its sentence names the file and what is wrong
        return fail(f"{err}; pass another --db PATH")
    except (OSError, sqlite3.DatabaseError) as err:
        return fail(f"{db}: the board file cannot be read ({err}); pass another --db PATH")
    target = Path(args.html or args.md)
    text = render_html(debriefs) if args.html else render_markdown(debriefs)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        return fail(f"{target}: cannot be written ({err.strerror or err}); pick another file")
    learners = sum(d.entries for d in debriefs)
    print(f"Wrote {target}: {fmt.count(len(debriefs))} {'case' if len(debriefs) == 1 else 'cases'}, "
          f"{fmt.count(learners)} {'entry' if learners == 1 else 'entries'}.")
    return 0

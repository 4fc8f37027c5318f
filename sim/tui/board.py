"""The UI's door to the local leaderboard and the workshop client (sim.board): one sentence, never a crash.

sim.board is imported inside each function: the workshop client pulls in aiohttp, which the first frame
does not need.
"""

from __future__ import annotations


def best_total(case_id: str) -> int | None:
    from sim.board.local import LocalBoard

    try:
        store = LocalBoard.open()
        try:
            return store.best_total(case_id)
        finally:
            store.close()
    except Exception:  # a damaged board must not stop the home screen; the leaderboard screen says why
        return None


def entries(case_id: str | None = None) -> list:
    from sim.board.local import LocalBoard

    store = LocalBoard.open()
    try:
        return store.entries(case_id)
    finally:
        store.close()


def save(result: dict, name: str) -> str:
    """Save to the local board; returns one sentence for the player."""
    import sqlite3

    from sim.board.local import LocalBoard, ResultRejected
    from sim.paths import DataFolderError

    try:
        store = LocalBoard.open()
        try:
            entry = store.save(result, name)
        finally:
            store.close()
    except ResultRejected as err:
        return str(err)
    except DataFolderError as err:
        return f"Not saved: {err}."
    except (sqlite3.DatabaseError, OSError) as err:  # a damaged or read-only board: say so, keep the game
        return f"Not saved: the local leaderboard cannot be written ({err})."
    return f"Saved as {entry.name}: rank {entry.rank} on {entry.case} with {entry.total} points."


def deliver(workshop_url: str, name: str, result: dict) -> str:
    """After a workshop game: send what waits in the outbox (this game, if it has a ticket); one sentence each."""
    from sim.board.client import deliver as send

    try:
        return "  ".join(send(workshop_url, name, result))
    except Exception as err:  # the contract says it never raises for network errors; the debrief must not fail
        return f"Not sent ({err}); your result waits in the outbox and `mlsim workshop send` sends it."


def flush_outbox() -> list[str]:
    """Send what waits in the workshop outbox; one sentence per result for the player."""
    from sim.board.client import flush_outbox as flush, has_queued

    try:
        return [outcome.message for outcome in flush()] if has_queued() else []
    except Exception:  # the contract says it never raises for network errors; a start-up must not fail either
        return []

"""Where saved games (replay logs) live, and which of them are unfinished and can be continued."""

from __future__ import annotations

import time
from pathlib import Path

from sim.game.replay import SavedGame, read_log
from sim.scenario import CaseError, home


def saves_folder() -> Path:
    return home() / "saves"


def new_save_path(case_id: str, seed: int) -> Path:
    """A fresh file name per game, so two games of the same case and seed never share a log."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = saves_folder()
    path = folder / f"{case_id}-{seed}-{stamp}.jsonl"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{case_id}-{seed}-{stamp}-{n}.jsonl"
    return path


def unfinished() -> list[SavedGame]:
    """Games saved but not ended, newest first; damaged logs are skipped, not fatal. A game left at its
    briefing (no choice yet) has nothing to continue and is not listed."""
    folder = saves_folder()
    if not folder.is_dir():
        return []
    games = []
    for path in sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            saved = read_log(path)
        except (CaseError, OSError, UnicodeDecodeError):
            continue
        if not saved.finished and "case" in saved.header and saved.choices:
            games.append(saved)
    return games


def discard(saved: SavedGame) -> None:
    """Forget an unfinished game (the player chose to drop it)."""
    saved.path.unlink(missing_ok=True)


def finished() -> list[SavedGame]:
    """Games played to the end, with their result records, oldest first; damaged logs are skipped."""
    folder = saves_folder()
    if not folder.is_dir():
        return []
    games = []
    for path in sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime):
        try:
            saved = read_log(path)
        except (CaseError, OSError, UnicodeDecodeError):
            continue
        if saved.finished and saved.result is not None:
            games.append(saved)
    return games

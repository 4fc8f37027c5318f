"""Board entries as CSV text (the leaderboard command and the workshop server's export share it)."""

from __future__ import annotations

import csv
import io

from sim.board.store import CSV_HEADER, Entry

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if isinstance(value, bool):  # the same words as the hidden column, not Python's True/False
        return "yes" if value else "no"
    text = str(value)
    # A name like "=HYPERLINK(...)" would run as a formula when the trainer opens the file in a spreadsheet.
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def entries_csv(entries: list[Entry], hidden: set[str] | None = None) -> str:
    """A header, then one row per entry; with `hidden`, a last column says which entries the trainer hid."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER + (("hidden",) if hidden is not None else ()))
    for e in entries:
        row = [_cell(v) for v in e.as_json().values()]
        if hidden is not None:
            row.append("yes" if e.id in hidden else "no")
        writer.writerow(row)
    return out.getvalue()

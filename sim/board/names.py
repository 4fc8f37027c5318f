"""Player names on a board: trimmed, length-limited, control characters removed (escaping is the page's job)."""

from __future__ import annotations

import unicodedata

MAX_NAME = 32


def clean_name(raw) -> str:
    """The name as stored: no control/format characters, whitespace runs collapsed, at most MAX_NAME characters.

    Returns "" when nothing printable is left; callers refuse such a name.
    """
    if not isinstance(raw, str):
        return ""
    # Category C* covers control characters, bidi overrides (which could reverse the text around them) and
    # unassigned code points; whitespace becomes a plain space first so "a\tb" stays two words.
    text = "".join(" " if ch.isspace() else ch for ch in raw)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())
    return text[:MAX_NAME].rstrip()

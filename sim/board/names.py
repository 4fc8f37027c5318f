"""Player names on a board: cleaned for storage, and a look-alike key so one room cannot hold two names that read the same.

`clean_name` is what is stored and shown (escaping is the page's job). `skeleton` is the key two names
share when a reader could not tell them apart: "Ada", "ada", Cyrillic "Аda" and full-width "Ａｄａ" all
have the skeleton "ada". It follows Unicode's confusables data (UTS #39) as shipped by the
`confusable_homoglyphs` package: characters it lists as homoglyphs of each other are joined into one
class (transitively), and each class is written as one representative, ASCII where the class has one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MAX_NAME = 32
MAX_MARKS = 2  # combining marks kept on one letter: enough for any script, too few to stack a tall "zalgo" name


def clean_name(raw) -> str:
    """The name as stored: NFC, no control/format characters, whitespace runs collapsed, at most MAX_NAME characters.

    Returns "" when nothing printable is left; callers refuse such a name.
    """
    if not isinstance(raw, str):
        return ""
    # NFC first, so "José" typed as one code point or as e + combining accent is one name.
    text = unicodedata.normalize("NFC", raw)
    # Category C* covers control characters, bidi overrides (which could reverse the text around them) and
    # unassigned code points; whitespace becomes a plain space first so "a\tb" stays two words.
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _limit_marks(" ".join(text.split()))
    return text[:MAX_NAME].rstrip()


def _limit_marks(text: str) -> str:
    out, marks = [], 0
    for ch in text:
        if unicodedata.combining(ch):
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=1)
def _representatives() -> dict[str, str]:
    """Character -> the representative of its class of look-alikes (built once, ~50 ms)."""
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(ch: str) -> str:
        root = ch
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(ch, ch) != root:  # path compression
            parent[ch], ch = root, parent[ch]
        return root

    for ch, homoglyphs in confusables_data.items():
        if len(ch) != 1:
            continue  # sequences ("rn" for "m") would need a parser; single characters cover the impersonations
        for glyph in homoglyphs:
            if len(glyph["c"]) == 1:
                a, b = find(ch), find(glyph["c"])
                if a != b:
                    parent[a] = b
    classes: dict[str, list[str]] = {}
    for ch in set(parent) | set(parent.values()):
        classes.setdefault(find(ch), []).append(ch)
    rep: dict[str, str] = {}
    for members in classes.values():
        chosen = min(members, key=lambda c: (not c.isascii(), c))
        rep.update((c, chosen) for c in members)
    return rep


def skeleton(name: str) -> str:
    """The look-alike key of a cleaned name: equal skeletons read the same on a projector."""
    rep = _representatives()
    text = unicodedata.normalize("NFKC", name)
    # Map, fold case, map again: "I" and "l" both become "1" before case folding could split them.
    text = "".join(rep.get(ch, ch) for ch in text).casefold()
    text = "".join(rep.get(ch, ch) for ch in text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def suffixed(name: str, n: int) -> str:
    """The n-th holder of a taken name, visibly told apart: "Ada (2)" (kept within MAX_NAME)."""
    tail = f" ({n})"
    return name[:MAX_NAME - len(tail)].rstrip() + tail

"""What a case's Bayes proxy is called: a human level, the best known system, or a stated Bayes estimate.

Where people cannot do the task (structured data, where machines beat them), a case gives the best known
system's error or an estimate of Bayes error instead of a human level; the coach reads bias against it just
the same and names it for what it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxyWords:
    rung: str  # the ladder's label (at most 11 characters)
    noun: str  # "human-level error"
    best: str  # "the best human level"
    measure: str  # how the coach says to get it


WORDS = {
    "human": ProxyWords("human-level", "human-level error", "the best human level", "measure human-level"),
    "system": ProxyWords("best system", "the best known system's error", "the best known system's error",
                         "benchmark the best known system"),
    "estimate": ProxyWords("Bayes est.", "the estimated Bayes error", "the estimated Bayes error",
                           "estimate Bayes error"),
}


def proxy_words(case) -> ProxyWords:
    """The words for the row the coach reads bias against: the lowest error in the table."""
    level = getattr(case, "human_level", None)  # a bare ladder (`mlsim diagnose`) has no table
    table = level.table if level is not None else []
    best = min(table, key=lambda row: row.error) if table else None
    return WORDS[getattr(best, "kind", "human")] if best is not None else WORDS["human"]

"""Numbers a case's texts quote from the game: `{dev}`, `{share.bedside}`, `{budget_weeks}` (checked at load).

A prompt, an option, an event's text or a coach's `why` may name what is on screen when it is read (the
ladder's rungs and gaps, the last error analysis's shares, the week), so its figures are always the game's.
The briefing comes before play and reads the same for every seed: it may name only the case's own fixed
facts (the budget, set sizes, thresholds, costs, the human-level table). sim.game.texts fills them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD = re.compile(r"(?<!\{)\{([a-z_]+)(?:\.([a-z0-9_-]+))?\}(?!\})")
LITERAL_BRACES = (("{{", "{"), ("}}", "}"))

# What a text read during play may quote, beside the fixed facts below.
LIVE = {
    "human": "the human-level error on the ladder",
    "train": "train error", "train_dev": "train-dev error", "dev": "dev error", "test": "test error",
    "bias": "avoidable bias (train - human level)", "variance": "variance (train-dev - train)",
    "mismatch": "data mismatch (dev - train-dev)", "overfit": "dev overfitting (test - dev)",
    "week": "the week now", "weeks_left": "weeks left in the budget",
}
LIVE_KEYED = {"share": "a category's share of dev errors in the last error analysis (share.ID)",
              "metric": "a satisficing metric of the trained model now (metric.METRIC)"}
# The case's own fixed facts: the same for every seed (a ranged start number is not one).
FIXED = {
    "budget_weeks": "the budget in weeks", "human_level": "the best error in the human-level table",
    "n_dev": "dev set size", "n_test": "test set size", "n_target": "target-distribution training examples",
    "n_other": "other-distribution training examples",
}
FIXED_KEYED = {"max": "a satisficing threshold (max.METRIC)", "cost": "an action's cost in weeks (cost.ACTION)",
               "start": "the first model's value of one of the case's own metrics (start.METRIC)"}


@dataclass(frozen=True)
class Field:
    name: str
    key: str | None
    text: str  # as written, with its braces


def fields_in(text: str) -> list[Field]:
    return [Field(m.group(1), m.group(2), m.group(0)) for m in FIELD.finditer(text)]


def problems_in(text: str, case, live: bool) -> list[str]:
    """What is wrong with the fields a text names: unknown names, unknown keys, live numbers in a briefing,
    a fixed fact that varies by seed."""
    out = []
    categories = [c.id for c in case.categories]
    metrics = [c.metric for c in case.constraints]
    for f in fields_in(text):
        if f.name in LIVE or f.name in LIVE_KEYED:
            if not live:
                out.append(f"{f.text} changes during play, and the briefing is read before it; quote it in a prompt "
                           "or an event's text, or say the fixed fact ({budget_weeks}, {n_dev}, {max.METRIC}, ...)")
                continue
        if f.name in LIVE_KEYED or f.name in FIXED_KEYED:
            keys = {"share": categories, "max": metrics, "cost": list(case.actions), "metric": metrics,
                    "start": [m.id for m in case.metrics]}[f.name]
            if f.key is None:
                out.append(f"{f.text} needs a key: {{{f.name}.ID}} with ID one of {', '.join(keys) or '(none)'}")
            elif f.key not in keys:
                out.append(f"{f.text}: '{f.key}' is not one of {', '.join(keys) or '(none)'}")
            continue
        if f.name in LIVE or f.name in FIXED:
            if f.key is not None:
                out.append(f"{f.text}: {{{f.name}}} takes no key")
            elif f.name in ("n_dev", "n_test", "n_target", "n_other") and not isinstance(
                    case.start.get(f.name, 0.0), (int, float)):
                out.append(f"{f.text} varies by seed (start.{f.name} is a range), so no text can state it")
            continue
        known = sorted(LIVE if live else ()) + sorted(FIXED) + [f"{k}.ID" for k in (
            [*LIVE_KEYED] if live else []) + [*FIXED_KEYED]]
        out.append(f"{f.text} is not a number the game knows; known: {', '.join('{' + k + '}' for k in known)} "
                   "(write {{ and }} for literal braces)")
    return out


def unescape(text: str) -> str:
    for doubled, single in LITERAL_BRACES:
        text = text.replace(doubled, single)
    return text

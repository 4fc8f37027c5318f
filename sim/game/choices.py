"""Choices as text: `ACTION_ID [key=value ...]` or `answer OPTION_ID`, one per line, `#` comments."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model import ACTION_IDS
from sim.scenario.schema import Case

VARIETY_WORDS = {"low": 0.1, "medium": 0.5, "high": 1.0}


def readable(text: str) -> str:
    """A canonical choice as the menus name it: `variety=0.1` reads `variety=low` (the word the player picked).

    The canonical text keeps the number (results and their ids depend on it); only what a person reads changes.
    """
    words = []
    for word in text.split():
        key, sep, value = word.partition("=")
        if sep and key == "variety":
            try:
                number = float(value)
            except ValueError:
                number = None
            named = [name for name, v in VARIETY_WORDS.items() if v == number]
            word = f"variety={named[0]}" if named else word
        words.append(word)
    return " ".join(words)


class ChoiceError(ValueError):
    """A choice that cannot be played now; the message says why and what to do."""


@dataclass(frozen=True)
class ParsedChoice:
    text: str  # canonical form, as recorded in the result
    action: str | None  # None for an answer
    option: str | None = None
    category: int = -1
    variety: float = 1.0


def parse_script(text: str) -> list[str]:
    """The non-empty, uncommented lines of a choices script."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(" ".join(line.split()))
    return lines


def parse_choice(text: str, case: Case) -> ParsedChoice:
    words = text.split()
    if not words:
        raise ChoiceError("an empty choice; write an action id or `answer OPTION_ID`")
    head, rest = words[0], words[1:]
    if head == "answer":
        if len(rest) != 1:
            raise ChoiceError("`answer` takes one option id, e.g. `answer b`")
        return ParsedChoice(f"answer {rest[0]}", None, option=rest[0])
    if head not in ACTION_IDS:
        import difflib

        close = difflib.get_close_matches(head, ACTION_IDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; this case's actions: {', '.join(case.actions)}"
        raise ChoiceError(f"unknown action '{head}'{hint}")
    if head not in case.actions:
        raise ChoiceError(f"'{head}' is not available in the case {case.id}")
    category, variety, canonical, given = -1, 1.0, [head], set()
    ids = [c.id for c in case.categories]
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep:
            raise ChoiceError(f"'{word}' is not key=value")
        name = "category" if key == "kind" else key  # kind= is synthesize_data's word for the category
        if name in given:
            raise ChoiceError(f"'{head}' is given {key} twice; write it once")
        given.add(name)
        if name == "category":
            if value not in ids:
                raise ChoiceError(f"'{value}' is not an error category of this case ({', '.join(ids) or 'none'})")
            k = ids.index(value)
            if head not in case.categories[k].fixed_by:
                raise ChoiceError(f"{head} does not fix '{value}'; it is fixed by {', '.join(case.categories[k].fixed_by)}")
            category = k
        elif name == "variety":
            if head != "synthesize_data":
                raise ChoiceError(f"'{head}' takes no variety; only synthesize_data does")
            try:
                variety = VARIETY_WORDS[value] if value in VARIETY_WORDS else float(value)
            except ValueError:
                raise ChoiceError(f"variety is low, medium, high or a number from 0 to 1, not '{value}'") from None
            if not 0.0 <= variety <= 1.0:
                raise ChoiceError(f"variety must be between 0 and 1, not {value}")
        else:
            raise ChoiceError(f"'{head}' takes no parameter '{key}' (known: category, kind, variety)")
    # One canonical text per choice, so the same game always has the same result id.
    if category >= 0:
        canonical.append(f"{'kind' if head == 'synthesize_data' else 'category'}={ids[category]}")
    if "variety" in given:
        canonical.append(f"variety={variety:g}")
    return ParsedChoice(" ".join(canonical), head, category=category, variety=variety)


def menu_choices(case: Case, action: str) -> list[ParsedChoice]:
    """Every way the action menu offers to play `action`: untargeted or aimed at each category it fixes, and for
    synthesize_data each variety word (the what-if tries each one a player could have picked)."""
    targets = [""] + [f" {'kind' if action == 'synthesize_data' else 'category'}={c.id}"
                      for c in case.categories if action in c.fixed_by]
    varieties = [f" variety={word}" for word in VARIETY_WORDS] if action == "synthesize_data" else [""]
    return [parse_choice(action + target + variety, case) for target in targets for variety in varieties]

"""The numbers a briefing states (weeks, data sizes, thresholds), held against the numbers the case has.

A briefing that says "40 weeks" over a budget of 52, "400,000 images" over 300,000, or "at most 10 MB" in a
case with no memory threshold teaches the player something the game does not do; one that quotes a number
the case draws per seed is true of some seeds only. Percentages and small counts are not checked: prose
uses them for too many things ("about 2% of labels", "five signs").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Iterator

from sim import fmt

SIZE_TOLERANCE = 0.02  # "roughly 50,000" for 49,500 or 50,800: a briefing rounds
SIZE_FROM = 1000  # smaller counts in prose are rarely sizes of a data set ("five signs", "14 Harbour Lane")
SIZE_KNOBS = ("n_target", "n_other", "n_syn", "n_dev", "n_test")
TIME_WORDS = {"hour", "hours", "minute", "minutes", "day", "days", "year", "years", "month", "months", "h"}
# Threshold units a briefing may quote: unit -> (satisficing metric, factor from the unit to the metric's own).
THRESHOLD_UNITS = {"s": ("inference_s", 1.0), "sec": ("inference_s", 1.0), "second": ("inference_s", 1.0),
                   "seconds": ("inference_s", 1.0), "ms": ("inference_s", 1e-3), "millisecond": ("inference_s", 1e-3),
                   "milliseconds": ("inference_s", 1e-3), "mb": ("memory_mb", 1.0), "gb": ("memory_mb", 1000.0),
                   "kb": ("memory_mb", 1e-3)}
MULTIPLIERS = {"thousand": 1e3, "k": 1e3, "million": 1e6, "billion": 1e9}

_NUMBER = re.compile(
    r"(?<![\w.,/-])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?![\d])"
    r"(?:\s*(?P<mult>thousand|million|billion|k)\b)?"
    r"[*_]*\s*(?P<unit>%|[A-Za-z]+)?")


@dataclass(frozen=True)
class Claim:
    """A number in a briefing the case does not bear out."""

    where: tuple[Any, ...]  # the text's path in the case file ("briefing",) or ("sources", name)
    line: int  # line of the text (0-based), for literal blocks whose lines the loader located
    col: int  # column in that line (0-based)
    message: str


@dataclass(frozen=True)
class _Known:
    """A number the case has: fixed in every variant, or drawn per seed between `low` and `high`."""

    low: float
    high: float
    what: str
    values: tuple[float, ...] = ()  # the choices of a one_of (a figure between them is true of no seed)

    @property
    def fixed(self) -> bool:
        return self.low == self.high

    def matches(self, x: float, tolerance: float) -> bool:
        if self.values:
            return any(abs(x - v) <= tolerance * max(abs(v), 1e-12) for v in self.values)
        return self.low * (1 - tolerance) - 1e-12 <= x <= self.high * (1 + tolerance) + 1e-12


def _span(num: Any) -> tuple[float, float, tuple[float, ...]]:
    if hasattr(num, "between"):
        low, high = num.between
        return float(low), float(high), ()
    if hasattr(num, "one_of"):
        values = tuple(float(v) for v in num.one_of)
        return min(values), max(values), values if len(values) > 1 else ()
    return float(num), float(num), ()


def _of(num: Any, what: str) -> _Known:
    low, high, values = _span(num)
    return _Known(low, high, what, values)


def _sizes(case) -> list[_Known]:
    """Every data size the case has: each set, each action's amount, and each sum of sets (the whole data)."""
    start = getattr(case, "start", {}) or {}
    known = []
    parts = [(key, *_span(start[key])) for key in SIZE_KNOBS if key in start and _span(start[key])[1] > 0]
    for r in range(1, len(parts) + 1):
        for combo in itertools.combinations(parts, r):
            low = sum(c[1] for c in combo)
            high = sum(c[2] for c in combo)
            values = ()
            if all(c[1] == c[2] or c[3] for c in combo) and any(c[3] for c in combo):
                values = tuple(sorted({sum(v) for v in itertools.product(*[c[3] or (c[1],) for c in combo])}))
            known.append(_Known(low, high, " + ".join(f"start.{c[0]}" for c in combo), values))
    for action, spec in (getattr(case, "actions", {}) or {}).items():
        if getattr(spec, "amount", None):
            known.append(_Known(spec.amount, spec.amount, f"actions.{action}.amount"))
    coach = getattr(case, "coach", None)
    transfer = getattr(coach, "transfer", None)
    if transfer is not None:
        known.append(_Known(transfer.source_examples, transfer.source_examples, "coach.transfer.source_examples"))
    return known


def _weeks(case) -> list[_Known]:
    known = []
    if hasattr(case, "budget_weeks"):
        known.append(_Known(case.budget_weeks, case.budget_weeks, "budget_weeks"))
    for action, spec in (getattr(case, "actions", {}) or {}).items():
        known.append(_Known(spec.weeks, spec.weeks, f"actions.{action}.weeks"))
    for decision in getattr(case, "decisions", []) or []:
        if decision.when.week is not None:
            known.append(_Known(decision.when.week, decision.when.week, f"decision '{decision.id}'"))
        known += [_Known(o.weeks, o.weeks, f"option '{o.id}'") for o in decision.options if o.weeks]
    known += [_of(e.week, f"event '{e.id}'") for e in getattr(case, "events", []) or []]  # a surprise's varies
    coach = getattr(case, "coach", None)
    if coach is not None:
        known.append(_Known(coach.long_run_weeks, coach.long_run_weeks, "coach.long_run_weeks"))
    truth = getattr(case, "truth", {}) or {}
    if "run_weeks" in truth:
        known.append(_of(truth["run_weeks"], "truth.run_weeks"))
    return known


def _thresholds(case, metric: str) -> list[_Known]:
    return [_Known(c.limit, c.limit, f"the {c.label} threshold") for c in getattr(case, "constraints", []) or []
            if c.metric == metric]


def _own_units(case) -> dict[str, list[str]]:
    """A one-word unit of the case's own metrics (ms, declines) -> the metrics measured in it."""
    units: dict[str, list[str]] = {}
    for metric in getattr(case, "metrics", []) or []:
        word = metric.unit.strip().lower()
        if word.isalpha():
            units.setdefault(word, []).append(metric.id)
    return units


def _first_model(case, metric: str) -> _Known | None:
    """The first model's own figure (truth.inference_s, truth.memory_mb), which a briefing may quote."""
    truth = getattr(case, "truth", {}) or {}
    return _of(truth[metric], f"truth.{metric}") if metric in truth else None


def _verdict(x: float, known: list[_Known], tolerance: float) -> _Known | None | bool:
    """True: a fixed number of the case; a _Known: only some seeds' number; None: the case has no such number."""
    hits = [k for k in known if k.matches(x, tolerance)]
    if any(k.fixed for k in hits):
        return True
    return hits[0] if hits else None


def _texts(case) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(getattr(case, "briefing", None), str):
        yield ("briefing",), case.briefing
    for source, text in (getattr(case, "sources", {}) or {}).items():
        if isinstance(text, str):
            yield ("sources", source), text


def briefing_claims(case) -> list[Claim]:
    """Each number in the briefing (and the data sources it lists) that the case does not have."""
    sizes, weeks = _sizes(case), _weeks(case)
    claims = []
    for where, text in _texts(case):
        label = "the briefing" if where == ("briefing",) else f"the source '{where[1]}'"
        for row, line in enumerate(text.splitlines()):
            for match in _NUMBER.finditer(line):
                claim = _judge(case, match, sizes, weeks, label)
                if claim:
                    claims.append(Claim(where, row, match.start("num"), claim))
    return claims


def _judge(case, match: re.Match, sizes: list[_Known], weeks: list[_Known], label: str) -> str | None:
    spelled = match.group("num")
    value = float(spelled.replace(",", ""))
    mult = (match.group("mult") or "").lower()
    unit = (match.group("unit") or "")
    said = match.group(0).rstrip("*_ ")
    if unit == "%":
        return None
    if mult:
        value *= MULTIPLIERS[mult]
    word = unit.lower()
    if word in ("week", "weeks", "wk", "wks"):
        return _against(label, said, value, weeks, 0.0,
                        "the budget, an action's or an option's weeks, or an event's week", fmt.number)
    own = _own_units(case).get(word, [])
    if not mult and own:  # a unit of the case's own metric: its thresholds (a built-in one in that unit too)
        limits = [k for metric in own for k in _thresholds(case, metric)]
        if word in THRESHOLD_UNITS:
            metric, factor = THRESHOLD_UNITS[word]
            limits += [_Known(k.low / factor, k.high / factor, k.what) for k in _thresholds(case, metric)]
        return _against(label, said, value, limits, 1e-9, "its threshold", fmt.number) if limits else None
    if not mult and word in THRESHOLD_UNITS:
        metric, factor = THRESHOLD_UNITS[word]
        limits = _thresholds(case, metric)
        first_model = _first_model(case, metric)
        if not limits and not (first_model and first_model.matches(value * factor, 1e-9)):
            return (f"{label} states '{said}', a threshold on {metric} the case does not have; add it under "
                    "constraints, or take it out of the briefing")
        return _against(label, said, value * factor, limits + ([first_model] if first_model else []), 1e-9, "its threshold",
                        fmt.number)
    if word in TIME_WORDS or value < SIZE_FROM or (not mult and "," not in spelled and 1900 <= value <= 2100):
        return None  # a duration, a small count, a year
    said = spelled + (f" {mult}" if mult and mult != "k" else mult)
    return _against(label, said, value, sizes, SIZE_TOLERANCE, "a data set's size (start.n_target, n_other, n_syn, n_dev, "
                    "n_test, or their sum) or an action's amount", fmt.count)


def _against(label: str, said: str, value: float, known: list[_Known], tolerance: float, which: str, show) -> str | None:
    verdict = _verdict(value, known, tolerance)
    if verdict is True:
        return None
    if isinstance(verdict, _Known):
        span = (", ".join(show(v) for v in verdict.values) if verdict.values
                else f"{show(verdict.low)} to {show(verdict.high)}")
        return (f"{label} states '{said}', but {verdict.what} varies by seed ({span}), so the figure is true of "
                "some seeds only; state the range, or make the number fixed")
    return (f"{label} states '{said}', which is not {which} in this case; correct the briefing or the number "
            "it describes")

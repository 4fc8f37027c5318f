"""The one formatter for every number a person reads: errors, gaps, weeks, shares, counts, metric values.

Each kind has the digits its comparison needs. Errors and gaps are percent points; a comparison of two
numbers (train against human level, a meter against its threshold) gets as many decimals as it takes for
the printed numbers to order the same way the real ones do, so a sentence never says "0.1% is below
0.1%". Nothing here prints "-0.0": a value that rounds to zero prints as zero.

Leaf module: plain Python, no imports from the rest of `sim`, so every layer may use it.
"""

from __future__ import annotations

import math

ERROR_DIGITS = 2  # percent points: 0.05-point differences matter in the low-error cases
WEEK_DIGITS = 1
MAX_DIGITS = 4  # never more: beyond this the difference is noise nobody can read
MINUS = "-"
UNKNOWN = "unknown"


def _finite(x) -> bool:
    """A real, finite number (numpy's scalars included; bools are not numbers here)."""
    if x is None or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def fixed(x: float | None, digits: int, unknown: str = UNKNOWN) -> str:
    """`x` with exactly `digits` decimals; never "-0.00"; `unknown` for None, NaN or infinity."""
    if not _finite(x):
        return unknown
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def error(x: float | None, digits: int = ERROR_DIGITS, unknown: str = UNKNOWN) -> str:
    """An error rate or a gap, in percent points: "3.12"."""
    return fixed(x, digits, unknown)


def percent(x: float | None, digits: int = ERROR_DIGITS, unknown: str = UNKNOWN) -> str:
    """An error rate with its unit: "3.12%"."""
    text = error(x, digits, unknown)
    return text if text == unknown else f"{text}%"


def signed(x: float | None, digits: int = ERROR_DIGITS, unknown: str = UNKNOWN) -> str:
    """A change, always with its sign: "+0.41", "-1.20", "0.00" when it rounds to nothing."""
    text = fixed(x, digits, unknown)
    if text == unknown or float(text) == 0.0:
        return text
    return text if text.startswith("-") else f"+{text}"


def weeks(x: float | None, unknown: str = UNKNOWN) -> str:
    """A time in weeks: "9.3"; whole weeks print without a decimal ("52")."""
    if not _finite(x):
        return unknown
    text = fixed(x, WEEK_DIGITS)
    return text[:-2] if text.endswith(".0") else text


def weeks_phrase(x: float | None, unknown: str = "an unknown number of weeks") -> str:
    """A time in weeks with its unit, singular when it reads as one: "1 week", "2.5 weeks"."""
    text = weeks(x, unknown="")
    if not text:
        return unknown
    return f"{text} week" if text == "1" else f"{text} weeks"


def seconds(x: float | None, unknown: str = UNKNOWN) -> str:
    """A wait or a duration in whole seconds, rounded up (nobody waits 0.4 s less than told): "12 s"."""
    if not _finite(x):
        return unknown
    return f"{max(0, math.ceil(x - 1e-9)):,} s"


def share(x: float | None, unknown: str = UNKNOWN) -> str:
    """A share 0..1 as a whole percent: "18%" (error-analysis tables count ~100 examples)."""
    if not _finite(x):
        return unknown
    return f"{fixed(100.0 * x, 0)}%"


def count(n: float | None, unknown: str = UNKNOWN) -> str:
    """A count of examples or people: "200,000"."""
    if not _finite(n):
        return unknown
    return f"{round(n):,}"


def duration(seconds: float | None, unknown: str = UNKNOWN) -> str:
    """A wall-clock time, as a person waiting reads it: "4.2 s", "38 s", "2 min 05 s"."""
    if not _finite(seconds):
        return unknown
    if seconds < 10:
        return f"{fixed(seconds, 1)} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


def number(x: float | None, unknown: str = UNKNOWN) -> str:
    """A plain number a case states (a threshold, a factor): as short as it reads exactly, at most 4 decimals."""
    if not _finite(x):
        return unknown
    text = fixed(x, MAX_DIGITS).rstrip("0").rstrip(".")
    return text or "0"


def decimals_of(x: float) -> int:
    """How many decimals `x` needs to print exactly (up to MAX_DIGITS): 0.03 -> 2, 15 -> 0."""
    for digits in range(MAX_DIGITS + 1):
        if abs(round(x, digits) - x) < 1e-9:
            return digits
    return MAX_DIGITS


def digits_to_compare(a: float, b: float, least: int = ERROR_DIGITS) -> int:
    """The fewest decimals (at least `least`) at which `a` and `b` print in the order they really have.

    Equal numbers need only `least`. Capped at MAX_DIGITS: closer than that, the two read as equal.
    """
    if not (_finite(a) and _finite(b)) or a == b:
        return least
    for digits in range(least, MAX_DIGITS + 1):
        ra, rb = float(fixed(a, digits)), float(fixed(b, digits))
        if (ra < rb) == (a < b) and ra != rb:
            return digits
    return MAX_DIGITS


def pair(a: float | None, b: float | None, least: int = ERROR_DIGITS) -> tuple[str, str]:
    """Two numbers that are compared in one sentence, printed with the same, sufficient decimals."""
    if not (_finite(a) and _finite(b)):
        return fixed(a, least), fixed(b, least)
    digits = digits_to_compare(a, b, least)
    return fixed(a, digits), fixed(b, digits)


def metric(value: float | None, limit: float | None, unknown: str = UNKNOWN) -> str:
    """A satisficing metric's value, with the precision its threshold needs: 0.012 against 0.03 -> "0.012"."""
    if not _finite(value):
        return unknown
    if not _finite(limit):
        return number(value)
    least = min(decimals_of(limit) + 1, MAX_DIGITS)
    return fixed(value, digits_to_compare(value, limit, least))


def meter(value: float | None, limit: float | None, bound: str = "max", *, held: bool) -> str:
    """A meter's reading against its threshold: "0.012 ≤ 0.03" (or "≥" for a minimum); a broken threshold reads
    as what it is, "11.0 > 10". `held`: whether it holds, as sim.scenario.limits.within decides."""
    sign = ("≤" if held else ">") if bound == "max" else ("≥" if held else "<")
    return f"{metric(value, limit)} {sign} {number(limit)}"

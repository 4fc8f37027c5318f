"""The one number formatter: a table of values and what a person reads for each."""

import math

import pytest

from sim import fmt


@pytest.mark.parametrize("call, expected", [
    (lambda: fmt.error(3.14159), "3.14"),
    (lambda: fmt.error(-0.001), "0.00"),
    (lambda: fmt.error(float("nan")), "unknown"),
    (lambda: fmt.error(None, unknown="?"), "?"),
    (lambda: fmt.percent(0.4), "0.40%"),
    (lambda: fmt.signed(0.41), "+0.41"),
    (lambda: fmt.signed(-1.2), "-1.20"),
    (lambda: fmt.signed(-0.001), "0.00"),
    (lambda: fmt.weeks(9.31429), "9.3"),
    (lambda: fmt.weeks(52.0), "52"),
    (lambda: fmt.weeks(19.5395), "19.5"),
    (lambda: fmt.weeks(math.inf), "unknown"),
    (lambda: fmt.seconds(59.2), "60 s"),
    (lambda: fmt.seconds(60), "60 s"),
    (lambda: fmt.seconds(-3), "0 s"),
    (lambda: fmt.share(0.183), "18%"),
    (lambda: fmt.share(0.004), "0%"),
    (lambda: fmt.count(200000.0), "200,000"),
    (lambda: fmt.duration(4.24), "4.2 s"),
    (lambda: fmt.duration(38.4), "38 s"),
    (lambda: fmt.duration(59.6), "1 min 00 s"),
    (lambda: fmt.duration(125.2), "2 min 05 s"),
    (lambda: fmt.duration(None), "unknown"),
    (lambda: fmt.number(0.030), "0.03"),
    (lambda: fmt.number(15.0), "15"),
    (lambda: fmt.number(1e-7), "0"),
    (lambda: fmt.metric(0.012, 0.03), "0.012"),
    (lambda: fmt.metric(0.0301, 0.03), "0.0301"),
    (lambda: fmt.metric(12.34, 15), "12.3"),
    (lambda: fmt.meter(0.012, 0.03, held=True), "0.012 ≤ 0.03"),
    (lambda: fmt.meter(2.0, 1.0, "min", held=True), "2.0 ≥ 1"),
    (lambda: fmt.meter(11.0, 10.0, held=False), "11.0 > 10"),  # a broken threshold is not written as if it held
    (lambda: fmt.meter(0.5, 1.0, "min", held=False), "0.5 < 1"),
    (lambda: fmt.meter(10.0, 10.0, held=True), "10.0 ≤ 10"),
])
def test_table(call, expected):
    assert call() == expected


@pytest.mark.parametrize("a, b", [(0.05, 0.1), (0.1, 0.104), (1.2344, 1.2349), (3.0, 2.999), (0.4, 0.4)])
def test_pair_orders_like_the_numbers(a, b):
    sa, sb = fmt.pair(a, b)
    assert len(sa.split(".")[1]) == len(sb.split(".")[1])  # one precision for both
    if a == b:
        assert sa == sb
    else:
        assert (float(sa) < float(sb)) == (a < b) and sa != sb


def test_never_more_than_max_digits():
    sa, sb = fmt.pair(1.000001, 1.000002)
    assert len(sa.split(".")[1]) <= fmt.MAX_DIGITS


def test_numpy_scalars_are_numbers_too():
    import numpy as np

    assert fmt.weeks(np.int64(40)) == "40"
    assert fmt.error(np.float32(1.5)) == "1.50"
    assert fmt.error(True) == "unknown"


def test_a_weeks_phrase_has_its_unit():
    assert fmt.weeks_phrase(1.0) == "1 week" and fmt.weeks_phrase(2.5) == "2.5 weeks"
    assert fmt.weeks_phrase(float("nan")) == "an unknown number of weeks"

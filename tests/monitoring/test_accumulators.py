"""
The bulk paths of the KPI accumulators against their one-at-a-time reference: order
statistics picked without a full sort, and redress summed without a ``Money`` per pair.
"""

from __future__ import annotations

import array
import datetime as dt
import math
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002 import ValidationError
from iso10002.monitoring._cohorts import Cohorts, Durations, median, order_statistics

UTC = dt.timezone.utc
SHAPES = ("random", "sorted", "reversed", "few values", "periodic", "spike")


def values_of(shape: str, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    if shape == "few values":
        return [rng.choice((-5, 0, 7, 10**12)) for _ in range(n)]
    if shape == "periodic":  # the even-step sample sees one phase only
        return [(i % 97) * 1_000 + (i // 97) for i in range(n)]
    if shape == "spike":
        return [10**15 if i % 1000 == 0 else rng.randrange(100) for i in range(n)]
    found = [rng.randrange(-(10**6), 10**13) for _ in range(n)]
    if shape == "sorted":
        found.sort()
    elif shape == "reversed":
        found.sort(reverse=True)
    return found


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from(SHAPES),
    n=st.one_of(st.integers(1, 50), st.integers(4_000, 30_000)),
    seed=st.integers(0, 2**32),
    quantiles=st.lists(st.floats(0, 1), min_size=1, max_size=4),
)
def test_order_statistics_are_those_of_the_sorted_values(
    shape: str, n: int, seed: int, quantiles: list[float]
) -> None:
    values = values_of(shape, n, seed)
    ranks = [min(int(q * n), n - 1) for q in quantiles]
    ordered = sorted(values)
    assert order_statistics(values, ranks) == [ordered[r] for r in ranks]
    assert order_statistics(array.array("q", values), ranks) == [ordered[r] for r in ranks]


@pytest.mark.parametrize("n", [1, 2, 3, 4_096, 10_001, 10_002])
def test_median_and_stats_match_the_sorted_definition(n: int) -> None:
    values = values_of("random", n, seed=n)
    ordered = sorted(values)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    assert median(values) == middle
    durations = Durations(None)
    durations.extend_elapsed(values)
    (stats,) = durations.stats()
    assert durations.median() == middle
    assert stats.count == n
    assert stats.p90 == round(ordered[math.ceil(0.9 * n) - 1] / 3_600_000_000, 3)
    assert stats.median == round(middle / 3_600_000_000, 3)


def test_median_of_nothing_is_none() -> None:
    assert median([]) is None
    assert Durations(None).median() is None


def cohorts() -> Cohorts:
    return Cohorts(
        dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC), None, []
    )


def test_redress_texts_sum_as_the_pairs_one_by_one() -> None:
    texts = ["GBP:10.50", "EUR:3 GBP:0.05", "GBP:7.000", "USD:1e2", "EUR:0.10"]
    one_by_one, bulk = cohorts(), cohorts()
    for text in texts:
        one_by_one.count_redress(text)
    bulk.count_redress_texts(texts[:2])
    bulk.count_redress_texts(texts[2:])
    assert bulk.redress == one_by_one.redress
    assert bulk.redress == {
        "GBP": Decimal("17.550"),
        "EUR": Decimal("3.10"),
        "USD": Decimal("1e2"),
    }


@pytest.mark.parametrize(
    ("text", "field"),
    [("GBP:-1.00", "amount"), ("GBP:Infinity", "amount"), ("gbp:1.00", "currency")],
)
def test_redress_the_column_should_not_hold_names_the_field(text: str, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        cohorts().count_redress_texts(["GBP:1.00", text])
    assert raised.value.field == field

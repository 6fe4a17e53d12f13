"""The findings' own checks, against a plain reference."""

from __future__ import annotations

import polars as pl
from hypothesis import given, strategies as st

from scoring.reading.findings import all_distinct


@given(st.integers(1, 300).flatmap(lambda size: st.tuples(st.just(size), st.lists(st.integers(0, size - 1)))))
def test_places_are_distinct_exactly_when_none_repeats(case: tuple[int, list[int]]) -> None:
    size, places = case
    for dtype in (pl.UInt32, pl.UInt64):
        assert all_distinct(pl.Series(places, dtype=dtype), size) == (len(set(places)) == len(places))


def test_one_repeat_among_many_is_found() -> None:
    size = 65 * 10_000
    places = pl.int_range(size, dtype=pl.UInt32, eager=True).sample(fraction=0.9, seed=7)
    assert all_distinct(places, size)
    assert not all_distinct(pl.concat([places, places.tail(1)]), size)  # the last place given again
    assert not all_distinct(pl.Series([size - 1, 0, size - 1], dtype=pl.UInt32), size)  # at the edge
    assert all_distinct(pl.Series([], dtype=pl.UInt32), size)

"""Small expression helpers: the type of places among a number of things, at its boundary."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, strategies as st

from scoring.spec import expr as expr_module
from scoring.spec.expr import index_type, marked, placed


@pytest.mark.parametrize(
    ("size", "expected"),
    [(0, pl.UInt32), (1, pl.UInt32), (2**32, pl.UInt32), (2**32 + 1, pl.UInt64), (2**40, pl.UInt64)],
)
def test_places_take_four_bytes_while_the_last_place_fits(size: int, expected: type[pl.DataType]) -> None:
    assert index_type(size) == expected
    if size:  # the last place, size - 1, is held exactly
        last = pl.Series([size - 1], dtype=pl.UInt64).cast(index_type(size), strict=True)
        assert last.item() == size - 1


@pytest.mark.parametrize("dtype", [pl.UInt32, pl.UInt64])
def test_a_table_is_read_back_by_places_of_either_type(dtype: type[pl.DataType]) -> None:
    places = pl.Series([4, 0, 2], dtype=dtype)
    table = placed(places, pl.Series([10, 11, 12]), 5)
    assert table.to_list() == [11, None, 12, None, 10]
    assert table.gather(places).to_list() == [10, 11, 12]


@given(
    st.integers(1, 40).flatmap(
        lambda size: st.tuples(
            st.just(size), st.lists(st.tuples(st.integers(0, size - 1), st.integers(-5, 5)), max_size=60)
        )
    ),
    st.sampled_from([1, 2, 7, 4_000_000]),
)
def test_values_are_put_at_their_places_in_parts_as_one_by_one(
    case: tuple[int, list[tuple[int, int]]], step: int
) -> None:
    # the values go in parts of SCATTER_ROWS (polars copies the places it is given): the table is the one a
    # plain loop makes, a place given twice holding the later value
    size, pairs = case
    expected: list[int | None] = [None] * size
    for at, value in pairs:
        expected[at] = value
    places = pl.Series([at for at, _ in pairs], dtype=pl.UInt32)
    values = pl.Series([v for _, v in pairs], dtype=pl.Int64)
    saved = expr_module.SCATTER_ROWS
    expr_module.SCATTER_ROWS = step
    try:
        assert placed(places, values, size).to_list() == expected
        assert marked(places, size).to_list() == [True if v is not None else None for v in expected]
    finally:
        expr_module.SCATTER_ROWS = saved

"""Small expression helpers: the type of places among a number of things, at its boundary."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.spec.expr import index_type, placed


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

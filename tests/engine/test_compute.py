"""The result's leaves' points: held with the veto bit and 重大扣分 in their narrowest type, given back as
computed."""

from __future__ import annotations

import polars as pl
from hypothesis import given, strategies as st

from scoring.engine.compute import narrowed
from scoring.engine.points import NARROWED, leaf_points
from scoring.spec.year import as_rows
from scoring.testing import example_year

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@given(st.lists(INT64, max_size=6), st.lists(INT64, max_size=6))
def test_narrowed_columns_give_back_every_value(bits: list[int], major: list[int]) -> None:
    n = min(len(bits), len(major))
    frame = pl.DataFrame(
        {"points": list(range(n)), "veto_bit": bits[:n], "major": major[:n]},
        schema={"points": pl.Int64, "veto_bit": pl.Int64, "major": pl.Int64},
    )
    held = narrowed(frame)
    assert held["points"].dtype == pl.Int64  # only the narrowed columns change
    assert held.with_columns(pl.col(c).cast(pl.Int64) for c in NARROWED).equals(frame)


def test_a_results_points_are_held_narrow_and_given_back_as_computed() -> None:
    result = example_year().result()
    assert result.points is not None
    assert {result.points.schema[c] for c in NARROWED} <= {pl.Int8, pl.Int16, pl.Int32}  # a 0/1 bit, 0
    given_back = result.computed_points()
    assert given_back is not None
    a = result.assessment
    again = leaf_points(as_rows(a.observations), a.catalogue, a.settings, a.units.lazy()).collect()
    got = as_rows(given_back).collect()
    assert got.schema == again.schema
    key = ["unit", "indicator"]
    assert got.sort(key).equals(again.sort(key))

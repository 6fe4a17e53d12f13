"""The rounding module: the polars rounding and its Decimal twin agree on every fraction, ties included."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl
from hypothesis import given, strategies as st

from scoring.exact import ROUNDING_MODES, div_round, round_fraction


@given(
    st.lists(st.tuples(st.integers(-10**15, 10**15), st.integers(1, 10**6)), min_size=1, max_size=50),
    st.sampled_from(ROUNDING_MODES),
)
def test_decimal_twin_agrees_with_the_engine(pairs: list[tuple[int, int]], mode: str) -> None:
    frame = pl.DataFrame(pairs, schema={"num": pl.Int64, "den": pl.Int64}, orient="row")
    engine = frame.select(div_round(pl.col("num"), pl.col("den"), mode)).to_series().to_list()
    twin = [round_fraction(Fraction(n, d), 0, mode) for n, d in pairs]
    assert [Decimal(v) for v in engine] == twin


def test_ties_at_the_last_place() -> None:
    assert round_fraction(Fraction(89995, 1000), 2, "half_up") == Decimal("90.00")
    assert round_fraction(Fraction(-89995, 1000), 2, "half_up") == Decimal("-90.00")
    assert round_fraction(Fraction(89985, 1000), 2, "half_even") == Decimal("89.98")
    assert round_fraction(Fraction(89995, 1000), 2, "half_even") == Decimal("90.00")
    assert round_fraction(Fraction(89999, 1000), 2, "down") == Decimal("89.99")

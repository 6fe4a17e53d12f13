"""The result's leaves' points: held with the veto bit and 重大扣分 in their narrowest type, given back as
computed."""

from __future__ import annotations

import polars as pl
import pytest
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


def test_inputs_are_released_only_once_what_reads_them_is_kept() -> None:
    result = example_year().result()
    with pytest.raises(RuntimeError, match="before the ledger"):
        result.release_inputs()
    ledger = result.ledger().collect()
    facts = result.indicator_facts().collect()
    result.keep_ledger(ledger.lazy())
    with pytest.raises(RuntimeError, match="before the ledger"):  # the per-indicator points not yet kept
        result.release_inputs()
    result.keep_indicator_points(facts.lazy())
    rows = result.assessment.observations.height
    result.release_inputs()
    assert rows > 0 and result.assessment.observations.height == 0
    # what was kept is read as kept; the results themselves are untouched
    assert result.ledger().collect().equals(ledger)
    assert result.indicator_facts().collect().equals(facts)
    assert result.manifest.observations == rows


def test_nothing_is_built_again_from_released_inputs() -> None:
    result = example_year().result()
    result.keep_ledger(result.ledger().collect().lazy())
    result.keep_indicator_points(result.indicator_facts().collect().lazy())
    result.release_inputs()
    result.keep_ledger(None)
    result.keep_indicator_points(None)
    # building either from the emptied observations would give a wrong ledger, not an error: it raises
    with pytest.raises(RuntimeError, match="the ledger would be built"):
        result.ledger()
    with pytest.raises(RuntimeError, match="the per-indicator points would be built"):
        result.indicator_facts()
    with pytest.raises(RuntimeError, match="the per-indicator points would be built"):
        result.indicator_points()


def test_the_same_units_with_more_columns_keep_what_the_result_holds() -> None:
    # the 同比 columns are joined to a released result's units: the new result still reads the ledger and
    # the per-indicator points as kept (dataclasses.replace dropped them, and the ledger was then built
    # again from no observations), and is still released
    result = example_year().result()
    ledger, facts = result.ledger().collect(), result.indicator_facts().collect()
    result.keep_ledger(ledger.lazy())
    result.keep_indicator_points(facts.lazy())
    result.release_inputs()
    wider = result.with_units(result.units.with_columns(pl.lit(1).alias("yoy_rank")))
    assert "yoy_rank" in wider.units.columns and wider.assessment is result.assessment
    assert wider.ledger().collect().equals(ledger) and wider.indicator_facts().collect().equals(facts)
    assert wider.discrepancies().equals(result.discrepancies())
    wider.keep_ledger(None)
    with pytest.raises(RuntimeError, match="the ledger would be built"):
        wider.ledger()
    with pytest.raises(ValueError, match="not the result's units"):
        result.with_units(result.units.reverse())

"""The shipped example years give the results pinned here. The 2021 table was checked, unit by unit,
against an independent plain-Python scorer written from docs/catalogue.md when the data were authored; any
change to these figures is a change to published results and must be deliberate."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from scoring import compute, load_year

from .conftest import YearFactory, node

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("year", [2020, 2021])
def test_shipped_year_results_are_pinned(year: int) -> None:
    result = compute(load_year(year, ROOT / "indicators" / str(year), ROOT / "data" / str(year)))
    got = result.units.select("unit", "total", "rank", "grade", "veto", "section_fail")
    expected = pl.read_csv(ROOT / "tests" / "golden" / f"results_{year}.csv", schema=got.schema)
    assert got.equals(expected)


def test_kinds_sharing_parameter_names_keep_their_own(make_year: YearFactory) -> None:
    # quota_per_period (keyed) and over_quota_bonus / per_occurrence (single-row) all have `quota` or `per`
    catalogue = [
        node("A", points=100),
        node(
            "A1",
            "A",
            points=4,
            rule="quota_per_period",
            params="quota=2; per=0.5; empty=1; periods=2021Q1..2021Q2",
        ),
        node("A2", "A", points=2, rule="over_quota_bonus", params="quota=10; steps=10%:1,20%:2"),
        node("A3", "A", points=4, rule="per_occurrence", params="per=1"),
        node("A4", "A", points=90, rule="judgement"),
    ]
    inputs = [
        ("U1", "A1", "2021Q1", 1),
        ("U1", "A1", "2021Q2", 0),
        ("U1", "A2", "", 12),
        ("U1", "A3", "", 1),
        ("U1", "A4", "", 80),
    ]
    result = make_year(catalogue, [("U1", "甲", "town")], inputs).compute()
    pts = {r["indicator"]: r["points"] / 10**12 for r in result.indicator_points().collect().to_dicts()}
    assert pts == {"A1": 4 - 0.5 - 1, "A2": 2, "A3": 3, "A4": 80}

"""The ledger and the per-indicator points: every point lost or credited, and why; they add up to the
totals."""

from __future__ import annotations

import polars as pl

from scoring.testing import example_year

PICO = 10**12


def test_points_lost_add_up_to_what_the_unit_misses() -> None:
    result = example_year().result()
    points = result.indicator_points().collect()
    d01 = points.filter(pl.col("unit") == "D01")
    # D01: A1 three errors at 2 points (−6), B2 half of 20 (−10)
    assert dict(zip(d01["indicator"], d01["lost"], strict=True)) == {
        "A1": 6 * PICO,
        "A2": 0,
        "B1": 0,
        "B2": 10 * PICO,
        "J1": 0,
    }
    assert d01.filter(pl.col("indicator") == "J1")["status"].item() == "未评分"


def test_the_ledger_lists_losses_and_credits_only() -> None:
    ledger = example_year().result().ledger().collect()
    rows = {(r["unit"], r["indicator"]): r for r in ledger.to_dicts()}
    assert rows[("T01", "J1")]["kind"] == "加分" and rows[("T01", "J1")]["points"] == 2 * PICO
    assert rows[("T02", "B1")]["lost"] == 20 * PICO
    assert ("D02", "A1") not in rows  # nothing lost, nothing listed
    assert not ledger.filter(pl.col("indicator") == "B2", pl.col("class") == "town").height  # not applicable

"""Real rubrics as they are written (tests/years/*/README.md has each one's hand computation): each loads from
files as an office would write it — no rescaled points, no invented split — and scores as computed by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from scoring import compute, load_year
from scoring.engine.compute import Result

YEARS = Path(__file__).parents[1] / "years"
PICO = 10**12


def _result(name: str) -> Result:
    root = YEARS / name
    return compute(load_year(2024, root / "indicators", root / "data"))


def _table(result: Result) -> list[tuple[str, float, int | None, str]]:
    return [(r["name"], r["total"], r["rank"], r["grade"]) for r in result.units.to_dicts()]


def test_a_rate_sheet_whose_blocks_add_up_to_200_scores_out_of_100() -> None:
    result = _result("rate-sheet")
    assert _table(result) == [
        ("财政局", 93.53, 1, "优秀"),
        ("教育局", 85.71, 2, "良好"),
        ("发改委", 70.59, 3, "合格"),
    ]
    notes = [i.expected for i in result.assessment.notes]
    assert "适用于“市直部门”的一级指标分值之和为 200，按得分率折算为 100 分制" in notes
    # the ledger accounts for the conversion: 100 − 6 (lost on the 200-point sheet) … = 93.529…
    d01 = result.ledger().filter(pl.col("unit") == "D01").collect()
    lost = d01.filter(pl.col("kind") == "失分")["change"].sum()
    assert lost == -11 * PICO  # 联系方式 −5, three documents −6
    conversion = d01.filter(pl.col("kind") == "折算")["change"].item()
    assert 100 * PICO + lost + conversion == round(159 / 170 * 100 * PICO)


def test_a_pooled_rubric_with_rules_without_points() -> None:
    result = _result("pooled-section")
    assert _table(result) == [
        ("丙镇", 10.0, 1, "优秀"),
        ("乙镇", 7.5, 2, "合格"),
        ("甲镇", 4.0, 3, "不合格"),
        ("丁镇", 2.0, 4, "不合格"),
    ]
    t01 = result.ledger().filter(pl.col("unit") == "T01").collect()
    lines = sorted(zip(t01["indicator"], t01["kind"], t01["change"], strict=True))
    assert lines == [("A1", "失分", -1 * PICO), ("B", "扣完为止", 3 * PICO), ("B1", "失分", -8 * PICO)]


@pytest.mark.parametrize("name", ["rate-sheet", "pooled-section"])
def test_every_ledger_adds_up(name: str) -> None:
    result = _result(name)
    net = dict(result.ledger().group_by("unit").agg(pl.col("change").sum()).collect().iter_rows())
    for r in result.units.to_dicts():
        num, den = int(r["total_num"]), int(r["total_den"])
        assert round(r["max"] * PICO) + net.get(r["unit"], 0) == (2 * num + den) // (2 * den)  # half up

"""Self-score and review (自评 / 复核): results use the review; differences are listed."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring.cli.main import app
from tests.conftest import YearFactory, node, totals, write_csv

CATALOGUE = [
    node("A", points=100),
    node("A1", "A", points=60, rule="judgement"),
    node("A2", "A", points=40, rule="per_occurrence", params="per=2"),
]


def test_review_decides_and_differences_are_listed(make_year: YearFactory) -> None:
    y = make_year(
        CATALOGUE,
        [("U1", "甲镇", "town"), ("U2", "乙镇", "town")],
        [("U1", "A1", "", 50, "佐证材料不全"), ("U1", "A2", "", 1), ("U2", "A1", "", 60)],
    )
    write_csv(
        y.data / "自评.csv",
        ["unit", "indicator", "value"],
        [("U1", "A1", 58), ("U1", "A2", 1), ("U2", "A1", 60), ("U2", "A2", 0)],
    )
    result = y.compute()
    # U1: review 50 + 38; U2: review 60, A2 only self-scored (0 occurrences) → 40
    assert totals(result) == {"U1": 88, "U2": 100}
    diff = result.discrepancies()
    assert diff.select("unit", "indicator", "self", "reviewed", "difference", "note").rows() == [
        ("U1", "A1", 58.0, 50.0, -8.0, "佐证材料不全"),
    ]


def test_only_self_scores_are_the_results(make_year: YearFactory) -> None:
    y = make_year(CATALOGUE, [("U1", "甲镇", "town")], [])
    (y.data / "assessments.csv").unlink()
    write_csv(y.data / "自评_乡镇.csv", ["unit", "indicator", "value"], [("U1", "A1", 55), ("U1", "A2", 0)])
    result = y.compute()
    assert totals(result) == {"U1": 95}
    assert result.discrepancies().is_empty()


def test_same_leaf_in_self_and_review_is_not_a_duplicate(make_year: YearFactory) -> None:
    y = make_year(CATALOGUE, [("U1", "甲镇", "town")], [("U1", "A1", "", 50)])
    write_csv(y.data / "自评.csv", ["unit", "indicator", "value"], [("U1", "A1", 50)])
    a = y.load()
    assert a.self_observations is not None
    assert a.observations.filter(pl.col("indicator") == "A1").height == 1


def test_workbook_and_summary_show_the_differences(
    make_year: YearFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = make_year(
        CATALOGUE, [("U1", "甲镇", "town")], [("U1", "A1", "", 50, "佐证材料不全"), ("U1", "A2", "", 1)]
    )
    write_csv(y.data / "自评.csv", ["unit", "indicator", "value"], [("U1", "A1", 58), ("U1", "A2", 1)])
    monkeypatch.chdir(y.root)
    result = CliRunner().invoke(
        app,
        [
            "compute",
            "--year",
            "2021",
            "--indicators",
            str(y.ind),
            "--data",
            str(y.data),
            "--out",
            "r.xlsx",
            "--no-archive",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "自评与复核：1 处得分不同，1 个单位" in result.output
    with pytest.warns(UserWarning, match="extension"):  # openpyxl does not read Excel 2010 data bars
        sheet = openpyxl.load_workbook(y.root / "r.xlsx")["自评复核差异"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows == [["甲镇", "A1", "指标A1", 58, 50, -8, "佐证材料不全"]]


def test_differences_are_kept_when_the_inputs_are_released(make_year: YearFactory) -> None:
    rows = [("U1", "A1", "", 50, "佐证材料不全"), ("U1", "A2", "", 1)]
    y = make_year(CATALOGUE, [("U1", "甲镇", "town")], rows)
    write_csv(y.data / "自评.csv", ["unit", "indicator", "value"], [("U1", "A1", 58), ("U1", "A2", 1)])
    result = y.compute()
    expected = y.compute().discrepancies()
    result.keep_ledger(result.ledger().collect().lazy())
    result.keep_indicator_points(result.indicator_facts().collect().lazy())
    result.release_inputs()  # computes the differences before the observations go
    assert result.assessment.self_observations is not None and result.assessment.self_observations.is_empty()
    assert result.discrepancies().equals(expected) and expected.height == 1

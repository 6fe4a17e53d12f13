"""Year over year: two years of one county, with a department renamed in an institutional reform (matched
through aliases.csv), a new department (新增) and one abolished (listed, not guessed); the 同比 columns of
`score compute` and the `score compare` workbook."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring import ValidationFailed, compute, load_year
from scoring.cli.main import app
from scoring.engine.year_over_year import year_over_year, yoy_columns
from scoring.reading.aliases import check_aliases, read_aliases
from scoring.spec.year import Alias
from tests.conftest import BASE_SETTINGS, Year, YearFactory, node, write_csv

runner = CliRunner()

CATALOGUE = [
    node("A", points=100),
    node("A1", "A", points=60, rule="judgement"),
    node("A2", "A", points=40, rule="judgement"),
]
UNITS_2020 = [
    ["T1", "甲镇", "town"],
    ["T2", "乙镇", "town"],
    ["T3", "丙镇", "town"],
    ["D1", "丁局", "dept"],
    ["D2", "旧名局", "dept"],
    ["D3", "撤销局", "dept"],
]
UNITS_2021 = [
    ["T1", "甲镇", "town"],
    ["T2", "乙镇", "town"],
    ["T3", "丙镇", "town"],
    ["D1", "丁局", "dept"],
    ["D9", "新名局", "dept"],
    ["D5", "新设局", "dept"],
]
TOTALS_2020 = {"T1": 90, "T2": 80, "T3": 70, "D1": 85, "D2": 95, "D3": 60}
TOTALS_2021 = {"T1": 80, "T2": 90, "T3": 70, "D1": 85, "D9": 90, "D5": 95}


def scores(totals: dict[str, int]) -> list[list[object]]:
    """Two judgement leaves (60 + 40 points) adding up to each unit's total."""
    rows: list[list[object]] = []
    for unit, total in totals.items():
        rows += [[unit, "A1", "", min(total, 60)], [unit, "A2", "", total - min(total, 60)]]
    return rows


def county(
    make_year: YearFactory, year: int, units: Sequence[Sequence[object]], totals: dict[str, int]
) -> Year:
    base = BASE_SETTINGS.replace("2021", str(year))
    return make_year(CATALOGUE, units, scores(totals), base=base)


def cli_args(y: Year, year: int) -> list[str]:
    # workbooks in the current folder; the archive where history, compare and export look by default
    archive = ["--archive", "results/archive.duckdb"]
    return ["--year", str(year), "--indicators", str(y.ind), "--data", str(y.data), *archive]


def write_aliases(y: Year, rows: Sequence[Sequence[object]]) -> Path:
    path = y.data / "aliases.csv"
    write_csv(path, ["old_code", "new_code", "note"], rows)
    return path


def sheet_rows(path: Path, sheet: str, header_row: int) -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the data-bar extension with a warning
        book = openpyxl.load_workbook(path, read_only=True)
        rows = list(book[sheet].iter_rows(values_only=True))
        book.close()
    header = rows[header_row]
    return [
        dict(zip(header, r, strict=True)) for r in rows[header_row + 1 :] if any(v is not None for v in r)
    ]


@pytest.fixture
def two_years(make_year: YearFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Year, Year]:
    monkeypatch.chdir(tmp_path)
    y2020 = county(make_year, 2020, UNITS_2020, TOTALS_2020)
    y2021 = county(make_year, 2021, UNITS_2021, TOTALS_2021)
    write_aliases(y2021, [["D2", "D9", "机构改革更名"]])
    return y2020, y2021


# --------------------------------------------------------------------------------------------- library


def frame(rows: list[tuple[str, str, str, float, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "name": pl.String,
            "class": pl.String,
            "total": pl.Float64,
            "rank": pl.Int64,
        },
        orient="row",
    )


def test_matching_by_code_and_alias_with_new_and_gone_units(two_years: tuple[Year, Year]) -> None:
    y2020, y2021 = two_years
    prev = compute(load_year(2020, y2020.ind, y2020.data)).units
    cur = compute(load_year(2021, y2021.ind, y2021.data, [y2021.data / "assessments.csv"])).units
    aliases = read_aliases(y2021.data / "aliases.csv", "aliases.csv")
    assert aliases == [Alias("D2", "D9", "机构改革更名", 2)]
    cmp = year_over_year(cur, prev, aliases)
    by = {r["unit"]: r for r in cmp.rows.to_dicts()}
    assert (by["T2"]["prev_rank"], by["T2"]["rank"], by["T2"]["arrow"]) == (2, 1, "↑1")
    assert (by["T1"]["prev_rank"], by["T1"]["rank"], by["T1"]["arrow"]) == (1, 2, "↓1")
    assert by["T3"]["arrow"] == "→" and by["T3"]["total_change"] == 0
    assert by["T2"]["total_change"] == 10 and by["T2"]["rank_change"] == 1
    # the renamed department, through the alias table
    assert (by["D9"]["prev_unit"], by["D9"]["prev_total"], by["D9"]["prev_rank"]) == ("D2", 95, 1)
    assert (
        by["D9"]["arrow"] == "↓1"
        and "上年名称：旧名局" in by["D9"]["note"]
        and "机构改革更名" in by["D9"]["note"]
    )
    # a new department is 新增 with no figures; the abolished one is listed, never matched to it
    assert by["D5"]["arrow"] == "新增" and by["D5"]["prev_total"] is None and by["D5"]["prev_rank"] is None
    assert cmp.gone["unit"].to_list() == ["D3"]
    assert cmp.counts("dept") == {"上升": 0, "下降": 2, "持平": 0, "新增": 1, "合并": 0}
    assert yoy_columns(cmp).columns == ["unit", "yoy_total", "yoy_rank", "yoy_change"]


def test_without_aliases_a_renamed_unit_is_not_guessed() -> None:
    prev = frame([("D2", "旧名局", "dept", 95.0, 1), ("D1", "丁局", "dept", 85.0, 2)])
    cur = frame([("D9", "新名局", "dept", 90.0, 1), ("D1", "丁局", "dept", 85.0, 2)])
    cmp = year_over_year(cur, prev)
    assert dict(zip(cmp.rows["unit"], cmp.rows["arrow"], strict=True)) == {"D9": "新增", "D1": "→"}
    assert cmp.gone["unit"].to_list() == ["D2"]


def test_merged_units_are_shown_with_their_predecessors() -> None:
    prev = frame(
        [("D2", "甲局", "dept", 95.0, 1), ("D3", "乙局", "dept", 80.0, 3), ("D1", "丙局", "dept", 85.0, 2)]
    )
    cur = frame([("D9", "甲乙局", "dept", 90.0, 1), ("D1", "丙局", "dept", 85.0, 2)])
    aliases = [Alias("D2", "D9", "合并组建", 2), Alias("D3", "D9", "合并组建", 3)]
    cmp = year_over_year(cur, prev, aliases)
    d9 = cmp.rows.row(0, named=True)
    assert d9["arrow"] == "合并" and d9["prev_rank"] is None and d9["prev_unit"] == "D2、D3"
    assert "甲局（D2，上年第1名，95.00分）" in d9["note"] and "乙局（D3，上年第3名，80.00分）" in d9["note"]
    assert cmp.gone.is_empty()


def test_a_code_given_to_another_unit_is_not_matched_to_its_old_holder() -> None:
    # D2 was renamed D9, and the code D2 now belongs to a new department
    prev = frame([("D2", "旧名局", "dept", 95.0, 1)])
    cur = frame([("D9", "新名局", "dept", 90.0, 1), ("D2", "另一局", "dept", 80.0, 2)])
    cmp = year_over_year(cur, prev, [Alias("D2", "D9", "", 2)])
    assert dict(zip(cmp.rows["unit"], cmp.rows["arrow"], strict=True)) == {"D9": "→", "D2": "新增"}


def test_a_unit_that_changed_class_has_no_rank_arrow() -> None:
    prev = frame([("X1", "某中心", "dept", 90.0, 1)])
    cur = frame([("X1", "某中心", "town", 92.0, 3)])
    row = year_over_year(cur, prev, class_names={"dept": "部门"}).rows.row(0, named=True)
    assert row["arrow"] == "—" and row["prev_rank"] == 1 and "上年类别：部门" in row["note"]


def test_alias_table_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    write_csv(path, ["old_code", "new_code", "note"], [["D2", "", ""], ["D2", "D9", ""], ["D2", "D9", "x"]])
    with pytest.raises(ValidationFailed) as e:
        read_aliases(path, "aliases.csv")
    assert [(i.row, i.column, i.code) for i in e.value.errors] == [
        (2, "new_code", "aliases|required"),
        (4, "new_code", "aliases|duplicate"),
    ]
    write_csv(path, ["old", "new_code"], [["D2", "D9"]])
    with pytest.raises(ValidationFailed) as e:
        read_aliases(path, "aliases.csv")
    assert {i.code for i in e.value.errors} == {"old_code|column_present", "old|column_known"}
    issues = check_aliases([Alias("D7", "D8", "", 2)], ["D1"], ["D1"], "aliases.csv", "2020年度的运行 1")
    assert [(i.row, i.column, i.code) for i in issues] == [
        (2, "old_code", "aliases|old_known"),
        (2, "new_code", "aliases|new_known"),
    ]


# --------------------------------------------------------------------------------------------- commands


def test_compute_adds_the_yoy_columns_and_compare_writes_a_workbook(two_years: tuple[Year, Year]) -> None:
    y2020, y2021 = two_years
    first = runner.invoke(app, ["compute", *cli_args(y2020, 2020), "--out", "r2020.xlsx"])
    assert first.exit_code == 0, first.output
    assert "同比" not in first.output  # nothing archived for 2019
    second = runner.invoke(app, ["compute", *cli_args(y2021, 2021), "--out", "r2021.xlsx"])
    assert second.exit_code == 0, second.output
    assert "同比：与运行 1（2020年度" in second.output and "5 个单位有上年结果" in second.output

    towns = sheet_rows(Path("r2021.xlsx"), "乡镇", 2)
    assert [(r["单位"], r["上年总分"], r["上年排名"], r["名次变化"]) for r in towns] == [
        ("乙镇", 80, 2, "↑1"),
        ("甲镇", 90, 1, "↓1"),
        ("丙镇", 70, 3, "→"),
    ]
    depts = sheet_rows(Path("r2021.xlsx"), "部门", 2)
    assert [(r["单位"], r["上年总分"], r["上年排名"], r["名次变化"]) for r in depts] == [
        ("新设局", None, None, "新增"),
        ("新名局", 95, 1, "↓1"),
        ("丁局", 85, 2, "↓1"),
    ]

    compared = runner.invoke(app, ["compare", "--year", "2021", "--with", "2020", "--out", "cmp.xlsx"])
    assert compared.exit_code == 0, compared.output
    out = compared.output
    assert "部门：3 个单位；下降 2，新增 1" in out
    assert "本年新增（上年无此代码，别名表中也未登记）：新设局（D5）" in out
    assert "2020年有、2021年无（撤并或未参评，别名表中未登记）：撤销局（D3）" in out
    assert "单位别名：" in out and "aliases.csv（1 条）" in out
    rows = sheet_rows(Path("cmp.xlsx"), "部门", 2)
    assert [(r["单位"], r["2020年排名"], r["总分变化"], r["名次变化"]) for r in rows] == [
        ("新设局", None, None, "新增"),
        ("新名局", 1, -5, "↓1"),
        ("丁局", 2, 0, "↓1"),
    ]
    assert "上年代码 D2" in rows[1]["说明"] and "机构改革更名" in rows[1]["说明"]
    unmatched = sheet_rows(Path("cmp.xlsx"), "未匹配单位", 1)
    assert [(r["情形"], r["单位"]) for r in unmatched] == [
        ("本年新增", "新设局"),
        ("2020年有、2021年无", "撤销局"),
    ]

    # the 2021 workbook with its 同比 columns is reproduced from the archive alone
    exported = runner.invoke(app, ["export", "2", "--out", "again.xlsx"])
    assert exported.exit_code == 0, exported.output
    assert sheet_rows(Path("again.xlsx"), "部门", 2) == depts


def test_compare_prefers_the_final_run(two_years: tuple[Year, Year]) -> None:
    y2020, y2021 = two_years
    for args in (cli_args(y2020, 2020), cli_args(y2020, 2020), cli_args(y2021, 2021)):
        assert runner.invoke(app, ["compute", *args, "--out", "r.xlsx", "--force"]).exit_code == 0
    assert runner.invoke(app, ["finalize", "1"]).exit_code == 0
    result = runner.invoke(app, ["compare", "--year", "2021", "--out", "c.xlsx"])
    assert result.exit_code == 0, result.output
    assert "上年：运行 1（2020年度，定稿" in result.output and "本年：运行 3（2021年度，草稿" in result.output
    chosen = runner.invoke(app, ["compare", "--run", "3", "--with-run", "2", "--out", "c.xlsx", "--force"])
    assert chosen.exit_code == 0 and "上年：运行 2（2020年度，草稿" in chosen.output


def test_compare_errors_are_messages(two_years: tuple[Year, Year]) -> None:
    y2020, y2021 = two_years
    missing = runner.invoke(app, ["compare", "--year", "2021"])
    assert missing.exit_code == 1 and "不存在" in missing.output
    assert runner.invoke(app, ["compute", *cli_args(y2021, 2021), "--out", "r.xlsx"]).exit_code == 0
    no_previous = runner.invoke(app, ["compare", "--year", "2021"])
    assert no_previous.exit_code == 1 and "没有 2020 年度的运行记录" in no_previous.output
    assert runner.invoke(app, ["compute", *cli_args(y2020, 2020), "--out", "p.xlsx"]).exit_code == 0
    write_aliases(y2021, [["D7", "D9", ""]])
    bad = runner.invoke(app, ["compare", "--year", "2021", "--aliases", str(y2021.data / "aliases.csv")])
    assert (
        bad.exit_code == 1
        and "aliases|old_known" in bad.output
        and "2020年度的运行 2中没有此单位代码" in bad.output
    )
    assert "Traceback" not in bad.output
    # compute refuses a broken alias table too (only when there is a previous year to compare with)
    again = runner.invoke(app, ["compute", *cli_args(y2021, 2021), "--out", "r2.xlsx"])
    assert again.exit_code == 1 and "aliases|old_known" in again.output
    assert not Path("r2.xlsx").exists()

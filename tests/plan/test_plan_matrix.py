"""The responsibility matrix: as a DataFrame, in long form, and as a workbook read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from scoring.plan.extract import parse_plan, read_plan
from scoring.plan.matrix import (
    LEAD,
    RESPONSIBLE,
    responsibilities_frame,
    responsibility_matrix,
    write_matrix,
)
from scoring.plan.output import OutputError

FIXTURES = Path(__file__).parent / "fixtures"
LUNTAI = FIXTURES / "004_e762bc6c38b9abe6.txt"


def test_matrix_frame_for_luntai() -> None:
    plan = read_plan(LUNTAI)
    m = responsibility_matrix(plan)
    assert m.columns[:4] == ["unit", "class", "lead", "responsible"]
    assert m.columns[4:] == [str(n) for n in range(1, 35)]
    assert m.height == m["unit"].n_unique()
    row = m.filter(pl.col("unit") == "县发改委").row(0, named=True)
    assert (row["1"], row["2"], row["14"], row["3"]) == (LEAD, RESPONSIBLE, LEAD, None)
    assert (row["class"], row["lead"], row["responsible"]) == ("dept", 2, 2)
    # abbreviations take the county prefix of the first unit in their list
    assert m.filter(pl.col("unit") == "县自然资源局").row(0, named=True)["1"] == RESPONSIBLE
    assert "自然资源局" not in m["unit"].to_list()
    towns = m.filter(pl.col("class") == "town")["unit"].to_list()
    assert towns == ["各乡镇人民政府"]
    # which items apply to a unit: the non-null cells on its row
    town_row = m.filter(pl.col("unit") == "各乡镇人民政府").row(0, named=True)
    assert [c for c in m.columns[4:] if town_row[c] is not None] == ["18", "22", "26", "27", "28", "32"]
    assert m.select(pl.col("33")).null_count().item() == m.height  # item 33 names no units


def test_keep_names_and_long_form() -> None:
    plan = read_plan(LUNTAI)
    kept = responsibility_matrix(plan, expand=False)
    assert "自然资源局" in kept["unit"].to_list()
    long = responsibilities_frame(plan)
    assert long.columns == ["unit", "class", "item", "role"]
    assert long.filter(pl.col("item") == "1").rows() == [
        ("县发改委", "dept", "1", LEAD),
        ("县自然资源局", "dept", "1", RESPONSIBLE),
        ("县住建局", "dept", "1", RESPONSIBLE),
    ]
    assert long.height == sum(len(it.units) for it in plan.items)


def test_matrix_splits_including_and_keeps_lead_over_responsible() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。〔牵头单位:市政府办,责任单位:市司法局等市属各相关部门、市政府办〕\n")
    m = responsibility_matrix(plan)
    assert m.select("unit", "1").rows() == [
        ("市政府办", LEAD), ("市司法局", RESPONSIBLE), ("市属各相关部门", RESPONSIBLE)]


def test_matrix_workbook_read_back(tmp_path: Path) -> None:
    plan = read_plan(FIXTURES / "000_18955a963105cee7.txt")
    out = tmp_path / "matrix.xlsx"
    write_matrix(plan, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["责任矩阵", "事项"]
    ws = wb["责任矩阵"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["单位", "类别", "牵头事项数", "责任事项数"]
    assert header[4:] == [str(n) for n in range(1, 32)]
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["A"].width > 10
    cells = {row[0].value: [c.value for c in row] for row in ws.iter_rows(min_row=2)}
    assert cells["区政府办"][4] == "牵头" and cells["区政府办"][5] == "责任"
    assert cells["各乡（镇）人民政府"][1] == "乡镇"
    assert cells["区财政局"][2] == 2  # item 12 (财政局 after 区发改委) and item 17
    assert ws.cell(1, 5).comment is not None
    items = wb["事项"]
    assert [c.value for c in items[1]] == ["事项", "部分", "小标题", "内容", "牵头单位", "责任单位", "时限"]
    assert items.cell(2, 5).value == "区政府办" and items.cell(2, 6).value == "区委编办、区直各行政机关"
    assert items.max_row == 32
    # fastexcel reads the same sheet
    df = pl.read_excel(out, sheet_name="责任矩阵", engine="calamine", infer_schema_length=0)
    assert df.columns[0] == "单位" and df.height == len(cells)


def test_matrix_as_csv_and_parquet(tmp_path: Path) -> None:
    plan = read_plan(LUNTAI)
    write_matrix(plan, tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("单位,类别,牵头事项数,责任事项数,1,2,")
    assert "县发改委,部门,2,2,牵头,责任," in text
    write_matrix(plan, tmp_path / "m.parquet")
    assert pl.read_parquet(tmp_path / "m.parquet").equals(responsibility_matrix(plan))
    with pytest.raises(OutputError, match="不支持"):
        write_matrix(plan, tmp_path / "m.txt")

"""The worked examples of docs/catalogue.md shipped as small years under ``tests/years/`` (a rubric without
grades, bands as shares of a 10-point and a 20-point class, an event bonus with quotas per class and per
unit), each loaded through the normal year loader and checked against its result computed by hand."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring import Result, compute, load_year
from scoring.cli.main import app
from scoring.output.kit import text_width
from scoring.output.workbook import write_workbook

YEARS = Path(__file__).resolve().parents[1] / "years"
runner = CliRunner()


def year(name: str) -> Result:
    return compute(load_year(2021, YEARS / name / "indicators", YEARS / name / "data"))


def published(result: Result) -> list[tuple[str, float, int | None, str | None]]:
    return [(r["unit"], r["total"], r["rank"], r["grade"]) for r in result.units.to_dicts()]


def points(result: Result, leaf: str) -> dict[str, float]:
    frame = result.indicator_points().filter(pl.col("indicator") == leaf).collect()
    return {r["unit"]: r["points"] / 10**12 for r in frame.to_dicts()}


def test_no_grades() -> None:
    # a 10-point rubric: A1 3 − 0.5 per error, A2 3 if the report is on time, B1 the assessor's 0–4
    # D01: (3 − 0.5) + 3 + 3.5 = 9.00; D02: 3 + 0 + 4 = 7.00; D03: (3 − 1) + 3 + 4 = 9.00
    # ranked only: D01 and D03 tie for 1st (listed by code), D02 3rd; no grade
    result = year("no-grades")
    assert published(result) == [("D01", 9.0, 1, None), ("D03", 9.0, 1, None), ("D02", 7.0, 3, None)]
    assert result.units["band"].null_count() == result.units.height
    assert result.settings.grade_names == []
    assert not any("等次" in line for line in result.settings.method_statement())


def _cells(ws: Any) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def _open(path: Path) -> Any:
    # openpyxl drops the Excel 2010 data-bar extension with a warning; the workbook itself is fine
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*extension is not supported", UserWarning)
        return openpyxl.load_workbook(path)


def test_no_grades_workbook_and_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No 等次 column on the ranking sheet, no grade counts on the cover, nothing about grades in the
    method, the summaries of `score compute` and `score show` or `score explain`; the Parquet keeps its
    (empty) grade."""
    shutil.copytree(YEARS / "no-grades" / "indicators", tmp_path / "indicators" / "2021")
    shutil.copytree(YEARS / "no-grades" / "data", tmp_path / "data" / "2021")
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["compute", "--year", "2021"], env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    assert "等次" not in done.output and "不合格" not in done.output
    shown = runner.invoke(app, ["show", "1"], env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    assert "前三：1.财政局" in shown.output and "等次" not in shown.output
    explained = runner.invoke(app, ["explain", "--year", "2021", "--unit", "D02"], env={"COLUMNS": "80"})
    assert explained.exit_code == 0, explained.output
    assert "总分 7.00，第3名" in explained.output and "等次" not in explained.output
    [book] = (tmp_path / "results" / "2021").glob("*.xlsx")
    wb = _open(book)
    try:
        ws = wb["县直部门"]
        header = [c.value for c in ws[3] if c.value is not None]
        assert header == ["排名", "单位", "基础信息公开（6）", "政策解读（4）", "总分（10）"]
        assert not any("等次" in v for v in _cells(ws))
        # the narrower table still holds its title (16 pt over 11 pt columns)
        table_width = sum(ws.column_dimensions[c].width for c in "ABCDE")
        assert table_width >= text_width(ws["A1"].value) * 16 / 11
        cover = _cells(wb["封面"])
        assert not any("等次" in v or "不合格" in v or "优秀" in v for v in cover)
    finally:
        wb.close()
    results = pl.read_parquet(book.with_suffix(".parquet"))
    assert results.schema["grade"] == pl.String and results["grade"].null_count() == results.height


def test_share_bands() -> None:
    # 乡镇 (max 10): 优秀 ≥ 0.9 × 10 = 9, 良好 ≥ 8, 合格 ≥ 6; 县直部门 (max 20): 18, 16, 12.
    # Graded on the printed total (2 places, 四舍五入):
    # T01 6 + 4 = 10.00 优秀; T02 5 + 4 = 9.00, exactly on the line: 优秀;
    # T03 4.995 + 4 = 8.995 prints 9.00: 优秀 (tied with T02 on the printed total);
    # T04 4.994 + 4 = 8.994 prints 8.99: 良好; T05 4 + 3.5 = 7.50 合格; T06 2.5 + 3.5 = 6.00 合格 (on
    # the line); T07 2.49 + 3.5 = 5.99 不合格; D01 6 + 4 + 8 = 18.00 优秀 (on the line);
    # D02 5 + 3 + 8 = 16.00 良好
    result = year("share-bands")
    assert published(result) == [
        ("T01", 10.0, 1, "优秀"),
        ("T02", 9.0, 2, "优秀"),
        ("T03", 9.0, 2, "优秀"),
        ("T04", 8.99, 4, "良好"),
        ("T05", 7.5, 5, "合格"),
        ("T06", 6.0, 6, "合格"),
        ("T07", 5.99, 7, "不合格"),
        ("D01", 18.0, 1, "优秀"),
        ("D02", 16.0, 2, "良好"),
    ]
    method = result.settings.method_statement()
    assert (
        "等次按公布的总分评定：优秀满分的90%及以上，良好满分的80%及以上，合格满分的60%及以上，其余为不合格。"
        in method
    )
    assert (
        "各类等次分数线：乡镇（满分10分）优秀9分、良好8分、合格6分；县直部门（满分20分）优秀18分、良好16分、合格12分。"
        in method
    )


def test_quota_per_class_and_per_unit() -> None:
    # J1: quota 20 for 乡镇 and 10 for 县直部门, a unit's 定额 row overriding; +1 at 10% over, +3 at 50%
    # T01 22 vs 20: 10% → 1; T02 29 vs its own 18: 61% → 3 (the class quota would give 45% → 1);
    # T03 20 vs 20: 0; D01 15 vs 10: 50%, on the step → 3; D02 10 vs its own 8: 25% → 1; D03 14 vs 10: 40% → 1
    result = year("quota-per-unit")
    assert points(result, "J1") == {"T01": 1, "T02": 3, "T03": 0, "D01": 3, "D02": 1, "D03": 1}
    # totals: A1 + J1
    assert published(result) == [
        ("T03", 92.0, 1, "优秀"),
        ("T01", 89.0, 2, "良好"),
        ("T02", 88.0, 3, "良好"),
        ("D01", 93.0, 1, "优秀"),
        ("D03", 88.0, 2, "良好"),
        ("D02", 87.0, 3, "良好"),
    ]


def test_quota_sentence_names_the_classes(tmp_path: Path) -> None:
    result = year("quota-per-unit")
    out = tmp_path / "通报.xlsx"
    write_workbook(result, out)
    wb = _open(out)
    try:
        cells = _cells(wb["指标体系"])
    finally:
        wb.close()
    assert (
        "超额加分：超过本类规定数量（乡镇20、县直部门10）的，按超出比例加分：超出10%加1分、超出50%加3分"
        in cells
    )

"""``score plan extract`` on the formats offices hold: a decomposition table in Excel with a roster, a
Word file, text that lost its line breaks; the per-file report; a roster or file it cannot read. One run
as a real subprocess."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import xlsxwriter
from typer.testing import CliRunner

from scoring.cli.plan import app
from scoring.plan.text import split_lines

FIXTURES = Path(__file__).parent / "fixtures"
LUNTAI = FIXTURES / "004_e762bc6c38b9abe6.txt"
ROSTER = Path(__file__).parents[2] / "data" / "2021" / "units.csv"

runner = CliRunner()


def _table(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("分解表")
    ws.merge_range(0, 0, 0, 4, "轮台县2021年政务公开工作任务分解表")
    ws.write_row(1, 0, ["序号", "工作任务", "牵头单位", "责任单位", "完成时限"])
    ws.merge_range(2, 0, 2, 4, "一、做好各类规划主动公开")
    ws.write_row(3, 0, [1, "主动公开国民经济和社会发展规划纲要", "县发改委", "自然资源局、住建局", "6个月内"])
    ws.write_row(4, 0, [2, "公开惠民惠农财政补贴资金", "县财政局", "农业农村局、县委网信办", "每季度"])
    ws.write_row(5, 0, [4, "政务公开平台建设", "", "各乡镇人民政府", ""])
    ws.write(7, 0, "填表说明：时限以文件为准。")
    wb.close()


def test_extract_a_decomposition_table_with_a_roster(tmp_path: Path) -> None:
    src = tmp_path / "分解表.xlsx"
    _table(src)
    out = tmp_path / "items.csv"
    result = runner.invoke(app, ["extract", str(src), "--units", str(ROSTER), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "分解表.xlsx（任务分解表）：找到 3 个事项，写明责任单位的 3 个，写明时限的 2 个" in result.stdout
    assert "第8行：填表说明：时限以文件为准。" in result.stdout
    assert "名册：5 个单位名称已对应代码，未能对应 2 个" in result.stdout
    assert "未能对应：县委网信办、各乡镇人民政府" in result.stdout
    assert "事项编号不连续：2 之后是 4（缺 3）" in result.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["item"] for r in rows] == ["1", "2", "4"]
    first, second = rows[0], rows[1]
    assert (first["lead_units"], first["responsible_units"]) == ("县发改委", "自然资源局、住建局")
    assert first["responsible_full"] == "县自然资源局、县住建局"
    assert (first["unit_codes"], first["durations"]) == ("D02、D03、D04", "P6M")
    assert (second["recurrences"], second["unit_codes"]) == ("R/P3M", "D06、D07")
    assert "“县委网信办”在units.csv中找不到" in second["notes"]
    assert rows[2]["lead_units"] == "" and rows[2]["year"] == "2021"


def test_extract_a_word_file_to_excel_with_the_report(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("某县2021年政务公开工作要点")
    document.add_paragraph("一、加强政策解读")
    document.add_paragraph("1.政策文件印发后3个工作日内发布解读。县政府办、县司法局等按职责分工负责。")
    document.add_paragraph("2.每月更新政策问答库。（县政府办）")
    src = tmp_path / "要点.docx"
    document.save(str(src))
    out = tmp_path / "items.xlsx"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "要点.docx（Word 文档）：找到 2 个事项，写明责任单位的 2 个，写明时限的 2 个" in result.stdout
    wb = openpyxl.load_workbook(out)
    ws = wb["事项"]
    header = [c.value for c in ws[1]]
    assert header[-6:] == ["durations", "recurrences", "lead_full", "responsible_full", "unit_codes", "notes"]
    second = {h: c.value for h, c in zip(header, ws[3], strict=True)}
    assert second["recurrences"] == "R/P1M" and second["lead_units"] == "县政府办"
    notes = [c.value for c in wb["说明"]["A"]]
    assert "要点.docx（Word 文档）：找到 2 个事项，写明责任单位的 2 个，写明时限的 2 个" in notes


def test_extract_text_that_lost_its_line_breaks(tmp_path: Path) -> None:
    src = tmp_path / "网页.txt"
    src.write_text(
        "".join(ln.text for ln in split_lines(LUNTAI.read_text(encoding="utf-8"))), encoding="utf-8"
    )
    out = tmp_path / "items.parquet"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已提取 34 个事项" in result.stdout
    assert "说明：有 1 行原文没有换行（如从网页复制），已按“一、”“（一）”“1.”等编号分段" in result.stdout


def test_unreadable_roster_and_old_formats_are_readable_errors(tmp_path: Path) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text("代码,备注\nD01,\n", encoding="utf-8")
    out = tmp_path / "items.csv"
    roster = runner.invoke(app, ["extract", str(LUNTAI), "--units", str(bad), "-o", str(out)])
    assert roster.exit_code == 1 and "units.csv" in roster.stderr and "name" in roster.stderr
    missing = runner.invoke(
        app, ["extract", str(LUNTAI), "--units", str(tmp_path / "无.csv"), "-o", str(out)]
    )
    assert missing.exit_code == 1 and "文件不存在" in missing.stderr
    old = tmp_path / "分解表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    refused = runner.invoke(app, ["extract", str(old), "-o", str(out)])
    assert refused.exit_code == 1 and "请先另存为 .xlsx" in refused.stderr
    for r in (roster, missing, refused):
        assert "Traceback" not in r.output
    assert not out.exists()


def test_extract_as_a_subprocess(tmp_path: Path) -> None:
    src = tmp_path / "分解表.xlsx"
    _table(src)
    out = tmp_path / "items.csv"
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli.main", "plan", "extract", str(src), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert "找到 3 个事项" in done.stdout and out.exists()

"""``score plan extract|skeleton|matrix`` through typer's CliRunner, outputs read back."""

from __future__ import annotations

import csv
import os
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring.cli.plan import app

FIXTURES = Path(__file__).parent / "fixtures"
GAOCHANG = FIXTURES / "000_18955a963105cee7.txt"
URUMQI = FIXTURES / "001_b41d89e6f1cc8a99.txt"
LUNTAI = FIXTURES / "004_e762bc6c38b9abe6.txt"

runner = CliRunner()


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("extract", "skeleton", "matrix"):
        assert name in result.output
    for name in ("extract", "skeleton", "matrix"):
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and "--out" in sub.output


def test_extract_csv(tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    result = runner.invoke(app, ["extract", str(GAOCHANG), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "文号：高区政办发〔2020〕19号" in result.stdout
    assert "已提取 31 个事项" in result.stdout
    assert "警告（5 条）" in result.stderr and "事项 28：没有写明责任单位" in result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 31
    assert list(rows[0])[:7] == [
        "item", "section", "heading", "text", "lead_units", "responsible_units", "deadlines"]
    first = rows[0]
    assert (first["item"], first["lead_units"], first["responsible_units"]) == (
        "1", "区政府办", "区委编办、区直各行政机关")
    assert (first["issuer"], first["doc_number"], first["year"]) == (
        "吐鲁番市高昌区人民政府办公室", "高区政办发〔2020〕19号", "2020")
    assert rows[4]["responsible_units"] == "各乡（镇）人民政府、场、街道办事处、片区管委会"
    assert rows[2]["deadlines"] == "2020-12-31"
    assert rows[12]["section"] == "四、围绕应对突发事件，加强公共卫生信息公开"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temporary file


def test_extract_xlsx_read_back(tmp_path: Path) -> None:
    out = tmp_path / "items.xlsx"
    result = runner.invoke(app, ["extract", str(URUMQI), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["事项", "说明"]
    ws = wb["事项"]
    assert ws.freeze_panes == "B2"
    assert ws.max_row == 46
    header = [c.value for c in ws[1]]
    assert header[0] == "item"
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert row["lead_units"] == "市政府办公厅、市政务服务管理局"
    assert row["year"] == 2020 and row["doc_number"] is None
    notes = [c.value for c in wb["说明"]["A"]]
    assert "标题：乌鲁木齐市2020年政务公开工作要点" in notes
    df = pl.read_excel(out, sheet_name="事项", engine="calamine")
    assert df.height == 45 and df["item"].cast(pl.String).to_list()[-1] == "45"


def test_extract_parquet_keeps_lists(tmp_path: Path) -> None:
    out = tmp_path / "items.parquet"
    result = runner.invoke(app, ["extract", str(LUNTAI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    df = pl.read_parquet(out)
    assert df.height == 34
    assert df.schema["responsible_units"] == pl.List(pl.String)
    assert df.row(0, named=True)["responsible_units"] == ["自然资源局", "住建局"]
    assert df.filter(pl.col("item") == "24")["deadlines"].to_list() == [["2021-12-31"]]


def test_skeleton_command(tmp_path: Path) -> None:
    out = tmp_path / "indicators" / "2021"
    result = runner.invoke(app, ["skeleton", str(LUNTAI), "--year", "2021", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成 5 个一级指标、34 个末级指标" in result.stdout
    with (out / "indicators.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    roots = [r for r in rows if not r["parent"]]
    assert sum(Decimal(r["points"]) for r in roots) == 100
    for r in rows:
        kids = [k for k in rows if k["parent"] == r["id"]]
        if kids:
            assert sum(Decimal(k["points"]) for k in kids) == Decimal(r["points"])
    again = runner.invoke(app, ["skeleton", str(LUNTAI), "--year", "2021", "--out", str(out)])
    assert again.exit_code == 1 and "--force" in again.stderr
    forced = runner.invoke(app, ["skeleton", str(LUNTAI), "--year", "2021", "--out", str(out), "--force",
                                 "--total", "50"])
    assert forced.exit_code == 0, forced.output
    assert "max = 50" in (out / "settings.toml").read_text(encoding="utf-8")


def test_skeleton_year_mismatch_is_noted(tmp_path: Path) -> None:
    result = runner.invoke(app, ["skeleton", str(GAOCHANG), "--year", "2021", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "工作要点的年度是 2020" in result.stderr


def test_matrix_command(tmp_path: Path) -> None:
    out = tmp_path / "matrix.xlsx"
    result = runner.invoke(app, ["matrix", str(LUNTAI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "个单位 × 34 个事项" in result.stdout
    ws = openpyxl.load_workbook(out)["责任矩阵"]
    assert ws.cell(1, 1).value == "单位"
    assert ws.cell(2, 1).value == "县发改委" and ws.cell(2, 5).value == "牵头"


@pytest.mark.parametrize("command", ["extract", "matrix"])
def test_a_full_disk_while_a_workbook_is_zipped_is_a_readable_error(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xlsxwriter wraps its zip's OSError in an exception of its own: told as the write error it is, with
    # no file left behind (a traceback before)
    def full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, [command, str(LUNTAI), "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "无法写入" in result.output and "磁盘空间不足" in result.output and "No space" not in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", [["extract"], ["matrix"], ["skeleton", "--year", "2021"]])
def test_missing_file_is_a_readable_error(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.txt"
    out = tmp_path / ("out" if command[0] == "skeleton" else "out.csv")
    result = runner.invoke(app, [command[0], str(missing), *command[1:], "--out", str(out)])
    assert result.exit_code == 1
    assert f"错误：找不到工作要点文件：{missing}" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_user_errors(tmp_path: Path) -> None:
    bad_suffix = runner.invoke(app, ["extract", str(LUNTAI), "--out", str(tmp_path / "items.txt")])
    assert bad_suffix.exit_code == 1 and "不支持的输出文件类型" in bad_suffix.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("请各单位认真落实。\n", encoding="utf-8")
    no_items = runner.invoke(app, ["extract", str(empty), "--out", str(tmp_path / "x.csv")])
    assert no_items.exit_code == 1 and "没有找到工作事项" in no_items.stderr
    assert not (tmp_path / "x.csv").exists()
    bad_year = runner.invoke(app, ["skeleton", str(LUNTAI), "--year", "21", "--out", str(tmp_path / "c")])
    assert bad_year.exit_code == 1 and "四位数年份" in bad_year.stderr
    bad_total = runner.invoke(app, ["skeleton", str(LUNTAI), "--year", "2021", "--out", str(tmp_path / "c"),
                                    "--total", "abc"])
    assert bad_total.exit_code == 1 and "总分应为正数" in bad_total.stderr
    folder = runner.invoke(app, ["extract", str(tmp_path), "--out", str(tmp_path / "x.csv")])
    assert folder.exit_code == 1 and "是目录" in folder.stderr
    no_units = tmp_path / "no_units.txt"
    no_units.write_text("一、任务\n1.做好解读。\n", encoding="utf-8")
    matrix = runner.invoke(app, ["matrix", str(no_units), "--out", str(tmp_path / "m.xlsx")])
    assert matrix.exit_code == 1 and "没有写明任何责任单位" in matrix.stderr
    for r in (bad_suffix, no_items, bad_year, bad_total, folder, matrix):
        assert "Traceback" not in r.output


def test_strict_and_quiet(tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    strict = runner.invoke(app, ["extract", str(LUNTAI), "--out", str(out), "--strict"])
    assert strict.exit_code == 1 and "--strict" in strict.stderr and not out.exists()
    quiet = runner.invoke(app, ["extract", str(LUNTAI), "--out", str(out), "-q"])
    assert quiet.exit_code == 0 and "警告 3 条" in quiet.stderr and "事项 33" not in quiet.stderr
    clean = tmp_path / "clean.txt"
    clean.write_text("一、任务\n1.做好解读。（县政府办）\n", encoding="utf-8")
    ok = runner.invoke(app, ["extract", str(clean), "--out", str(out), "--strict"])
    assert ok.exit_code == 0 and out.exists()


def test_gb18030_input_through_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "plan.txt"
    src.write_bytes(LUNTAI.read_text(encoding="utf-8").encode("gb18030"))
    shutil.copy(src, tmp_path / "copy.txt")
    result = runner.invoke(app, ["extract", str(tmp_path / "copy.txt"), "--out", str(tmp_path / "i.csv")])
    assert result.exit_code == 0 and "已提取 34 个事项" in result.stdout

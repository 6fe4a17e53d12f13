"""The ranked workbook (通报) and the Parquet export: written atomically, read back with openpyxl,
fastexcel/polars and pyarrow."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from scoring import Issue, Result, compute, load_year
from scoring.output import ledger_sheet, workbook as export_module
from scoring.output.kit import sanitise_sheet_name
from scoring.output.results import write_ledger_parquet, write_parquet
from scoring.output.workbook import workbook_title, write_workbook
from tests.conftest import CATALOGUE_HEADER, write_csv

SETTINGS = """year = 2021
title = "2021年度测试县政务公开工作考核"
issuer = "测试县人民政府办公室"
[[classes]]
id = "town"
name = "乡镇"
max = 100
[[classes]]
id = "dept"
name = "县直部门"
max = 100
[bonus]
cap = 5
[penalty]
cap = 10
[veto]
action = "stop"
"""

CATALOGUE = [
    ["A", "", "平台", 60, "", "", "", "", "", "", ""],
    ["A1", "A", "网站", 30, "", "judgement", "", "", "", "根据网站建设情况评分", ""],
    ["A2", "A", "目录", 30, "", "per_occurrence", "per=0.5; cap=2", "", "", "每例扣0.5分，最多扣2分", ""],
    ["B", "", "公开", 40, "", "", "", "", "", "", ""],
    ["B1", "B", "比例", 20, "", "ratio", "", "town", "", "按公开比例计分", ""],
    ["B2", "B", "质量", 20, "", "judgement", "", "", "", "根据公开质量评分", ""],
    ["J", "", "加分项", 5, "bonus", "", "", "", "", "", ""],
    [
        "J1",
        "J",
        "表彰",
        5,
        "",
        "events",
        "levels=国家级:3,自治区级:2",
        "",
        "",
        "国家级加3分，自治区级加2分",
        "",
    ],
    ["P", "", "扣分项", 10, "penalty", "", "", "", "", "", ""],
    ["P1", "P", "通报", 10, "", "per_occurrence", "per=2", "", "", "被通报批评每次扣2分", ""],
    ["V", "", "一票否决", 1, "veto", "", "", "", "", "", ""],
    ["V1", "V", "泄密", 1, "", "veto", "", "", "", "发生泄密事件", ""],
]

UNITS = [
    ["T1", "甲镇", "town"],
    ["T2", "乙镇", "town"],
    ["T3", "丙镇", "town"],
    ["T4", "=SUM(A1)", "town"],
    ["T5", "戊镇", "town"],
    ["D1", "丁局", "dept"],
    ["D2", "戊局", "dept"],
    ["D3", "己局", "dept"],
]

# unit, indicator, key, value, note, evidence
INPUTS = [
    ["T1", "A1", "", "30", "", ""],
    ["T1", "A2", "", "1", "一例未更新", "https://example.gov.cn/e/1"],
    ["T1", "B1", "", "90%", "", ""],
    ["T1", "B2", "", "20", "", ""],
    ["T1", "J1", "国家级", "1", "获国务院办公厅表扬", ""],
    ["T2", "A1", "", "28", "", ""],
    ["T2", "A2", "", "0", "", ""],
    ["T2", "B1", "", "100%", "", ""],
    ["T2", "B2", "", "18", "", ""],
    ["T3", "A1", "", "30", "", ""],
    ["T3", "A2", "", "0", "", ""],
    ["T3", "B1", "", "100%", "", ""],
    ["T3", "B2", "", "16", "", ""],
    ["T4", "A1", "", "20", "", ""],
    ["T4", "A2", "", "2", "", "javascript:alert(1)"],
    ["T4", "B1", "", "50%", "", ""],
    ["T4", "B2", "", "10", "", ""],
    ["T4", "P1", "", "1", "被通报", '=HYPERLINK("http://x")'],
    ["T5", "A1", "", "30", "", ""],
    ["T5", "A2", "", "0", "", ""],
    ["T5", "B1", "", "100%", "", ""],
    ["T5", "B2", "", "20", "", ""],
    ["T5", "V1", "", "是", "", ""],
    ["D1", "A1", "", "25", "", ""],
    ["D1", "A2", "", "0", "", ""],
    ["D1", "B2", "", "15", "", ""],
    ["D2", "A1", "", "30", "", ""],
    ["D2", "A2", "", "0", "", ""],
    ["D2", "B2", "", "20", "", ""],
    ["D3", "A1", "", "20", "", ""],
    ["D3", "A2", "", "4", "四例", "见书面材料"],
    ["D3", "B2", "", "10", "", ""],
]

GENERATED = dt.date(2022, 1, 15)


def _build_year(root: Path, settings: str = SETTINGS) -> Result:
    ind, data = root / "ind", root / "data"
    ind.mkdir(parents=True)
    data.mkdir(parents=True)
    (ind / "settings.toml").write_text(settings, encoding="utf-8")
    write_csv(ind / "indicators.csv", CATALOGUE_HEADER, CATALOGUE)
    write_csv(data / "units.csv", ["code", "name", "class"], UNITS)
    write_csv(data / "assessments.csv", ["unit", "indicator", "key", "value", "note", "evidence"], INPUTS)
    return compute(load_year(2021, ind, data))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    root = tmp_path_factory.mktemp("export")
    result = _build_year(root / "year")
    out = root / "out" / "通报.xlsx"
    out.parent.mkdir()
    assert write_workbook(result, out, generated=GENERATED) == out
    return result, out


@pytest.fixture(scope="module")
def book(built: tuple[Result, Path]) -> Iterator[Any]:
    _, path = built
    # openpyxl drops the Excel 2010 data-bar extension with a warning; the workbook itself is fine
    with pytest.warns(UserWarning, match="extension is not supported"):
        wb = openpyxl.load_workbook(path)
    yield wb
    wb.close()


RANKING_HEADER = 3  # title, the formula line, then the header


def _table(ws: Any, header_row: int = 2) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows of a table sheet (title in row 1), up to the first empty row."""
    header = [c.value for c in ws[header_row] if c.value is not None]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, max_col=len(header)):
        if all(c.value is None for c in row):
            break
        rows.append(list(row))
    return header, rows


def test_fixture_has_what_the_workbook_must_show(built: tuple[Result, Path]) -> None:
    result, _ = built
    u = result.units
    town = u.filter(pl.col("class") == "town")
    assert town.filter(pl.col("tied")).height == 2  # 乙镇 and 丙镇 tie
    assert town.filter(pl.col("veto") & pl.col("rank").is_null()).height == 1
    assert u.filter(pl.col("bonus") > 0).height and u.filter(pl.col("penalty") > 0).height


def test_sheet_names_and_headers(book: Any) -> None:
    assert book.sheetnames == ["封面", "乡镇", "县直部门", "图表", "扣分明细", "指标体系", "运行信息"]
    assert book["运行信息"].sheet_state == "hidden"  # printing the workbook prints the readers' pages
    town, _ = _table(book["乡镇"], RANKING_HEADER)
    # parts, bonus and penalty with their maxima for the class, then the total: the row reads as a sum
    assert town == [
        "排名",
        "单位",
        "平台（60）",
        "公开（40）",
        "加分（≤5）",
        "扣分（≤10）",
        "总分（100）",
        "等次",
        "备注",
    ]
    dept, _ = _table(book["县直部门"], RANKING_HEADER)
    # 部门 parts add up to 80 (a leaf applies to 乡镇 only): 得分合计 is converted by the 得分率
    assert dept == [
        "排名",
        "单位",
        "平台（60）",
        "公开（20）",
        "得分合计（80）",
        "加分（≤5）",
        "扣分（≤10）",
        "总分（100）",
        "等次",
    ]
    assert book["县直部门"]["A2"].value.startswith("总分＝得分合计÷80×100＋加分－扣分")
    assert book["乡镇"]["A1"].value == "2021年度测试县政务公开工作考核结果（乡镇）"
    assert book["乡镇"]["A2"].value.startswith("总分＝各项得分之和＋加分－扣分")
    assert book["乡镇"].freeze_panes == "C4"
    assert book["乡镇"].auto_filter.ref == "A3:I8"


def test_ranking_values_match_the_result(book: Any, built: tuple[Result, Path]) -> None:
    result, _ = built
    for cls, name in (("town", "乡镇"), ("dept", "县直部门")):
        expected = result.units.filter(pl.col("class") == cls)
        header, rows = _table(book[name], RANKING_HEADER)
        assert len(rows) == expected.height
        col = {h: i for i, h in enumerate(header)}
        for cells, unit in zip(rows, expected.iter_rows(named=True), strict=True):
            assert cells[col["单位"]].value == unit["name"]
            assert cells[col["单位"]].data_type == "s"
            assert cells[col["总分（100）"]].value == unit["total"]
            assert cells[col["排名"]].value == unit["rank"]
            assert cells[col["加分（≤5）"]].value == unit["bonus"]
            assert cells[col["扣分（≤10）"]].value == unit["penalty"]
            assert cells[col["等次"]].value == unit["grade"]
        ranked = [(c[col["排名"]].value, c[col["总分（100）"]].value) for c in rows if c[col["排名"]].value]
        for (r1, t1), (r2, t2) in itertools.pairwise(ranked):
            assert t1 >= t2
            assert (r1 == r2) == (t1 == t2)
            assert r2 > r1 or r2 == r1


def test_ties_keep_numbers_and_show_a_marker(book: Any) -> None:
    _, rows = _table(book["乡镇"], RANKING_HEADER)
    tied = [r[0] for r in rows if r[1].value in ("乙镇", "丙镇")]
    assert [c.value for c in tied] == [2, 2]
    assert all(c.data_type == "n" and "并列" in c.number_format for c in tied)
    untied = next(r[0] for r in rows if r[1].value == "甲镇")
    assert untied.value == 1 and untied.number_format == "0"


def test_unranked_units_last_with_blank_rank_and_total(book: Any) -> None:
    header, rows = _table(book["乡镇"], RANKING_HEADER)
    last = rows[-1]
    assert last[1].value == "戊镇"
    assert last[0].value is None and last[header.index("总分（100）")].value is None
    assert last[header.index("等次")].value == "不合格"
    assert last[header.index("备注")].value == "一票否决：泄密"


def test_numbers_are_numbers_with_formats(book: Any) -> None:
    header, rows = _table(book["乡镇"], RANKING_HEADER)
    for cells in rows[:-1]:
        for h in ("总分（100）", "平台（60）", "公开（40）", "加分（≤5）", "扣分（≤10）"):
            cell = cells[header.index(h)]
            assert cell.data_type == "n", h
            assert cell.number_format == "0.00", h


def test_grade_colours(book: Any) -> None:
    header, rows = _table(book["乡镇"], RANKING_HEADER)
    g = header.index("等次")
    fills = {r[g].value: r[g].fill.fgColor.rgb for r in rows}
    assert fills["优秀"].endswith("C6EFCE")
    assert fills["不合格"].endswith("FFC7CE")


def test_formula_like_strings_stay_text(book: Any, built: tuple[Result, Path]) -> None:
    _, rows = _table(book["乡镇"], RANKING_HEADER)
    cell = next(r[1] for r in rows if r[1].value == "=SUM(A1)")
    assert cell.data_type == "s"
    _, path = built
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode()


def test_print_settings_on_every_sheet(book: Any) -> None:
    ranking = {"乡镇", "县直部门", "指标体系"}  # a scale chosen for the table
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.print_title_rows, ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        if ws.title in ranking:
            # a scale chosen for the table: never below 82 % (11 pt prints at 9 pt or more)
            assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert 82 <= int(ws.page_setup.scale) <= 130, ws.title
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # absent means Excel's default, 1
        assert ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight in ((None, 1) if ws.title == "封面" else (0,)), ws.title
    assert book["乡镇"].print_title_rows == "$1:$3"


def test_cover(book: Any, built: tuple[Result, Path]) -> None:
    result, _ = built
    ws = book["封面"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values[0] == "2021年度测试县政务公开工作考核结果"
    assert "测试县人民政府办公室" in values
    assert "2022年1月15日" in values
    assert "乡镇5个、县直部门3个，共8个单位" in values
    for line in result.settings.method_statement({"base", "bonus", "penalty", "veto"}):
        assert line in values
    # no run record on a reader's page: no hash, path, version or command
    text = " ".join(str(v) for v in values)
    assert result.manifest.results_sha256 not in text and "SHA" not in text and "zwgk" not in text
    for src in result.manifest.sources:
        assert src.path not in text and src.sha256 not in text
    assert not re.search(r"[A-Za-z]{3,}|[\\/]", text), text
    record = " ".join(
        str(c.value) for row in book["运行信息"].iter_rows() for c in row if c.value is not None
    )
    assert result.manifest.results_sha256 in record
    for src in result.manifest.sources:
        assert src.path in record and src.sha256 in record


def test_charts_exist(built: tuple[Result, Path]) -> None:
    _, path = built
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        charts = sorted(n for n in names if n.startswith("xl/charts/chart"))
        assert len(charts) == 4  # per class: totals, and parts stacked
        first = z.read("xl/charts/chart1.xml").decode()
        assert "<c:barChart>" in first and "乡镇" in first
        stacked = z.read("xl/charts/chart2.xml").decode()
        assert 'c:grouping val="stacked"' in stacked


def test_ledger_sheet(book: Any, built: tuple[Result, Path]) -> None:
    result, _ = built
    header, rows = _table(book["扣分明细"])
    assert header == [
        "单位",
        "编号",
        "指标",
        "类型",
        "扣分/加分",
        "评分标准",
        "评分依据",
        "失分原因",
        "佐证链接",
    ]
    lines = [r for r in rows if r[3].value != "小计"]
    assert len(lines) == result.ledger().collect().height
    # each unit's lines end with a 小计: its maximum plus what its lines add up to is its total
    subtotals = {r[0].value: (r[4].value, r[5].value) for r in rows if r[3].value == "小计"}
    assert set(subtotals) == {r[0].value for r in lines}
    totals = dict(zip(result.units["name"], result.units["total"], strict=True))
    maxima = dict(zip(result.units["name"], result.units["max"], strict=True))
    for name, (net, text) in subtotals.items():
        if totals[name] is None:  # vetoed, not scored
            assert net is None and text == "一票否决，不计分、不排名"
            continue
        added = sum(r[4].value for r in lines if r[0].value == name and r[4].value is not None)
        assert abs(added - net) < 0.01 and abs(maxima[name] + net - totals[name]) < 1e-9, (name, net, text)
        assert text == f"满分{maxima[name]:.2f}，以上各行合计{net:+.2f}，总分{totals[name]:.2f}"
    assert subtotals["甲镇"][1] == "满分100.00，以上各行合计+0.50，总分100.50"
    rows = lines
    by = {(r[0].value, r[1].value): r for r in rows}
    a2 = by[("甲镇", "A2")]
    assert a2[4].value == -0.5 and a2[4].data_type == "n" and a2[4].number_format.startswith("+0.00")
    assert a2[5].value == "每例扣0.5分，最多扣2分"
    assert a2[7].value == "一例未更新"
    assert (
        a2[8].value == "https://example.gov.cn/e/1" and a2[8].hyperlink.target == "https://example.gov.cn/e/1"
    )
    assert by[("甲镇", "J1")][4].value == 3
    assert by[("=SUM(A1)", "P1")][4].value == -2
    unsafe = by[("=SUM(A1)", "P1")][8]
    assert unsafe.value == '=HYPERLINK("http://x")' and unsafe.data_type == "s" and unsafe.hyperlink is None
    assert by[("=SUM(A1)", "A2")][8].hyperlink is None  # javascript: is never a link
    assert by[("己局", "A2")][8].value == "见书面材料"
    assert by[("戊镇", "V1")][3].value == "一票否决"
    # units in published order, indicators in catalogue order inside a unit, the unit's own account lines
    # (折算, caps of bonus and penalty, 保底) after them
    order = {name: i for i, name in enumerate(result.units["name"])}
    keys = [(order[r[0].value], r[1].value or "~") for r in rows]
    assert keys == sorted(keys)


def test_catalogue_sheet(book: Any, built: tuple[Result, Path]) -> None:
    result, _ = built
    header, rows = _table(book["指标体系"])
    assert header == ["编号", "指标", "分值", "计分方法", "适用单位", "工作要点", "评分标准"]
    assert [r[0].value for r in rows] == [n.id for n in result.catalogue.nodes]
    b1 = next(r for r in rows if r[0].value == "B1")
    assert b1[1].alignment.indent == 1 and b1[2].value == 20 and b1[2].data_type == "n"
    assert b1[4].value == "乡镇" and b1[3].value == "比例折算：按完成比例得分（本项分值×完成比例）"
    a2 = next(r for r in rows if r[0].value == "A2")  # per_occurrence per=0.5; cap=2
    assert a2[3].value == "定额扣分：每发现一例扣0.5分，最多扣2分"
    assert next(r for r in rows if r[0].value == "J")[3].value == "加分项"
    # the rubric's words: no rule code or parameter syntax anywhere a reader looks
    text = " ".join(str(c.value) for r in rows for c in r[:6] if c.value is not None)
    assert not re.search(r"[a-z_]{4,}|\w+=", text), text


def test_notes_sheet_only_with_notes(tmp_path: Path, built: tuple[Result, Path]) -> None:
    result, _ = built
    notes = [
        Issue(
            "data/assessments.csv", 3, "value", "１", "全角数字已转换为半角", "A1|fullwidth", severity="note"
        ),
        Issue("indicators/settings.toml", None, None, None, "说明", "settings|x"),
    ]
    out = write_workbook(result, tmp_path / "notes.xlsx", notes=notes, generated=GENERATED)
    with pytest.warns(UserWarning, match="extension is not supported"):
        wb = openpyxl.load_workbook(out)
    header, rows = _table(wb["校验说明"])
    assert header == ["序号", "说明", "级别", "代码"]  # the code last, for whoever fixes the file
    assert [c.value for c in rows[0]] == [
        1,
        "data/assessments.csv第3行“value”列的“１”：全角数字已转换为半角",
        "提示",
        "A1|fullwidth",
    ]
    assert rows[1][1].value == "indicators/settings.toml：说明"
    # notes on the inputs are for the office: hidden, so printing the workbook prints the readers' pages
    assert wb["校验说明"].sheet_state == "hidden"
    wb.close()


def test_failure_leaves_an_existing_workbook_untouched(
    tmp_path: Path, built: tuple[Result, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = built
    out = tmp_path / "通报.xlsx"
    out.write_bytes(b"the workbook circulated yesterday")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "write_ledger_sheets", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(result, out)
    assert out.read_bytes() == b"the workbook circulated yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["通报.xlsx"]


def test_missing_folder_is_a_clear_error(tmp_path: Path, built: tuple[Result, Path]) -> None:
    result, _ = built
    from scoring import ScoringError

    with pytest.raises(ScoringError, match="不存在"):
        write_workbook(result, tmp_path / "nowhere" / "通报.xlsx")


def test_read_back_with_polars(built: tuple[Result, Path]) -> None:
    result, path = built
    df = pl.read_excel(path, sheet_name="乡镇", read_options={"header_row": 2})
    assert "总分（100）" in df.columns
    expected = result.units.filter(pl.col("class") == "town")
    assert df["单位"].to_list() == expected["name"].to_list()
    assert df["总分（100）"].to_list() == expected["total"].to_list()
    assert df["排名"].cast(pl.Int64).to_list() == expected["rank"].to_list()


def test_parquet(tmp_path: Path, built: tuple[Result, Path]) -> None:
    result, _ = built
    out = write_parquet(result, tmp_path / "results.parquet")
    back = pl.read_parquet(out)
    assert back.columns == result.units.columns
    assert back["total_num"].dtype == pl.Decimal(38, 0)
    assert back["total_num"].cast(pl.Int128).to_list() == result.units["total_num"].to_list()
    assert back.drop(c for c, t in result.units.schema.items() if t == pl.Int128).equals(
        result.units.drop(c for c, t in result.units.schema.items() if t == pl.Int128)
    )
    table = pq.read_table(out)  # readable by other tools, not only polars
    assert table.num_rows == result.units.height
    meta = pq.read_metadata(out).metadata
    manifest = json.loads(meta[b"zwgk_manifest"])
    assert manifest["results_sha256"] == result.manifest.results_sha256


def test_parquet_failure_leaves_existing_file(
    tmp_path: Path, built: tuple[Result, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = built
    out = tmp_path / "results.parquet"
    out.write_bytes(b"old")

    def partial(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        Path(file).write_bytes(b"PAR1 half a file")
        raise OSError("no space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", partial)
    with pytest.raises(OSError, match="no space"):
        write_parquet(result, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.parquet"]


def test_sheet_names_are_sanitised() -> None:
    used = {"封面"}
    assert sanitise_sheet_name("乡镇[街道]/社区:*?", used) == "乡镇_街道__社区___"
    assert sanitise_sheet_name("封面", used) == "封面(2)"
    long = "很长的单位类别名称" * 5
    name = sanitise_sheet_name(long, used)
    assert len(name) == 31 and name == long[:31]
    again = sanitise_sheet_name(long, used)
    assert len(again) <= 31 and again.endswith("(2)")
    assert sanitise_sheet_name("'引号'", used) == "引号"
    assert sanitise_sheet_name("", used) == "类别"


def test_title(built: tuple[Result, Path]) -> None:
    result, _ = built
    assert workbook_title(result.settings) == "2021年度测试县政务公开工作考核结果"


def test_other_policies_empty_class_and_remarks(tmp_path: Path) -> None:
    """Whole points, veto that keeps the score, a failed section, an empty class, an awkward class name."""
    settings = (
        SETTINGS.replace('action = "stop"', 'action = "grade_only"')
        .replace('name = "乡镇"', 'name = "乡镇/街道[一类]"')
        .replace("[bonus]", '[[classes]]\nid = "none"\nname = "空类别"\nmax = 100\n[bonus]')
        + "[rounding]\nplaces = 0\n[grades]\nsection_fail_share = 0.6\n"
    )
    result = _build_year(tmp_path / "year", settings)
    out = write_workbook(result, tmp_path / "out.xlsx")
    with pytest.warns(UserWarning, match="extension is not supported"):
        wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["封面", "乡镇_街道_一类_", "县直部门", "空类别"]
    header, rows = _table(wb["乡镇_街道_一类_"], RANKING_HEADER)
    assert header[-2:] == ["等次", "备注"]
    vetoed = next(r for r in rows if r[1].value == "戊镇")
    # grade_only: scored, graded 不合格, listed after the ranked units without a rank
    assert vetoed[0].value is None and vetoed[header.index("总分（100）")].value == 100 and rows[-1] is vetoed
    assert vetoed[header.index("等次")].value == "不合格"
    assert vetoed[header.index("备注")].value == "一票否决：泄密"
    failed = next(r for r in rows if r[1].value == "=SUM(A1)")
    # the remark names the part that failed
    assert failed[header.index("备注")].value == "以下部分得分低于其分值的60%：公开"  # 公开 20 of 40
    assert all(r[2].number_format == "0" for r in rows)
    assert wb["空类别"]["A4"].value == "（本类别无参评单位）"
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
        assert "<c:f>乡镇_街道_一类_!$B$4:$B$7</c:f>" in chart  # the ranked units' names, not the vetoed
    wb.close()


def test_a_ledger_longer_than_a_sheet_continues(
    built: tuple[Result, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = built
    rows = result.ledger().collect().height
    assert rows > 4
    monkeypatch.setattr(ledger_sheet, "LEDGER_ROWS_PER_SHEET", 3)
    path = write_workbook(result, tmp_path / "long.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)  # read-only: no data-bar warning
    sheets = [n for n in book.sheetnames if n.startswith("扣分明细")]
    units = result.ledger().collect()["unit"].n_unique()  # each with its 小计 line
    assert sheets[0] == "扣分明细" and len(sheets) == -(-(rows + units) // 3)
    written = sum(
        sum(1 for r in book[n].iter_rows(min_row=3) if r[0].value and r[3].value != "小计") for n in sheets
    )
    assert written == rows
    book.close()


def test_a_huge_ledger_is_capped_in_the_workbook_and_said_so(
    built: tuple[Result, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = built
    rows = result.ledger().collect().height
    monkeypatch.setattr(ledger_sheet, "LEDGER_WORKBOOK_MAX", 2)  # the default limit
    for path, limit in (
        (write_workbook(result, tmp_path / "capped.xlsx"), 2),
        (write_workbook(result, tmp_path / "three.xlsx", ledger_rows=3), 3),
    ):
        book = openpyxl.load_workbook(path, read_only=True)
        sheet = book["扣分明细"]
        title = str(sheet["A1"].value)
        assert f"共 {rows} 条" in title and f"前 {limit} 条" in title and ".ledger.parquet" in title
        assert sum(1 for r in sheet.iter_rows(min_row=3) if r[0].value and r[3].value != "小计") == limit
        book.close()
    full = write_ledger_parquet(result, tmp_path / "x.ledger.parquet")
    assert pl.read_parquet(full).height == rows


def test_a_ledger_left_out_is_not_reported_as_empty(built: tuple[Result, Path], tmp_path: Path) -> None:
    result, _ = built
    rows = result.ledger().collect().height
    assert rows > 0
    path = write_workbook(result, tmp_path / "none.xlsx", ledger_rows=0)
    book = openpyxl.load_workbook(path, read_only=True)
    cells = [c.value for r in book["扣分明细"].iter_rows() for c in r if c.value]
    book.close()
    assert f"共 {rows} 条" in str(cells[0]) and "前 0 条" in str(cells[0])
    assert not any("无扣分" in str(v) for v in cells)
    full = write_workbook(result, tmp_path / "all.xlsx", ledger_rows=rows)
    book = openpyxl.load_workbook(full, read_only=True)
    assert "共" not in str(book["扣分明细"]["A1"].value)  # nothing left out, nothing said
    assert (
        sum(1 for r in book["扣分明细"].iter_rows(min_row=3) if r[0].value and r[3].value != "小计") == rows
    )
    book.close()

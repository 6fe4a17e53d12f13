"""Excel templates: written from the shipped 2021 year, filled with openpyxl the way assessors fill them
(hand-entry forms included), read back cell by cell, and scored to the same results as the CSV."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import typer
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from scoring import Assessment, Catalogue, compute, load_year
from scoring.cli.template import template
from scoring.errors import Issue
from scoring.output.template import write_template
from scoring.reading.template import is_template, read_template
from scoring.reading.template.layout import CEILING_KEY, ZERO_KEY
from scoring.reading.template.read import split_by_indicator
from scoring.reading.validate import normalise_inputs
from tests.conftest import YearFactory, node

ROOT = Path(__file__).resolve().parents[2]
IND = ROOT / "indicators" / "2021"
DATA = ROOT / "data" / "2021"
SHEETS = {"town": "乡镇", "dept": "县直部门"}


@pytest.fixture(scope="module")
def year() -> Assessment:
    return load_year(2021, IND, DATA)


@pytest.fixture(scope="module")
def blank(year: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "模板.xlsx"
    write_template(path, year.catalogue, year.settings, year.units)
    return path


def copy(path: Path, tmp_path: Path, name: str = "filled.xlsx") -> Path:
    target = tmp_path / name
    shutil.copy(path, target)
    return target


def value_columns(book: Any) -> tuple[dict[tuple[str, str, str], str], dict[str, int]]:
    """From ``_meta``: (sheet, leaf, key) → column letter of every input column; the first data row of
    every sheet."""
    cols: dict[tuple[str, str, str], str] = {}
    first: dict[str, int] = {}
    for row in book["_meta"].iter_rows(values_only=True):
        if row[0] == "sheet":
            first[row[1]] = int(row[6])
        elif row[0] == "col" and row[3] in ("value", "zero", "note", "evidence"):
            cols[(row[1], row[4] or row[3], row[5] or "")] = row[2]
    return cols, first


def unit_rows(ws: Worksheet, first: int) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(first, ws.max_row + 1) if ws.cell(r, 1).value}


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


# ------------------------------------------------------------------------------------------ filling


@dataclasses.dataclass
class Filled:
    path: Path
    expected: dict[str, tuple[str, str, str | None, Any]]  # cell → (unit, indicator, key, value)
    notes: dict[tuple[str, str], set[str]]  # (unit, indicator) → note parts
    evidence: dict[tuple[str, str], set[str]]


def hand_entry(value: str, domain: str, i: int) -> tuple[Any, Any]:
    """What an assessor might type for ``value`` (the CSV's text), and what reading it back gives."""
    if domain == "bool" and value in ("是", "否") and i % 4 == 0:
        return ("√" if value == "是" else "×"), ("√" if value == "是" else "×")
    if domain == "bool" and i % 9 == 1:
        return value + "  ", value  # trailing spaces
    if domain == "count" and value.isdigit():
        if i % 5 == 1:
            wide = "".join(chr(0xFF10 + int(d)) for d in value)
            return wide, wide  # full-width digits
        if i % 5 == 2:
            return f"{value}分", f"{value}分"
        if i % 5 == 3:
            return int(value), value  # a number cell
    if domain == "points" and i % 3 == 0:
        return f"{value}分", f"{value}分"
    if domain == "ratio" and re.fullmatch(r"[01](\.\d+)?", value) and i % 2 == 0:
        pct = f"{float(value) * 100:g}%"
        return pct, pct  # 92%
    if domain == "date":
        if not value:
            return "未完成", None
        if i % 2 == 0:
            return dt.datetime.fromisoformat(value), value  # a real date cell
    if domain == "percent" and i % 3 == 1:
        return f"{value}%", f"{value}%"  # 92%
    if domain in ("number", "percent") and i % 2 == 0:
        number = float(value)
        return number, f"{number:g}"
    return value, value


def fill(blank: Path, tmp_path: Path, year: Assessment) -> Filled:
    """The shipped assessments.csv typed into the template."""
    path = copy(blank, tmp_path)
    book = openpyxl.load_workbook(path)
    cols, first = value_columns(book)
    cat = year.catalogue
    classes = dict(year.units.select("code", "class").iter_rows())
    rows = {s: unit_rows(book[s], first[s]) for s in SHEETS.values()}
    src = pl.read_csv(DATA / "assessments.csv", infer_schema=False)
    expected: dict[str, tuple[str, str, str | None, Any]] = {}
    zero: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    want_notes: dict[tuple[str, str], set[str]] = {}
    want_evidence: dict[tuple[str, str], set[str]] = {}
    for i, r in enumerate(src.iter_rows(named=True)):
        unit, leaf_id, key, value = r["unit"], r["indicator"], r["key"] or "", r["value"] or ""
        sheet = SHEETS[classes[unit]]
        row = rows[sheet][unit]
        leaf = cat.node(leaf_id)
        domain = "bool" if key in (ZERO_KEY, CEILING_KEY) else leaf.kind.domain  # type: ignore[union-attr]
        if r["note"]:
            notes.setdefault(unit, []).append(f"{leaf_id}：{r['note']}")
            want_notes.setdefault((unit, leaf_id), set()).add(r["note"])
        if r["evidence"]:
            evidence.setdefault(unit, []).append(f"{leaf_id}：{r['evidence']}")
            want_evidence.setdefault((unit, leaf_id), set()).add(r["evidence"])
        if key == ZERO_KEY:
            zero.setdefault(unit, []).append(leaf_id)
            continue
        if not key and (sheet, leaf_id, "") not in cols:  # 不适用 for a keyed leaf: its first key column
            key = next(k for (s, lf, k) in cols if s == sheet and lf == leaf_id)
        letter = cols[(sheet, leaf_id, key)]
        typed, back = hand_entry(value, domain, i)
        book[sheet][f"{letter}{row}"] = typed
        expected[f"{sheet}!{letter}{row}"] = (unit, leaf_id, key or None, back)
    for unit, ids in zero.items():
        sheet = SHEETS[classes[unit]]
        cell = f"{cols[(sheet, 'zero', '')]}{rows[sheet][unit]}"
        book[sheet][cell] = "、".join(ids)
        for leaf_id in ids:
            expected[f"{sheet}!{cell}#{leaf_id}"] = (unit, leaf_id, ZERO_KEY, "是")
    for role, texts in (("note", notes), ("evidence", evidence)):
        for unit, lines in texts.items():
            sheet = SHEETS[classes[unit]]
            book[sheet][f"{cols[(sheet, role, '')]}{rows[sheet][unit]}"] = "\n".join(lines)
    book.save(path)
    return Filled(path, expected, want_notes, want_evidence)


def read(
    path: Path, year: Assessment, catalogue: Catalogue | None = None
) -> tuple[pl.DataFrame, list[Issue]]:
    return read_template(path, catalogue or year.catalogue, year.settings, path.name)


@pytest.fixture(scope="module")
def filled(blank: Path, year: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return fill(blank, tmp_path_factory.mktemp("filled"), year)


@pytest.fixture(scope="module")
def read_back(filled: Filled, year: Assessment) -> tuple[pl.DataFrame, list[Issue]]:
    return read(filled.path, year)


# ------------------------------------------------------------------------------------------- layout


def test_wide_layout(blank: Path, year: Assessment) -> None:
    assert is_template(blank)
    book = openpyxl.load_workbook(blank)
    assert book.sheetnames == ["填表说明", "乡镇", "县直部门", "_meta"]
    assert book["_meta"].sheet_state == "veryHidden"
    dept = book["县直部门"]
    texts = {str(c.value) for row in dept.iter_rows(max_row=8) for c in row if c.value}
    assert "A1.1 规划信息主动公开（2.5分）" in texts
    assert "A 紧扣“十四五”开好局起好步，深化政务公开（22分）" in texts
    assert {"单位代码", "单位名称"} <= texts
    assert any(t.startswith("失分原因") for t in texts) and any(t.startswith("佐证链接") for t in texts)
    assert "J 加分项（最高5分）" in texts and "V1 发生泄密或严重失泄密事件（一票否决）" in texts
    # keyed leaf: one column per key, under the merged leaf header
    header = next(
        c for row in dept.iter_rows(max_row=8) for c in row if c.value == "A1.1 规划信息主动公开（2.5分）"
    )
    merged = next(m for m in dept.merged_cells.ranges if header.coordinate in m)
    assert merged.size["columns"] == 2
    below = [dept.cell(6, c).value for c in range(merged.min_col, merged.max_col + 1)]
    assert below == ["未公开", "未及时更新"]
    # only the leaves that apply to the class
    town = book["乡镇"]
    town_texts = {str(c.value) for row in town.iter_rows(max_row=8) for c in row if c.value}
    assert not any(t.startswith("A1.1 ") for t in town_texts)
    assert any(t.startswith("A3.4 ") for t in town_texts) and not any(t.startswith("A3.4 ") for t in texts)
    cols, first = value_columns(book)
    assert first == {"乡镇": 8, "县直部门": 8}
    town_leaves = {leaf for (s, leaf, _) in cols if s == "乡镇"} - {"zero", "note", "evidence"}
    assert town_leaves == {n.id for n in year.catalogue.leaves if n.applies("town")}
    assert (("乡镇", "C1.3", CEILING_KEY)) in cols  # the leaf with a ceiling parameter
    assert list(unit_rows(town, 8)) == [f"T{i:02d}" for i in range(1, 11)]
    info = book["填表说明"]
    assert "不适用" in " ".join(str(c.value) for row in info.iter_rows(max_row=30) for c in row if c.value)


def test_validations_and_protection(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    cols, first = value_columns(book)
    for sheet in SHEETS.values():
        ws = book[sheet]
        assert ws.protection.sheet and not ws.protection.password
        assert ws.cell(first[sheet], 1).protection.locked  # unit code
        assert ws.cell(3, 3).protection.locked  # header
        assert not ws[f"{cols[(sheet, 'note', '')]}{first[sheet]}"].protection.locked
    dept = book["县直部门"]
    by_cell = {}
    for dv in dept.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord.split(":")[0]] = dv

    def dv_of(leaf: str, key: str = "") -> Any:
        dv = by_cell[f"{cols[('县直部门', leaf, key)]}{first['县直部门']}"]
        assert dv.showInputMessage and dv.prompt and len(dv.prompt) <= 255
        assert dv.showErrorMessage and dv.error
        return dv

    bool_dv = dv_of("B2.2")
    assert bool_dv.type == "list" and bool_dv.formula1 == '"是,否,不适用"'
    assert "政务公开工作机构" in bool_dv.prompt  # the rubric
    assert dv_of("B2.5").formula1 == '"优,良,一般,差,不适用"'
    count = dv_of("A1.1", "未公开")
    assert count.type == "custom" and "INT(" in count.formula1 and ">=0" in count.formula1
    assert '"不适用"' in count.formula1
    ratio = dv_of("B1.2")
    assert "<=1" in ratio.formula1 and "比例" in ratio.prompt
    assert "<=100" in dv_of("B2.1").formula1  # percent
    judgement = dv_of("D2.2")
    assert ">=0" in judgement.formula1 and "<=2" in judgement.formula1
    assert ">=0.5" in dv_of("E1.2").formula1 and "<=1.5" in dv_of("E1.2").formula1
    deadline = dv_of("D3.2")
    assert "DATE(" in deadline.formula1 and '"未完成"' in deadline.formula1
    # the date window validation uses: 2021 ± 1 year ([inputs] date_window)
    assert "DATE(2020,1,1)" in deadline.formula1 and "DATE(2022,12,31)" in deadline.formula1
    # every input cell of every unit is unlocked and validated
    n_units = 20
    letter = cols[("县直部门", "A1.1", "未公开")]
    dv = count
    assert str(dv.sqref) == f"{letter}8:{letter}{8 + n_units - 1}"
    assert not dept[f"{letter}8"].protection.locked and dept[f"{letter}{8 + n_units}"].protection.locked


def test_long_rubric_is_cut_to_excel_limit(year: Assessment, tmp_path: Path) -> None:
    nodes = tuple(
        dataclasses.replace(n, rubric="很长的评分标准。" * 60) if n.id == "B2.2" else n
        for n in year.catalogue.nodes
    )
    cat = dataclasses.replace(year.catalogue, nodes=nodes)
    path = tmp_path / "t.xlsx"
    write_template(path, cat, year.settings, year.units, classes=["town"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填表说明", "乡镇", "_meta"]
    cols, _ = value_columns(book)
    letter = cols[("乡镇", "B2.2", "")]
    dv = next(d for d in book["乡镇"].data_validations.dataValidation if str(d.sqref).startswith(letter))
    assert len(dv.prompt) == 255 and dv.prompt.endswith("…")


# ---------------------------------------------------------------------------------------- round trip


def test_round_trip_every_cell_once(
    filled: Filled, read_back: tuple[pl.DataFrame, list[Issue]], year: Assessment
) -> None:
    df, issues = read_back
    assert errors(issues) == []
    assert df.schema == {
        "unit": pl.String,
        "indicator": pl.String,
        "key": pl.String,
        "value": pl.String,
        "period": pl.String,
        "channel": pl.String,
        "note": pl.String,
        "evidence": pl.String,
        "__row__": pl.UInt32,
        "__cell__": pl.String,
    }
    # every filled cell exactly once, with its unit, indicator, key and value
    assert df.height == len(filled.expected) == 1850
    got: dict[str, tuple[str, str, str | None, Any]] = {}
    for r in df.iter_rows(named=True):
        cell = r["__cell__"] + (f"#{r['indicator']}" if r["key"] == ZERO_KEY else "")
        assert cell not in got
        got[cell] = (r["unit"], r["indicator"], r["key"], r["value"])
        assert r["__row__"] == int(re.sub(r"\D", "", r["__cell__"].split("!")[1]))
    assert got == filled.expected
    # hand-entry forms are passed through as typed (validation normalises them)
    values = set(df["value"].drop_nulls())
    assert {"√", "×", "３", "2分", "0.5分", "100%"} <= values
    assert not any(v != v.strip() for v in values)
    assert df.filter((pl.col("indicator") == "B2.1") & pl.col("value").str.ends_with("%")).height > 0
    # notes and evidence land on the indicator they name
    for role, want in (("note", filled.notes), ("evidence", filled.evidence)):
        sep = "；" if role == "note" else " "
        have: dict[tuple[str, str], set[str]] = {}
        for unit, indicator, text in df.select("unit", "indicator", role).drop_nulls().iter_rows():
            have.setdefault((unit, indicator), set()).update(text.split(sep))
        assert have == want


TEXT = st.text(alphabet=st.sampled_from("是否√× 0１2.%分abc不适用优良 \n"), max_size=6)
NUMBER = st.one_of(st.integers(0, 10**6), st.integers(0, 4000).map(lambda k: k / 8))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_non_blank_cell_is_one_row(blank: Path, year: Assessment, data: st.DataObject) -> None:
    book = openpyxl.load_workbook(blank)
    cols, first = value_columns(book)
    sheet = data.draw(st.sampled_from(sorted(SHEETS.values())))
    units = unit_rows(book[sheet], first[sheet])
    columns = sorted(
        (letter, leaf, key)
        for (s, leaf, key), letter in cols.items()
        if s == sheet
        and leaf not in ("zero", "note", "evidence")
        and year.catalogue.node(leaf).rule != "deadline"
    )
    cells = data.draw(
        st.dictionaries(
            st.tuples(st.sampled_from(sorted(units)), st.sampled_from(columns)),
            st.one_of(TEXT, NUMBER),
            max_size=25,
        )
    )
    expected = {}
    for (unit, (letter, leaf, key)), v in cells.items():
        ref = f"{letter}{units[unit]}"
        book[sheet][ref] = v
        text = v.strip() if isinstance(v, str) else format(Decimal(repr(v)).normalize(), "f")
        if text:
            expected[f"{sheet}!{ref}"] = (unit, leaf, key or None, text)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.xlsx"
        book.save(path)
        df, issues = read(path, year)
    assert errors(issues) == []
    got = {r[0]: tuple(r[1:]) for r in df.select("__cell__", "unit", "indicator", "key", "value").iter_rows()}
    assert df.height == len(got) and got == expected


def test_round_trip_address_of_a_sample(
    filled: Filled, read_back: tuple[pl.DataFrame, list[Issue]], year: Assessment
) -> None:
    df, _ = read_back
    ws = openpyxl.load_workbook(filled.path)["乡镇"]
    column = next(c.column_letter for c in ws[5] if str(c.value).startswith("B1.1 政策文件配套解读"))
    row = next(c.row for c in ws["A"] if c.value == "T04")
    sample = df.filter((pl.col("unit") == "T04") & (pl.col("indicator") == "B1.1")).row(0, named=True)
    assert sample["__cell__"] == f"乡镇!{column}{row}" and sample["value"] == "不适用"
    assert sample["note"] == "本年度未制发政策文件"
    zero = df.filter(pl.col("key") == ZERO_KEY).row(0, named=True)
    assert (zero["unit"], zero["indicator"], zero["value"]) == ("T05", "C1.2", "是")


def test_round_trip_scores_like_the_csv(
    filled: Filled, read_back: tuple[pl.DataFrame, list[Issue]], year: Assessment
) -> None:
    df, _ = read_back
    obs, issues = normalise_inputs(
        [("filled.xlsx", df.drop("__cell__"))], year.catalogue, year.settings, year.units
    )
    assert errors(issues) == []
    assert any(i.code == "inputs|normalised" for i in issues)  # √, ３, 3分 … were normalised, and said so
    assert obs.height == year.observations.height
    again = compute(dataclasses.replace(year, observations=obs)).units
    before = compute(year).units
    cols = ["unit", "total", "rank", "grade"]
    assert again.select(cols).sort("unit").equals(before.select(cols).sort("unit"))


# ---------------------------------------------------------------------------------------- bad inputs


def locate(blank: Path, year: Assessment, unit: str, leaf: str, key: str = "") -> tuple[str, str]:
    book = openpyxl.load_workbook(blank)
    cols, first = value_columns(book)
    sheet = SHEETS[dict(year.units.select("code", "class").iter_rows())[unit]]
    return sheet, f"{cols[(sheet, leaf, key)]}{unit_rows(book[sheet], first[sheet])[unit]}"


def edit_book(path: Path, change: Any) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def only(issues: list[Issue], code: str) -> Issue:
    found = [i for i in issues if i.code.endswith(f"|{code}")]
    assert len(found) == 1, issues
    return found[0]


def test_formula_without_cached_value_is_an_error(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "T01", "B1.1")
    _, other = locate(blank, year, "T01", "B2.2")

    def change(book: Any) -> None:
        book[sheet][cell] = "=1+2"
        book[sheet][other] = "是"

    edit_book(path, change)
    df, issues = read(path, year)
    issue = only(issues, "template_formula")
    assert issue.severity == "error" and issue.column == f"{sheet}!{cell}" and issue.file == path.name
    assert issue.row == int(re.sub(r"\D", "", cell))
    assert df["__cell__"].to_list() == [f"{sheet}!{other}"]


def test_formula_with_cached_value_is_read(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "T01", "B1.1")
    edit_book(path, lambda book: book[sheet].__setitem__(cell, "=1+2"))
    # what Excel saves: the formula and its last result
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if b"<f>1+2</f>" in data:  # an empty value: <v />, or with lxml <v/> or <v></v>
                data = re.sub(rb"<f>1\+2</f>(<v\s*/>|<v></v>)?", b"<f>1+2</f><v>3</v>", data)
            dst.writestr(item, data)
    df, issues = read(patched, year)
    assert errors(issues) == []
    assert only(issues, "template_formula_cached").severity == "note"
    assert df.select("__cell__", "value").rows() == [(f"{sheet}!{cell}", "3")]


def test_merged_input_cells_are_an_error(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "T02", "B2.4", "2021Q1")
    _, right = locate(blank, year, "T02", "B2.4", "2021Q2")

    def change(book: Any) -> None:
        book[sheet][cell] = 3
        book[sheet].merge_cells(f"{cell}:{right}")

    edit_book(path, change)
    df, issues = read(path, year)
    issue = only(issues, "template_merged")
    assert issue.severity == "error" and issue.column == f"{sheet}!{cell}:{right}"
    assert df.select("__cell__", "value").rows() == [(f"{sheet}!{cell}", "3")]


def test_unknown_unit_code_is_an_error(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "T03", "B2.2")
    row = re.sub(r"\D", "", cell)

    def change(book: Any) -> None:
        book[sheet][f"A{row}"] = "T99"
        book[sheet][cell] = "是"

    edit_book(path, change)
    df, issues = read(path, year)
    issue = only(issues, "template_unit_unknown")
    assert issue.column == f"{sheet}!A{row}" and issue.value == "T99" and issue.severity == "error"
    assert df.is_empty()


def test_tampered_meta_is_an_error(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)

    def change(book: Any) -> None:
        ws = book["_meta"]
        row = next(r for r in ws.iter_rows() if r[0].value == "col" and r[4].value == "B2.2")
        row[4].value = "B2.3"
        sheet, cell = locate(blank, year, "T01", "B2.2")
        book[sheet][cell] = "是"

    edit_book(path, change)
    df, issues = read(path, year)
    issue = only(issues, "template_meta")
    assert issue.column == "_meta" and issue.family == "structure" and "改动" in issue.expected
    assert df.is_empty()


def test_extra_and_missing_sheets(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)

    def change(book: Any) -> None:
        book.create_sheet("草稿")["A1"] = "随手记"
        del book["县直部门"]

    edit_book(path, change)
    _, issues = read(path, year)
    extra = only(issues, "template_sheet_extra")
    assert extra.severity == "note" and extra.column == "草稿"
    missing = only(issues, "template_sheet_missing")
    assert missing.severity == "error" and missing.column == "县直部门"


def test_inserted_column_is_noticed(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "T01", "B2.2")

    def change(book: Any) -> None:
        book[sheet][cell] = "是"
        book[sheet].insert_cols(4)

    edit_book(path, change)
    df, issues = read(path, year)
    issue = only(issues, "template_layout")
    assert issue.severity == "error" and issue.family == "structure" and "插入" in issue.expected
    assert df.is_empty()


def test_zero_list_names_leaves_of_the_sheet(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    book = openpyxl.load_workbook(path)
    cols, first = value_columns(book)
    cell = f"{cols[('乡镇', 'zero', '')]}{first['乡镇']}"
    book["乡镇"][cell] = "C1.2、Ｃ1.4，A1.1"  # A1.1 does not apply to towns
    book.save(path)
    df, issues = read(path, year)
    assert df.select("unit", "indicator", "key", "value").rows() == [
        ("T01", "C1.2", ZERO_KEY, "是"),
        ("T01", "C1.4", ZERO_KEY, "是"),
    ]
    issue = only(issues, "template_zero_unknown")
    assert issue.value == "A1.1" and issue.column == f"乡镇!{cell}"


def test_percent_typed_into_a_percent_cell(blank: Path, year: Assessment, tmp_path: Path) -> None:
    """Typing 95% into a cell Excel stores 0.95 with a percentage format: read as 95%, not 0.95."""
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "D01", "B2.1")
    _, ratio = locate(blank, year, "D01", "B1.2")

    def change(book: Any) -> None:
        for ref, v in ((cell, 0.95), (ratio, 0.875)):
            book[sheet][ref] = v
            book[sheet][ref].number_format = "0%"

    edit_book(path, change)
    df, _ = read(path, year)
    assert dict(df.select("indicator", "value").rows()) == {"B2.1": "95%", "B1.2": "0.875"}


def test_changed_catalogue(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    sheet, cell = locate(blank, year, "D01", "A1.1", "未公开")
    edit_book(path, lambda book: book[sheet].__setitem__(cell, 1))
    # a rubric corrected after the templates went out: nothing to report
    nodes = tuple(dataclasses.replace(n, rubric=n.rubric + "（修订）") for n in year.catalogue.nodes)
    _, issues = read(path, year, dataclasses.replace(year.catalogue, nodes=nodes))
    assert [i for i in issues if not i.code.endswith("|template_blank")] == []
    # the keys of A1.1 changed: its columns no longer match
    changed = tuple(
        dataclasses.replace(n, params={"classes": {"未公开": 10**12}}, params_text="classes=未公开:1")
        if n.id == "A1.1"
        else n
        for n in year.catalogue.nodes
    )
    df, issues = read(path, year, dataclasses.replace(year.catalogue, nodes=changed))
    assert only(issues, "template_catalogue_changed").severity == "note"
    column = only(issues, "template_column")
    assert column.severity == "error" and column.value == "A1.1 未及时更新" and column.column
    assert column.column.startswith("县直部门!")
    assert df.select("indicator", "key", "value").rows() == [("A1.1", "未公开", "1")]


def test_other_year_is_refused(blank: Path, year: Assessment) -> None:
    other = dataclasses.replace(year.catalogue, year=2022)
    df, issues = read_template(blank, other, year.settings, "t.xlsx")
    assert df.is_empty() and only(issues, "template_year").severity == "error"


def test_is_template(blank: Path, tmp_path: Path) -> None:
    import xlsxwriter

    plain = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(plain))
    wb.add_worksheet("数据").write(0, 0, "unit")
    wb.close()
    assert is_template(blank)
    assert not is_template(plain)
    assert not is_template(DATA / "assessments.csv")
    assert not is_template(tmp_path / "none.xlsx")


def test_split_by_indicator() -> None:
    general, by_leaf = split_by_indicator(
        "已核查\nA1.1：未公开专项规划；规划调整后未更新\nＢ2.2 http://x.cn/a\nhttp://y.cn\nZ9：不是指标",
        {"A1.1", "B2.2"},
    )
    assert general == ["已核查"]
    assert by_leaf == {
        "A1.1": ["未公开专项规划", "规划调整后未更新"],
        "B2.2": ["http://x.cn/a", "http://y.cn", "Z9：不是指标"],
    }


def test_general_note_goes_on_every_row_of_the_unit(blank: Path, year: Assessment, tmp_path: Path) -> None:
    path = copy(blank, tmp_path)
    book = openpyxl.load_workbook(path)
    cols, first = value_columns(book)
    ws = book["乡镇"]
    ws[f"{cols[('乡镇', 'B2.2', '')]}{first['乡镇']}"] = "否"
    ws[f"{cols[('乡镇', 'E1.3', '')]}{first['乡镇']}"] = "是"
    ws[f"{cols[('乡镇', 'note', '')]}{first['乡镇']}"] = "现场核查\nB2.2：未发布机构信息\nC1.1：无值的指标"
    book.save(path)
    df, issues = read(path, year)
    assert dict(df.select("indicator", "note").rows()) == {
        "B2.2": "未发布机构信息；现场核查",
        "E1.3": "现场核查",
    }
    orphan = only(issues, "template_note_orphan")
    assert orphan.severity == "note" and orphan.value == "C1.1"


# ------------------------------------------------------------------------------------------ long form


def test_long_form(year: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    write_template(path, year.catalogue, year.settings, year.units, long=True)
    assert is_template(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填表说明", "评分数据", "_meta"]
    ws = book["评分数据"]
    header = [c.value for c in ws[1]]
    assert header[:8] == [
        "单位代码",
        "单位名称",
        "指标编号",
        "指标名称",
        "子项",
        "值",
        "失分原因",
        "佐证链接",
    ]
    assert ws.protection.sheet and ws.auto_filter.ref
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    listed = [r for r in rows if r[0]]
    per_unit = Counter(r[0] for r in listed)
    assert len(per_unit) == 30
    town_cols = sum(
        len(n.kind.keys(n.params) or ()) or 1 for n in year.catalogue.leaves if n.applies("town") and n.kind
    )
    # + a 定额 row (the unit's own quota) for each over-quota leaf
    town_cols += sum(
        len(n.kind.extra_keys(n.params)) for n in year.catalogue.leaves if n.applies("town") and n.kind
    )
    assert per_unit["T01"] == town_cols + 1  # + the 及格封顶 row of C1.3
    first = listed[0]
    assert (
        first[:5] == ("T01", "轮台镇", "A3.4", "惠民惠农信息向村务公开延伸", "补贴政策") and first[5] is None
    )
    assert not ws["F2"].protection.locked and ws["A2"].protection.locked and ws["C2"].protection.locked
    dvs = ws.data_validations.dataValidation
    assert any(d.type == "list" and d.formula1 == '"是,否,不适用"' for d in dvs)
    assert any(d.type == "custom" and "INT(" in (d.formula1 or "") for d in dvs)
    # every (leaf, key) has one validation covering its rows of every unit
    b11 = [i for i, r in enumerate(rows, start=2) if r[2] == "B1.1"]
    dv = next(d for d in dvs if f"F{b11[0]}" in str(d.sqref).split())
    assert {f"F{i}" for i in b11} <= set(str(dv.sqref).split())
    assert "F" + str(b11[0]) in (dv.formula1 or "")

    by_key = {(r[0], r[2], r[4] or ""): i for i, r in enumerate(rows, start=2) if r[0]}
    ws[f"F{by_key[('T01', 'B1.1', '')]}"] = "３ "
    ws[f"G{by_key[('T01', 'B1.1', '')]}"] = "只解读了三件"
    ws[f"F{by_key[('D01', 'D3.2', '')]}"] = dt.datetime(2022, 1, 5)
    ws[f"F{by_key[('D02', 'D3.2', '')]}"] = "未完成"
    spare = len(rows) - 20 + 2  # the first spare row
    assert ws[f"A{spare}"].value is None and not ws[f"A{spare}"].protection.locked
    ws[f"A{spare}"], ws[f"C{spare}"], ws[f"E{spare}"], ws[f"F{spare}"] = "T05", "C1.2", ZERO_KEY, "是"
    ws[f"A{spare + 1}"], ws[f"C{spare + 1}"], ws[f"F{spare + 1}"] = "X01", "B2.2", "是"
    ws[f"G{by_key[('T02', 'B2.2', '')]}"] = "有原因无值"
    book.save(path)
    df, issues = read(path, year)
    assert df.select("unit", "indicator", "key", "value", "note").rows() == [
        ("T01", "B1.1", None, "３", "只解读了三件"),
        ("D01", "D3.2", None, "2022-01-05", None),
        ("D02", "D3.2", None, None, None),
        ("T05", "C1.2", ZERO_KEY, "是", None),
    ]
    assert df.filter(pl.col("unit") == "T01")["__cell__"].to_list() == [
        f"评分数据!F{by_key[('T01', 'B1.1', '')]}"
    ]
    assert only(issues, "template_unit_unknown").column == f"评分数据!A{spare + 1}"
    assert only(issues, "template_note_orphan").severity == "note"


# ------------------------------------------------------------------------------------------- periods


def test_periods_give_a_sheet_each(make_year: YearFactory, tmp_path: Path) -> None:
    y = make_year(
        [
            node("A", points=100),
            node("A1", "A", points=60, rule="per_occurrence", params="per=1"),
            node("A2", "A", points=40, rule="binary"),
        ],
        [["T1", "甲镇", "town"], ["D1", "乙局", "dept"]],
        [["T1", "A1", "", "1", "", "", "Q1"], ["T1", "A1", "", "2", "", "", "Q2"]],
        # a partial year (乙局 has no row yet): the template is what it is for
        '[periods]\nmethod = "mean"\nweights = { Q1 = 0.5, Q2 = 0.5 }\n[inputs]\nmissing_units = "zero"\n',
    )
    a = y.load()
    path = tmp_path / "p.xlsx"
    counts = write_template(path, a.catalogue, a.settings, a.units)
    assert counts == {"乡镇 Q1": 1, "乡镇 Q2": 1, "部门 Q1": 1, "部门 Q2": 1}
    book = openpyxl.load_workbook(path)
    cols, first = value_columns(book)
    book["乡镇 Q2"][f"{cols[('乡镇 Q2', 'A1', '')]}{first['乡镇 Q2']}"] = 2
    book["乡镇 Q1"][f"{cols[('乡镇 Q1', 'A1', '')]}{first['乡镇 Q1']}"] = 1
    book.save(path)
    df, issues = read_template(path, a.catalogue, a.settings, "p.xlsx")
    # 甲镇's A2 and all of 乙局 are blank: said in one note per sheet
    sheets = ("乡镇 Q1", "乡镇 Q2", "部门 Q1", "部门 Q2")
    assert {i.code for i in issues} == {f"{s}|template_blank" for s in sheets}
    assert df.select("unit", "indicator", "value", "period").rows() == [
        ("T1", "A1", "1", "Q1"),
        ("T1", "A1", "2", "Q2"),
    ]
    obs, problems = normalise_inputs([("p.xlsx", df.drop("__cell__"))], a.catalogue, a.settings, a.units)
    assert errors(problems) == [] and obs.sort("period")["value"].to_list() == [1.0, 2.0]


# ------------------------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(template)
    return app


def test_cli_writes_templates(cli: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--year", "2021", "--indicators", str(IND), "--data", str(DATA)]
    out = tmp_path / "t.xlsx"
    result = runner.invoke(cli, [*base, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "乡镇：10 个单位" in result.output and "县直部门：20 个单位" in result.output
    assert is_template(out)
    again = runner.invoke(cli, [*base, "--out", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(cli, [*base, "--out", str(out), "--force"]).exit_code == 0

    for choice in ("乡镇", "town"):
        one = tmp_path / f"{choice}.xlsx"
        result = runner.invoke(cli, [*base, "--class", choice, "--out", str(one)])
        assert result.exit_code == 0, result.output
        assert openpyxl.load_workbook(one).sheetnames == ["填表说明", "乡镇", "_meta"]

    long = tmp_path / "long.xlsx"
    result = runner.invoke(cli, [*base, "--long", "--class", "县直部门", "--out", str(long)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(long)["评分数据"]
    assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]} == {
        f"D{i:02d}" for i in range(1, 21)
    }

    bad = runner.invoke(cli, [*base, "--class", "村", "--out", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 1 and "未知的单位类别" in bad.output and "town（乡镇）" in bad.output
    assert not (tmp_path / "x.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_default_path_and_missing_year(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(IND, tmp_path / "indicators" / "2021")
    shutil.copytree(DATA, tmp_path / "data" / "2021")
    (tmp_path / "data" / "2021" / "assessments.csv").unlink()  # templates come before any input
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--year", "2021", "--class", "town"])
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / "templates" / "2021" / "2021年度轮台县政务公开工作考核评分填报模板（乡镇）.xlsx"
    ).exists()
    missing = runner.invoke(cli, ["--year", "2019"])
    assert missing.exit_code == 1 and "2019" in missing.output


def test_a_units_own_quota_has_its_column(tmp_path: Path) -> None:
    """An over-quota leaf offers a 定额 column beside its count (blank: the catalogue's quota); typed in,
    it reads back as the 定额 row and scores like the CSV (tests/years/quota-per-unit)."""
    here = Path(__file__).resolve().parents[1] / "years" / "quota-per-unit"
    year = load_year(2021, here / "indicators", here / "data")
    path = tmp_path / "模板.xlsx"
    write_template(path, year.catalogue, year.settings, year.units)
    book = openpyxl.load_workbook(path)
    cols, first = value_columns(book)
    assert {(s, k) for s, lf, k in cols if lf == "J1"} == {
        (s, k) for s in SHEETS.values() for k in ("", "定额")
    }
    for r in year.observations.filter(pl.col("indicator") == "J1").iter_rows(named=True):
        sheet = SHEETS[r["class"]]
        row = unit_rows(book[sheet], first[sheet])[r["unit"]]
        book[sheet][f"{cols[(sheet, 'J1', r['key'] or '')]}{row}"] = int(r["value"])
    for r in year.observations.filter(pl.col("indicator") == "A1").iter_rows(named=True):
        sheet = SHEETS[r["class"]]
        book[sheet][f"{cols[(sheet, 'A1', '')]}{unit_rows(book[sheet], first[sheet])[r['unit']]}"] = r[
            "value"
        ]
    book.save(path)
    df, issues = read(path, year)
    assert errors(issues) == []
    assert not [i for i in issues if "定额" in (i.value or "")]  # a blank 定额 is no blank input to note
    obs, issues = normalise_inputs(
        [("模板.xlsx", df.drop("__cell__"))], year.catalogue, year.settings, year.units
    )
    assert errors(issues) == []
    quota_rows = sorted(obs.filter(pl.col("key") == "定额").select("unit", "value").rows())
    assert quota_rows == [("D02", 8.0), ("T02", 18.0)]
    again = compute(dataclasses.replace(year, observations=obs)).units.select("unit", "total").sort("unit")
    assert again.equals(compute(year).units.select("unit", "total").sort("unit"))

"""A block of rows written by :func:`scoring.output.bulk.put_rows` reads back exactly as the same cells
written one by one through xlsxwriter: values, formats, blanks, row heights, links and a chart's cached
data."""

from __future__ import annotations

import math
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scoring.output import bulk as bulk_module
from scoring.output.bulk import MAX_CELL, Cells, cell_text, put_rows, utf16_len
from scoring.output.kit import WORKBOOK_OPTIONS, Book

FIRST = 2  # a title and a header above the block, as on every sheet that has one

texts = st.one_of(
    st.none(),
    st.just(""),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.sampled_from(["  前后空格 ", "a&b<c>\"d'", "=SUM(A1)", "001", "乡镇\n第二行", "_x0041_", "\x01\x1f"]),
)
numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.1 + 0.2, 78.85000000000001, 1e-05, 12345678901234567.0]),
)
rows = st.lists(st.tuples(numbers, texts, st.booleans(), st.integers(1, 4)), min_size=1, max_size=30)


def _book(path: Path, fill: Any) -> None:
    wb = Book(str(path), WORKBOOK_OPTIONS)
    plain = wb.add_format({"border": 1})
    bold = wb.add_format({"border": 1, "bold": True, "num_format": "0.00"})
    wrap = wb.add_format({"border": 1, "text_wrap": True})
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "标题", bold)
    ws.write_string(1, 0, "数值", plain)
    ws.write_string(1, 1, "文字", plain)
    fill(ws, plain, bold, wrap)
    wb.close()


def _one_by_one(ws: Any, data: list[tuple[Any, ...]], plain: Any, bold: Any, wrap: Any) -> None:
    for i, (number, text, strong, lines) in enumerate(data):
        r = FIRST + i
        fmt = bold if strong else plain
        if number is None:
            ws.write_blank(r, 0, None, fmt)
        else:
            ws.write_number(r, 0, number + 0.0, fmt)
        s = cell_text(text)
        if s:
            ws.write_string(r, 1, s, wrap)
        else:
            ws.write_blank(r, 1, None, wrap)
        ws.write_string(r, 2, cell_text(text), plain)  # an empty text stays a text
        if lines > 1:
            ws.set_row(r, 14.25 * lines + 4)


def _in_bulk(ws: Any, data: list[tuple[Any, ...]], plain: Any, bold: Any, wrap: Any) -> None:
    frame = pl.DataFrame(
        data, schema={"n": pl.Float64, "t": pl.String, "b": pl.Boolean, "l": pl.Int64}, orient="row"
    )
    text = pl.col("t").fill_null("")
    cells = [
        Cells(pl.col("n"), True, key=pl.col("b"), formats={False: plain, True: bold}),
        Cells(pl.when(text != "").then(text), False, wrap),
        Cells(text, False, plain),
    ]
    put_rows(ws, FIRST, frame, cells, [14.25 * n + 4 if n > 1 else None for n in frame["l"]])


def _read(path: Path) -> list[tuple[Any, ...]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)["表"]
    out = []
    for row in ws.iter_rows():
        for c in row:
            out.append(
                (c.coordinate, c.value, c.number_format, c.font.b, c.alignment.wrap_text, c.border.left.style)
            )
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    return [*out, ("heights", heights)]


def _string_table(path: Path) -> tuple[str, list[str]]:
    """The shared string table's counts (its ``sst`` element) and its strings, sorted."""
    xml = zipfile.ZipFile(path).read("xl/sharedStrings.xml").decode()
    head = re.search(r"<sst [^>]*>", xml)
    return (head.group(0) if head else ""), sorted(re.findall(r"<si>.*?</si>", xml, flags=re.S))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows)
def test_a_block_reads_back_as_the_cells_written_one_by_one(
    tmp_path: Path, data: list[tuple[Any, ...]]
) -> None:
    one, bulk = tmp_path / "one.xlsx", tmp_path / "bulk.xlsx"
    _book(one, lambda ws, *f: _one_by_one(ws, data, *f))
    _book(bulk, lambda ws, *f: _in_bulk(ws, data, *f))
    assert _read(bulk) == _read(one)
    # the shared string table too: the same strings (the block adds them column by column, so in another
    # order), the same count of uses
    assert _string_table(bulk) == _string_table(one)


def test_numbers_are_written_as_xlsxwriter_writes_them(tmp_path: Path) -> None:
    """%.16G: a whole number without a decimal point, 17 significant digits cut to 16, no negative
    zero; a pico-point integer divided exactly, not by a reciprocal."""
    frame = pl.DataFrame({"n": [3.0, 0.1 + 0.2, -0.0, 1e-05], "p": [-800_000_000_000, 555, 0, 10**12]})
    path = tmp_path / "n.xlsx"
    _book(
        path,
        lambda ws, plain, *_: put_rows(
            ws, FIRST, frame, [Cells(pl.col("n"), True, plain), Cells(pl.col("p"), True, plain, per=10**12)]
        ),
    )
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    for text in [
        "<v>3</v>",
        "<v>0.3</v>",
        "<v>0</v>",
        "<v>1E-05</v>",
        "<v>-0.8</v>",
        "<v>5.55E-10</v>",
        "<v>1</v>",
    ]:
        assert text in sheet
    assert "-0<" not in sheet


@pytest.mark.parametrize(
    "long",
    [
        "政" * (MAX_CELL + 10),
        "😀" * (MAX_CELL // 2 + 2),  # fewer characters than the limit, more UTF-16 units (each counts 2)
    ],
)
def test_a_long_text_is_cut_as_cell_text_cuts_it(tmp_path: Path, long: str) -> None:
    path = tmp_path / "long.xlsx"
    _book(
        path,
        lambda ws, plain, *_: put_rows(
            ws, FIRST, pl.DataFrame({"t": [long, "短"]}), [Cells(pl.col("t"), False, plain)]
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(path)["表"]
    value = sheet.cell(FIRST + 1, 1).value
    assert value == cell_text(long) and value != long and value.endswith("…")
    assert utf16_len(value) <= MAX_CELL and sheet.cell(FIRST + 2, 1).value == "短"


def test_a_chart_over_a_block_caches_the_same_data(tmp_path: Path) -> None:
    names = ["甲", "乙", None, "丁", "戊"]
    totals = [95.5, 88.25, None, 0.1 + 0.2, 1e-05]  # the cache writes an exponent as xlsxwriter does (1e-05)

    def fill(bulk: bool) -> Any:
        def go(wb: Any, ws: Any, plain: Any) -> None:
            if bulk:
                frame = pl.DataFrame({"name": names, "total": totals})
                put_rows(
                    ws,
                    FIRST,
                    frame,
                    [Cells(pl.col("name"), False, plain), Cells(pl.col("total"), True, plain)],
                )
            else:
                for i, (n, t) in enumerate(zip(names, totals, strict=True)):
                    (ws.write_blank if n is None else ws.write_string)(FIRST + i, 0, n, plain)
                    (ws.write_blank if t is None else ws.write_number)(FIRST + i, 1, t, plain)
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({"categories": "=表!$A$1:$A$7", "values": "=表!$B$1:$B$7"})
            ws.insert_chart("D2", chart)

        return go

    xml = []
    for bulk in (False, True):
        path = tmp_path / f"chart{bulk}.xlsx"
        wb = Book(str(path), WORKBOOK_OPTIONS)
        plain = wb.add_format({"border": 1})
        ws = wb.add_worksheet("表")
        ws.write_string(0, 0, "标题", plain)
        fill(bulk)(wb, ws, plain)
        wb.close()
        xml.append(zipfile.ZipFile(path).read("xl/charts/chart1.xml"))
    assert xml[0] == xml[1]
    assert b"<c:v>0.3</c:v>" in xml[1] and b"<c:v>\xe7\x94\xb2</c:v>" in xml[1]
    assert b"<c:v>1e-05</c:v>" in xml[1]


def test_a_link_in_a_block_is_a_hyperlink_on_the_block_cell(tmp_path: Path) -> None:
    path = tmp_path / "link.xlsx"
    url = "https://example.gov.cn/a?b=1&c=2"

    def go(ws: Any, plain: Any, *_: Any) -> None:
        put_rows(ws, FIRST, pl.DataFrame({"e": ["无", url]}), [Cells(pl.col("e"), False, plain)])
        ws.link(FIRST + 1, 0, url, plain, url, "打开佐证链接")

    _book(path, go)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)["表"]
    cell = ws.cell(FIRST + 2, 1)
    assert cell.value == url and cell.hyperlink is not None and cell.hyperlink.target == url
    assert ws.cell(FIRST + 1, 1).hyperlink is None


def test_a_cell_written_one_by_one_inside_a_block_is_an_error(tmp_path: Path) -> None:
    sheets: list[Any] = []

    def go(ws: Any, plain: Any, *_: Any) -> None:
        put_rows(ws, FIRST, pl.DataFrame({"t": ["a", "b"]}), [Cells(pl.col("t"), False, plain)])
        ws.write_string(FIRST + 1, 3, "重写", plain)
        sheets.append(ws)

    with pytest.raises(RuntimeError, match="block"):
        _book(tmp_path / "x.xlsx", go)
    assert sheets[0].block.xml.closed  # the block's temporary file is gone all the same


def test_a_blocks_rows_wait_in_a_temporary_file_until_the_book_is_closed(tmp_path: Path) -> None:
    sheets: list[Any] = []

    def go(ws: Any, plain: Any, *_: Any) -> None:
        put_rows(ws, FIRST, pl.DataFrame({"t": ["甲", "乙"]}), [Cells(pl.col("t"), False, plain)])
        xml = ws.block.xml
        xml.seek(0)
        assert xml.read().count("<row ") == 2 and not xml.closed  # held on disk, not in memory
        sheets.append(ws)

    _book(tmp_path / "x.xlsx", go)
    assert sheets[0].block.xml.closed


def test_a_row_after_the_block_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "after.xlsx"

    def go(ws: Any, plain: Any, *_: Any) -> None:
        put_rows(ws, FIRST, pl.DataFrame({"t": ["a", "b"]}), [Cells(pl.col("t"), False, plain)])
        ws.write_string(FIRST + 3, 0, "注：", plain)

    _book(path, go)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)["表"]
    assert [ws.cell(r, 1).value for r in range(1, 7)] == ["标题", "数值", "a", "b", None, "注："]


def test_a_number_that_is_not_finite_is_refused(tmp_path: Path) -> None:
    def go(ws: Any, plain: Any, *_: Any) -> None:
        put_rows(ws, FIRST, pl.DataFrame({"n": [1.0, math.inf]}), [Cells(pl.col("n"), True, plain)])

    with pytest.raises(ValueError, match="inf"):
        _book(tmp_path / "x.xlsx", go)


def test_a_block_rendered_in_parts_writes_the_same_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a block's XML is made XML_ROWS rows at a time: parts of one row, two, seven (the last shorter) and
    # one part write the very same sheet, byte for byte, and read back as the cells written one by one
    data = [
        (i * 1.5 if i % 3 else None, f"第{i}行" if i % 4 else "", i % 2 == 0, 1 + i % 3) for i in range(20)
    ]
    sheets = []
    for n in (1, 2, 7, 10_000):
        monkeypatch.setattr(bulk_module, "XML_ROWS", n)
        path = tmp_path / f"{n}.xlsx"
        _book(path, lambda ws, *f: _in_bulk(ws, data, *f))
        sheets.append(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"))
    assert all(s == sheets[-1] for s in sheets) and b'<row r="22"' in sheets[-1]
    one = tmp_path / "one.xlsx"
    _book(one, lambda ws, *f: _one_by_one(ws, data, *f))
    assert _read(tmp_path / "1.xlsx") == _read(one)

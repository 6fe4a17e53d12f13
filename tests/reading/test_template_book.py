"""The filled-template reader on openpyxl: every template the package writes reads back, in both
layouts; a workbook's formulas (with the result Excel saved), merged ranges and percent formats are
visible to it by address."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from scoring import Assessment, load_year
from scoring.output.template import write_template
from scoring.reading.template import is_template, read_template
from scoring.reading.template.book import Book, parse_ref, sheet_names

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def year() -> Assessment:
    return load_year(2021, ROOT / "indicators" / "2021", ROOT / "data" / "2021")


@pytest.mark.parametrize("long", [False, True], ids=["wide", "long"])
@pytest.mark.parametrize("only", [None, "town", "dept"])
def test_every_template_written_reads_back(
    year: Assessment, tmp_path: Path, long: bool, only: str | None
) -> None:
    path = tmp_path / "t.xlsx"
    counts = write_template(
        path, year.catalogue, year.settings, year.units, classes=None if only is None else [only], long=long
    )
    assert is_template(path)
    df, issues = read_template(path, year.catalogue, year.settings, "t.xlsx")
    assert [i for i in issues if i.severity == "error"] == []
    assert df.is_empty()  # nothing filled in: no rows, and no problem either
    assert set(counts) <= set(sheet_names(path))


def test_book_sees_formulas_merges_and_percent_formats(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "表"
    ws["A1"] = "单位"
    ws["B2"] = 0.95
    ws["B2"].number_format = "0%"
    ws["C3"] = "=1+2"
    ws["D4"] = True
    ws.merge_cells("A5:C6")
    wb.save(path)
    book = Book(path)
    try:
        assert book.sheets == [("表", "visible")]
        cells, merges = book.cells("表")
    finally:
        book.close()
    assert cells[(0, 0)].text == "单位" and cells[(0, 0)].kind == "s"
    assert cells[(1, 1)].percent and cells[(1, 1)].text == "0.95"
    formula = cells[(2, 2)]
    assert formula.formula and formula.text is None  # openpyxl saves no result: none to read
    assert cells[(3, 3)].kind == "b" and cells[(3, 3)].text == "1"
    assert merges == [(4, 0, 5, 2)]
    assert parse_ref("C3") == (2, 2) and parse_ref("3C") is None

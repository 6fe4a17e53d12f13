"""A filled workbook read with openpyxl: each sheet's cells by absolute address with their stored value,
whether they hold a formula (and the result Excel saved for it), whether they are formatted as a
percentage, and the merged ranges — what the template reader needs to find a cell, read it as typed and
say where a formula or a merged cell is.

The sheets are read in openpyxl's full mode (its read-only mode knows no merged cells); the saved results
of formulas come from a second, read-only pass, made only for a sheet that has formulas.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from scoring.reading.template.layout import col_index

# what openpyxl raises for a file that is no readable workbook (a damaged package, a part that does not
# parse, a value it cannot convert)
UNREADABLE: tuple[type[Exception], ...] = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    zipfile.BadZipFile,
    InvalidFileException,
    ElementTree.ParseError,
)


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets (read-only: the cells are not read)."""
    book = openpyxl.load_workbook(path, read_only=True, keep_links=False)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


@dataclass(frozen=True)
class Cell:
    kind: str  # n (number), s (text), b (true/false), e (error), d (date)
    text: str | None  # the value as stored (None: no value, or a formula with no saved result)
    formula: bool
    percent: bool = False  # formatted as a percentage (95% typed is stored as 0.95)


_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``F12`` as a 0-based (row, column)."""
    m = _REF.match(ref)
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


def _percent(number_format: str | None) -> bool:
    code = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in code


def _stored(value: Any) -> tuple[str, str | None]:
    """A value as openpyxl gives it, as the kind and text the workbook stores."""
    if value is None:
        return "n", None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int | float):
        return "n", repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return "d", value.isoformat()
    if isinstance(value, str):
        return ("e", value) if value.startswith("#") and value.upper() in _ERRORS else ("s", value)
    return "s", str(value)


_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


class Book:
    """An .xlsx workbook: its sheets (name, state), cells and merged ranges, and its date system."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.workbook: Workbook = openpyxl.load_workbook(self.path, data_only=False, keep_links=False)
        self.sheets: list[tuple[str, str]] = [(ws.title, ws.sheet_state) for ws in self.workbook.worksheets]
        self.date1904 = self.workbook.epoch == CALENDAR_MAC_1904
        self._results: dict[str, dict[tuple[int, int], Any]] | None = None

    def close(self) -> None:
        self.workbook.close()

    def _saved_results(self, sheet: str) -> dict[tuple[int, int], Any]:
        """The results Excel saved for the formulas of ``sheet`` (one read-only pass over the workbook)."""
        if self._results is None:
            self._results = {}
            saved = openpyxl.load_workbook(self.path, read_only=True, data_only=True, keep_links=False)
            try:
                for ws in saved.worksheets:
                    self._results[ws.title] = {
                        (c.row - 1, c.column - 1): c.value
                        for row in ws.iter_rows()
                        for c in row
                        if c.value is not None and hasattr(c, "column")
                    }
            finally:
                saved.close()
        return self._results.get(sheet, {})

    def cells(self, sheet: str) -> tuple[dict[tuple[int, int], Cell], list[tuple[int, int, int, int]]]:
        """Every cell of ``sheet`` with a value or a formula, by 0-based (row, col), and the merged ranges
        as 0-based (first row, first col, last row, last col)."""
        ws = self.workbook[sheet]
        cells: dict[tuple[int, int], Cell] = {}
        formulas: list[tuple[int, int, bool]] = []
        for row in ws.iter_rows():
            for c in row:
                value = c.value
                if value is None:
                    continue
                at = (c.row - 1, c.column - 1)
                percent = _percent(c.number_format)
                if c.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                    formulas.append((*at, percent))
                    continue
                if not isinstance(value, str | int | float | bool | dt.datetime | dt.date):
                    value = str(getattr(value, "text", value))  # an array formula or rich text
                kind, text = _stored(value)
                cells[at] = Cell(kind, text, False, percent)
        if formulas:
            results = self._saved_results(sheet)
            for r, col, percent in formulas:
                result = results.get((r, col))
                kind, text = _stored(result) if result is not None else ("n", None)
                cells[(r, col)] = Cell(kind, text, True, percent)
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
        ]
        return cells, merges

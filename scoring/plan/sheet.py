"""Reading an Excel decomposition table (.xlsx) into grids, one per sheet, merged cells carried: every
cell of a merged range holds the range's text and knows the range's top-left cell.

openpyxl reads the file (not in read-only mode, which does not report merged ranges; plan tables are a
few hundred rows at most)."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from .table import Cell, Grid


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日前"  # a date in the time-limit column: by then
    return str(value).strip()


def read_xlsx(path: Path) -> list[Grid]:
    """Every visible sheet of the workbook as a grid. ValueError (in Chinese) when it is not a workbook."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # openpyxl warns of styles and extensions it does not know: nothing about the text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ValueError(f"{path.name}：不是有效的 .xlsx 文件（{e}）") from e
    grids: list[Grid] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            values = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in values), default=0)
            origin: dict[tuple[int, int], tuple[int, int]] = {}
            for rng in ws.merged_cells.ranges:
                top, left = rng.min_row - 1, rng.min_col - 1
                for r in range(rng.min_row - 1, rng.max_row):
                    for c in range(rng.min_col - 1, rng.max_col):
                        origin[(r, c)] = (top, left)
            rows: list[list[Cell]] = []
            for r, row in enumerate(values):
                cells: list[Cell] = []
                for c in range(width):
                    o = origin.get((r, c), (r, c))
                    text = values[o[0]][o[1]] if o[1] < len(values[o[0]]) else ""
                    cells.append(Cell(text if c < len(row) or o != (r, c) else "", o))
                rows.append(cells)
            grids.append(Grid(rows, list(range(1, len(rows) + 1)), ws.title))
    finally:
        wb.close()
    return grids

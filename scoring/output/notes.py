"""The 校验说明 sheet: the validation notes of a run (file, row, column, value, what was expected, code
and severity)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from scoring.errors import Issue
from scoring.output.kit import (
    Styles,
    cell_text,
    fit_width,
    page_setup,
    row_lines,
    set_heights,
    title_row,
    widest_text,
    write_header,
)

__all__ = ["write_notes"]

SEVERITY_NAMES = {"error": "错误", "note": "提示"}


def write_notes(wb: Any, styles: Styles, notes: Sequence[Issue], title: str, sheet_name: str) -> None:
    """校验说明: one row per validation note."""
    headers = ["文件", "行", "列", "值", "说明", "代码", "级别"]
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}校验说明", len(headers) - 1)
    frame = pl.DataFrame(
        {
            "file": [i.file for i in notes],
            "column": [i.column or "" for i in notes],
            "value": [i.value or "" for i in notes],
            "expected": [i.expected for i in notes],
            "code": [i.code for i in notes],
        },
        schema={k: pl.String for k in ("file", "column", "value", "expected", "code")},
    )
    widths = [
        fit_width(max(widest_text(frame, "file"), 4), 10, 36),
        6,
        fit_width(max(widest_text(frame, "column"), 4), 6, 20),
        fit_width(max(widest_text(frame, "value"), 4), 8, 30),
        fit_width(max(widest_text(frame, "expected"), 8), 12, 50),
        fit_width(max(widest_text(frame, "code"), 4), 10, 36),
        6,
    ]
    write_header(ws, styles, 1, headers, widths)
    set_heights(
        ws,
        2,
        row_lines(
            frame,
            {
                "file": widths[0],
                "column": widths[2],
                "value": widths[3],
                "expected": widths[4],
                "code": widths[5],
            },
        ),
    )
    text_fmt, wrap_fmt, center = styles.text(wrap=True), styles.text(wrap=True), styles.text(align="center")
    int_fmt = styles.number("0", align="center")
    for r, issue in enumerate(notes, start=2):
        ws.write_string(r, 0, cell_text(issue.file), text_fmt)
        if issue.row is None:
            ws.write_blank(r, 1, None, int_fmt)
        else:
            ws.write_number(r, 1, issue.row, int_fmt)
        ws.write_string(r, 2, cell_text(issue.column), text_fmt)
        ws.write_string(r, 3, cell_text(issue.value), wrap_fmt)
        ws.write_string(r, 4, cell_text(issue.expected), wrap_fmt)
        ws.write_string(r, 5, cell_text(issue.code), text_fmt)
        ws.write_string(r, 6, SEVERITY_NAMES.get(issue.severity, issue.severity), center)
    ws.autofilter(1, 0, 1 + len(notes), len(headers) - 1)
    ws.freeze_panes(2, 0)
    page_setup(ws, title, 1)

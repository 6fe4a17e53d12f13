"""The 自评复核差异 sheet: every leaf whose reviewed points (复核) differ from the unit's self-score
(自评)."""

from __future__ import annotations

from typing import Any

import polars as pl

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

__all__ = ["write_discrepancies"]


def write_discrepancies(wb: Any, styles: Styles, diff: pl.DataFrame, title: str, sheet_name: str) -> None:
    """Every leaf whose reviewed points (复核) differ from the unit's self-score (自评)."""
    headers = ["单位", "编号", "指标", "自评分", "复核分", "差值", "复核说明"]
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}自评与复核差异", len(headers) - 1)
    widths = [
        fit_width(max(widest_text(diff, "unit_name"), 4), 8, 30),
        8,
        fit_width(max(widest_text(diff, "name"), 4), 10, 40),
        9,
        9,
        9,
        fit_width(max(widest_text(diff, "note"), 8), 12, 50),
    ]
    write_header(ws, styles, 1, headers, widths)
    set_heights(ws, 2, row_lines(diff, {"unit_name": widths[0], "name": widths[2], "note": widths[6]}))
    text_fmt, wrap_fmt = styles.text(), styles.text(wrap=True)
    num_fmt = styles.number("0.00##")
    for r, row in enumerate(diff.iter_rows(named=True), start=2):
        ws.write_string(r, 0, cell_text(row["unit_name"]), text_fmt)
        ws.write_string(r, 1, cell_text(row["indicator"]), text_fmt)
        ws.write_string(r, 2, cell_text(row["name"]), wrap_fmt)
        for c, key in ((3, "self"), (4, "reviewed"), (5, "difference")):
            ws.write_number(r, c, row[key], num_fmt)
        ws.write_string(r, 6, cell_text(row["note"]), wrap_fmt)
    ws.autofilter(1, 0, 1 + diff.height, len(headers) - 1)
    ws.freeze_panes(2, 0)
    page_setup(ws, title, 1)

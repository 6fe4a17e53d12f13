"""The 校验说明 sheet: the validation notes of a run, each as a sentence (file, row, column, value and
what it means), with its severity and, in a last narrow column, its code."""

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


def note_sentence(issue: Issue) -> str:
    """A validation note as one sentence: where, what was there and what it means."""
    where = issue.file + (f"第{issue.row}行" if issue.row is not None else "")
    if issue.column:
        where += f"“{issue.column}”列"
    value = f"的“{issue.value}”" if issue.value else ""
    return f"{where}{value}：{issue.expected}"


def write_notes(wb: Any, styles: Styles, notes: Sequence[Issue], title: str, sheet_name: str) -> None:
    """校验说明: one sentence per validation note; its code in a last, narrow column for whoever fixes it.
    Hidden: the notes are about the office's input files, not for the circulated print."""
    headers = ["序号", "说明", "级别", "代码"]
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}校验说明", len(headers) - 1)
    frame = pl.DataFrame(
        {"sentence": [note_sentence(i) for i in notes], "code": [i.code for i in notes]},
        schema={"sentence": pl.String, "code": pl.String},
    )
    widths = [6, fit_width(max(widest_text(frame, "sentence"), 8) / 2, 30, 70), 6, 14]
    write_header(ws, styles, 1, headers, widths)
    set_heights(ws, 2, row_lines(frame, {"sentence": widths[1], "code": widths[3]}))
    wrap, center = styles.text(wrap=True), styles.text(align="center")
    small = styles.get(border=1, font_size=8, text_wrap=True, font_color="#595959")
    int_fmt = styles.number("0", align="center")
    for r, (issue, sentence) in enumerate(zip(notes, frame["sentence"], strict=True), start=2):
        ws.write_number(r, 0, r - 1, int_fmt)
        ws.write_string(r, 1, cell_text(sentence), wrap)
        ws.write_string(r, 2, SEVERITY_NAMES.get(issue.severity, issue.severity), center)
        ws.write_string(r, 3, cell_text(issue.code), small)
    ws.autofilter(1, 0, 1 + len(notes), len(headers) - 1)
    ws.freeze_panes(2, 0)
    page_setup(ws, title, 1)
    ws.hide()  # for the office, like 运行信息: printing the workbook prints the readers' pages

"""An input cell of a filled template as the text of an input value: numbers as typed (15 significant
digits, percent-formatted cells as percentages), dates as ISO dates, booleans as 是/否, formulas by
their saved result; blank and error cells skipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from scoring.reading.template.book import Book, Cell
from scoring.reading.template.layout import NOT_DONE, dec


class Reporter(Protocol):
    """Where a problem with a cell is reported (the template reader)."""

    def issue(
        self,
        sheet: str | None,
        ref: str | None,
        value: object,
        expected: str,
        code: str,
        family: str = ...,
        severity: str = ...,
    ) -> None: ...


def _excel_date(serial: Decimal, date1904: bool) -> str:
    base = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    return (base + dt.timedelta(days=int(serial))).isoformat()


SKIP = object()


def cell_value(cell: Cell | None, domain: str, book: Book, rd: Reporter, sheet: str, ref: str) -> Any:
    """The text of an input cell as the row's value: ``SKIP`` for a blank cell (or a cell in error,
    reported), ``None`` for a date cell marked 未完成, otherwise the text."""
    if cell is None:
        return SKIP
    if cell.formula:
        if cell.kind == "s" and cell.text == "":
            return SKIP  # a formula whose result is an empty text: a blank cell
        if not cell.text:
            rd.issue(
                sheet,
                ref,
                None,
                "单元格是公式且没有保存计算结果，无法读取；请改为直接填写数值，或在 Excel 中重新计算后保存",
                "template_formula",
            )
            return SKIP
        rd.issue(
            sheet,
            ref,
            cell.text,
            "单元格是公式，已读取其保存的计算结果（建议直接填写数值）",
            "template_formula_cached",
            severity="note",
        )
    text = cell.text
    if text is None:
        return SKIP
    if cell.kind == "e":
        rd.issue(sheet, ref, text, "单元格是错误值，无法读取", "template_cell_error")
        return SKIP
    if cell.kind == "b":
        return "是" if text.strip() in ("1", "true", "TRUE") else "否"
    if cell.kind == "s":
        t = text.strip()
        if not t:
            return SKIP
        if domain == "date" and t == NOT_DONE:
            return None
        return t
    if cell.kind == "d":
        return text.strip()[:10] if domain == "date" else text.strip()
    t = text.strip()
    if not t:
        return SKIP
    try:
        number = Decimal(t)
    except InvalidOperation:
        return t
    if domain == "date":
        return _excel_date(number, book.date1904)
    # Excel keeps 15 significant digits of what was typed; writers store the binary value with up to
    # 17 (90.1 may come back as 90.09999999999999), so 15 digits give back what was typed
    number = Decimal(f"{float(number):.15g}") if number.is_finite() else number
    if cell.percent and domain != "ratio":
        # typed as 95% in a percent-formatted cell: Excel stored 0.95
        return f"{dec(number * 100)}%"
    return dec(number)


def cell_text(cell: Cell | None, book: Book, rd: Reporter, sheet: str, ref: str) -> str | None:
    v = cell_value(cell, "", book, rd, sheet, ref)
    return None if v is SKIP or v is None else str(v)

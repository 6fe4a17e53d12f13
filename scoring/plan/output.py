"""Writing files safely: every output goes to a temporary file next to the target and is renamed into
place, so a failure never leaves a half-written file. CSV files carry a UTF-8 BOM so Excel opens them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scoring.atomic import atomic_write, os_error_in

from .extract import Plan, flat_rows, items_frame, summary_lines
from .model import report_lines
from .text import display_width

SUFFIXES = (".csv", ".xlsx", ".parquet")


class OutputError(ValueError):
    """A user error about an output path (unsupported suffix, existing file…)."""


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    """Rows (header first) as CSV in UTF-8 with BOM, written atomically."""

    def go(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)

    atomic_write(path, go, make_folder=True)


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), make_folder=True)


def column_width(values: Sequence[str], lo: int = 6, hi: int = 60) -> int:
    """A sensible Excel column width for the values (CJK characters count double)."""
    longest = max((display_width(v) for v in values), default=0)
    return max(lo, min(hi, longest + 2))


def check_suffix(path: Path, allowed: Sequence[str] = SUFFIXES) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise OutputError(f"不支持的输出文件类型“{path.suffix or '（无扩展名）'}”，应为 {'、'.join(allowed)}")
    return suffix


def write_items(plan: Plan, path: Path) -> None:
    """The plan's items as CSV (lists joined by 、), Excel or Parquet (list columns), by the suffix."""
    suffix = check_suffix(path)
    if suffix == ".csv":
        write_csv(path, flat_rows(plan))
    elif suffix == ".parquet":
        frame = items_frame(plan)
        atomic_write(path, frame.write_parquet, make_folder=True)
    else:
        atomic_write(path, lambda tmp: _items_xlsx(plan, tmp), make_folder=True)


def close_book(wb: Any) -> None:
    """Close an xlsxwriter workbook; a file that cannot be written (a full disk) raises its ``OSError``,
    which the plan commands report, not xlsxwriter's exception wrapping it."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as e:
        raise os_error_in(e) or e from None


def _items_xlsx(plan: Plan, path: Path) -> None:
    import xlsxwriter

    rows = flat_rows(plan)
    wb = xlsxwriter.Workbook(str(path))
    try:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        top = wb.add_format({"valign": "top"})
        ws = wb.add_worksheet("事项")
        for c, name in enumerate(rows[0]):
            ws.write_string(0, c, name, head)
        for r, row in enumerate(rows[1:], start=1):
            for c, v in enumerate(row):
                fmt = wrap if rows[0][c] in ("text", "section", "heading", "units_text") else top
                if not v:
                    ws.write_blank(r, c, None, fmt)
                elif rows[0][c] in ("line", "year") and v.isdigit():
                    ws.write_number(r, c, int(v), fmt)
                else:
                    ws.write_string(r, c, v, fmt)
        for c, name in enumerate(rows[0]):
            values = [row[c] for row in rows]
            hi = 80 if name == "text" else 40
            ws.set_column(c, c, column_width(values, hi=hi))
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(0, len(rows) - 1), len(rows[0]) - 1)
        info = wb.add_worksheet("说明")
        info.set_column(0, 0, 100)
        lines = [*summary_lines(plan), f"事项数：{len(plan.items)}", "", *report_lines(plan), ""]
        lines += [f"警告：{w}" for w in plan.warnings] or ["没有警告"]
        for r, s in enumerate(lines):
            info.write_string(r, 0, s, wrap)  # the report's lines can be long: wrapped in the column
    finally:
        close_book(wb)

"""The 封面 sheet: title, issuer, date and year, the scoring method, the results at a glance (units,
average, highest, lowest and the grade distribution per class) and the run manifest, on one page."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.kit import (
    TITLE_FONT,
    Styles,
    cell_text,
    finite_number,
    page_setup,
    per_line,
    text_width,
    title_row,
)

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["write_cover"]


def write_cover(
    wb: Any,
    styles: Styles,
    result: Result,
    title: str,
    generated: dt.date,
    sheet_name: str,
    run_label: str | None = None,
) -> None:
    """封面, dated ``generated``; ``run_label`` names the archive's run in the run record."""
    settings, manifest, units = result.settings, result.manifest, result.units
    ws = wb.add_worksheet(sheet_name)
    grades = [b.name for b in settings.bands] + [settings.fail_grade]
    stats_headers = ["类别", "单位数", "平均分", "最高分", "最低分", *grades]
    last_col = max(8, len(stats_headers) - 1)
    widths = [14, 12, 12, 12, 13.5, 13.5, 13.5, 13.5, 13.5] + [12] * (last_col - 8)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    span = sum(widths[1:])  # characters across the merged value cells
    title_row(ws, styles, title, last_col, size=20, height=48)
    page_setup(ws, title, 0, pages_tall=1)  # a cover is one page
    label = styles.get(bold=True, align="right")
    value = styles.get(align="left", text_wrap=True)
    section = styles.get(font_name=TITLE_FONT, bold=True, font_size=13, bottom=1)

    def merged(row: int, text: str, fmt: Any, first: int = 1, last: int = last_col) -> None:
        if last > first:
            ws.merge_range(row, first, row, last, "", fmt)
        ws.write_string(row, first, cell_text(text), fmt)

    def fit_row(row: int, text: str, chars: float) -> None:
        lines = sum(max(1, math.ceil(text_width(line) / per_line(chars))) for line in text.split("\n"))
        if lines > 1:
            ws.set_row(row, 16 * lines + 4)

    row = 2
    ws.write_string(row, 0, "发布单位：", label)
    merged(row, settings.issuer, value)
    row += 1
    ws.write_string(row, 0, "发布日期：", label)
    date_fmt = styles.get(align="left", num_format='yyyy"年"m"月"d"日"')
    ws.merge_range(row, 1, row, last_col, "", date_fmt)
    ws.write_datetime(row, 1, dt.datetime(generated.year, generated.month, generated.day), date_fmt)
    row += 1
    ws.write_string(row, 0, "考核年度：", label)
    year_fmt = styles.get(align="left", num_format='0"年度"')
    ws.merge_range(row, 1, row, last_col, "", year_fmt)
    ws.write_number(row, 1, settings.year, year_fmt)

    row += 2
    ws.write_string(row, 0, "评分方法", section)
    row += 1
    for i, line in enumerate(settings.method_statement(), start=1):
        ws.write_number(row, 0, i, styles.get(align="right", num_format='0"."'))
        merged(row, line, value)
        fit_row(row, line, span)
        row += 1

    row += 1
    ws.write_string(row, 0, "结果概况", section)
    row += 1
    head = styles.header()
    for c, h in enumerate(stats_headers):
        ws.write_string(row, c, h, head)
    row += 1
    num_fmt = styles.number(align="center")
    count_fmt = styles.number("0", align="center")
    text_c = styles.text(align="center")
    for uc in settings.classes:
        frame = units.filter(pl.col("class") == uc.id)
        totals = frame["total"].drop_nulls()
        ws.write_string(row, 0, cell_text(uc.name), text_c)
        ws.write_number(row, 1, frame.height, count_fmt)
        for c, v in ((2, totals.mean()), (3, totals.max()), (4, totals.min())):
            n = finite_number(v) if not totals.is_empty() else None
            if n is None:
                ws.write_blank(row, c, None, num_fmt)
            else:
                ws.write_number(row, c, n, num_fmt)
        counts = frame["grade"].value_counts()
        by = dict(zip(counts["grade"].to_list(), counts["count"].to_list(), strict=True))
        for c, g in enumerate(grades, start=5):
            ws.write_number(row, c, int(by.get(g, 0)), count_fmt)
        row += 1

    row += 1
    ws.write_string(row, 0, "运行记录", section)
    row += 1
    small = styles.get(align="left", font_size=9, text_wrap=True)
    small_label = styles.get(bold=True, align="right", font_size=9)
    for name, text in (
        ("程序版本", f"zwgk-scoring {manifest.package_version}"),
        ("计算时间", f"{manifest.created}（UTC）"),
        ("单位数", f"{manifest.units}"),
        ("评分记录数", f"{manifest.observations}"),
        ("结果摘要", f"SHA-256 {manifest.results_sha256}"),
        *((("档案记录", run_label),) if run_label else ()),
    ):
        ws.write_string(row, 0, f"{name}：", small_label)
        merged(row, text, small)
        row += 1
    ws.write_string(row, 0, "输入文件：", small_label)
    small_bold = styles.get(align="left", font_size=9, bold=True)
    merged(row, "文件", small_bold, 1, 3)
    merged(row, "SHA-256", small_bold, 4, last_col)
    row += 1
    file_span = sum(widths[1:4])
    for src in manifest.sources:
        merged(row, src.path, small, 1, 3)
        merged(row, src.sha256, small, 4, last_col)
        fit_row(row, src.path, file_span)
        row += 1
    row += 1
    ws.write_string(row, 0, "", styles.get())
    merged(
        row,
        "以上结果可用相同的程序版本和输入文件复算，结果摘要应一致。",
        styles.get(font_size=9, italic=True),
    )
    ws.hide_gridlines(2)

"""The 封面 sheet, for readers: title, issuer, date (Chinese, Beijing time) and year, the units assessed per
class, the method in plain words (only what applies this year), and the results at a glance (units,
average, highest, lowest and the grade distribution per class), on one page. What a run record holds
(program version, hashes, files, the archive's run) is on the last sheet, 运行信息, outside the print."""

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
    fit_width,
    page_setup,
    per_line,
    text_width,
    title_row,
)
from scoring.spec.manifest import beijing_time

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["write_cover", "write_run_record"]

SOURCE_ROLES = {
    "settings": "年度设置",
    "plan": "工作要点",
    "catalogue": "指标体系",
    "roster": "单位名单",
    "input": "评分数据",
    "appeals": "申诉决定",
    "aliases": "单位别名",
}


def write_cover(
    wb: Any, styles: Styles, result: Result, title: str, generated: dt.date, sheet_name: str
) -> None:
    """封面, dated ``generated``."""
    settings, units = result.settings, result.units
    ws = wb.add_worksheet(sheet_name)
    grades = settings.grade_names  # none in a year without grades: no grade columns
    stats_headers = ["类别", "单位数", "平均分", "最高分", "最低分", *grades]
    last_col = max(8, len(stats_headers) - 1)
    # the first column holds the labels and the class names: wide enough for the longest on one line
    first = max([14.0] + [fit_width(text_width(uc.name), 8, 30) for uc in settings.classes])
    widths = [first, 12, 12, 12, 13.5, 13.5, 13.5, 13.5, 13.5] + [12] * (last_col - 8)
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
    merged(row, f"{generated.year}年{generated.month}月{generated.day}日", value)
    row += 1
    ws.write_string(row, 0, "考核年度：", label)
    merged(row, f"{settings.year}年度", value)
    row += 1
    ws.write_string(row, 0, "参评单位：", label)
    counts = units.group_by("class").len()
    by_class = dict(zip(counts["class"].to_list(), counts["len"].to_list(), strict=True))
    scope = "、".join(f"{uc.name}{by_class.get(uc.id, 0)}个" for uc in settings.classes)
    merged(row, f"{scope}，共{units.height}个单位", value)
    fit_row(row, scope, span)

    row += 2
    ws.write_string(row, 0, "评分方法", section)
    row += 1
    roles = {n.role for n in result.catalogue.level1}
    for i, line in enumerate(settings.method_statement(roles), start=1):
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

    ws.hide_gridlines(2)


def write_run_record(
    wb: Any, styles: Styles, result: Result, title: str, sheet_name: str, run_label: str | None = None
) -> None:
    """运行信息: what lets anyone recompute the results — program version, when (Beijing time), the results
    digest, every input file with its SHA-256 and, with an archive, the run. Hidden, so printing the
    workbook prints the pages for readers only; 取消隐藏 shows it."""
    manifest = result.manifest
    ws = wb.add_worksheet(sheet_name)
    widths = [14, 60, 70]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    title_row(ws, styles, f"{title}：运行信息", 2)
    page_setup(ws, title, 0)
    label = styles.get(bold=True, align="right", valign="top")
    value = styles.get(align="left", text_wrap=True, valign="top")
    rows = [
        ("程序", f"zwgk-scoring {manifest.package_version}"),
        ("计算时间", f"{beijing_time(manifest.created)}（北京时间）"),
        ("单位数", str(manifest.units)),
        ("评分记录数", str(manifest.observations)),
        ("结果摘要", f"SHA-256 {manifest.results_sha256}"),
        *((("考核期", manifest.period),) if manifest.period else ()),
        *((("档案记录", run_label),) if run_label else ()),
    ]
    row = 2
    for name, text in rows:
        ws.write_string(row, 0, f"{name}：", label)
        ws.merge_range(row, 1, row, 2, "", value)
        ws.write_string(row, 1, cell_text(text), value)
        row += 1
    row += 1
    head = styles.header()
    for c, h in enumerate(("用途", "文件", "SHA-256")):
        ws.write_string(row, c, h, head)
    row += 1
    text = styles.text(wrap=True)
    for src in manifest.sources:
        ws.write_string(row, 0, SOURCE_ROLES.get(src.role, src.role), text)
        ws.write_string(row, 1, cell_text(src.path), text)
        ws.write_string(row, 2, src.sha256, text)
        row += 1
    row += 1
    ws.merge_range(row, 0, row, 2, "", styles.get(font_size=9, italic=True))
    ws.write_string(
        row,
        0,
        "以上结果可用相同的程序版本和输入文件复算，结果摘要应一致。",
        styles.get(font_size=9, italic=True),
    )
    ws.hide()

"""The 申诉处理 sheet: every appeal decision with its effect on the unit's indicator points, total, rank
and grade, then the other units whose figures moved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.kit import (
    PICO,
    TITLE_FONT,
    Styles,
    cell_text,
    finite_number,
    fit_width,
    number_format,
    page_setup,
    places_needed,
    row_lines,
    set_heights,
    title_row,
    widest_text,
    write_header,
    write_text,
)

if TYPE_CHECKING:
    from scoring.engine.appeals import AppealsReport
    from scoring.engine.compute import Result

__all__ = ["write_appeals"]


def write_appeals(
    wb: Any, styles: Styles, result: Result, report: AppealsReport, title: str, sheet_name: str
) -> None:
    """Every appeal decision with its effect on the unit's indicator points, total, rank and grade, then
    the other units whose figures moved, against the run the decisions correct."""
    settings = result.settings
    class_names = {c.id: c.name for c in settings.classes}
    headers = [
        "序号",
        "单位",
        "编号",
        "指标",
        "子项",
        "原值",
        "新值",
        "决定理由",
        "决定人",
        "决定日期",
        "原记录",
        "指标得分(原)",
        "指标得分(新)",
        "总分(原)",
        "总分(新)",
        "总分变化",
        "排名(原)",
        "排名(新)",
        "名次变化",
        "等次(原)",
        "等次(新)",
    ]
    graded = settings.graded  # a year without grades has no grade columns
    if not graded:
        headers = headers[:-2]
    ch = report.changes
    ws = wb.add_worksheet(sheet_name)
    last_col = len(headers) - 1
    title_row(ws, styles, f"{title}申诉处理", last_col)
    note_fmt = styles.get(align="left", font_size=9)
    ws.merge_range(1, 0, 1, last_col, "", note_fmt)
    ws.write_string(
        1,
        0,
        cell_text(
            f"共 {ch.height} 项申诉决定；对照：{report.base_label}。总分、排名为该单位全部决定的合计影响。"
        ),
        note_fmt,
    )
    widths = [
        6,
        fit_width(max(widest_text(ch, "unit_name"), 6), 8, 24),
        fit_width(max(widest_text(ch, "indicator"), 4), 6, 12),
        fit_width(max(widest_text(ch, "indicator_name"), 6), 10, 30),
        fit_width(max(widest_text(ch, "key"), 4), 6, 20),
        fit_width(max(widest_text(ch, "old_value"), 4), 8, 16),
        fit_width(max(widest_text(ch, "new_value"), 4), 8, 16),
        fit_width(max(widest_text(ch, "reason"), 8), 12, 40),
        fit_width(max(widest_text(ch, "decided_by"), 6), 8, 24),
        12,
        fit_width(max(widest_text(ch, "was"), 8), 10, 30),
        *([10] * (10 if graded else 8)),
    ]
    write_header(ws, styles, 2, headers, widths)
    wrap = styles.text(wrap=True)
    center = styles.text(align="center")
    num = styles.number()
    signed = styles.number(number_format(settings.places, signed=True))
    places = places_needed(
        (pl.concat([ch["points_before"], ch["points_after"]]).drop_nulls() * PICO).round(0).cast(pl.Int64),
        max(settings.places, 0),
    )
    points_fmt = styles.number(number_format(places))
    int_fmt = styles.number("0", align="center")

    def number(r: int, c: int, v: object, fmt: Any) -> None:
        n = finite_number(v)
        if n is None:
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, n, fmt)

    def integer(r: int, c: int, v: object) -> None:
        if v is None:
            ws.write_blank(r, c, None, int_fmt)
        else:
            ws.write_number(r, c, int(v), int_fmt)  # type: ignore[call-overload]

    def outcome(r: int, c: int, x: dict[str, Any]) -> None:
        """Total, rank and grade before and after, from column ``c`` (both tables end with these)."""
        number(r, c, x["total_before"], num)
        number(r, c + 1, x["total_after"], num)
        number(r, c + 2, x["total_change"], signed)
        integer(r, c + 3, x["rank_before"])
        integer(r, c + 4, x["rank_after"])
        write_text(ws, r, c + 5, x["rank_arrow"], center)
        if graded:
            write_text(ws, r, c + 6, x["grade_before"], center)
            write_text(ws, r, c + 7, x["grade_after"], center)

    row = 3
    for i, x in enumerate(ch.to_dicts(), start=1):
        ws.write_number(row, 0, i, int_fmt)
        for c, key in enumerate(
            (
                "unit_name",
                "indicator",
                "indicator_name",
                "key",
                "old_value",
                "new_value",
                "reason",
                "decided_by",
            ),
            start=1,
        ):
            write_text(ws, row, c, x[key], center if c == 2 else wrap)
        write_text(ws, row, 9, x["decision_date"], center)
        write_text(ws, row, 10, x["was"], wrap)
        number(row, 11, x["points_before"], points_fmt)
        number(row, 12, x["points_after"], points_fmt)
        outcome(row, 13, x)
        row += 1
    wrapped = {"unit_name": widths[1], "indicator_name": widths[3], "reason": widths[7], "was": widths[10]}
    set_heights(ws, 3, row_lines(ch, wrapped))
    ws.freeze_panes(3, 2)

    row += 1
    others = report.others
    ws.merge_range(row, 0, row, last_col, "", styles.get(font_name=TITLE_FONT, bold=True, font_size=12))
    what = ("名次、总分或等次", "总分、名次和等次") if graded else ("名次或总分", "总分和名次")
    ws.write_string(
        row,
        0,
        f"其他单位的变化（因上述决定，{what[0]}随之变化的未申诉单位）"
        if others.height
        else f"其他单位的{what[1]}均未因上述决定而变化。",
        styles.get(font_name=TITLE_FONT, bold=True, font_size=12),
    )
    row += 1
    if others.height:
        head = [
            "单位",
            "类别",
            "总分(原)",
            "总分(新)",
            "总分变化",
            "排名(原)",
            "排名(新)",
            "名次变化",
            "等次(原)",
            "等次(新)",
        ][: None if graded else -2]
        for c, h in enumerate(head, start=1):
            ws.write_string(row, c, h, styles.header())
        row += 1
        for x in others.to_dicts():
            write_text(ws, row, 1, x["name"], wrap)
            write_text(ws, row, 2, class_names.get(x["class"] or "", x["class"]), center)
            outcome(row, 3, x)
            row += 1
    page_setup(ws, title, 2)

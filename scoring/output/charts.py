"""The 图表 sheet: per unit class, a bar chart of the totals in rank order and one of the level-1 parts
stacked, each on its own printed page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from scoring.output.kit import FONT, TITLE_FONT, Styles, page_setup, title_row
from scoring.output.ranking import ClassSheet

__all__ = ["CHART_UNITS", "write_charts"]

SERIES_COLOURS = (
    "#4472C4",
    "#ED7D31",
    "#A5A5A5",
    "#FFC000",
    "#5B9BD5",
    "#70AD47",
    "#264478",
    "#9E480E",
    "#636363",
    "#997300",
)
CHART_WIDTH = 1000  # pixels: one A4 landscape page wide at about 100%
CHART_UNITS = 30  # bars per chart: more would not fit a page readably, so it shows the first 30 ranks
PAGE_PX = 600  # what one printed page holds below the title, in pixels (rows of 20 px)
BAR_PX = 16  # height per bar, label included
CHART_FRAME_PX = 100  # title, axis and legend


def _bar_chart(wb: Any, cs: ClassSheet, columns: Sequence[int], title: str, num_fmt: str, height: int) -> Any:
    """A horizontal bar chart of the ranked units of a class, rank 1 on top: one series per column
    (stacked when there are several)."""
    shown = min(cs.ranked, CHART_UNITS)
    first, last = cs.first_row, cs.first_row + shown - 1
    stacked = len(columns) > 1
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"} if stacked else {"type": "bar"})
    font = {"name": FONT, "size": 9}
    for i, col in enumerate(columns):
        series: dict[str, Any] = {
            "name": [cs.sheet, first - 1, col],
            "categories": [cs.sheet, first, cs.name_col, last, cs.name_col],
            "values": [cs.sheet, first, col, last, col],
            "fill": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
            "border": {"none": True},
            "gap": 60,
        }
        if not stacked:
            series["data_labels"] = {"value": True, "num_format": num_fmt, "font": font}
        chart.add_series(series)
    chart.set_title({"name": title, "name_font": {"name": TITLE_FONT, "size": 12, "bold": True}})
    # in a bar chart xlsxwriter's x axis is the value axis and the y axis the categories
    value_axis: dict[str, Any] = {
        "min": 0,
        "num_format": "0",  # the axis in whole points; the bars' labels at the declared places
        "num_font": font,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    }
    if cs.axis_max is not None:
        value_axis["max"] = cs.axis_max
    chart.set_x_axis(value_axis)
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font, "interval_unit": 1})  # every name
    chart.set_legend({"position": "bottom", "font": font} if stacked else {"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": height})
    return chart


def write_charts(wb: Any, styles: Styles, sheets: list[ClassSheet], title: str, sheet_name: str) -> None:
    """Per class: totals in rank order, and the level-1 parts stacked; as many charts on a page as fit
    (a page break before a chart that would not), so no chart is cut and no page holds a lone small one."""
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}（图表）", 10)
    page_setup(ws, title, 0)
    ws.set_column(0, 10, 12.5)
    row = 2
    used = 0  # pixels used on the current page
    breaks: list[int] = []
    for cs in sheets:
        if cs.ranked == 0:
            continue
        name = cs.unit_class.name
        shown = min(cs.ranked, CHART_UNITS)
        height = max(240, BAR_PX * shown + CHART_FRAME_PX)
        top = f"（前{shown}名）" if shown < cs.ranked else ""
        charts = [(f"{name}总分排名{top}", [cs.total_col])]
        if cs.part_cols:
            charts.append((f"{name}各一级指标得分{top}", list(cs.part_cols)))
        for chart_title, columns in charts:
            rows = math.ceil(height / 20) + 1
            if used and used + rows * 20 > PAGE_PX:
                breaks.append(row)
                row += 1  # below the break, so the chart's border does not print on the page before
                used = 0
            ws.insert_chart(
                row,
                0,
                _bar_chart(wb, cs, columns, chart_title, styles.num_format, height),
                {"object_position": 3},
            )
            row += rows
            used += rows * 20
    ws.set_h_pagebreaks(breaks)

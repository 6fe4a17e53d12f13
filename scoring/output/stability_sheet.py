"""排名稳定性: per unit its published rank and the 5th–95th percentile interval of its rank when the
judgement inputs vary (``score stability``), drawn as a floating bar per unit, the share of runs in which
its grade differs, and the positions decided by less than the declared margin."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from scoring.output.kit import (
    FONT,
    TITLE_FONT,
    Styles,
    fit_width,
    page_setup,
    title_row,
    widest_text,
    write_book,
    write_header,
    write_text,
)
from scoring.spec.settings import Settings

SHEET_STABILITY = "排名稳定性"
HEADERS = [
    "类别",
    "排名",
    "单位",
    "总分",
    "等次",
    "名次区间（低）",
    "名次区间（高）",
    "区间前空白",
    "区间宽度",
    "等次改变的比例",
    "与相邻单位分差",
    "距等次分数线",
    "改变名次的最小分差",
    "提示",
]
CHART_UNITS = 40  # units per interval chart: more would not be readable on a page


def note(row: dict[str, Any], margin: float) -> str:
    """The reader's note for a unit: what is fragile, in words."""
    out = []
    if row["rank"] is not None and row["gap"] is not None and row["gap"] == 0:
        out.append("与相邻单位并列")
    elif row["fragile_rank"]:
        out.append(f"名次由不足{margin:g}分的分差决定")
    if row["fragile_grade"]:
        out.append(f"距等次分数线不足{margin:g}分")
    if (row["p_grade_change"] or 0) > 0:
        share = row["p_grade_change"] * 100
        out.append(f"{'不足1' if share < 0.5 else f'{share:.0f}'}%的模拟中等次不同")
    return "；".join(out)


def write_stability_sheet(
    wb: Any, styles: Styles, summary: pl.DataFrame, settings: Settings, title: str, how: str
) -> None:
    """``summary``: per unit (:func:`scoring.engine.stability.summarise`), in published order; ``how``:
    the perturbation in words, under the title."""
    ws = wb.add_worksheet(SHEET_STABILITY)
    last = len(HEADERS) - 1
    margin = float(settings.stability.margin)
    title_row(ws, styles, f"{title}：排名稳定性", last, note=how)
    widths = [10, 7, fit_width(max(widest_text(summary, "name"), 8), 10, 30), 9, 8, 8, 8, 6, 6, 9, 9, 9, 10]
    widths.append(30)
    write_header(ws, styles, 1, HEADERS, widths)
    ws.set_column(7, 7, None, None, {"hidden": True})  # the bar chart's invisible offset
    num, text, wrap = styles.number(), styles.text(), styles.text(wrap=True)
    whole = styles.number("0", align="center")
    share = styles.number("0%", align="center")
    flagged = styles.get(border=1, bg_color="#FCE4D6", text_wrap=True)
    names = {c.id: c.name for c in settings.classes}
    r = 2
    blocks: list[tuple[str, int, int]] = []
    for group, part in summary.group_by("class", maintain_order=True):
        first = r
        for row in part.to_dicts():
            write_text(ws, r, 0, names.get(row["class"], row["class"]), text)
            for c, key in ((1, "rank"), (5, "rank_lo"), (6, "rank_hi")):
                if row[key] is None:
                    ws.write_string(r, c, "—", whole)
                else:
                    ws.write_number(r, c, int(row[key]), whole)
            write_text(ws, r, 2, row["name"], wrap)
            ws.write_number(r, 3, float(row["total"]) + 0.0, num)
            write_text(ws, r, 4, row["grade"], text)
            if row["rank_lo"] is not None:
                ws.write_number(r, 7, int(row["rank_lo"]) - 0.5, num)
                ws.write_number(r, 8, int(row["rank_hi"]) - int(row["rank_lo"]) + 1, whole)
            else:
                ws.write_blank(r, 7, None, num)
                ws.write_blank(r, 8, None, whole)
            ws.write_number(r, 9, float(row["p_grade_change"]), share)
            for c, key in ((10, "gap"), (11, "grade_gap"), (12, "margin")):
                if row[key] is None:
                    ws.write_string(r, c, "—", whole)
                else:
                    ws.write_number(r, c, float(row[key]) + 0.0, num)
            remark = note(row, margin)
            write_text(ws, r, 13, remark, flagged if (row["fragile_rank"] or row["fragile_grade"]) else wrap)
            r += 1
        blocks.append((str(group[0]), first, r - 1))
    ws.conditional_format(
        2,
        8,
        max(r - 1, 2),
        8,
        {"type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True, "min_type": "num", "min_value": 0},
    )
    ws.autofilter(1, 0, max(r - 1, 2), last)
    ws.freeze_panes(2, 3)
    page_setup(ws, title, 1)
    row_at = r + 1
    breaks = []
    for cid, first, end in blocks:
        breaks.append(row_at)  # each chart on a page of its own
        shown_end = min(end, first + CHART_UNITS - 1)
        label = f"{names.get(cid, cid)}：名次区间（5%–95%）"
        if end > shown_end:
            label += f"，前{CHART_UNITS}名"
        chart = _interval_chart(wb, first, shown_end, label, end - first + 1)
        ws.insert_chart(row_at, 0, chart)
        row_at += chart_height(shown_end - first + 1) // 20 + 2
    ws.set_h_pagebreaks(breaks)


def chart_height(units: int) -> int:
    """Pixels: the title and axis, and 20 per unit (its name beside its bar)."""
    return 110 + 20 * units


def _interval_chart(wb: Any, first: int, last: int, title: str, size: int) -> Any:
    """A floating bar per unit from the low to the high end of its rank interval (an invisible bar up to
    the low end, a visible one across the interval), rank 1 on top."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    font = {"name": FONT, "size": 9}
    categories = [SHEET_STABILITY, first, 2, last, 2]
    chart.add_series(
        {
            "categories": categories,
            "values": [SHEET_STABILITY, first, 7, last, 7],
            "fill": {"none": True},
            "border": {"none": True},
            "name": "区间前空白",
        }
    )
    chart.add_series(
        {
            "categories": categories,
            "values": [SHEET_STABILITY, first, 8, last, 8],
            "fill": {"color": "#5B9BD5"},
            "border": {"none": True},
            "gap": 50,
            "name": "名次区间",
        }
    )
    chart.set_title({"name": title, "name_font": {"name": TITLE_FONT, "size": 12, "bold": True}})
    chart.set_x_axis(
        {
            "min": 0,
            "max": size + 1,
            "num_font": font,
            "major_unit": 1,
            "name": "名次（条形为5%至95%分位的名次区间）",
            "name_font": {"name": FONT, "size": 9, "bold": False},
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_y_axis({"reverse": True, "num_font": font, "interval_unit": 1})
    chart.show_hidden_data()  # the offsets are in a hidden column
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": chart_height(last - first + 1)})
    return chart


def write_stability_workbook(
    summary: pl.DataFrame, settings: Settings, how: str, path: Path, generated: dt.date | None = None
) -> Path:
    """A workbook holding the 排名稳定性 sheet, written to ``path`` (a temporary name)."""
    title = settings.title.strip()
    generated = generated or dt.date.today()

    def fill(wb: Any) -> None:
        wb.set_properties(
            {
                "title": f"{title}：排名稳定性",
                "author": settings.issuer,
                "created": dt.datetime(generated.year, generated.month, generated.day),
            }
        )
        write_stability_sheet(wb, Styles(wb, settings.places), summary, settings, title, how)

    write_book(path, fill)
    return path

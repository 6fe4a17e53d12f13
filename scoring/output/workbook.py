"""The ranked workbook an office prints and circulates as its 通报, and a Parquet copy of the results.

Both are written atomically: to a temporary file in the target folder, then moved into place, so a
failure never leaves a half-written file and never touches an existing one.

The workbook (xlsxwriter) holds: a cover (封面: title, issuer, date, method, grade distribution, run
manifest); one ranking sheet per unit class; a 图表 sheet with native charts; 扣分明细 (every credit and
deduction); 指标体系 (the catalogue); and 校验说明 when there are validation notes. With an archive, the
ranking sheets add the 同比 columns (上年总分, 上年排名, 名次变化) and a run with appeal decisions adds
申诉处理. Numbers are written as numbers with number formats, strings always with ``write_string`` (a name
like ``=SUM(A1)`` stays text), and every sheet is set up to print on A4 landscape, one page wide, with
repeated title rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.errors import Issue
from scoring.output.kit import (
    FONT,
    MAX_LINKS,
    PICO,
    TITLE_FONT,
    Styles,
    atomic_write,
    cell_text,
    decimal_places,
    decimal_text,
    finite_number,
    fit_width,
    number_format,
    page_setup,
    per_line,
    places_needed,
    row_lines,
    safe_url,
    sanitise_sheet_name,
    set_heights,
    text_width,
    title_row,
    widest_text,
    write_book,
    write_header,
    write_text,
)
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.rules import REGISTRY
from scoring.spec.settings import Settings, UnitClass

if TYPE_CHECKING:
    from scoring.engine.appeals import AppealsReport
    from scoring.engine.compute import Result

__all__ = ["workbook_title", "write_parquet", "write_workbook"]

SHEET_COVER = "封面"
SHEET_CHARTS = "图表"
SHEET_LEDGER = "扣分明细"
SHEET_CATALOGUE = "指标体系"
SHEET_NOTES = "校验说明"
SHEET_APPEALS = "申诉处理"
SHEET_DISCREPANCIES = "自评复核差异"


# grade colours: the first band (优秀) green, the second (良好) blue, other bands neutral, the fail grade red
GRADE_GREEN = {"bg_color": "#C6EFCE", "font_color": "#006100"}
GRADE_BLUE = {"bg_color": "#DDEBF7", "font_color": "#1F4E79"}
GRADE_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
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
ROLE_NAMES = {"base": "基础指标", "bonus": "加分项", "penalty": "扣分项", "veto": "一票否决"}
SEVERITY_NAMES = {"error": "错误", "note": "提示"}


# --------------------------------------------------------------------------------------------- helpers


def workbook_title(settings: Settings) -> str:
    """The printed title: the assessment's title, with 结果 appended when it ends with 考核."""
    title = settings.title.strip()
    return f"{title}结果" if title.endswith("考核") else title


def _grade_format(styles: Styles, settings: Settings, grade: str | None) -> Any:
    names = [b.name for b in settings.bands]
    colour: dict[str, str] = {}
    if grade == settings.fail_grade:
        colour = GRADE_RED
    elif grade in names[:1]:
        colour = GRADE_GREEN
    elif grade in names[1:2]:
        colour = GRADE_BLUE
    return styles.get(border=1, align="center", **colour)


# --------------------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class _Col:
    header: str
    source: str  # column of result.units
    kind: str  # rank | text | number | grade
    width: float


@dataclass(frozen=True)
class _ClassSheet:
    unit_class: UnitClass
    sheet: str
    first_row: int  # first data row (0-based)
    ranked: int  # ranked units (listed first)
    rows: int  # all units
    name_col: int
    total_col: int
    part_cols: tuple[int, ...]
    axis_max: float | None  # the class maximum when no total exceeds it (else the chart scales itself)


def _class_columns(result: Result, uc: UnitClass, frame: pl.DataFrame) -> list[_Col]:
    catalogue = result.catalogue
    cols = [
        # wide enough for the largest rank shown with （并列）: digits + 4 wide characters + margin
        _Col("排名", "rank", "rank", max(10, len(str(frame.height)) + 10)),
        _Col("单位", "name", "text", fit_width(max(widest_text(frame, "name"), 8), 8, 40)),
        _Col(f"总分({decimal_text(uc.max_points)})", "total", "number", 11),
    ]
    if "max" in frame.columns and frame.height and frame.filter(pl.col("max") != float(uc.max_points)).height:
        cols.append(_Col("满分", "max", "number", 9))
    for l1 in catalogue.level1:
        # the part's maximum for this class: the points of its leaves that apply to the class
        applicable = sum(
            (n.points for n in catalogue.leaves if n.level1 == l1.id and n.applies(uc.id)), Decimal(0)
        )
        if l1.role == "base" and applicable > 0:
            header = f"{l1.name}({decimal_text(applicable)})"
            cols.append(
                _Col(header, f"part:{l1.id}", "number", fit_width(min(text_width(header), 16), 9, 20))
            )
    roles = {n.role for n in catalogue.level1 if n.applies(uc.id)}
    if "bonus" in roles:
        cols.append(_Col("加分", "bonus", "number", 8))
    if "penalty" in roles:
        cols.append(_Col("扣分", "penalty", "number", 8))
    if frame.height and frame.filter(pl.col("major").abs() > 0).height:
        cols.append(_Col("重大扣分", "major", "number", 10))
    cols.append(_Col("等次", "grade", "grade", 8))
    if frame.height and frame.filter(pl.col("veto")).height:
        cols.append(
            _Col(
                "一票否决",
                "veto_reason",
                "text",
                fit_width(max(widest_text(frame, "veto_reason"), 8), 10, 40),
            )
        )
    if frame.height and frame.filter(pl.col("_remark") != "").height:
        cols.append(_Col("备注", "_remark", "text", fit_width(max(widest_text(frame, "_remark"), 8), 10, 40)))
    if "yoy_change" in frame.columns:  # 同比: last year's total and rank, and the move
        cols += [
            _Col("上年总分", "yoy_total", "number", 10),
            _Col("上年排名", "yoy_rank", "int", 9),
            _Col("名次变化", "yoy_change", "change", 9),
        ]
    return cols


def _remarks(settings: Settings) -> pl.Expr:
    """Why a unit's grade is below its band, when it is not the veto (which has its own column)."""
    share = settings.section_fail_share
    section = (
        f"有一级指标得分低于其分值的{float(share) * 100:g}%"
        if share is not None
        else "有一级指标得分低于规定比例"
    )
    return (
        pl.when(pl.col("veto"))
        .then(pl.lit(""))
        .when(pl.col("section_fail"))
        .then(pl.lit(section))
        .when(pl.col("band").is_not_null() & (pl.col("band") != pl.col("grade")))
        .then(pl.format("受“{}”等次比例限制", pl.col("band")))
        .otherwise(pl.lit(""))
    )


def _write_class_sheet(
    wb: Any, styles: Styles, result: Result, uc: UnitClass, sheet: str, title: str
) -> _ClassSheet:
    settings = result.settings
    units = result.units
    frame = units.filter(pl.col("class") == uc.id)
    frame = frame.with_columns(
        (_remarks(settings) if {"section_fail", "band"} <= set(frame.columns) else pl.lit("")).alias(
            "_remark"
        )
    )
    cols = _class_columns(result, uc, frame)
    ws = wb.add_worksheet(sheet)
    last_col = len(cols) - 1
    title_row(ws, styles, f"{title}（{uc.name}）", last_col)
    write_header(ws, styles, 1, [c.header for c in cols], [c.width for c in cols])

    first = 2
    name_fmt = styles.text(wrap=True)
    wrap_fmt = styles.text(wrap=True)
    num_fmt = styles.number()
    ranks = (styles.rank(False), styles.rank(True))
    int_fmt = styles.number("0", align="center")
    center = styles.text(align="center")
    grade_fmts: dict[str | None, Any] = {}
    sources = [c.source for c in cols]
    kinds = [c.kind for c in cols]
    ranked = 0
    rows = frame.select(*sources, "tied").iter_rows()
    for r, values in enumerate(rows, start=first):
        tied = bool(values[-1])
        for c, kind in enumerate(kinds):
            v = values[c]
            if kind == "number":
                n = finite_number(v)
                if n is None:
                    ws.write_blank(r, c, None, num_fmt)
                else:
                    ws.write_number(r, c, n, num_fmt)
            elif kind == "rank":
                if v is None:
                    ws.write_blank(r, c, None, ranks[0])
                else:
                    ws.write_number(r, c, int(v), ranks[tied])
                    ranked += 1
            elif kind == "grade":
                g = None if v is None else str(v)
                if g not in grade_fmts:
                    grade_fmts[g] = _grade_format(styles, settings, g)
                ws.write_string(r, c, cell_text(g), grade_fmts[g])
            elif kind == "int":
                if v is None:
                    ws.write_blank(r, c, None, int_fmt)
                else:
                    ws.write_number(r, c, int(v), int_fmt)
            elif kind == "change":
                write_text(ws, r, c, v, center)
            else:
                write_text(ws, r, c, v, name_fmt if c == 1 else wrap_fmt)
    wrapped = {c.source: c.width for c in cols if c.kind == "text"}
    set_heights(ws, first, row_lines(frame, wrapped))
    last_row = first + frame.height - 1
    total_col = sources.index("total")
    top = max(float(uc.max_points), float(frame.select(pl.col("total").max()).item() or 0))
    if frame.height:
        ws.conditional_format(
            first,
            total_col,
            last_row,
            total_col,
            {
                "type": "data_bar",
                "bar_color": "#BDD7EE",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": top,
            },
        )
    else:
        ws.merge_range(first, 0, first, last_col, "", styles.get(align="center"))
        ws.write_string(first, 0, "（本类别无参评单位）", styles.get(align="center"))
    ws.autofilter(1, 0, max(last_row, 1), last_col)
    ws.freeze_panes(2, 2)
    page_setup(ws, title, 1)
    part_cols = tuple(i for i, c in enumerate(cols) if c.source.startswith("part:"))
    axis_max = float(uc.max_points) if top <= float(uc.max_points) else None
    return _ClassSheet(uc, sheet, first, ranked, frame.height, 1, total_col, part_cols, axis_max)


# --------------------------------------------------------------------------------------------- charts

CHART_WIDTH = 1000  # pixels: one A4 landscape page wide at about 100%
CHART_UNITS = 50  # bars per chart: beyond this a chart cannot be read, so it shows the first 50 ranks
PAGE_ROWS = 30  # default-height rows (20 px) that fit one printed page below the title


def _bar_chart(
    wb: Any, cs: _ClassSheet, columns: Sequence[int], title: str, num_fmt: str, height: int
) -> Any:
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
        "num_format": num_fmt,
        "num_font": font,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    }
    if cs.axis_max is not None:
        value_axis["max"] = cs.axis_max
    chart.set_x_axis(value_axis)
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font})
    chart.set_legend({"position": "bottom", "font": font} if stacked else {"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": height})
    return chart


def _write_charts(wb: Any, styles: Styles, sheets: list[_ClassSheet], title: str, sheet_name: str) -> None:
    """Per class: totals in rank order, and the level-1 parts stacked; each chart on its own page."""
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}（图表）", 10)
    page_setup(ws, title, 0)
    ws.set_column(0, 10, 12.5)
    row = 2
    breaks: list[int] = []
    for cs in sheets:
        if cs.ranked == 0:
            continue
        name = cs.unit_class.name
        shown = min(cs.ranked, CHART_UNITS)
        height = max(320, 22 * shown + 150)
        top = f"（前{shown}名）" if shown < cs.ranked else ""
        charts = [(f"{name}总分排名{top}", [cs.total_col])]
        if cs.part_cols:
            charts.append((f"{name}各一级指标得分{top}", list(cs.part_cols)))
        for chart_title, columns in charts:
            if row > 2:
                breaks.append(row)
                row += 1  # below the break, so the chart's border does not print on the page before
            ws.insert_chart(
                row,
                0,
                _bar_chart(wb, cs, columns, chart_title, styles.num_format, height),
                {"object_position": 3},
            )
            row += max(math.ceil(height / 20) + 1, PAGE_ROWS)
    ws.set_h_pagebreaks(breaks)


# --------------------------------------------------------------------------------------------- ledger


def _dfs_order(catalogue: Catalogue) -> dict[str, int]:
    order: dict[str, int] = {}

    def visit(parent: str | None) -> None:
        for n in catalogue.children(parent):
            order[n.id] = len(order)
            visit(n.id)

    visit(None)
    for n in catalogue.nodes:  # anything unreachable keeps file order, last
        order.setdefault(n.id, len(order))
    return order


def _ledger_frame(result: Result, limit: int) -> pl.DataFrame:
    """The first ``limit`` ledger rows in the order people read them: units as published, indicators as in
    the catalogue (a top-k, so a province's millions of rows are not all sorted for the few shown)."""
    unit_order = result.units.select("unit").with_row_index("_u").lazy()
    tree = _dfs_order(result.catalogue)
    change = (
        pl.when(pl.col("kind") == "加分")
        .then(pl.col("points"))
        .when(pl.col("kind") == "扣分项")
        .then(-pl.col("points"))
        .when(pl.col("kind") == "一票否决")
        .then(None)
        .otherwise(-pl.col("lost"))
    )
    return (
        result.ledger()
        .join(unit_order, on="unit", how="left")
        .with_columns(
            pl.col("indicator").replace_strict(tree, default=len(tree), return_dtype=pl.Int64).alias("_i"),
            change.cast(pl.Int64).alias("change"),
        )
        .sort("_u", "_i", "unit", "indicator", nulls_last=True)
        .head(limit)
        .collect()
    )


EXCEL_ROWS = 1_048_576
LEDGER_ROWS_PER_SHEET = EXCEL_ROWS - 2  # below the title and header rows
LEDGER_WORKBOOK_MAX = 20_000
"""By default at most this many ledger rows go into the workbook. A county's or a prefecture's whole ledger
fits (30 units × 50 indicators is 1,500 rows at most); a province-scale run's does not belong in a printed
通报, and xlsxwriter needs about 85 µs per ledger row (9 cells), so 330,000 rows would add half a minute.
The title says when rows are left out; ``score compute`` always writes the whole ledger as Parquet beside
the workbook, ``score explain`` shows any unit's, and ``--ledger-rows`` raises the limit."""


def _write_ledger(wb: Any, styles: Styles, result: Result, title: str, sheet_name: str, limit: int) -> None:
    """扣分明细, at most ``limit`` rows; longer than an Excel sheet, it continues on 扣分明细2, 扣分明细3 …"""
    total = result.ledger().select(pl.len()).collect().item()
    led = _ledger_frame(result, limit)
    none = total == 0
    heading = f"{title}扣分明细"
    note = None
    if total > limit:
        note = (
            f"共 {total} 条，此处按排名顺序列出前 {limit} 条；"
            "完整明细见同名 .ledger.parquet 文件，单个单位的明细可用 score explain 查看"
        )
    chunks = [
        led.slice(i, LEDGER_ROWS_PER_SHEET) for i in range(0, max(led.height, 1), LEDGER_ROWS_PER_SHEET)
    ]
    places = (
        places_needed(led["change"], max(result.settings.places, 0)) if led.height else result.settings.places
    )
    for k, chunk in enumerate(chunks, start=1):
        name = sheet_name if k == 1 else f"{sheet_name}{k}"
        _write_ledger_sheet(wb, styles, chunk, places, heading, title, name, empty=none, note=note)


def _write_ledger_sheet(
    wb: Any,
    styles: Styles,
    led: pl.DataFrame,
    places: int,
    heading: str,
    title: str,
    sheet_name: str,
    *,
    empty: bool,
    note: str | None = None,
) -> None:
    ws = wb.add_worksheet(sheet_name)
    headers = ["单位", "编号", "指标", "类型", "扣分/加分", "评分标准", "评分依据", "失分原因", "佐证链接"]
    title_row(ws, styles, heading, len(headers) - 1, note=note)
    widths = [
        fit_width(max(widest_text(led, "unit_name"), 6), 8, 24),
        fit_width(max(widest_text(led, "indicator"), 4), 6, 12),
        fit_width(max(widest_text(led, "path"), 6), 10, 36),
        8,
        12,
        fit_width(max(widest_text(led, "rubric"), 8), 12, 40),
        fit_width(max(widest_text(led, "input"), 8), 10, 24),
        fit_width(max(widest_text(led, "note"), 8), 10, 30),
        fit_width(max(widest_text(led, "evidence"), 8), 10, 40),
    ]
    write_header(ws, styles, 1, headers, widths)
    wrap_fmt, link_fmt = styles.text(wrap=True), styles.link()
    center = styles.text(align="center")
    num_fmt = styles.number(number_format(places, signed=True))
    links = 0
    cols = ["unit_name", "indicator", "path", "kind", "change", "rubric", "input", "note", "evidence"]
    for r, (unit, ind, path, kind, change, rubric, inp, note, evidence) in enumerate(
        led.select(cols).iter_rows(), start=2
    ):
        ws.write_string(r, 0, cell_text(unit), wrap_fmt)
        ws.write_string(r, 1, cell_text(ind), center)
        ws.write_string(r, 2, cell_text(path), wrap_fmt)
        ws.write_string(r, 3, cell_text(kind), center)
        if change is None:
            ws.write_blank(r, 4, None, num_fmt)
        else:
            ws.write_number(r, 4, change / PICO + 0.0, num_fmt)
        ws.write_string(r, 5, cell_text(rubric), wrap_fmt)
        write_text(ws, r, 6, inp, wrap_fmt)
        write_text(ws, r, 7, note, wrap_fmt)
        ev = cell_text(evidence).strip()
        if ev and links < MAX_LINKS and safe_url(ev):
            ws.write_url(r, 8, ev, link_fmt, ev, "打开佐证链接")
            links += 1
        else:
            write_text(ws, r, 8, ev, wrap_fmt)
    wrapped = ("unit_name", "path", "rubric", "input", "note", "evidence")
    set_heights(ws, 2, row_lines(led, {c: w for c, w in zip(cols, widths, strict=True) if c in wrapped}))
    last_row = max(1 + led.height, 1)
    ws.autofilter(1, 0, last_row, len(headers) - 1)
    ws.freeze_panes(2, 1)
    if empty:
        ws.write_string(2, 0, "本年度无扣分、加分或一票否决记录。", styles.get())
    page_setup(ws, title, 1)


# --------------------------------------------------------------------------------------------- catalogue


def _rule_text(n: Node) -> str:
    if n.rule:
        kind = REGISTRY.get(n.rule)
        return f"{kind.summary}（{n.rule}）" if kind else n.rule
    if n.level == 1 and n.role != "base":
        return ROLE_NAMES.get(n.role, n.role)
    return ""


def _write_catalogue(wb: Any, styles: Styles, result: Result, title: str, sheet_name: str) -> None:
    catalogue, settings = result.catalogue, result.settings
    order = _dfs_order(catalogue)
    nodes = sorted(catalogue.nodes, key=lambda n: order[n.id])
    class_names = {c.id: c.name for c in settings.classes}
    headers = ["编号", "指标", "分值", "规则", "参数", "适用类别", "工作要点", "评分标准"]
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}指标体系", len(headers) - 1)
    places = decimal_places([n.points for n in nodes])
    num_fmt = styles.number(number_format(places))
    num_bold = styles.number(number_format(places), bold=True)
    rows: list[tuple[str, str, int, str, str, str, str, str]] = []
    for n in nodes:
        applies = "、".join(class_names.get(c, c) for c in n.applies_to) if n.applies_to else "全部"
        plan = "\n".join(f"{p} {catalogue.plan_items.get(p, '')}".strip() for p in n.plan_items)
        rows.append((n.id, n.name, n.level, _rule_text(n), n.params_text, applies, plan, n.rubric))
    widths = [
        fit_width(max([4, *(text_width(r[0]) for r in rows)]), 6, 14),
        fit_width(max([8, *(text_width(r[1]) + 2 * (r[2] - 1) for r in rows)]), 12, 40),
        8,
        fit_width(max([6, *(text_width(r[3]) for r in rows)]), 10, 30),
        fit_width(max([6, *(text_width(r[4]) for r in rows)]), 10, 30),
        fit_width(max([8, *(text_width(r[5]) for r in rows)]), 10, 20),
        fit_width(max([8, *(text_width(line) for r in rows for line in r[6].split("\n"))]), 10, 40),
        fit_width(max([8, *(text_width(r[7]) for r in rows)]), 12, 50),
    ]
    write_header(ws, styles, 1, headers, widths)
    wrap = styles.text(wrap=True)
    table = pl.DataFrame(
        [list(r[:2]) + list(r[3:]) for r in rows],
        orient="row",
        schema=["id", "name", "rule", "params", "applies", "plan", "rubric"],
    )
    table = (
        table.with_columns(
            pl.concat_str(pl.Series([" " * 2 * (r[2] - 1) for r in rows]), pl.col("name")).alias("name")
        )
        if rows
        else table
    )
    set_heights(
        ws, 2, row_lines(table, dict(zip(table.columns, [widths[0], widths[1], *widths[3:]], strict=True)))
    )
    for r, (n, (nid, name, level, rule, params, applies, plan, rubric)) in enumerate(
        zip(nodes, rows, strict=True), start=2
    ):
        bold = level == 1
        ws.write_string(r, 0, cell_text(nid), styles.text(bold=bold))
        ws.write_string(r, 1, cell_text(name), styles.text(wrap=True, bold=bold, indent=level - 1))
        ws.write_number(r, 2, float(n.points), num_bold if bold else num_fmt)
        for c, value in enumerate((rule, params, applies, plan, rubric), start=3):
            ws.write_string(r, c, cell_text(value), wrap)
    ws.autofilter(1, 0, max(1 + len(rows), 1), len(headers) - 1)
    ws.freeze_panes(2, 2)
    page_setup(ws, title, 1)


# --------------------------------------------------------------------------------------------- notes


def _write_notes(wb: Any, styles: Styles, notes: Sequence[Issue], title: str, sheet_name: str) -> None:
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


# --------------------------------------------------------------------------------------- self-score vs review


def _write_discrepancies(wb: Any, styles: Styles, diff: pl.DataFrame, title: str, sheet_name: str) -> None:
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


# --------------------------------------------------------------------------------------------- appeals


def _write_appeals(
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
        *([10] * 10),
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
    ws.write_string(
        row,
        0,
        "其他单位的变化（因上述决定，名次、总分或等次随之变化的未申诉单位）"
        if others.height
        else "其他单位的总分、名次和等次均未因上述决定而变化。",
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
        ]
        for c, h in enumerate(head, start=1):
            ws.write_string(row, c, h, styles.header())
        row += 1
        for x in others.to_dicts():
            write_text(ws, row, 1, x["name"], wrap)
            write_text(ws, row, 2, class_names.get(x["class"] or "", x["class"]), center)
            outcome(row, 3, x)
            row += 1
    page_setup(ws, title, 2)


# --------------------------------------------------------------------------------------------- cover


def _write_cover(
    wb: Any,
    styles: Styles,
    result: Result,
    title: str,
    generated: dt.date,
    sheet_name: str,
    run_label: str | None = None,
) -> None:
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


# --------------------------------------------------------------------------------------------- entry points


def write_workbook(
    result: Result,
    path: Path,
    *,
    notes: list[Issue] | None = None,
    generated: dt.date | None = None,
    yoy: pl.DataFrame | None = None,
    appeals: AppealsReport | None = None,
    run_label: str | None = None,
    ledger_rows: int | None = None,
) -> Path:
    """Write the ranked workbook (通报) for ``result`` to ``path`` atomically; returns ``path``.

    ``ledger_rows`` limits 扣分明细 (default :data:`LEDGER_WORKBOOK_MAX`).
    ``yoy`` (unit, yoy_total, yoy_rank, yoy_change; see ``yoy_columns``) adds the 同比
    columns to the ranking sheets, ``appeals`` the 申诉处理 sheet, ``run_label`` the archive's run on the
    cover."""
    generated = generated or dt.date.today()
    if yoy is not None:
        units = result.units.join(
            yoy.select("unit", "yoy_total", "yoy_rank", "yoy_change"), on="unit", how="left"
        )
        result = dataclasses.replace(result, units=units)
    settings = result.settings
    title = workbook_title(settings)

    def fill(wb: Any) -> None:
        wb.set_properties(
            {
                "title": title,
                "author": settings.issuer,
                "company": settings.issuer,
                "comments": f"结果摘要 SHA-256 {result.manifest.results_sha256}",
                "created": dt.datetime(generated.year, generated.month, generated.day),
            }
        )
        styles = Styles(wb, settings.places)
        used = {
            n.casefold()
            for n in (
                SHEET_COVER,
                SHEET_CHARTS,
                SHEET_LEDGER,
                SHEET_CATALOGUE,
                SHEET_NOTES,
                SHEET_APPEALS,
                SHEET_DISCREPANCIES,
            )
        }
        _write_cover(wb, styles, result, title, generated, SHEET_COVER, run_label)
        class_sheets = [
            _write_class_sheet(wb, styles, result, uc, sanitise_sheet_name(uc.name, used), title)
            for uc in settings.classes
        ]
        if any(cs.ranked for cs in class_sheets):
            _write_charts(wb, styles, class_sheets, title, SHEET_CHARTS)
        if appeals is not None:
            _write_appeals(wb, styles, result, appeals, title, SHEET_APPEALS)
        diff = result.discrepancies()
        if not diff.is_empty():
            _write_discrepancies(wb, styles, diff, title, SHEET_DISCREPANCIES)
        limit = LEDGER_WORKBOOK_MAX if ledger_rows is None else max(ledger_rows, 0)
        _write_ledger(wb, styles, result, title, SHEET_LEDGER, limit)
        _write_catalogue(wb, styles, result, title, SHEET_CATALOGUE)
        if notes:
            _write_notes(wb, styles, notes, title, SHEET_NOTES)
        wb.worksheets()[0].activate()

    return atomic_write(path, lambda tmp: write_book(tmp, fill))


def _parquet_frame(units: pl.DataFrame) -> pl.DataFrame:
    """result.units for Parquet: Int128 (not readable by pyarrow and most tools) as Decimal(38, 0), or as
    text for a column whose values do not fit 38 digits."""
    limit = pl.lit(10**38 - 1, pl.Int128)
    casts = []
    for name, dtype in units.schema.items():
        if dtype == pl.Int128:
            fits = units.select(((pl.col(name) <= limit) & (pl.col(name) >= -limit)).all()).item()
            casts.append(pl.col(name).cast(pl.Decimal(38, 0) if fits in (True, None) else pl.String))
    return units.with_columns(casts) if casts else units


def write_ledger_parquet(result: Result, path: Path) -> Path:
    """The whole ledger (every credit and deduction, points in pico-points) as Parquet, atomically."""

    def write(tmp: Path) -> None:
        result.ledger().sink_parquet(tmp)

    return atomic_write(path, write)


def write_parquet(result: Result, path: Path) -> Path:
    """Write ``result.units`` (display and exact columns) to Parquet atomically, with the run manifest in
    the file's key-value metadata (``zwgk_manifest``); returns ``path``."""
    frame = _parquet_frame(result.units)

    def write(tmp: Path) -> None:
        frame.write_parquet(tmp, metadata={"zwgk_manifest": result.manifest.to_json()})

    return atomic_write(path, write)

"""The ranking sheets: one per unit class, units in rank order with their parts, grade, remarks (why a
grade is below its band) and, with an archive, the 同比 columns (上年总分, 上年排名, 名次变化)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.kit import (
    Styles,
    cell_text,
    decimal_text,
    finite_number,
    fit_width,
    page_setup,
    row_lines,
    set_heights,
    text_width,
    title_row,
    widest_text,
    write_header,
    write_text,
)
from scoring.spec.settings import Settings, UnitClass

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["ClassSheet", "write_class_sheet"]

# grade colours: the first band (优秀) green, the second (良好) blue, other bands neutral, the fail grade red
GRADE_GREEN = {"bg_color": "#C6EFCE", "font_color": "#006100"}
GRADE_BLUE = {"bg_color": "#DDEBF7", "font_color": "#1F4E79"}
GRADE_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}


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


@dataclass(frozen=True)
class _Col:
    header: str
    source: str  # column of result.units
    kind: str  # rank | text | number | grade
    width: float


@dataclass(frozen=True)
class ClassSheet:
    """Where a class's ranking sheet put its table, for the charts that plot it."""

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


def write_class_sheet(
    wb: Any, styles: Styles, result: Result, uc: UnitClass, sheet: str, title: str
) -> ClassSheet:
    """The ranking sheet of class ``uc``: ranked units first, then the unranked; returns where the table
    is, for the charts."""
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
    return ClassSheet(uc, sheet, first, ranked, frame.height, 1, total_col, part_cols, axis_max)

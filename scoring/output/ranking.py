"""The ranking sheets: one per unit class, units in rank order with their parts, grade, remarks (why a
grade is below its band) and, with an archive, the 同比 columns (上年总分, 上年排名, 名次变化)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.engine.grade import band
from scoring.errors import ScoringError
from scoring.exact import ROUNDING
from scoring.output.bulk import Cells, put_rows
from scoring.output.kit import (
    LINE_HEIGHT,
    Styles,
    decimal_text,
    fit_width,
    page_setup,
    readable_print,
    row_lines,
    text_width,
    title_row,
    widest_text,
    write_header,
)
from scoring.spec.settings import Settings, UnitClass

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["ClassSheet", "Column", "class_columns", "class_frame", "write_class_sheet"]

# grade colours: the first band (优秀) green, the second (良好) blue, other bands neutral, the fail grade red
EXCEL_SHEET_ROWS = 1_048_576
RANKING_SHEET_UNITS = EXCEL_SHEET_ROWS - 3
"""At most this many units in a class: its ranking sheet lists them all below the title, the formula and
the header, and an Excel sheet has 1,048,576 rows."""


class SheetTooLong(ScoringError):
    """A class has more units than one ranking sheet holds."""


def check_sheet_rows(class_sizes: dict[str, int], settings: Settings) -> None:
    """Refuse, before any work, a year whose class has more units than one ranking sheet holds (a ranking
    is read whole: it is not continued on a second sheet); ``class_sizes``: units per class id."""
    names = {uc.id: uc.name for uc in settings.classes}
    over = [(names.get(c, c), n) for c, n in class_sizes.items() if n > RANKING_SHEET_UNITS]
    if over:
        listed = "、".join(f"{name}（{n:,} 个单位）" for name, n in over)
        raise SheetTooLong(
            f"{listed}超过 Excel 工作表的行数上限：每个类别的排名表最多 {RANKING_SHEET_UNITS:,} 个单位"
            f"（每张工作表 {EXCEL_SHEET_ROWS:,} 行）。请在 settings.toml 中把超出的类别分为几个类别"
            "（如按地区），或分地区、分期（--period）计算"
        )


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
class Column:
    """A column of a class's ranking table, as the workbook and the published page show it."""

    header: str
    source: str  # column of result.units
    kind: str  # rank | text | number | grade | int | change
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


def _bracket(text: str, amount: Decimal | str) -> str:
    value = decimal_text(amount) if isinstance(amount, Decimal) else amount
    return f"{text}（{value}）"


def part_maxima(result: Result, uc: UnitClass) -> list[tuple[str, str, Decimal]]:
    """(id, name, maximum for the class) of every base level-1 part that applies to the class."""
    catalogue = result.catalogue
    out = []
    for l1 in catalogue.level1:
        applicable = catalogue.applicable_points(l1.id, uc.id)
        if l1.role == "base" and applicable > 0:
            out.append((l1.id, l1.name, applicable))
    return out


def converted(frame: pl.DataFrame) -> bool:
    """Whether the class's totals are converted from what its parts add up to (得分率, a scale factor,
    redistribution): then the row shows 得分合计, 适用满分 and 折算得分 to reconcile."""
    if frame.is_empty() or not {"base", "base_raw"} <= set(frame.columns):
        return False
    return frame.filter((pl.col("base") - pl.col("base_raw")).abs() > 1e-9).height > 0


def class_columns(result: Result, uc: UnitClass, frame: pl.DataFrame) -> list[Column]:
    catalogue = result.catalogue
    settings = result.settings
    cols = [
        # wide enough for the largest rank shown with （并列）: digits + 4 wide characters + margin
        Column("排名", "rank", "rank", max(9, len(str(frame.height)) + 8)),
        Column("单位", "name", "text", fit_width(max(widest_text(frame, "name"), 8), 8, 12)),
    ]
    parts = part_maxima(result, uc)
    for l1, name, most in parts:
        header = _bracket(name, most)
        # a part's header wraps over as many lines as it needs: the numbers under it are narrow
        cols.append(Column(header, f"part:{l1}", "number", 7))
    if converted(frame):
        total_parts = sum((m for _, _, m in parts), Decimal(0))
        cols.append(Column(_bracket("得分合计", total_parts), "base_raw", "number", 8))
        if frame["applicable"].n_unique() > 1:  # else the formula line states it
            cols.append(Column("适用满分", "applicable", "number", 6))
    elif (
        "max" in frame.columns and frame.height and frame.filter(pl.col("max") != float(uc.max_points)).height
    ):
        cols.append(Column("满分", "max", "number", 9))
    roles = {n.role for n in catalogue.level1 if n.applies(uc.id)}
    if "bonus" in roles:
        cap = f"≤{decimal_text(settings.bonus_cap)}" if settings.bonus_cap is not None else ""
        cols.append(Column(_bracket("加分", cap) if cap else "加分", "bonus", "number", 7))
    if "penalty" in roles:
        cap = f"≤{decimal_text(settings.penalty_cap)}" if settings.penalty_cap is not None else ""
        cols.append(Column(_bracket("扣分", cap) if cap else "扣分", "penalty", "number", 7))
    if frame.height and frame.filter(pl.col("major").abs() > 0).height:
        cols.append(Column("重大扣分", "major", "number", 10))
    cols.append(Column(_bracket("总分", uc.max_points), "total", "number", 8))
    if settings.graded:
        cols.append(Column("等次", "grade", "grade", 6))
    if frame.height and frame.filter(pl.col("_remark") != "").height:
        remark_width = fit_width(min(max(widest_text(frame, "_remark"), 8) / 2, 14), 10, 16)
        cols.append(Column("备注", "_remark", "text", remark_width))
    if "yoy_change" in frame.columns:  # 同比: last year's total and rank, and the move
        cols += [
            Column("上年总分", "yoy_total", "number", 10),
            Column("上年排名", "yoy_rank", "int", 9),
            Column("名次变化", "yoy_change", "change", 9),
        ]
    return cols


def formula(result: Result, uc: UnitClass, frame: pl.DataFrame) -> str:
    """How the row adds up, in words, for the line under the title."""
    s = result.settings
    roles = {n.role for n in result.catalogue.level1 if n.applies(uc.id)}
    tail = ("＋加分" if "bonus" in roles else "") + ("－扣分" if "penalty" in roles else "")
    if frame.height and frame.filter(pl.col("major").abs() > 0).height:
        tail += "－重大扣分"
    most = decimal_text(uc.max_points)
    applicable = frame["applicable"].unique().to_list() if "applicable" in frame.columns else []
    one_max = decimal_text(Decimal(str(applicable[0]))) if len(applicable) == 1 else None
    if not converted(frame):
        line = f"总分＝各项得分之和{tail}"
    elif s.not_applicable == "scale" and uc.scale is not None:
        f = uc.scale
        factor = f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)
        scope = f"适用指标满分{one_max}分" if one_max else "各单位适用指标的满分"
        line = f"总分＝得分合计×{factor}{tail}（{scope}折算为{most}分制）"
    elif s.not_applicable == "redistribute":
        line = (
            f"不适用指标的分值由同一部分的其他指标分担；总分＝得分合计÷{one_max or '适用满分'}×{most}{tail}"
        )
    else:
        denominator = one_max or "适用满分"
        line = f"总分＝得分合计÷{denominator}×{most}{tail}（得分率；适用满分为该单位适用指标的满分之和）"
    line += f"。各项保留{s.places}位小数（{ROUNDING[s.rounding]}），逐项相加与总分可能相差末位1个单位。"
    if s.grade_basis == "exact":
        line += "等次按未舍入的精确总分评定。"
    if s.rank_basis == "exact":
        line += "排名按未舍入的精确总分确定。"
    return line


def remarks(result: Result, frame: pl.DataFrame) -> pl.Expr:
    """Why a unit is placed or graded as it is, in words: a veto with its reason, the parts under the
    section-fail share, a grade quota, or a grade decided on the exact total that the printed total would
    not give."""
    s = result.settings
    share = s.section_fail_share
    names = {n.id: n.name for n in result.catalogue.level1}
    fail = "" if share is None else f"得分低于其分值的{float(share) * 100:g}%"
    veto = pl.format("一票否决：{}", pl.col("veto_reason").fill_null(""))
    if s.veto_action == "fixed_score":
        veto = pl.format("{}（按{}分计）", veto, pl.lit(decimal_text(s.veto_score)))
    exact: pl.Expr = pl.lit("")
    if s.grade_basis == "exact" and frame.height:
        printed_band = band(s, "printed")  # what the printed total alone would give
        exact = (
            pl.when(pl.col("band").is_not_null() & (printed_band != pl.col("band")))
            .then(pl.format("未舍入总分{}，按其评定等次", pl.col("total_exact").round(4).cast(pl.String)))
            .otherwise(pl.lit(""))
        )
    if "failed_parts" in frame.columns:
        named = pl.col("failed_parts").str.split(",").list.eval(pl.element().replace(names))
        section = pl.format("{}：{}", pl.lit(f"以下部分{fail}"), named.list.join("；"))
    else:
        section = pl.lit(f"有一级指标{fail}")
    return (
        pl.when(pl.col("veto"))
        .then(veto)
        .when(pl.col("section_fail"))
        .then(section)
        .when(pl.col("band").is_not_null() & (pl.col("band") != pl.col("grade")))
        .then(pl.format("受“{}”等次比例限制", pl.col("band")))
        .otherwise(exact)
    )


def class_frame(result: Result, uc: UnitClass) -> pl.DataFrame:
    """The units of class ``uc`` in published order, with their remark (``_remark``) and 适用满分
    (``applicable``) beside the columns of ``result.units``."""
    frame = result.units.filter(pl.col("class") == uc.id)
    remark = remarks(result, frame) if {"section_fail", "band"} <= set(frame.columns) else pl.lit("")
    applicable = (
        pl.col("applicable_max").cast(pl.Float64) / 1e12
        if "applicable_max" in frame.columns
        else pl.lit(None)
    )
    return frame.with_columns(remark.alias("_remark"), applicable.alias("applicable"))


def write_class_sheet(
    wb: Any, styles: Styles, result: Result, uc: UnitClass, sheet: str, title: str
) -> ClassSheet:
    """The ranking sheet of class ``uc``: ranked units first, then the unranked; returns where the table
    is, for the charts."""
    settings = result.settings
    frame = class_frame(result, uc)
    check_sheet_rows({uc.id: frame.height}, settings)
    cols = class_columns(result, uc, frame)
    heading = f"{title}（{uc.name}）"
    # a narrow table (few parts, no 等次) still holds its title (16 pt): every column widens alike
    stretch = (text_width(heading) * 16 / 11 + 2) / sum(c.width for c in cols)
    if stretch > 1:
        cols = [replace(c, width=round(c.width * stretch, 1)) for c in cols]
    ws = wb.add_worksheet(sheet)
    last_col = len(cols) - 1
    title_row(ws, styles, heading, last_col)
    note = formula(result, uc, frame)
    widths = [c.width for c in cols]
    note_fmt = styles.get(text_wrap=True, valign="top")  # 11 pt like the table: never under 9 pt printed
    if last_col > 0:
        ws.merge_range(1, 0, 1, last_col, "", note_fmt)
    ws.write_string(1, 0, note, note_fmt)
    note_lines = max(1, -(-text_width(note) // max(int(sum(widths) * 1.05), 1)))
    ws.set_row(1, LINE_HEIGHT * note_lines + 4)
    write_header(ws, styles, 2, [c.header for c in cols], widths)

    first = 3
    name_fmt = styles.text(wrap=True)
    wrap_fmt = styles.text(wrap=True)
    num_fmt = styles.number()
    ranks = (styles.rank(False), styles.rank(True))
    int_fmt = styles.number("0", align="center")
    center = styles.text(align="center")
    grade_fmts: dict[str | None, Any] = {}
    sources = [c.source for c in cols]
    # every cell of the table rendered whole, column by column (scoring.output.bulk)
    ranked = 0
    cells: list[Cells] = []
    for c, col in enumerate(cols):
        value = pl.col(col.source)
        if col.kind == "number":  # finite floats, else blank
            as_float = value.cast(pl.Float64)
            cells.append(Cells(pl.when(as_float.is_finite()).then(as_float), True, num_fmt))
        elif col.kind == "int":
            cells.append(Cells(value.cast(pl.Int64), True, int_fmt))
        elif col.kind == "rank":
            tied = pl.col("tied").fill_null(False) & value.is_not_null()
            cells.append(Cells(value.cast(pl.Int64), True, key=tied, formats=dict(enumerate(ranks))))
            ranked = frame.height - frame.get_column(col.source).null_count()
        elif col.kind == "grade":
            grades = value.cast(pl.String)
            for g in frame.get_column(col.source).cast(pl.String).unique(maintain_order=True).to_list():
                grade_fmts[g] = _grade_format(styles, settings, g)
            cells.append(Cells(grades.fill_null(""), False, key=grades, formats=grade_fmts))  # '' for none
        else:  # text: a string (never a formula), or a formatted blank when empty
            text = value.cast(pl.String)
            fmt = center if col.kind == "change" else name_fmt if c == 1 else wrap_fmt
            cells.append(Cells(pl.when(text != "").then(text), False, fmt))
    wrapped = {c.source: c.width for c in cols if c.kind == "text"}
    lines = row_lines(frame, wrapped)
    heights = [LINE_HEIGHT * min(n, 27) + 6 for n in lines]  # every row, a little more air than elsewhere
    put_rows(ws, first, frame, cells, heights)
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
    ws.autofilter(2, 0, max(last_row, 2), last_col)
    ws.freeze_panes(3, 2)
    page_setup(ws, title, 2, fit=False)
    table_height = 32 + LINE_HEIGHT * note_lines + 60 + sum(heights)
    readable_print(ws, widths, table_height, repeat_cols=2)
    part_cols = tuple(i for i, c in enumerate(cols) if c.source.startswith("part:"))
    axis_max = float(uc.max_points) if top <= float(uc.max_points) else None
    return ClassSheet(uc, sheet, first, ranked, frame.height, 1, total_col, part_cols, axis_max)

"""The responsibility matrix: units × items, 牵头 (lead) or 责任 (responsible) in the cells.

Unit names are normalised for matching (brackets full-width, ``<镇>`` as ``（镇）``) and, unless told
otherwise, abbreviated names in a list take the administrative prefix of the first one
(``县发改委、自然资源局`` → ``县自然资源局``), so that one unit is one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.atomic import atomic_write

from .extract import Plan
from .output import check_suffix, close_book, column_width, write_csv
from .text import first_sentence
from .units import expand_prefixes, normalise_unit, split_including, unit_class

if TYPE_CHECKING:
    import polars as pl

LEAD = "牵头"
RESPONSIBLE = "责任"
CLASS_NAMES = {"town": "乡镇", "dept": "部门"}


@dataclass(frozen=True)
class Responsibility:
    unit: str
    item: str
    role: str  # 牵头 or 责任


def responsibilities(plan: Plan, expand: bool = True) -> list[Responsibility]:
    """Every (unit, item, role), in document order; a unit both lead and responsible on an item is lead."""
    out: list[Responsibility] = []
    for it in plan.items:
        if expand:
            lead, resp = split_including(it.lead_units), split_including(it.responsible_units)
            normal = expand_prefixes([*lead, *resp])
        else:
            lead, resp = it.lead_units, it.responsible_units
            normal = [normalise_unit(u) for u in [*lead, *resp]]
        seen: set[str] = set()
        for k, u in enumerate(normal):
            if u in seen:
                continue
            seen.add(u)
            out.append(Responsibility(u, it.label, LEAD if k < len(lead) else RESPONSIBLE))
    return out


def matrix_table(plan: Plan, expand: bool = True) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
    """Units (in order of first mention), item labels and the cells."""
    units: list[str] = []
    cells: dict[tuple[str, str], str] = {}
    for r in responsibilities(plan, expand):
        if r.unit not in units:
            units.append(r.unit)
        cells[(r.unit, r.item)] = r.role
    return units, [it.label for it in plan.items], cells


def responsibility_matrix(plan: Plan, expand: bool = True) -> pl.DataFrame:
    """The matrix as a polars DataFrame: ``unit``, ``class`` (``town``/``dept``/null, guessed from the
    name), ``lead`` and ``responsible`` (counts), then one column per item label with 牵头, 责任 or null.

    A unit's applicable indicators are the items whose column is not null on its row."""
    import polars as pl

    units, labels, cells = matrix_table(plan, expand)
    data: dict[str, list[object]] = {
        "unit": list(units),
        "class": [unit_class(u) for u in units],
        "lead": [sum(1 for lb in labels if cells.get((u, lb)) == LEAD) for u in units],
        "responsible": [sum(1 for lb in labels if cells.get((u, lb)) == RESPONSIBLE) for u in units],
    }
    schema: dict[str, pl.DataType] = {
        "unit": pl.String(),
        "class": pl.String(),
        "lead": pl.Int64(),
        "responsible": pl.Int64(),
    }
    for lb in labels:
        data[lb] = [cells.get((u, lb)) for u in units]
        schema[lb] = pl.String()
    return pl.DataFrame(data, schema=schema)


def responsibilities_frame(plan: Plan, expand: bool = True) -> pl.DataFrame:
    """The long form: one row per unit × item with ``unit``, ``class``, ``item``, ``role``."""
    import polars as pl

    rows = responsibilities(plan, expand)
    return pl.DataFrame(
        {
            "unit": [r.unit for r in rows],
            "class": [unit_class(r.unit) for r in rows],
            "item": [r.item for r in rows],
            "role": [r.role for r in rows],
        },
        schema={"unit": pl.String, "class": pl.String, "item": pl.String, "role": pl.String},
    )


def write_matrix(plan: Plan, path: Path, expand: bool = True) -> None:
    """The matrix as an Excel workbook (.xlsx), or as CSV/Parquet (the DataFrame) by the suffix."""
    suffix = check_suffix(path)
    if suffix == ".xlsx":
        atomic_write(path, lambda tmp: _matrix_xlsx(plan, tmp, expand), make_folder=True)
        return
    frame = responsibility_matrix(plan, expand)
    if suffix == ".parquet":
        atomic_write(path, frame.write_parquet, make_folder=True)
        return
    header = ["单位", "类别", "牵头事项数", "责任事项数", *frame.columns[4:]]
    rows: list[list[str]] = [header]
    for rec in frame.iter_rows():
        unit, cls, lead, resp, *rest = rec
        rows.append(
            [
                str(unit),
                CLASS_NAMES.get(str(cls), ""),
                str(lead),
                str(resp),
                *("" if v is None else str(v) for v in rest),
            ]
        )
    write_csv(path, rows)


def _matrix_xlsx(plan: Plan, path: Path, expand: bool) -> None:
    import xlsxwriter

    units, labels, cells = matrix_table(plan, expand)
    items = {it.label: it for it in plan.items}
    wb = xlsxwriter.Workbook(str(path))
    try:
        head = wb.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        head_left = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        lead_fmt = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "align": "center"})
        resp_fmt = wb.add_format({"bg_color": "#E2EFDA", "border": 1, "align": "center"})
        empty_fmt = wb.add_format({"border": 1})
        ws = wb.add_worksheet("责任矩阵")
        fixed = ["单位", "类别", "牵头事项数", "责任事项数"]
        for c, name in enumerate(fixed):
            ws.write_string(0, c, name, head_left)
        for j, lb in enumerate(labels):
            col = len(fixed) + j
            ws.write_string(0, col, lb, head)
            it = items[lb]
            tip = f"{it.section or ''}\n{it.heading or ''}\n{first_sentence(it.text, 60)}".strip()
            ws.write_comment(0, col, tip, {"x_scale": 2, "y_scale": 1.5})
        for i, u in enumerate(units, start=1):
            ws.write_string(i, 0, u, empty_fmt)
            ws.write_string(i, 1, CLASS_NAMES.get(unit_class(u) or "", ""), empty_fmt)
            ws.write_number(i, 2, sum(1 for lb in labels if cells.get((u, lb)) == LEAD), empty_fmt)
            ws.write_number(i, 3, sum(1 for lb in labels if cells.get((u, lb)) == RESPONSIBLE), empty_fmt)
            for j, lb in enumerate(labels):
                role = cells.get((u, lb))
                if role is None:
                    ws.write_blank(i, len(fixed) + j, None, empty_fmt)
                else:
                    ws.write_string(i, len(fixed) + j, role, lead_fmt if role == LEAD else resp_fmt)
        ws.set_column(0, 0, column_width(["单位", *units], lo=10, hi=44))
        ws.set_column(1, 1, 6)
        ws.set_column(2, 3, 11)
        if labels:
            ws.set_column(len(fixed), len(fixed) + len(labels) - 1, column_width(labels, lo=5, hi=12))
        ws.set_row(0, 30)
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, len(units), len(fixed) + len(labels) - 1)

        ws2 = wb.add_worksheet("事项")
        cols = ["事项", "部分", "小标题", "内容", "牵头单位", "责任单位", "时限"]
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        for c, name in enumerate(cols):
            ws2.write_string(0, c, name, head_left)
        for r, it in enumerate(plan.items, start=1):
            vals = [
                it.label,
                it.section or "",
                it.heading or "",
                it.text,
                "、".join(it.lead_units),
                "、".join(it.responsible_units),
                "、".join(it.deadlines),
            ]
            for c, v in enumerate(vals):
                ws2.write_string(r, c, v, wrap)
        for c, w in enumerate((8, 30, 30, 80, 24, 30, 14)):
            ws2.set_column(c, c, w)
        ws2.freeze_panes(1, 1)
    finally:
        close_book(wb)

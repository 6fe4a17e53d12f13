"""The 指标体系 sheet: the catalogue of indicators in reading order (each level-1 part, then its
children), with points, rule, parameters, the classes it applies to, the work plan items and the rubric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.kit import (
    LINE_HEIGHT,
    Styles,
    cell_text,
    decimal_places,
    fit_width,
    number_format,
    page_setup,
    readable_print,
    row_lines,
    set_heights,
    text_width,
    title_row,
    write_header,
)
from scoring.spec.catalogue import Catalogue, Node

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["catalogue_order", "write_catalogue"]

ROLE_NAMES = {"base": "基础指标", "bonus": "加分项", "penalty": "扣分项", "veto": "一票否决"}


def catalogue_order(catalogue: Catalogue) -> dict[str, int]:
    """Each indicator's place in reading order: depth first, each node followed by its children."""
    order: dict[str, int] = {}

    def visit(parent: str | None) -> None:
        for n in catalogue.children(parent):
            order[n.id] = len(order)
            visit(n.id)

    visit(None)
    for n in catalogue.nodes:  # anything unreachable keeps file order, last
        order.setdefault(n.id, len(order))
    return order


def method_text(n: Node, class_names: Mapping[str, str] | None = None) -> str:
    """How a node is scored, in the rubric's words: the kind's Chinese name and its sentence with this
    leaf's parameters (每发现一例扣0.5分，最多扣2分; classes by ``class_names``); a level-1 section's role."""
    if n.kind is not None:
        return f"{n.kind.label}：{n.kind.sentence(n.params, class_names)}"
    if n.level == 1 and n.role != "base":
        return ROLE_NAMES.get(n.role, n.role)
    return ""


def write_catalogue(wb: Any, styles: Styles, result: Result, title: str, sheet_name: str) -> None:
    """指标体系: every indicator in reading order, level-1 parts in bold and children indented, each scored
    as the rubric says it (no rule codes, no parameter syntax)."""
    catalogue, settings = result.catalogue, result.settings
    order = catalogue_order(catalogue)
    nodes = sorted(catalogue.nodes, key=lambda n: order[n.id])
    class_names = {c.id: c.name for c in settings.classes}
    headers = ["编号", "指标", "分值", "计分方法", "适用单位", "工作要点", "评分标准"]
    ws = wb.add_worksheet(sheet_name)
    title_row(ws, styles, f"{title}指标体系", len(headers) - 1)
    places = decimal_places([n.points for n in nodes])
    num_fmt = styles.number(number_format(places))
    num_bold = styles.number(number_format(places), bold=True)
    rows: list[tuple[str, str, int, str, str, str, str]] = []
    for n in nodes:
        applies = "、".join(class_names.get(c, c) for c in n.applies_to) if n.applies_to else "全部"
        plan = "、".join(n.plan_items)  # the item numbers: the plan's text is the plan document's
        rows.append((n.id, n.name, n.level, method_text(n, class_names), applies, plan, n.rubric))
    widths = [
        fit_width(max([4, *(text_width(r[0]) for r in rows)]), 5, 8),
        fit_width(max([8, *(text_width(r[1]) + 2 * (r[2] - 1) for r in rows)]) / 2, 12, 22),
        6,
        fit_width(max([6, *(text_width(r[3]) for r in rows)]) / 3, 12, 26),
        fit_width(max([8, *(text_width(r[4]) for r in rows)]), 8, 12),
        fit_width(max([8, *(text_width(r[5]) for r in rows)]) / 2, 8, 12),
        fit_width(max([8, *(text_width(r[6]) for r in rows)]) / 3, 12, 46),
    ]
    write_header(ws, styles, 1, headers, widths)
    wrap = styles.text(wrap=True)
    table = pl.DataFrame(
        [list(r[:2]) + list(r[3:]) for r in rows],
        orient="row",
        schema=["id", "name", "method", "applies", "plan", "rubric"],
    )
    table = (
        table.with_columns(
            pl.concat_str(pl.Series([" " * 2 * (r[2] - 1) for r in rows]), pl.col("name")).alias("name")
        )
        if rows
        else table
    )
    lines = row_lines(table, dict(zip(table.columns, [widths[0], widths[1], *widths[3:]], strict=True)))
    set_heights(ws, 2, lines)
    for r, (n, (nid, name, level, method, applies, plan, rubric)) in enumerate(
        zip(nodes, rows, strict=True), start=2
    ):
        bold = level == 1
        ws.write_string(r, 0, cell_text(nid), styles.text(bold=bold))
        ws.write_string(r, 1, cell_text(name), styles.text(wrap=True, bold=bold, indent=level - 1))
        if n.has_points:
            ws.write_number(r, 2, float(n.points), num_bold if bold else num_fmt)
        else:  # a pooled section's leaf deducts from the section; a bonus or penalty section without a cap
            ws.write_string(r, 2, "不封顶" if n.level == 1 else "从上级扣", styles.text(align="center"))
        for c, value in enumerate((method, applies, plan, rubric), start=3):
            ws.write_string(r, c, cell_text(value), wrap)
    ws.autofilter(1, 0, max(1 + len(rows), 1), len(headers) - 1)
    ws.freeze_panes(2, 2)
    page_setup(ws, title, 1, fit=False)
    height = 32 + 40 + sum(LINE_HEIGHT * min(n, 27) + 4 for n in lines)
    readable_print(ws, widths, height, repeat_cols=2)

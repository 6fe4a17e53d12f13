"""The 扣分明细 sheet: every credit and deduction in the order people read them (units as published,
indicators as in the catalogue), at most :data:`LEDGER_WORKBOOK_MAX` rows by default, continued on
扣分明细2, 扣分明细3 … when longer than an Excel sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.catalogue_sheet import catalogue_order
from scoring.output.kit import (
    MAX_LINKS,
    PICO,
    Styles,
    cell_text,
    fit_width,
    number_format,
    page_setup,
    places_needed,
    row_lines,
    safe_url,
    set_heights,
    title_row,
    widest_text,
    write_header,
    write_text,
)

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["EXCEL_ROWS", "LEDGER_ROWS_PER_SHEET", "LEDGER_WORKBOOK_MAX", "write_ledger_sheets"]

EXCEL_ROWS = 1_048_576
LEDGER_ROWS_PER_SHEET = EXCEL_ROWS - 2  # below the title and header rows
LEDGER_WORKBOOK_MAX = 20_000
"""By default at most this many ledger rows go into the workbook. A county's or a prefecture's whole ledger
fits (30 units × 50 indicators is 1,500 rows at most); a province-scale run's does not belong in a printed
通报, and xlsxwriter needs about 85 µs per ledger row (9 cells), so 330,000 rows would add half a minute.
The title says when rows are left out; ``score compute`` always writes the whole ledger as Parquet beside
the workbook, ``score explain`` shows any unit's, and ``--ledger-rows`` raises the limit."""


def _ledger_frame(result: Result, limit: int) -> pl.DataFrame:
    """The first ``limit`` ledger rows in the order people read them: units as published, indicators as in
    the catalogue (a top-k, so a province's millions of rows are not all sorted for the few shown)."""
    unit_order = result.units.select("unit").with_row_index("_u").lazy()
    tree = catalogue_order(result.catalogue)
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


def write_ledger_sheets(
    wb: Any, styles: Styles, result: Result, title: str, sheet_name: str, limit: int | None = None
) -> None:
    """扣分明细, at most ``limit`` rows (default :data:`LEDGER_WORKBOOK_MAX`); longer than an Excel sheet,
    it continues on 扣分明细2, 扣分明细3 …"""
    if limit is None:
        limit = LEDGER_WORKBOOK_MAX
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

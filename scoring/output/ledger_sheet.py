"""The 扣分明细 sheet: every credit and deduction in the order people read them (units as published,
indicators as in the catalogue), at most :data:`LEDGER_WORKBOOK_MAX` rows by default, continued on
扣分明细2, 扣分明细3 … when longer than an Excel sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.engine.accounts import ACCOUNT_KINDS
from scoring.output.bulk import Cells, put_rows
from scoring.output.catalogue_sheet import catalogue_order
from scoring.output.kit import (
    MAX_LINKS,
    PICO,
    Styles,
    cell_text,
    decimal_text_expr,
    fit_width,
    number_format,
    page_setup,
    row_heights,
    row_lines,
    safe_url,
    title_row,
    widest_text,
    write_header,
)

if TYPE_CHECKING:
    from scoring.engine.compute import Result
    from scoring.spec.catalogue import Catalogue

__all__ = [
    "EXCEL_ROWS",
    "LEDGER_ROWS_PER_SHEET",
    "LEDGER_WORKBOOK_MAX",
    "ledger_frame",
    "reading_order",
    "with_subtotals",
    "write_ledger_sheets",
]

EXCEL_ROWS = 1_048_576
LEDGER_ROWS_PER_SHEET = EXCEL_ROWS - 2  # below the title and header rows
LEDGER_WORKBOOK_MAX = 20_000
"""By default at most this many ledger rows go into the workbook. A county's or a prefecture's whole ledger
fits (30 units × 50 indicators is 1,500 rows at most); a province-scale run's does not belong in a printed
通报, and xlsxwriter needs about 85 µs per ledger row (9 cells), so 330,000 rows would add half a minute.
The title says when rows are left out; ``score compute`` always writes the whole ledger as Parquet beside
the workbook, ``score explain`` shows any unit's, and ``--ledger-rows`` raises the limit."""


def reading_order(catalogue: Catalogue) -> pl.Expr:
    """Each line's place within its unit: the leaves as in the catalogue, a section's account line (扣完为止,
    封顶) right after the section's last leaf, the unit's own account lines (折算, caps, 保底) last, in the
    order they apply."""
    tree = catalogue_order(catalogue)
    after = {
        n.id: max(tree[leaf.id] for leaf in catalogue.leaves if leaf.level1 == n.id) + 0.5
        for n in catalogue.level1
        if any(leaf.level1 == n.id for leaf in catalogue.leaves)
    }
    last = float(len(tree))
    kinds = {k: last + 1 + i for i, k in enumerate(ACCOUNT_KINDS)}
    leaf_place = pl.col("indicator").replace_strict(tree, default=last, return_dtype=pl.Float64)
    account = pl.col("kind").is_in(list(ACCOUNT_KINDS))
    return (
        pl.when(account & pl.col("indicator").is_in(list(after)) & pl.col("kind").is_in(["扣完为止", "封顶"]))
        .then(pl.col("indicator").replace_strict(after, default=last, return_dtype=pl.Float64))
        .when(account)
        .then(pl.col("kind").replace_strict(kinds, default=last, return_dtype=pl.Float64))
        .otherwise(leaf_place)
    )


def ledger_frame(result: Result, limit: int) -> pl.DataFrame:
    """The first ``limit`` ledger rows in the order people read them: units as published, indicators as in
    the catalogue, with ``_n``, the number of all the unit's lines. Only the first units' lines are built
    or read: as many units as give ``limit`` lines, found by taking more until they do (a unit's lines all
    come before the next unit's, so the first ``limit`` lines of these units are the first of all)."""
    order = result.units.get_column("unit")
    take = min(order.len(), max(1, limit // 16))  # about 30 lines a unit: one round, mostly
    while True:
        whole = take >= order.len()
        chosen = order.head(take)
        unit_order = chosen.to_frame().with_row_index("_u").lazy()
        lines = (
            result.ledger(None if whole else chosen.to_list())
            .join(unit_order, on="unit", how="left")
            .with_columns(reading_order(result.catalogue).alias("_i"), pl.len().over("unit").alias("_n"))
            .sort("_u", "_i", "unit", "indicator", nulls_last=True)
            .head(limit)
            .collect()
        )
        if whole or lines.height >= limit:
            return lines
        seen = max(lines.height, 1)
        take = min(order.len(), max(take * 2, take * limit // seen + take // 4))


def with_subtotals(result: Result, led: pl.DataFrame) -> pl.DataFrame:
    """The shown lines with a 小计 line after each unit whose lines are all shown: the unit's maximum, what
    its lines add up to, and its total — the lines are a complete account (see
    :mod:`scoring.engine.accounts`), so the maximum plus the sum of the lines is the total."""
    if led.is_empty():
        return led.with_columns(pl.lit(False).alias("subtotal"))
    places = result.settings.places
    sums = led.group_by("unit", "_u").agg(
        pl.col("unit_name").first(),
        pl.len().alias("shown"),
    )
    if "_n" in led.columns:  # from ledger_frame: each unit's number of lines
        full = led.group_by("unit").agg(pl.col("_n").first().cast(pl.UInt32).alias("all"))
    else:
        shown = led.get_column("unit").unique().to_list()
        full = result.ledger(shown).group_by("unit").agg(pl.len().alias("all")).collect()
    figures = result.units.select(
        "unit", pl.col("max").alias("unit_max"), pl.col("total").alias("unit_total")
    )

    def counted(col: str) -> pl.Expr:
        """A figure of the ranking sheet (printed at the declared places) as text."""
        return decimal_text_expr((pl.col(col) * 10**places).round(0), places)

    # the lines add up to the exact total less the maximum; shown as the printed total less the maximum
    net = pl.when(pl.col("net") > 0).then(pl.lit("+")).otherwise(pl.lit("")) + counted("net")
    text = (
        pl.when(pl.col("unit_total").is_null())
        .then(pl.lit("一票否决，不计分、不排名"))
        .otherwise(
            pl.concat_str(
                pl.lit("满分"),
                counted("unit_max"),
                pl.lit("，以上各行合计"),
                net,
                pl.lit("，总分"),
                counted("unit_total"),
            )
        )
    )
    rows = (
        sums.join(full, on="unit")
        .filter(pl.col("shown") == pl.col("all"))
        .join(figures, on="unit", how="left")
        .with_columns((pl.col("unit_total") - pl.col("unit_max")).round(places).alias("net"))
        .select(
            "unit",
            "unit_name",
            "_u",
            pl.lit(None, pl.Float64).alias("_i"),
            pl.lit("").alias("indicator"),
            pl.lit("本单位合计").alias("path"),
            pl.lit("小计").alias("kind"),
            (pl.col("net") * 10**places).round(0).cast(pl.Int64).mul(10 ** (12 - places)).alias("change"),
            text.alias("rubric"),
            pl.lit(True).alias("subtotal"),
        )
    )
    return pl.concat([led.with_columns(pl.lit(False).alias("subtotal")), rows], how="diagonal_relaxed").sort(
        "_u", "_i", nulls_last=True, maintain_order=True
    )


def _places(change: pl.Expr, declared: int) -> pl.Expr:
    """The decimals an amount of pico-points needs: the declared places, or more (up to 6) when the
    rubric's amount has more (0.075)."""
    out = pl.lit(6, pl.Int64)
    for d in range(5, declared - 1, -1):
        out = pl.when(change.fill_null(0) % 10 ** (12 - d) == 0).then(pl.lit(d, pl.Int64)).otherwise(out)
    return out


def write_ledger_sheets(
    wb: Any, styles: Styles, result: Result, title: str, sheet_name: str, limit: int | None = None
) -> None:
    """扣分明细, at most ``limit`` rows (default :data:`LEDGER_WORKBOOK_MAX`); longer than an Excel sheet,
    it continues on 扣分明细2, 扣分明细3 …"""
    if limit is None:
        limit = LEDGER_WORKBOOK_MAX
    total = result.ledger().select(pl.len()).collect().item()
    led = with_subtotals(result, ledger_frame(result, limit))
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
    places = result.settings.places
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
    # each amount at the declared places, or as many as the rubric wrote it with (a 0.075 deduction)
    formats = {p: styles.number(number_format(p, signed=True)) for p in range(places, 7)}
    bold_formats = {p: styles.number(number_format(p, signed=True), bold=True) for p in range(places, 7)}
    bold_wrap = styles.text(wrap=True, bold=True)
    # a conversion is an exact fraction: at the declared places
    digits = (
        pl.when(pl.col("kind") == "折算")
        .then(pl.lit(places, pl.Int64))
        .otherwise(_places(pl.col("change"), places))
    ).alias("places")
    cols = ["unit_name", "indicator", "path", "kind", "change", "rubric", "input", "note", "evidence"]
    rows = led.with_columns(digits, pl.col("subtotal").fill_null(False)).select(*cols, "places", "subtotal")
    # the evidence as written, a link where it is a safe one (up to Excel's limit per sheet): decided once
    # per distinct text
    written = rows.get_column("evidence").cast(pl.String).fill_null("")
    distinct = written.unique().to_list()
    stripped = {e: cell_text(e).strip() for e in distinct}
    safe = {e: bool(stripped[e]) and safe_url(stripped[e]) for e in distinct}
    rows = rows.with_columns(
        written.replace_strict(stripped, return_dtype=pl.String).alias("evidence"),
        written.is_in([e for e, ok in safe.items() if ok]).alias("_safe"),
    ).with_columns((pl.col("_safe") & (pl.col("_safe").cum_sum() <= MAX_LINKS)).alias("_link"))
    sub = pl.col("subtotal")
    texts = {False: wrap_fmt, True: bold_wrap}

    def text(col: str) -> pl.Expr:
        return pl.col(col).cast(pl.String).fill_null("")

    def text_or_blank(col: str) -> pl.Expr:
        return pl.when(text(col) != "").then(text(col))

    # an amount's format: its places, bold on a subtotal line (key: places, plus 100 when bold)
    amounts = {**formats, **{100 + p: f for p, f in bold_formats.items()}}
    amount_key = pl.col("places") + pl.when(sub).then(100).otherwise(0)
    cells = [
        Cells(text("unit_name"), False, key=sub, formats=texts),
        Cells(text("indicator"), False, center),
        Cells(text("path"), False, key=sub, formats=texts),
        Cells(text("kind"), False, center),
        Cells(pl.col("change"), True, key=amount_key, formats=amounts, per=PICO),
        Cells(text("rubric"), False, key=sub, formats=texts),
        Cells(text_or_blank("input"), False, wrap_fmt),
        Cells(text_or_blank("note"), False, wrap_fmt),
        Cells(
            text_or_blank("evidence"), False, key=pl.col("_link"), formats={False: wrap_fmt, True: link_fmt}
        ),
    ]
    wrapped = ("unit_name", "path", "rubric", "input", "note", "evidence")
    lines = row_lines(led, {c: w for c, w in zip(cols, widths, strict=True) if c in wrapped})
    put_rows(ws, 2, rows, cells, row_heights(lines))
    links = rows.with_row_index("r").filter(pl.col("_link")).select("r", "evidence")
    for r, ev in links.iter_rows():
        ws.link(2 + r, 8, ev, link_fmt, ev, "打开佐证链接")
    last_row = max(1 + led.height, 1)
    ws.autofilter(1, 0, last_row, len(headers) - 1)
    ws.freeze_panes(2, 1)
    if empty:
        ws.write_string(2, 0, "本年度无扣分、加分或一票否决记录。", styles.get())
    page_setup(ws, title, 1)

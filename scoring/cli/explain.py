"""``score explain``: every point a unit lost, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, OutputFormat, Period, Year
from .render import Format


def explain(
    year: Year,
    unit: Annotated[str, typer.Option("--unit", "-u", help="单位代码或名称", metavar="单位")],
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    period: Period = None,
    fmt: OutputFormat = Format.text,
) -> None:
    """逐项列出某单位的失分、加分、扣分及原因。"""
    import polars as pl

    from scoring.engine.compute import compute

    from .common import load
    from .render import error, fmt_points, print_table, say

    a = load(year, indicators, data, inputs, period)
    match = a.units.filter((pl.col("code") == unit) | (pl.col("name") == unit))
    if match.is_empty():
        hits = a.units.filter(pl.col("name").str.contains(unit, literal=True))
        hint = f"（是否指：{'、'.join(hits['name'].head(5).to_list())}）" if not hits.is_empty() else ""
        error(f"单位 {unit} 不在 {a.year} 年度名单中{hint}")
        raise typer.Exit(1)
    code = match["code"][0]
    result = compute(a)
    row = result.units.filter(pl.col("unit") == code).to_dicts()[0]
    s = a.settings
    cls = s.unit_class(row["class"])
    rank = "不参与排名" if row["rank"] is None else f"第{row['rank']}名" + ("（并列）" if row["tied"] else "")
    grade = f"，等次 {row['grade']}" if s.graded else ""
    say(
        f"{row['name']}（{code}，{cls.name}）：总分 {fmt_points(row['total'], s.places)}，{rank}{grade}",
        fmt,
    )
    applicable = row["applicable_max"] / 10**12
    if s.not_applicable in ("renormalise", "redistribute") and applicable != float(cls.max_points):
        say(
            f"基础得分 {fmt_points(row['base_raw'], s.places)}（适用指标满分 {applicable:g}），"
            f"按得分率折算为 {fmt_points(row['base'], s.places)}"
            f"（满分 {cls.max_points}）",
            fmt,
        )
    if row["veto"]:
        say(f"一票否决：{row['veto_reason']}", fmt)
    if row["section_fail"]:
        names = {n.id: n.name for n in a.catalogue.level1}
        parts = "；".join(names.get(p, p) for p in (row.get("failed_parts") or "").split(",") if p)
        share = f"{float(s.section_fail_share) * 100:g}%" if s.section_fail_share is not None else "规定比例"
        say(f"以下部分得分低于其分值的{share}，等次为{s.fail_grade}：{parts}", fmt)
    from decimal import Decimal

    from scoring.output.ledger_sheet import reading_order
    from scoring.output.publish.model import amount_text

    ledger = (
        result.ledger([code])
        .with_columns(reading_order(a.catalogue).alias("_order"))
        .sort("_order", "indicator", nulls_last=True)
        .collect()
    )
    rows = [
        (
            r["indicator"] or "",
            r["name"],
            r["kind"],
            amount_text(r["change"], s.places, exact=r["kind"] == "折算"),  # as the page prints it
            r["input"] or "",
            r["note"] or "",
            r["rubric"],
        )
        for r in ledger.to_dicts()
    ]
    if rows or fmt != Format.text:
        headers = ["编号", "指标", "类型", "增减", "评分数据", "失分原因", "评分标准"]
        print_table(headers, rows, right=(3,), fmt=fmt)
    if not rows:
        say("所有指标均得满分。", fmt)
    if row["total"] is None:
        say("一票否决，不计分、不排名。", fmt)
        return
    # the lines add up to the exact total less the maximum; shown as the printed total less the maximum
    total, most = Decimal(f"{row['total']:.{s.places}f}"), Decimal(f"{row['max']:.{s.places}f}")
    say(f"满分 {most}，以上各行合计 {total - most:+}，总分 {total}", fmt)

"""``score validate``: the validation report."""

from __future__ import annotations

import typer

from .common import DataDir, IndicatorsDir, Inputs, Year, issues_table, load


def validate(
    year: Year, indicators: IndicatorsDir = None, data: DataDir = None, inputs: Inputs = None
) -> None:
    """校验某年度的指标体系、单位名单和评分数据。

    有错误时逐条列出（文件、行、列、值、应为）并以状态 1 退出。
    """
    a = load(year, indicators, data, inputs)
    notes = list(a.notes)
    if notes:
        typer.echo(issues_table(notes))
    typer.echo(
        f"校验通过：{a.year}年度 {len(a.catalogue.leaves)} 个末级指标，{a.units.height} 个单位，"
        f"{a.observations.height} 条评分数据" + (f"，{len(notes)} 条说明" if notes else "") + "。"
    )

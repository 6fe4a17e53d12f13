"""``score whatif``: the same inputs under an altered rubric, and the units whose rank or grade changes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, Period, Year

SHOWN = 40  # changed units listed per class in the terminal; --out writes them all
Force = Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的输出文件")]


def whatif(
    year: Year,
    with_dir: Annotated[
        Path | None,
        typer.Option(
            "--with", help="另一套指标体系目录（含 indicators.csv 和 settings.toml）", show_default=False
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="单项修改，可多次指定：指标编号.列=值（如 C1.points=6）或设置项=值（如 ties=dense、"
            "grades.bands=优秀:92,良好:80,合格:60）",
            show_default=False,
            metavar="修改",
        ),
    ] = None,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    period: Period = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="写出工作簿（方案比较）及同名 .parquet", show_default=False),
    ] = None,
    force: Force = False,
) -> None:
    """用修改后的指标体系或设置重算同一批数据，列出每类中排名或等次改变的单位及原因。"""
    from scoring.errors import ScoringError
    from scoring.run.inputs import RunSpec
    from scoring.run.whatif import whatif_year, write_whatif

    from .archive import fail
    from .common import load_spec
    from .render import table

    spec = RunSpec.for_year(year, indicators, data, inputs, period, root=Path.cwd())
    before = load_spec(spec)
    try:
        report = whatif_year(spec, before, with_dir, list(set_ or []))
        written = write_whatif(report, out, force=force) if out is not None else None
    except ScoringError as e:
        raise fail(e) from None
    s = report.before.settings
    typer.echo(f"方案比较（{report.description}）")
    changed = report.changed()
    for c in s.classes:
        part = changed.filter(changed["class"] == c.id).sort("rank_after", "unit", nulls_last=True)
        if part.is_empty():
            typer.echo(f"{c.name}：排名和等次均未改变")
            continue
        typer.echo(f"{c.name}：{part.height} 个单位排名或等次改变")
        rows = [
            (
                r["name"],
                _arrow(r["rank_before"], r["rank_after"]),
                r["grade_before"]
                if r["grade_before"] == r["grade_after"]
                else f"{r['grade_before']}→{r['grade_after']}",
                _totals(r["total_before"], r["total_after"], s.places),
                r["moved"] or "本单位得分未变",
            )
            for r in part.head(SHOWN).to_dicts()
        ]
        typer.echo(table(["单位", "排名", "等次", "总分", "变化来源"], rows, max_width=40))
        if part.height > SHOWN:
            typer.echo(f"……另有 {part.height - SHOWN} 个单位，完整列表请用 --out 写出")
    if written is not None:
        typer.echo(f"工作簿：{written[0]}")
        typer.echo(f"比较结果：{written[1]}")


def _totals(before: float | None, after: float | None, places: int) -> str:
    from .render import fmt_points

    b, a = fmt_points(before, places), fmt_points(after, places)
    return b if a == b else f"{b}→{a}"


def _arrow(before: int | None, after: int | None) -> str:
    b = "—" if before is None else str(before)
    a = "—" if after is None else str(after)
    return b if b == a else f"{b}→{a}"

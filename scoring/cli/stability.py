"""``score stability``: how solid each published rank and grade is when the judgement inputs vary."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, Period, Year
from .whatif import Force

SHOWN = 40  # fragile positions listed in the terminal; --out writes them all


def stability(
    year: Year,
    judgement: Annotated[
        str | None,
        typer.Option(
            "--judgement",
            help="区间评分的变动幅度（分，上下各此值；默认取 settings.toml [stability]）",
            show_default=False,
        ),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option("--runs", min=1, max=100_000, help="模拟次数（默认 1000）", show_default=False),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, help="随机种子：相同种子得到相同结果（默认 1）", show_default=False),
    ] = None,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    period: Period = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="写出 .parquet（每单位一行）或 .xlsx（排名稳定性工作表）", show_default=False
        ),
    ] = None,
    force: Force = False,
) -> None:
    """模拟区间评分在评估人之间的差异，给出每个单位的名次区间、等次改变的比例，标出分差过小的名次和等次。"""
    from scoring.engine.compute import compute
    from scoring.errors import ScoringError
    from scoring.run.inputs import RunSpec, prepare
    from scoring.run.stability import perturbation_for, stability_of, write_stability

    from .archive import fail
    from .common import load_spec
    from .render import error, fmt_points, table

    amount = None
    if judgement is not None:
        try:
            amount = Decimal(judgement.strip().removesuffix("分"))
        except InvalidOperation:
            error(f"--judgement {judgement}：应为分数（如 0.5）")
            raise typer.Exit(1) from None
    spec = RunSpec.for_year(year, indicators, data, inputs, period, root=Path.cwd())
    a = load_spec(spec)
    try:
        result = compute(prepare(spec, a).assessment)
        st = stability_of(result, perturbation_for(result, runs, amount, seed))
        written = write_stability(st, out, force=force) if out is not None else None
    except ScoringError as e:
        raise fail(e) from None
    s = result.settings
    if st.judgement_inputs == 0:
        typer.echo("本年度指标体系没有区间评分指标：名次区间只反映分差，不反映评分差异。")
        typer.echo(st.how_lines()[1])
    else:
        for line in st.how_lines():
            typer.echo(line)
    fragile = st.fragile()
    margin = float(s.stability.margin)
    names = {c.id: c.name for c in s.classes}
    if fragile.is_empty():
        typer.echo(f"没有分差不足{margin:g}分的名次或等次，模拟中也没有单位的等次改变。")
    else:
        typer.echo(f"需关注的名次和等次：{fragile.height} 个单位")
        shown = fragile.head(SHOWN)
        rows = [
            (
                names.get(r["class"], r["class"]),
                "—" if r["rank"] is None else r["rank"],
                r["name"],
                fmt_points(r["total"], s.places),
                "—" if r["rank_lo"] is None else f"{r['rank_lo']}–{r['rank_hi']}",
                _share(r["p_grade_change"]),
                "—" if r["margin"] is None else fmt_points(r["margin"], s.places),
                _why(r, margin),
            )
            for r in shown.to_dicts()
        ]
        typer.echo(
            table(
                ["类别", "排名", "单位", "总分", "名次区间", "等次改变", "最小分差", "原因"],
                rows,
                right=(1, 3, 5, 6),
                max_width=30,
            )
        )
        if fragile.height > SHOWN:
            typer.echo(f"……另有 {fragile.height - SHOWN} 个单位，完整列表请用 --out 写出")
    if written is not None:
        typer.echo(f"输出：{written}")


def _share(p: float) -> str:
    """A share of runs as a percentage; a share under 1% is not shown as 0%."""
    return "<1%" if 0 < p < 0.005 else f"{p * 100:.0f}%"


def _why(r: dict[str, object], margin: float) -> str:
    out = []
    if r["gap"] == 0:
        out.append("并列")
    elif r["fragile_rank"]:
        out.append(f"名次分差<{margin:g}")
    if r["fragile_grade"]:
        out.append(f"距等次线<{margin:g}")
    if not out:
        out.append("等次随评分变化")
    return "；".join(out)

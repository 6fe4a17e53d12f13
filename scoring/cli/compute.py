"""``score compute``: validate, compute, write the workbook and the results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, Period, Year


def compute(
    year: Year,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="工作簿路径（默认 results/<年度>/<标题>.xlsx）", show_default=False),
    ] = None,
    period: Period = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的输出文件")] = False,
) -> None:
    """校验并计算某年度的得分、排名和等次，输出通报用的 Excel 工作簿和 Parquet 结果。"""
    import polars as pl

    from scoring.export import write_parquet, write_workbook
    from scoring.pipeline import compute as run

    from .common import load
    from .render import error, progress, table

    progress("读取并校验数据…")
    a = load(year, indicators, data, inputs, period)
    s = a.settings
    title = s.title if not s.title.endswith("考核") else s.title + "结果"
    suffix = f"（{period}）" if period else ""
    workbook = out or Path("results") / str(year) / f"{title}{suffix}.xlsx"
    parquet = workbook.with_suffix(".parquet")
    manifest = workbook.with_suffix(".manifest.json")
    if workbook.suffix.lower() != ".xlsx":
        error(f"{workbook}：工作簿应以 .xlsx 结尾")
        raise typer.Exit(1)
    existing = [p for p in (workbook, parquet, manifest) if p.exists()]
    if existing and not force:
        error(f"{existing[0]} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
        raise typer.Exit(1)
    progress("计算得分、排名与等次…")
    result = run(a)
    progress("写出工作簿…")
    try:
        workbook.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(result, workbook, notes=list(a.notes))
        write_parquet(result, parquet)
        tmp = manifest.with_suffix(".tmp")
        tmp.write_text(result.manifest.to_json(), encoding="utf-8")
        tmp.replace(manifest)
    except OSError as e:
        error(f"无法写出结果：{e}")
        raise typer.Exit(1) from None

    units = result.units
    typer.echo(f"{title}{suffix}：{units.height} 个单位")
    for c in s.classes:
        part = units.filter(pl.col("class") == c.id)
        top = part.filter(pl.col("rank") <= 3).head(5)
        tops = "、".join(f"{r['rank']}.{r['name']}({r['total']:.{s.places}f})" for r in top.to_dicts())
        typer.echo(f"  {c.name}：{part.height} 个单位；前三：{tops}")
    counts = units.group_by("grade").len()
    order = [b.name for b in s.bands] + [s.fail_grade]
    by = {r["grade"]: r["len"] for r in counts.to_dicts()}
    typer.echo(
        table(["等次", *order], [["单位数", *(by.get(g, 0) for g in order)]], right=tuple(range(1, 9)))
    )
    vetoed = units.filter(pl.col("veto"))
    if not vetoed.is_empty():
        typer.echo("一票否决：" + "、".join(f"{r['name']}（{r['veto_reason']}）" for r in vetoed.to_dicts()))
    typer.echo(f"工作簿：{workbook}")
    typer.echo(f"结果：{parquet}")
    typer.echo(f"运行清单：{manifest}")

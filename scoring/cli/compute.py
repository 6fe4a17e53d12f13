"""``score compute``: validate, compute, write the workbook and the results, and record the run in the
archive (with the 同比 columns when last year is archived, and the appeal decisions when there are)."""

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
        typer.Option(
            "--out",
            "-o",
            help="工作簿路径（默认 results/<年度>/<标题>.xlsx）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    period: Period = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的输出文件")] = False,
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            help="档案库路径（默认在结果文件夹旁：results/<年度>/ 的上一级，即 results/archive.duckdb）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    no_archive: Annotated[bool, typer.Option("--no-archive", help="不记录到档案库（也不加同比列）")] = False,
    supersedes: Annotated[
        int | None,
        typer.Option(
            "--supersedes",
            help="本次运行取代的运行编号（更正或申诉处理后重算），须同时给出 --reason",
            metavar="编号",
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="取代的原因", show_default=False, metavar="原因")
    ] = None,
    appeals: Annotated[
        Path | None,
        typer.Option(
            "--appeals",
            help="申诉决定文件（默认 data/<年度>/appeals.csv，存在时应用）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    previous: Annotated[
        int | None,
        typer.Option(
            "--previous",
            help="同比所用的上年运行编号（默认上一年度同一发布单位的最新定稿运行，没有定稿则最新运行）",
            show_default=False,
            metavar="编号",
        ),
    ] = None,
    stability: Annotated[
        bool,
        typer.Option("--stability", help="在工作簿中加入“排名稳定性”工作表（模拟区间评分的评估人差异）"),
    ] = False,
    ledger_rows: Annotated[
        int | None,
        typer.Option(
            "--ledger-rows",
            min=0,
            help="工作簿“扣分明细”最多列出的条数（默认 20000；完整明细总是另存为 .ledger.parquet）",
            show_default=False,
            metavar="条数",
        ),
    ] = None,
) -> None:
    """校验并计算某年度的得分、排名和等次，输出通报用的 Excel 工作簿和 Parquet 结果，并记录到档案库。"""
    import polars as pl

    from scoring.errors import ScoringError
    from scoring.run.compute import (
        Outputs,
        Recording,
        WriteFailed,
        beside_results,
        compute_year,
        default_workbook,
        title_of,
    )
    from scoring.run.inputs import AppealsInvalid, RunSpec

    from .archive import fail, open_archive
    from .common import load_spec
    from .render import Stages, error

    if supersedes is not None and not (reason or "").strip():
        error("使用 --supersedes 时须用 --reason 说明取代的原因（如 --reason 申诉处理）")
        raise typer.Exit(1)
    if no_archive and (supersedes is not None or previous is not None):
        error("--supersedes 和 --previous 需要档案库，不能与 --no-archive 同时使用")
        raise typer.Exit(1)
    spec = RunSpec.for_year(year, indicators, data, inputs, period, appeals, root=Path.cwd())
    with Stages() as stages:
        # the year is handed over to the run (popped below): it lets the observations go once they are written
        held = [load_spec(spec, stages)]
        s = held[0].settings
        outputs = Outputs(out or default_workbook(s, year, period), force, ledger_rows, stability)
        try:
            recording = (
                None
                if no_archive
                else Recording(
                    open_archive(archive or beside_results(outputs.workbook, year)),
                    supersedes,
                    reason,
                    previous,
                )
            )
            done = compute_year(spec, held.pop(), outputs, recording, stages)
        except AppealsInvalid as e:
            fail(e)
            error("申诉决定未通过校验，未计算任何结果。")
            raise typer.Exit(1) from None
        except WriteFailed as e:
            error(f"{e}；未记录到档案库，原有结果文件保持不变")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            error("已中断：未记录到档案库，原有结果文件保持不变")
            raise typer.Exit(130) from None
        except ScoringError as e:
            raise fail(e) from None
    result, applied, extras, prev, run_id = done.result, done.applied, done.extras, done.previous, done.run_id
    title, suffix = title_of(s), (f"（{period}）" if period else "")
    store = recording.archive if recording is not None else None
    units = result.units
    typer.echo(f"{title}{suffix}：{units.height} 个单位")
    for c in s.classes:
        part = units.filter(pl.col("class") == c.id)
        top = part.filter(pl.col("rank") <= 3).head(5)
        tops = "、".join(f"{r['rank']}.{r['name']}({r['total']:.{s.places}f})" for r in top.to_dicts())
        typer.echo(f"  {c.name}：{part.height} 个单位；前三：{tops}")
    if s.graded:  # a year without grades prints no grade counts
        by = {r["grade"]: r["len"] for r in units.group_by("grade").len().to_dicts()}
        typer.echo("等次：" + "，".join(f"{g} {by.get(g, 0)}" for g in s.grade_names))
    vetoed = units.filter(pl.col("veto"))
    if not vetoed.is_empty():
        shown = "、".join(f"{r['name']}（{r['veto_reason']}）" for r in vetoed.head(10).to_dicts())
        more = f" 等 {vetoed.height} 个单位" if vetoed.height > 10 else ""
        typer.echo(f"一票否决：{shown}{more}")
    if result.assessment.self_observations is not None:
        diff = result.discrepancies()
        typer.echo(
            f"自评与复核：{diff.height} 处得分不同，{diff['unit'].n_unique()} 个单位"
            "（见“自评复核差异”工作表）"
        )
    if applied is not None:
        typer.echo(
            f"申诉：应用 {applied.file} 中 {applied.changes.height} 项决定，见工作簿“申诉处理”工作表"
            + (f"（对照：{extras.appeals.base_label}）" if extras.appeals else "")
        )
        if supersedes is None:
            typer.echo(
                "提示：未用 --supersedes 指明被取代的草稿运行，申诉处理表对照的是不含申诉决定的计算结果"
            )
    if prev is not None and extras.yoy is not None:
        typer.echo(f"同比：与{prev.label()}比较，{extras.compared} 个单位有上年结果")
    typer.echo(f"工作簿：{outputs.workbook}")
    typer.echo(f"结果：{outputs.results}")
    typer.echo(f"扣分明细：{outputs.ledger}")
    typer.echo(f"运行清单：{outputs.manifest}")
    if store is not None and run_id is not None:
        replaced = f"；取代运行 {supersedes}（{reason}）" if supersedes is not None else ""
        typer.echo(
            f"档案：运行 {run_id}（草稿）已记录到 {store.path}{replaced}；定稿：score finalize {run_id}"
        )

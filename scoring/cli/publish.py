"""``score publish``: the results page for the portal, the 通报 as PDF and the figures as data, from an
archived run (or, when the archive has none for the year, the year computed as ``score compute`` does)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, Period, Year


def publish(
    year: Year,
    run: Annotated[
        int | None,
        typer.Option(
            "--run",
            help="档案库中的运行编号（默认本年度最新定稿运行，无定稿则最新运行）",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="输出文件夹（默认 results/<年度>/publish）", show_default=False),
    ] = None,
    pdf: Annotated[
        bool | None,
        typer.Option(
            "--pdf/--no-pdf",
            help="生成 通报.pdf（需要 Chromium）。默认有浏览器就生成，没有则提示；--pdf 没有浏览器时报错",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的发布文件")] = False,
    archive: Annotated[
        Path | None,
        typer.Option("--archive", help="档案库路径（默认 results/archive.duckdb）", show_default=False),
    ] = None,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    period: Period = None,
) -> None:
    """生成在政府网站发布的考核结果网页（index.html）、通报 PDF 和数据文件（results.csv、results.json）。

    发布档案库中记录的运行（与工作簿相同的结果）；档案库中没有本年度的运行时，按 --indicators、--data
    等指定的数据计算（与 score compute 相同），并提示结果未记录到档案库。
    """
    from scoring.archive.store import DEFAULT_ARCHIVE
    from scoring.errors import ScoringError
    from scoring.output.publish.pdf import BrowserMissing
    from scoring.run.compute import WriteFailed
    from scoring.run.inputs import AppealsInvalid, RunSpec
    from scoring.run.publish import (
        PublishOutputs,
        archived_source,
        computed_source,
        default_folder,
        publish as publish_run,
    )

    from .archive import fail, open_archive
    from .common import load_spec
    from .render import error, progress, table

    store_path = archive or DEFAULT_ARCHIVE
    store = open_archive(store_path)
    outputs = PublishOutputs(out or default_folder(year, period), pdf, force)
    try:
        progress("读取档案库…")
        source = archived_source(store, year, run, period)
        if source is None:
            spec = RunSpec.for_year(year, indicators, data, inputs, period, root=Path.cwd())
            progress("档案库中没有本年度的运行：读取并校验数据…")
            source = computed_source(spec, load_spec(spec), store)
        done = publish_run(source, outputs, progress)
    except BrowserMissing as e:
        error(f"{e}。未写出任何文件（不要 PDF 时用 --no-pdf）")
        raise typer.Exit(1) from None
    except AppealsInvalid as e:
        fail(e)
        error("申诉决定未通过校验，未发布任何结果。")
        raise typer.Exit(1) from None
    except WriteFailed as e:
        error(f"{e}；原有发布文件保持不变")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        error("已中断：原有发布文件保持不变")
        raise typer.Exit(130) from None
    except ScoringError as e:
        raise fail(e) from None
    report, info = done.report, done.source.run
    units = sum(len(t.rows) for t in report.tables)
    if info is not None:
        typer.echo(
            f"{report.title}：{units} 个单位，发布档案库 {store_path} 中的运行 {info.run_id}"
            f"（{info.status_name}，{report.date}），结果摘要与记录一致"
        )
        if info.status != "final":
            typer.echo(
                f"提示：运行 {info.run_id} 尚未定稿；正式发布前请核对并运行 score finalize {info.run_id}"
            )
    else:
        typer.echo(
            f"{report.title}：{units} 个单位，按当前数据计算（档案库 {store_path} 中没有 {year} 年度的运行）"
        )
        typer.echo("提示：本次结果未记录到档案库；正式发布前请先运行 score compute 并定稿")
    if report.yoy_note:
        typer.echo("同比：排名表含上年总分、上年排名和名次变化")
    what = {
        "index.html": "网页（政务公开栏目）",
        "通报.pdf": "通报 PDF（A4）",
        "results.csv": "数据（CSV，UTF-8 带 BOM）",
        "results.json": "数据（JSON）",
    }
    rows = [(str(p), what.get(p.name, ""), f"{p.stat().st_size / 1024:.0f} KB") for p in done.files]
    typer.echo(table(["文件", "内容", "大小"], rows, right=(2,), max_width=80))
    if done.pdf_left_out is not None:
        typer.echo(f"未生成 通报.pdf：{done.pdf_left_out}")

"""``score compute``: validate, compute, write the workbook and the results, and record the run in the
archive (with the 同比 columns when last year is archived, and the appeal decisions when there are)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from .archive import DEFAULT_ARCHIVE, ArchivePath
from .common import DataDir, IndicatorsDir, Inputs, Period, Year

NOT_INPUTS = ("units", "appeals", "aliases")  # files of a data folder that are not assessors' inputs


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
    archive: ArchivePath = DEFAULT_ARCHIVE,
    no_archive: Annotated[bool, typer.Option("--no-archive", help="不记录到档案库（也不加同比列）")] = False,
    supersedes: Annotated[
        int | None,
        typer.Option(
            "--supersedes", help="本次运行取代的运行编号（更正或申诉处理后重算），须同时给出 --reason"
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="取代的原因", show_default=False)] = None,
    appeals: Annotated[
        Path | None,
        typer.Option(
            "--appeals",
            help="申诉决定文件（默认 data/<年度>/appeals.csv，存在时应用）",
            show_default=False,
        ),
    ] = None,
    previous: Annotated[
        int | None,
        typer.Option(
            "--previous",
            help="同比所用的上年运行编号（默认上一年度同一发布单位的最新定稿运行，没有定稿则最新运行）",
            show_default=False,
        ),
    ] = None,
    ledger_rows: Annotated[
        int | None,
        typer.Option(
            "--ledger-rows",
            min=0,
            help="工作簿“扣分明细”最多列出的条数（默认 20000；完整明细总是另存为 .ledger.parquet）",
            show_default=False,
        ),
    ] = None,
) -> None:
    """校验并计算某年度的得分、排名和等次，输出通报用的 Excel 工作簿和 Parquet 结果，并记录到档案库。"""
    import datetime as dt

    import polars as pl

    from scoring.engine.compute import compute as run
    from scoring.errors import InputError, ScoringError, ValidationFailed
    from scoring.output.results import write_ledger_parquet, write_parquet
    from scoring.output.workbook import write_workbook
    from scoring.reading.year import input_files

    from .archive import fail, open_archive
    from .common import load, short_path
    from .render import error, progress, table

    if supersedes is not None and not (reason or "").strip():
        error("使用 --supersedes 时须用 --reason 说明取代的原因（如 --reason 申诉处理）")
        raise typer.Exit(1)
    if no_archive and (supersedes is not None or previous is not None):
        error("--supersedes 和 --previous 需要档案库，不能与 --no-archive 同时使用")
        raise typer.Exit(1)
    data_dir = data or Path("data") / str(year)
    if inputs is None and data_dir.is_dir():
        inputs = [p for p in input_files(data_dir) if p.stem.lower() not in NOT_INPUTS] or None
    progress("读取并校验数据…")
    a = load(year, indicators, data, inputs, period)
    s = a.settings
    title = s.title if not s.title.endswith("考核") else s.title + "结果"
    suffix = f"（{period}）" if period else ""
    # a title may hold characters a file name cannot: / \ : * ? " < > |
    file_name = re.sub(r'[\\/:*?"<>|]', "_", f"{title}{suffix}")
    workbook = out or Path("results") / str(year) / f"{file_name}.xlsx"
    parquet = workbook.with_suffix(".parquet")
    manifest = workbook.with_suffix(".manifest.json")
    ledger = workbook.with_suffix(".ledger.parquet")
    if workbook.suffix.lower() != ".xlsx":
        error(f"{workbook}：工作簿应以 .xlsx 结尾")
        raise typer.Exit(1)
    existing = [p for p in (workbook, parquet, manifest, ledger) if p.exists()]
    if existing and not force:
        error(f"{existing[0]} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
        raise typer.Exit(1)
    before, applied = a, None
    appeals_path = appeals or (data_dir / "appeals.csv" if (data_dir / "appeals.csv").exists() else None)
    if appeals_path is not None:
        from scoring.reading.appeals import apply_appeals

        try:
            a, applied = apply_appeals(a, appeals_path, root=Path.cwd())
        except ValidationFailed as e:
            fail(e)
            error("申诉决定未通过校验，未计算任何结果。")
            raise typer.Exit(1) from None
        except InputError as e:
            raise fail(e) from None
    from scoring.archive.store import run_label, workbook_extras

    store = None if no_archive else open_archive(archive)
    base = prev = None
    aliases_path = data_dir / "aliases.csv"
    aliases_shown = short_path(str(aliases_path.resolve()))
    alias_list = []
    try:
        if store is not None and supersedes is not None:
            base = store.run(supersedes)
            if base.year != year:
                raise ScoringError(f"运行 {supersedes} 是 {base.year} 年度的，不能被 {year} 年度的运行取代")
        if store is not None and previous is not None:
            prev = store.run(previous)
        elif store is not None and store.path.exists():
            prev = store.latest(year - 1, period, issuer=s.issuer)
        if prev is not None and aliases_path.exists():
            from scoring.reading.aliases import read_aliases

            alias_list = read_aliases(aliases_path, aliases_shown)
    except ScoringError as e:
        raise fail(e) from None

    progress("计算得分、排名与等次…")
    result = run(a)
    today = dt.date.today()
    run_id = None
    try:
        extras = workbook_extras(
            store,
            result,
            previous=prev,
            aliases=alias_list,
            aliases_file=aliases_shown,
            applied=applied,
            before=before,
            base=base if applied is not None else None,
        )
        if store is not None:
            progress("记录到档案库…")
            run_id = store.record(
                result,
                generated=today,
                root=Path.cwd(),
                period=period,
                supersedes=supersedes,
                reason=reason,
                extra_files=[(aliases_shown, "aliases", aliases_path)] if alias_list else [],
                previous_year_run=prev.run_id if prev is not None else None,
                appeals_base_run=base.run_id if base is not None and applied is not None else None,
                workbook=str(workbook),
                options={
                    "indicators": str(indicators or Path("indicators") / str(year)),
                    "data": str(data_dir),
                    "inputs": [str(p) for p in inputs or []],
                    "period": period,
                    "appeals": str(appeals_path) if appeals_path else None,
                    "out": str(workbook),
                },
            )
    except ScoringError as e:
        raise fail(e) from None
    progress("写出工作簿…")
    try:
        workbook.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(
            result,
            workbook,
            notes=list(a.notes),
            generated=today,
            yoy=extras.yoy,
            appeals=extras.appeals,
            run_label=run_label(run_id, supersedes, reason) if run_id is not None else None,
            ledger_rows=ledger_rows,
        )
        write_parquet(result, parquet)
        write_ledger_parquet(result, ledger)
        tmp = manifest.with_suffix(".tmp")
        tmp.write_text(result.manifest.to_json(), encoding="utf-8")
        tmp.replace(manifest)
    except (OSError, ScoringError) as e:
        error(f"无法写出结果：{e}")
        if run_id is not None:
            error(f"运行 {run_id} 已记录在档案库中，可用 score export {run_id} 重新生成工作簿")
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
    typer.echo(f"工作簿：{workbook}")
    typer.echo(f"结果：{parquet}")
    typer.echo(f"扣分明细：{ledger}")
    typer.echo(f"运行清单：{manifest}")
    if store is not None and run_id is not None:
        replaced = f"；取代运行 {supersedes}（{reason}）" if supersedes is not None else ""
        typer.echo(
            f"档案：运行 {run_id}（草稿）已记录到 {store.path}{replaced}；定稿：score finalize {run_id}"
        )

"""``score history / show / finalize / export``: the results archive (every ``score compute`` run)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import OutputFormat
from .render import Format, error, print_table, say

if TYPE_CHECKING:
    from scoring.archive.store import Archive, RunInfo

DEFAULT_ARCHIVE = (
    Path("results") / "archive.duckdb"
)  # = scoring.archive.store.DEFAULT_ARCHIVE (not imported: fast help)

ArchivePath = Annotated[
    Path,
    typer.Option(
        "--archive", help="档案库路径（DuckDB 文件，记录每次计算）", show_default=True, metavar="文件"
    ),
]
RunId = Annotated[
    int, typer.Argument(help="运行编号（score history 列出）", show_default=False, metavar="编号")
]


WAIT_VARIABLE = "ZWGK_ARCHIVE_WAIT"  # seconds to wait for another program holding the archive


def open_archive(path: Path) -> Archive:
    import os

    from scoring.archive.store import DEFAULT_TIMEOUT, Archive

    try:
        timeout = float(os.environ.get(WAIT_VARIABLE, DEFAULT_TIMEOUT))
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return Archive(path, timeout)


def fail(e: Exception) -> typer.Exit:
    """Report a user's error (a ScoringError or a validation failure) and return the exit to raise."""
    from scoring.errors import ValidationFailed

    from .common import issues_table

    if isinstance(e, ValidationFailed):
        typer.echo(issues_table(e.errors), err=True)
        error(f"校验未通过：{e.summary()}。")
    else:
        error(str(e))
    return typer.Exit(1)


def status_text(run: RunInfo) -> str:
    text = run.status_name
    if run.superseded_by:
        text += f"（已被运行 {'、'.join(str(r) for r in run.superseded_by)} 取代）"
    return text


def history(
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="只列某一年度", show_default=False, metavar="年度")
    ] = None,
    archive: ArchivePath = DEFAULT_ARCHIVE,
    fmt: OutputFormat = Format.text,
) -> None:
    """列出档案库中的运行记录（每次 score compute 一条）。"""
    from scoring.errors import ScoringError

    try:
        runs = open_archive(archive).runs(year)
    except ScoringError as e:
        raise fail(e) from None
    if not runs:
        say(f"档案库 {archive} 中没有{f' {year} 年度的' if year else ''}运行记录", fmt)
    rows = [
        (
            r.run_id,
            r.created_local,
            r.year,
            r.period or "全年",
            status_text(r),
            r.units,
            r.results_sha256[:12],
            "" if r.supersedes is None else r.supersedes,
            r.reason or "",
        )
        for r in runs
    ]
    if not runs and fmt == Format.text:
        return
    headers = ["编号", "计算时间", "年度", "考核期", "状态", "单位数", "结果摘要", "取代", "原因"]
    print_table(headers, rows, right=(0, 2, 5, 7), fmt=fmt)


def show(run_id: RunId, archive: ArchivePath = DEFAULT_ARCHIVE, fmt: OutputFormat = Format.text) -> None:
    """显示一次运行的概要：状态、取代关系、输入文件、各类别前三名和等次分布。

    用 --format csv 或 json 时只输出输入文件表，概要写到标准错误。
    """
    import polars as pl

    from scoring.errors import ScoringError
    from scoring.spec.grades import DEFAULT_BANDS

    store = open_archive(archive)
    try:
        run = store.run(run_id)
        events = store.events(run_id)
        sources = store.sources(run_id)
        units = store.unit_results(run_id)
    except ScoringError as e:
        raise fail(e) from None
    title = run.title if not run.title.endswith("考核") else run.title + "结果"
    say(f"运行 {run.run_id}：{title}{f'（{run.period}）' if run.period else ''}", fmt)
    say(f"状态：{status_text(run)}", fmt)
    for ev in events:
        who = f"，{ev.actor}" if ev.actor else ""
        note = f"：{ev.note}" if ev.note else ""
        say(f"  {ev.seq}. {STATUS_NAMES.get(ev.status, ev.status)}{who}（{_local(ev.at)}）{note}", fmt)
    say(f"计算时间：{run.created_local}（程序版本 {run.package_version}），工作簿日期 {run.generated}", fmt)
    if run.supersedes is not None:
        say(f"取代：运行 {run.supersedes}（原因：{run.reason or '未说明'}）", fmt)
    if run.previous_year_run is not None:
        say(f"同比：与运行 {run.previous_year_run} 比较", fmt)
    if run.appeals_base_run is not None:
        say(f"申诉对照：运行 {run.appeals_base_run}", fmt)
    say(f"单位数：{run.units}；评分记录：{run.observations}", fmt)
    say(f"结果摘要：SHA-256 {run.results_sha256}", fmt)
    if run.workbook:
        say(f"工作簿：{run.workbook}", fmt)
    print_table(
        ["文件", "用途", "大小", "SHA-256"],
        [(s.path, ROLE_NAMES.get(s.role, s.role), s.size, s.sha256[:16]) for s in sources],
        right=(2,),
        fmt=fmt,
    )
    places = run.places
    for class_id, name in run.class_names.items():
        part = units.filter(pl.col("class") == class_id)
        top = part.filter(pl.col("rank") <= 3).head(5)
        tops = "、".join(f"{r['rank']}.{r['name']}({r['total']:.{places}f})" for r in top.to_dicts())
        say(f"  {name}：{part.height} 个单位；前三：{tops}", fmt)
    grades = run.settings.get("grades", {})
    if grades.get("none") is True:  # a year without grades
        return
    counts = {r["grade"]: r["len"] for r in units.group_by("grade").len().to_dicts()}
    bands = grades.get("bands", [{"name": b.name} for b in DEFAULT_BANDS])
    order = [str(b.get("name")) for b in bands] + [str(grades.get("fail", "不合格"))]
    order += sorted(g for g in counts if g is not None and g not in order)
    say("等次：" + "，".join(f"{g} {counts.get(g, 0)}" for g in order), fmt)


STATUS_NAMES = {"draft": "草稿", "final": "定稿"}
ROLE_NAMES = {
    "settings": "年度设置",
    "plan": "工作要点",
    "catalogue": "指标体系",
    "roster": "单位名单",
    "input": "评分数据",
    "appeals": "申诉决定",
    "aliases": "单位别名",
}


def _local(at: object) -> str:
    import datetime as dt

    from scoring.archive.store import local_time

    return local_time(at) if isinstance(at, dt.datetime) else str(at)


def finalize(
    run_id: RunId,
    by: Annotated[str | None, typer.Option("--by", help="定稿人", show_default=False, metavar="姓名")] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="说明", show_default=False, metavar="说明")
    ] = None,
    archive: ArchivePath = DEFAULT_ARCHIVE,
) -> None:
    """将一次运行标记为定稿（追加一条状态记录，不修改原记录）。"""
    from scoring.errors import ScoringError

    store = open_archive(archive)
    try:
        done = store.finalize(run_id, by, note)
    except ScoringError as e:
        raise fail(e) from None
    typer.echo(f"运行 {run_id} 已定稿" if done else f"运行 {run_id} 已是定稿，未作改动")


def export(
    run_id: RunId,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="工作簿路径（默认 results/<年度>/<标题>（运行N）.xlsx）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的文件")] = False,
    archive: ArchivePath = DEFAULT_ARCHIVE,
) -> None:
    """仅凭档案库重新生成某次运行的工作簿：取出存档的输入文件重新计算，核对结果摘要，按原日期写出。"""
    from scoring.errors import ScoringError
    from scoring.run.archived import export_workbook

    from .render import Stages

    store = open_archive(archive)
    try:
        run = store.run(run_id)
    except ScoringError as e:
        raise fail(e) from None
    title = run.title if not run.title.endswith("考核") else run.title + "结果"
    path = out or Path("results") / str(run.year) / f"{title}（运行{run_id}）.xlsx"
    if path.suffix.lower() != ".xlsx":
        error(f"{path}：工作簿应以 .xlsx 结尾")
        raise typer.Exit(1)
    if path.exists() and not force:
        error(f"{path} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
        raise typer.Exit(1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with Stages() as stages:
            stages(f"从档案库重建运行 {run_id}")
            export_workbook(store, run_id, path)
    except ScoringError as e:
        raise fail(e) from None
    except OSError as e:
        from scoring.errors import os_reason

        error(f"无法写出工作簿：{os_reason(e, with_file=True)}")
        raise typer.Exit(1) from None
    typer.echo(f"工作簿：{path}（由档案库中的运行 {run_id} 重新生成，结果摘要与记录一致）")

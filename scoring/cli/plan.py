"""``score plan``: from the year's plan document (工作要点) to a list of items, a responsibility matrix and
a draft indicator catalogue. Library code lives in :mod:`scoring.plan`; heavy imports happen inside the
commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from .app import App

if TYPE_CHECKING:
    from scoring.plan.extract import Plan
    from scoring.plan.roster import Roster

app = App(
    name="plan",
    help="从工作要点（政务公开工作要点）文本提取工作事项、责任分工，生成责任矩阵和指标目录草稿。",
)

PlanFile = Annotated[
    Path,
    typer.Argument(
        help="工作要点文件：纯文本 .txt / .md（UTF-8 或 GB18030）、Word .docx，或任务分解表 .xlsx",
        show_default=False,
        metavar="工作要点文件",
    ),
]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="有任何警告（如事项缺责任单位、编号不连续）时不写文件，以状态码 1 退出"),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="不打印警告明细，只打印警告条数")]


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


def _roster(path: Path | None) -> Roster | None:
    """The roster given with --units, or None; exit 1 with every problem of the file."""
    if path is None:
        return None
    from scoring.errors import ScoringError
    from scoring.plan.roster import read_roster

    try:
        return read_roster(path)
    except ScoringError as e:
        _fail(str(e))


def _load(path: Path, strict: bool, quiet: bool, roster: Roster | None = None, report: bool = False) -> Plan:
    """Read and parse the plan; print the document facts, the report of what was found (``report``)
    and the warnings; exit 1 on a user's mistake."""
    from scoring.plan.extract import read_plan, summary_lines
    from scoring.plan.model import report_lines

    try:
        plan = read_plan(path, roster)
    except FileNotFoundError:
        _fail(f"找不到工作要点文件：{path}")
    except IsADirectoryError:
        _fail(f"{path} 是目录，请指定工作要点文件")
    except PermissionError:
        _fail(f"无权读取文件：{path}")
    except (ValueError, OSError) as e:
        from scoring.errors import in_words

        _fail(in_words(e))
    typer.echo("；".join(summary_lines(plan)))
    if report:
        for line in report_lines(plan):
            typer.echo(line)
    if plan.warnings:
        if quiet:
            typer.echo(f"警告 {len(plan.warnings)} 条（去掉 --quiet 查看）", err=True)
        else:
            typer.echo(f"警告（{len(plan.warnings)} 条）：", err=True)
            for w in plan.warnings:
                typer.echo(f"  - {w}", err=True)
    if not plan.items:
        _fail(f"{path.name} 中没有找到工作事项")
    if strict and plan.warnings:
        _fail(f"有 {len(plan.warnings)} 条警告，按 --strict 未写出任何文件")
    return plan


def _write_error(path: Path, e: OSError) -> NoReturn:
    from scoring.errors import os_reason

    _fail(f"无法写入 {path}：{os_reason(e)}")


def _check_output(path: Path) -> None:
    """Refuse an output file of an unsupported type before the plan is read."""
    from scoring.plan.output import OutputError, check_suffix

    try:
        check_suffix(path)
    except OutputError as e:
        _fail(str(e))


@app.command("extract")
def extract(
    plan_file: PlanFile,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="输出文件：.csv（列表用“、”连接）、.xlsx 或 .parquet", show_default=False
        ),
    ],
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            "-u",
            help="名册 units.csv：单位名称、简称对应到代码",
            show_default=False,
        ),
    ] = None,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """提取工作事项：每个事项一行，含编号、所属部分、小标题、正文、牵头单位、责任单位、时限（日期、期限、周期），以及发文机关、文号、年度。

    读取 .txt / .md、Word .docx（含自动编号和表格）和任务分解表 .xlsx；没有换行的文本按编号分段。
    打印每个文件的情况：事项数、写明责任单位和时限的事项数、未能归入事项的文字。
    """
    from scoring.errors import ScoringError
    from scoring.plan.output import OutputError, write_items

    _check_output(out)
    roster = _roster(units)
    plan = _load(plan_file, strict, quiet, roster, report=True)
    try:
        write_items(plan, out)
    except OutputError as e:
        _fail(str(e))
    except ScoringError as e:  # the file could not be moved into place
        _fail(str(e))
    except OSError as e:
        _write_error(out, e)
    typer.echo(f"已提取 {len(plan.items)} 个事项，写入 {out}")


@app.command("skeleton")
def skeleton(
    plan_file: PlanFile,
    year: Annotated[
        int,
        typer.Option(
            "--year", "-y", help="考核年度，如 2021（用于 plan_items 编号 2021-21）", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="输出目录（如 indicators/2021），不存在时创建", show_default=False),
    ],
    total: Annotated[str, typer.Option("--total", help="满分，按事项数平均分配（最多两位小数）")] = "100",
    force: Annotated[bool, typer.Option("--force", help="覆盖目录中已有的 indicators.csv 等文件")] = False,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """生成指标目录草稿：indicators.csv、plan_items.csv、settings.toml、README.md（见 docs/catalogue.md）。

    每个部分一个一级指标，有小标题时按小标题分二级指标，每个事项一个末级指标（judgement），分值合计为满分。
    """
    from scoring.plan.output import OutputError
    from scoring.plan.skeleton import build_skeleton, parse_total, write_skeleton

    if not 1900 <= year <= 2999:
        _fail(f"年度应为四位数年份，如 2021（收到 {year}）")
    try:
        hundredths = parse_total(total)
    except ValueError as e:
        _fail(str(e))
    plan = _load(plan_file, strict, quiet)
    try:
        sk = build_skeleton(plan, year, hundredths)
        write_skeleton(sk, out, force=force)
    except (OutputError, ValueError) as e:
        _fail(str(e))
    except OSError as e:
        _write_error(out, e)
    for note in sk.notes:
        typer.echo(f"注意：{note}", err=True)
    leaves = sum(1 for n in sk.nodes() if not n.children)
    typer.echo(f"已生成 {len(sk.roots)} 个一级指标、{leaves} 个末级指标，写入 {out}")


@app.command("matrix")
def matrix(
    plan_file: PlanFile,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="输出文件：.xlsx（责任矩阵和事项两张表），或 .csv、.parquet",
            show_default=False,
        ),
    ],
    keep_names: Annotated[
        bool,
        typer.Option(
            "--keep-names",
            help="单位名称按原文，不补全简称（默认“县发改委、自然资源局”中的后者记为“县自然资源局”，"
            "“市司法局等市属各相关部门”拆为两个单位）",
        ),
    ] = False,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """生成责任矩阵：行为单位，列为事项，单元格为“牵头”或“责任”。"""
    from scoring.errors import ScoringError
    from scoring.plan.matrix import matrix_table, write_matrix
    from scoring.plan.output import OutputError

    _check_output(out)
    plan = _load(plan_file, strict, quiet)
    units, labels, _ = matrix_table(plan, expand=not keep_names)
    if not units:
        _fail("工作要点中没有写明任何责任单位，无法生成责任矩阵")
    try:
        write_matrix(plan, out, expand=not keep_names)
    except OutputError as e:
        _fail(str(e))
    except ScoringError as e:  # the file could not be moved into place
        _fail(str(e))
    except OSError as e:
        _write_error(out, e)
    typer.echo(f"已生成 {len(units)} 个单位 × {len(labels)} 个事项的责任矩阵，写入 {out}")

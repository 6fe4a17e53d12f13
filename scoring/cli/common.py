"""Options shared by the commands, declared once, and the loading step they all begin with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .render import Format, Stages, error, table

if TYPE_CHECKING:
    from scoring.errors import Issue
    from scoring.run.inputs import Progress, RunSpec
    from scoring.spec.year import Assessment

Year = Annotated[int, typer.Option("--year", "-y", help="考核年度，如 2021", metavar="年度")]
IndicatorsDir = Annotated[
    Path | None,
    typer.Option(
        "--indicators", help="指标体系目录（默认 indicators/<年度>）", show_default=False, metavar="目录"
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data", help="数据目录（默认 data/<年度>）", show_default=False, metavar="目录"),
]
Inputs = Annotated[
    list[Path] | None,
    typer.Option(
        "--input",
        "-i",
        help=(
            "评分数据文件（.csv/.xlsx/.parquet，可多次指定；默认数据目录下除 units、appeals、aliases 外的"
            "全部文件；文件名含“自评”的为自评分）"
        ),
        show_default=False,
        metavar="文件",
    ),
]
Period = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="只计算某一考核期（如 Q3），须在 settings.toml 的 [periods] 中声明",
        show_default=False,
        metavar="考核期",
    ),
]

OutputFormat = Annotated[
    Format,
    typer.Option(
        "--format",
        help="表格的输出格式：text（终端表格）、csv（带 BOM 的 UTF-8，可用 Excel 打开或粘贴）"
        "或 json（供程序读取）；csv 和 json 只输出表格本身，其余说明写到标准错误",
        metavar="格式",
        case_sensitive=False,
    ),
]

ISSUE_HEADERS = ["文件", "行", "列", "值", "说明", "代码"]


def issue_rows(issues: list[Issue]) -> list[tuple[object, ...]]:
    from scoring.reading.files import short_path

    return [
        (
            short_path(i.file),
            i.row,
            i.column or "",
            i.value or "",
            i.expected,
            i.code,
        )
        for i in issues
    ]


def issues_table(issues: list[Issue], err: bool = True) -> str:
    """The issues as a table, for stderr (``err``) or stdout."""
    return table(ISSUE_HEADERS, issue_rows(issues), right=(1,), err=err)


def load(
    year: int,
    indicators: Path | None,
    data: Path | None,
    inputs: list[Path] | None = None,
    period: str | None = None,
) -> Assessment:
    """Load and validate a year; print every problem and exit 1 on a user's mistake."""
    from scoring.run.inputs import RunSpec

    return load_spec(RunSpec.for_year(year, indicators, data, inputs, period, root=Path.cwd()))


def load_spec(spec: RunSpec, progress: Progress | None = None) -> Assessment:
    """The run's validated year (its period kept); print every problem and exit 1 on a user's mistake.
    ``progress``: told each stage (by default the progress of a long run on a terminal)."""
    from scoring.errors import InputError, ValidationFailed
    from scoring.run.inputs import load as load_run

    try:
        if progress is not None:
            return load_run(spec, progress)
        with Stages() as stages:
            return load_run(spec, stages)
    except InputError as e:
        error(str(e))
        raise typer.Exit(1) from None
    except ValidationFailed as e:
        errors = e.errors
        typer.echo(issues_table(errors), err=True)
        error(f"校验未通过：{e.summary()}，未计算任何结果。")
        raise typer.Exit(1) from None

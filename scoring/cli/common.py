"""Options shared by the commands, declared once, and the loading step they all begin with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .render import error, table

if TYPE_CHECKING:
    from scoring.errors import Issue
    from scoring.run.inputs import RunSpec
    from scoring.spec.year import Assessment

Year = Annotated[int, typer.Option("--year", "-y", help="考核年度，如 2021")]
IndicatorsDir = Annotated[
    Path | None,
    typer.Option("--indicators", help="指标体系目录（默认 indicators/<年度>）", show_default=False),
]
DataDir = Annotated[
    Path | None, typer.Option("--data", help="数据目录（默认 data/<年度>）", show_default=False)
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
    ),
]
Period = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="只计算某一考核期（如 Q3），须在 settings.toml 的 \\[periods] 中声明",  # \\[: not rich markup
        show_default=False,
    ),
]


def issues_table(issues: list[Issue]) -> str:
    from scoring.reading.files import short_path

    rows = [
        (
            short_path(i.file),
            "" if i.row is None else i.row,
            i.column or "",
            i.value or "",
            i.expected,
            i.code,
        )
        for i in issues
    ]
    # wide enough for a whole 说明: what to do is at its end
    return table(["文件", "行", "列", "值", "说明", "代码"], rows, right=(1,), max_width=110)


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


def load_spec(spec: RunSpec) -> Assessment:
    """The run's validated year (its period kept); print every problem and exit 1 on a user's mistake."""
    from scoring.errors import InputError, ValidationFailed
    from scoring.run.inputs import load as load_run

    try:
        return load_run(spec)
    except InputError as e:
        error(str(e))
        raise typer.Exit(1) from None
    except ValidationFailed as e:
        errors = e.errors
        typer.echo(issues_table(errors), err=True)
        error(f"校验未通过：{e.summary()}，未计算任何结果。")
        raise typer.Exit(1) from None

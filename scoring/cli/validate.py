"""``score validate``: the validation report, with every value normalised from a hand-entry form."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import DataDir, IndicatorsDir, Inputs, OutputFormat, Year
from .render import Format

if TYPE_CHECKING:
    from scoring.spec.year import Assessment

SHOWN = 50  # notes listed in the terminal; the rest are written with --out (or printed with --format)


def validate(
    year: Year,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    inputs: Inputs = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="把全部说明（包括每个规范化的单元格），或未通过时的全部错误，"
            "写入 CSV 文件（Excel 可直接打开）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    fmt: OutputFormat = Format.text,
) -> None:
    """校验某年度的指标体系、单位名单和评分数据。

    有错误时逐条列出（文件、行、列、值、应为）并以状态 1 退出（--format csv 或 json 时错误表输出到标准输出）。
    通过时列出各条说明，
    包括按手工录入习惯规范化的每个单元格（文件、行、列、原值和规范后的值）；
    说明超过 50 条时终端只列出前 50 条，用 --out 写出完整清单。
    """
    from scoring.errors import InputError, ValidationFailed
    from scoring.run.inputs import RunSpec, load as load_run

    from .common import ISSUE_HEADERS, issue_rows, issues_table
    from .render import Stages, error, print_table, say

    if out is not None and out.suffix.lower() != ".csv":
        error(f"{out}：清单应以 .csv 结尾")
        raise typer.Exit(1)
    spec = RunSpec.for_year(year, indicators, data, inputs, None, root=Path.cwd())
    try:
        with Stages() as stages:
            a = load_run(spec, stages)
    except InputError as e:
        error(str(e))
        raise typer.Exit(1) from None
    except ValidationFailed as e:
        # the errors as a table: on stderr for people, on stdout for Excel or a script, whole with --out
        if out is not None:
            _write_list(out, issue_rows(e.errors), "错误清单")
        if fmt == Format.text:
            typer.echo(issues_table(e.errors), err=True)
        else:
            print_table(ISSUE_HEADERS, issue_rows(e.errors), fmt=fmt)
        error(f"校验未通过：{e.summary()}，未计算任何结果。")
        raise typer.Exit(1) from None
    rows = note_rows(a)
    if out is not None:
        _write_list(out, rows, "说明清单")
    if rows:
        shown = rows if fmt != Format.text else rows[:SHOWN]
        print_table(ISSUE_HEADERS, shown, right=(1,), fmt=fmt)
        if len(shown) < len(rows) and out is None:
            say(f"另有 {len(rows) - len(shown)} 条说明未列出；用 --out 文件名.csv 写出完整清单")
    say(
        f"校验通过：{a.year}年度 {len(a.catalogue.leaves)} 个末级指标，{a.units.height} 个单位，"
        f"{a.observations.height} 条评分数据" + (f"，{len(rows)} 条说明" if rows else "") + "。",
        fmt,
    )


def _write_list(out: Path, rows: list[tuple[object, ...]], what: str) -> None:
    """The whole list as CSV (Excel opens it), written atomically; said on stderr."""
    from scoring.atomic import atomic_write
    from scoring.errors import ScoringError

    from .common import ISSUE_HEADERS
    from .render import error, table_csv

    text = table_csv(ISSUE_HEADERS, rows)
    try:
        atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), make_folder=True)
    except (OSError, ScoringError) as e:
        from scoring.errors import in_words

        error(f"无法写出{what}：{in_words(e)}")
        raise typer.Exit(1) from None
    typer.echo(f"{what}：{out}（{len(rows)} 条）", err=True)


def note_rows(a: Assessment) -> list[tuple[object, ...]]:
    """The year's notes, the per-file count of normalised values replaced by one row per normalised cell
    (原值 in 值, the value it was read as in 说明)."""
    from scoring.reading.files import short_path

    from .common import issue_rows

    cells = a.normalised
    notes = [i for i in a.notes if cells is None or i.code != "inputs|normalised"]
    rows = issue_rows(notes)
    if cells is not None:
        rows += [
            (
                short_path(c["file"]),
                c["row"],
                c["column"],
                c["before"],
                f"按手工录入习惯读作 {c['after']}",
                "规范化",
            )
            for c in cells.to_dicts()
        ]
    return rows

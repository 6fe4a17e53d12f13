"""``score template``: the Excel template assessors fill in (one sheet per unit class, or a long list)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DataDir, IndicatorsDir, Year


def template(
    year: Year,
    indicators: IndicatorsDir = None,
    data: DataDir = None,
    unit_class: Annotated[
        str | None,
        typer.Option(
            "--class",
            "-c",
            help="只生成某一单位类别（类别 id 或名称，如 town 或 乡镇）",
            show_default=False,
            metavar="类别",
        ),
    ] = None,
    long: Annotated[
        bool, typer.Option("--long", help="长表格式：一张表，每行一个单位 × 指标 × 子项，只填“值”一列")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="模板路径（默认 templates/<年度>/<标题>评分填报模板.xlsx）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的文件")] = False,
) -> None:
    """生成评估人员填报用的 Excel 模板。

    每类单位一张工作表：每行一个单位，每列一个末级指标（有子项的指标每个子项一列），表头显示各级指标和分值；
    单元格带下拉列表和数据验证，点选时显示评分标准；其余部分锁定。附“填表说明”。填好的模板可直接放入数据目录，
    或用 score validate --input 校验。
    """
    from scoring.errors import InputError, ScoringError, ValidationFailed
    from scoring.output.template import resolve_class, write_template
    from scoring.reading.year import load_definition

    from .common import issues_table
    from .render import error

    ind = indicators or Path("indicators") / str(year)
    dat = data or Path("data") / str(year)
    try:
        d = load_definition(year, ind, dat, root=Path.cwd())
        settings, catalogue, roster = d.settings, d.catalogue, d.units
    except InputError as e:
        error(str(e))
        raise typer.Exit(1) from None
    except ValidationFailed as e:
        typer.echo(issues_table(e.errors), err=True)
        error(f"校验未通过：{e.summary()}，未生成模板。")
        raise typer.Exit(1) from None
    classes = None
    if unit_class is not None:
        found = resolve_class(settings, unit_class)
        if found is None:
            known = "、".join(f"{c.id}（{c.name}）" for c in settings.classes)
            error(f"未知的单位类别“{unit_class}”；可用：{known}")
            raise typer.Exit(1)
        classes = [found]
    if out is None:
        label = "" if classes is None else f"（{settings.unit_class(classes[0]).name}）"
        form = "（长表）" if long else ""
        out = Path("templates") / str(year) / f"{settings.title}评分填报模板{label}{form}.xlsx"
    if out.suffix.lower() != ".xlsx":
        error(f"{out}：模板应以 .xlsx 结尾")
        raise typer.Exit(1)
    if out.exists() and not force:
        error(f"{out} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
        raise typer.Exit(1)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        counts = write_template(out, catalogue, settings, roster, classes=classes, long=long)
    except (OSError, ScoringError) as e:
        from scoring.errors import in_words

        error(f"无法写出模板：{in_words(e)}")
        raise typer.Exit(1) from None
    for sheet, n in counts.items():
        typer.echo(f"  {sheet}：{n} 个单位")
    typer.echo(f"模板：{out}")

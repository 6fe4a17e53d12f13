"""``score indicators``: the catalogue as a tree with points and rules."""

from __future__ import annotations

import typer

from .common import DataDir, IndicatorsDir, Year


def indicators(year: Year, indicators: IndicatorsDir = None, data: DataDir = None) -> None:
    """以树形列出某年度的指标体系：编号、名称、分值、评分规则与参数、适用类别。"""
    from pathlib import Path

    from scoring.errors import InputError
    from scoring.reading.files import read_table, read_toml
    from scoring.reading.validate import canonical_columns
    from scoring.spec.catalogue import build_catalogue
    from scoring.spec.settings import parse_settings

    from .common import issues_table
    from .render import error

    ind = indicators or Path("indicators") / str(year)
    try:
        if not ind.is_dir():
            raise InputError(f"没有 {year} 年度的指标体系：{ind} 不存在")
        settings, problems = parse_settings(
            read_toml(ind / "settings.toml", str(ind / "settings.toml")), str(ind / "settings.toml")
        )
        df, _ = read_table(ind / "indicators.csv", str(ind / "indicators.csv"))
    except InputError as e:
        error(str(e))
        raise typer.Exit(1) from None
    if settings is None:
        typer.echo(issues_table(problems), err=True)
        raise typer.Exit(1)
    catalogue, problems = build_catalogue(canonical_columns(df), settings, {}, str(ind / "indicators.csv"))
    problems = [p for p in problems if not p.code.endswith("plan_item_known")]
    if catalogue is None:  # pragma: no cover - build_catalogue always returns one
        raise typer.Exit(1)
    classes = {c.id: c.name for c in settings.classes}
    typer.echo(f"{settings.title}（{len(catalogue.leaves)} 个末级指标）")
    roles = {"bonus": "加分项", "penalty": "扣分项", "veto": "一票否决"}

    def walk(parent: str | None, prefix: str) -> None:
        kids = catalogue.children(parent)
        for i, n in enumerate(kids):
            last = i == len(kids) - 1
            branch = "└─ " if last else "├─ "
            extra = []
            if n.level == 1 and n.role in roles:
                extra.append(roles[n.role])
            if n.is_leaf:
                extra.append(n.rule or "?")
                if n.params_text:
                    extra.append(n.params_text)
            if n.applies_to and (parent is None or n.applies_to != catalogue.node(parent).applies_to):
                extra.append("仅" + "、".join(classes.get(c, c) for c in n.applies_to))
            if n.uncapped:
                extra.append("重大扣分项")
            tail = f"  [{'；'.join(extra)}]" if extra else ""
            points = (
                f"{n.points}分" if n.has_points else ("不封顶" if n.level == 1 else "从上级指标分值中扣分")
            )
            typer.echo(f"{prefix}{branch}{n.id} {n.name}（{points}）{tail}")
            walk(n.id, prefix + ("   " if last else "│  "))

    walk(None, "")
    if problems:
        typer.echo(issues_table(problems), err=True)
        raise typer.Exit(1)

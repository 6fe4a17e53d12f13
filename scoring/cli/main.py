"""``score``: the command line. Each command lives in its own module; heavy imports happen inside the
commands so ``score --help`` is instant. :class:`~scoring.cli.app.App` gives every command its help and
its usage errors in Chinese."""

from __future__ import annotations

from typing import Annotated

import typer

from . import (
    archive,
    compare,
    compute,
    explain,
    indicators,
    plan,
    publish,
    stability,
    template,
    validate,
    whatif,
)
from .app import App

app = App(
    name="score",
    help="政务公开年度考核评分：校验指标体系与评分数据，计算得分、排名、等次，输出通报用的 Excel 工作簿。",
)


def version_text() -> str:
    """The program's version and the catalogue format it reads."""
    from importlib.metadata import PackageNotFoundError, version

    from scoring.spec.formats import CATALOGUE_FORMAT

    try:
        number = version("zwgk-scoring")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        number = "未安装"
    return f"score（zwgk-scoring）{number}，指标体系格式 {CATALOGUE_FORMAT}"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="显示程序版本和指标体系格式版本并退出", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    """政务公开年度考核评分：校验指标体系与评分数据，计算得分、排名、等次，输出通报用的 Excel 工作簿。"""


app.command("compute")(compute.compute)
app.command("validate")(validate.validate)
app.command("explain")(explain.explain)
app.command("indicators")(indicators.indicators)
app.command("template")(template.template)
app.command("history")(archive.history)
app.command("show")(archive.show)
app.command("finalize")(archive.finalize)
app.command("export")(archive.export)
app.command("compare")(compare.compare)
app.command("publish")(publish.publish)
app.command("whatif")(whatif.whatif)
app.command("stability")(stability.stability)
app.add_typer(plan.app, name="plan")


def main() -> None:
    app(prog_name="score")


if __name__ == "__main__":  # pragma: no cover
    main()

"""``score``: the command line. Each command lives in its own module; heavy imports happen inside the
commands so ``score --help`` is instant."""

from __future__ import annotations

import typer

from . import archive, compare, compute, explain, indicators, plan, stability, template, validate, whatif

app = typer.Typer(
    name="score",
    help="政务公开年度考核评分：校验指标体系与评分数据，计算得分、排名、等次，输出通报用的 Excel 工作簿。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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
app.command("whatif")(whatif.whatif)
app.command("stability")(stability.stability)
app.add_typer(plan.app, name="plan")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

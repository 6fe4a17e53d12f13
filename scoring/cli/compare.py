"""``score compare``: one year's archived results beside another's, unit by unit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .archive import DEFAULT_ARCHIVE, ArchivePath, fail, open_archive
from .common import OutputFormat
from .render import Format, error, print_table, say


def compare(
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="本年度，如 2021", show_default=False, metavar="年度")
    ] = None,
    with_year: Annotated[
        int | None,
        typer.Option("--with", help="对比的年度（默认上一年度）", show_default=False, metavar="年度"),
    ] = None,
    run: Annotated[
        int | None,
        typer.Option(
            "--run",
            help="本年度的运行编号（默认最新定稿运行，没有定稿则最新运行）",
            show_default=False,
            metavar="编号",
        ),
    ] = None,
    with_run: Annotated[
        int | None,
        typer.Option("--with-run", help="对比年度的运行编号（默认同上）", show_default=False, metavar="编号"),
    ] = None,
    aliases: Annotated[
        Path | None,
        typer.Option(
            "--aliases",
            help="单位别名表（默认用本年度运行的数据目录下的 aliases.csv）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="工作簿路径（默认 results/<本年度>/<本年度>年度与<对比年度>年度考核结果对比.xlsx）",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的文件")] = False,
    archive: ArchivePath = DEFAULT_ARCHIVE,
    fmt: OutputFormat = Format.text,
) -> None:
    """同比：两个年度的考核结果逐单位对比（按单位代码匹配，改名、合并的单位通过别名表匹配），输出工作簿。

    用 --format csv 或 json 时各类别的对比表合为一张（首列为类别），其余说明写到标准错误。
    """
    import polars as pl

    from scoring.engine.year_over_year import year_over_year
    from scoring.errors import ScoringError, ValidationFailed
    from scoring.output.comparison import write_comparison
    from scoring.reading.aliases import ALIASES_FILE, check_aliases, read_aliases
    from scoring.reading.files import short_path

    if year is None and run is None:
        error("请用 --year 指定年度（或用 --run 指定运行）")
        raise typer.Exit(1)
    store = open_archive(archive)
    try:
        current = store.run(run) if run is not None else store.latest(year or 0)
        if current is None:
            error(f"档案库中没有 {year} 年度的运行记录；先运行 score compute --year {year}")
            raise typer.Exit(1)
        other_year = with_year if with_year is not None else current.year - 1
        previous = store.run(with_run) if with_run is not None else store.latest(other_year)
        if previous is None:
            error(f"档案库中没有 {other_year} 年度的运行记录；先运行 score compute --year {other_year}")
            raise typer.Exit(1)
        if previous.run_id == current.run_id:
            error("对比的两个运行是同一个")
            raise typer.Exit(1)
        # the alias table: as given, else the one in the data folder the run was computed from
        folder = Path(str(current.options.get("data") or Path("data") / str(current.year)))
        path = aliases or folder / ALIASES_FILE
        alias_list = read_aliases(path, short_path(str(path))) if (aliases or path.exists()) else []
        cur_units = store.unit_results(current.run_id)
        prev_units = store.unit_results(previous.run_id)
        issues = check_aliases(
            alias_list,
            prev_units["unit"].to_list(),
            cur_units["unit"].to_list(),
            short_path(str(path)),
            f"{previous.year}年度的运行 {previous.run_id}",
        )
        if issues:
            raise ValidationFailed(issues)
    except (ScoringError, ValidationFailed) as e:
        raise fail(e) from None

    classes = list(current.class_names.items())
    cmp = year_over_year(
        cur_units, prev_units, alias_list, places=current.places, class_names=previous.class_names
    )
    y, py = current.year, previous.year
    title = f"{y}年度与{py}年度考核结果对比"
    workbook = out or Path("results") / str(y) / f"{title}.xlsx"
    if workbook.suffix.lower() != ".xlsx":
        error(f"{workbook}：工作簿应以 .xlsx 结尾")
        raise typer.Exit(1)
    if workbook.exists() and not force:
        error(f"{workbook} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
        raise typer.Exit(1)

    say(f"{title}", fmt)
    say(f"  本年：{current.label()}", fmt)
    say(f"  上年：{previous.label()}", fmt)
    if current.issuer != previous.issuer:
        say(f"提示：两个运行的发布单位不同（{current.issuer}；{previous.issuer}），请确认是同一考核", fmt)
    if alias_list:
        say(f"  单位别名：{short_path(str(path))}（{len(alias_list)} 条）", fmt)
    headers = ["排名", "单位", f"{y}年", f"{py}年排名", f"{py}年", "变化", "名次", "说明"]
    every: list[tuple[object, ...]] = []
    places = current.places
    for class_id, name in classes:
        part = cmp.rows.filter(pl.col("class") == class_id)
        counts = cmp.counts(class_id)
        say(f"{name}：{part.height} 个单位；" + "，".join(f"{k} {v}" for k, v in counts.items() if v), fmt)
        rows = [
            (
                "" if r["rank"] is None else r["rank"],
                r["name"],
                _num(r["total"], places),
                "" if r["prev_rank"] is None else r["prev_rank"],
                _num(r["prev_total"], places),
                _num(r["total_change"], places, signed=True),
                r["arrow"],
                r["note"],
            )
            for r in part.to_dicts()
        ]
        if fmt == Format.text:
            print_table(headers, rows, right=(0, 2, 3, 4, 5))
        every += [(name, *r) for r in rows]
    if fmt != Format.text:
        print_table(["类别", *headers], every, fmt=fmt)
    unmatched = cmp.rows.filter(pl.col("arrow") == "新增")
    if not unmatched.is_empty():
        say(
            "本年新增（上年无此代码，别名表中也未登记）："
            + "、".join(f"{r['name']}（{r['unit']}）" for r in unmatched.to_dicts()),
            fmt,
        )
    if not cmp.gone.is_empty():
        say(
            f"{py}年有、{y}年无（撤并或未参评，别名表中未登记）："
            + "、".join(f"{r['name']}（{r['unit']}）" for r in cmp.gone.to_dicts()),
            fmt,
        )
    subtitle = (
        f"本年：{current.label()}；上年：{previous.label()}。"
        "名次变化：↑上升 ↓下降 →持平；新增、合并见“未匹配单位”。"
    )
    try:
        workbook.parent.mkdir(parents=True, exist_ok=True)
        write_comparison(
            cmp, workbook, title=title, subtitle=subtitle, classes=classes, year=y, previous_year=py
        )
    except (ScoringError, OSError) as e:
        from scoring.errors import in_words

        error(f"无法写出工作簿：{in_words(e)}")
        raise typer.Exit(1) from None
    say(f"工作簿：{workbook}", fmt)


def _num(value: float | None, places: int, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{places}f}" if signed else f"{value:.{places}f}"

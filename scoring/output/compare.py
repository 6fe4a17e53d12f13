"""Year over year: this year's results beside last year's.

Units are matched by code. A unit whose code changed (a department renamed or merged in an institutional
reform) is matched through the year's alias table ``data/<year>/aliases.csv`` (``old_code, new_code,
note``); nothing is matched by a similar name. A unit with no predecessor is 新增, one with several is 合并,
and last year's units with no successor are listed, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from scoring.errors import Issue, ValidationFailed
from scoring.reading.files import read_table
from scoring.reading.validate import check_columns

__all__ = [
    "ALIASES_FILE",
    "Alias",
    "Comparison",
    "check_aliases",
    "rank_arrow",
    "read_aliases",
    "write_comparison",
    "year_over_year",
    "yoy_columns",
]

ALIASES_FILE = "aliases.csv"
ALIAS_COLUMNS = {"old_code": True, "new_code": True, "note": False}
ALIAS_HEADERS = {
    "原代码": "old_code",
    "上年代码": "old_code",
    "旧代码": "old_code",
    "新代码": "new_code",
    "本年代码": "new_code",
    "说明": "note",
    "备注": "note",
}
NEW = "新增"
MERGED = "合并"
NONE = "—"

# the per-unit columns a comparison reads from each year's results
UNIT_COLUMNS = ("unit", "name", "class", "total", "rank")


@dataclass(frozen=True)
class Alias:
    """One line of aliases.csv: last year's code → this year's code."""

    old_code: str
    new_code: str
    note: str
    row: int


def read_aliases(path: Path, display: str) -> list[Alias]:
    """The alias table; raises :class:`ValidationFailed` with every problem (file, row, column)."""
    df, _ = read_table(path, display)
    df = df.rename(
        {c: ALIAS_HEADERS[c] for c in df.columns if c in ALIAS_HEADERS and ALIAS_HEADERS[c] not in df.columns}
    )
    issues = check_columns(df, ALIAS_COLUMNS, display)
    if issues:
        raise ValidationFailed(issues)
    aliases: list[Alias] = []
    seen: dict[tuple[str, str], int] = {}
    for r in df.to_dicts():
        row = int(r["__row__"])
        old, new, note = (r.get(c) or "" for c in ("old_code", "new_code", "note"))
        for column, value in (("old_code", old), ("new_code", new)):
            if not value:
                issues.append(Issue(display, row, column, None, "不能为空", "aliases|required"))
        if not old or not new:
            continue
        if old == new:
            issues.append(Issue(display, row, "new_code", new, "新旧代码相同，无需登记", "aliases|same_code"))
        elif (old, new) in seen:
            issues.append(
                Issue(display, row, "new_code", new, f"与第{seen[old, new]}行重复", "aliases|duplicate")
            )
        else:
            seen[old, new] = row
            aliases.append(Alias(old, new, note, row))
    if issues:
        raise ValidationFailed(issues)
    return aliases


def check_aliases(
    aliases: Sequence[Alias],
    previous: Sequence[str],
    current: Sequence[str],
    display: str,
    previous_label: str,
) -> list[Issue]:
    """Every alias must name a unit of last year's results and one of this year's roster."""
    prev, cur = set(previous), set(current)
    issues = []
    for a in aliases:
        if a.old_code not in prev:
            issues.append(
                Issue(
                    display,
                    a.row,
                    "old_code",
                    a.old_code,
                    f"{previous_label}中没有此单位代码",
                    "aliases|old_known",
                )
            )
        if a.new_code not in cur:
            issues.append(
                Issue(
                    display, a.row, "new_code", a.new_code, "本年度名单中没有此单位代码", "aliases|new_known"
                )
            )
    return issues


def rank_arrow(previous: pl.Expr, current: pl.Expr) -> pl.Expr:
    """↑n when the rank rose (a smaller number), ↓n when it fell, → when it stayed, — when either is blank."""
    diff = previous - current
    return (
        pl.when(previous.is_null() | current.is_null())
        .then(pl.lit(NONE))
        .when(diff > 0)
        .then(pl.format("↑{}", diff))
        .when(diff < 0)
        .then(pl.format("↓{}", -diff))
        .otherwise(pl.lit("→"))
    )


@dataclass(frozen=True)
class Comparison:
    """This year's units with last year's figures (``rows``, in this year's published order) and last
    year's units that have no successor (``gone``)."""

    rows: pl.DataFrame
    gone: pl.DataFrame
    places: int

    def counts(self, unit_class: str | None = None) -> dict[str, int]:
        """Units that rose, fell, stayed, are new or merged (optionally in one class)."""
        rows = self.rows if unit_class is None else self.rows.filter(pl.col("class") == unit_class)
        arrows = rows["arrow"].to_list()
        return {
            "上升": sum(a.startswith("↑") for a in arrows),
            "下降": sum(a.startswith("↓") for a in arrows),
            "持平": sum(a == "→" for a in arrows),
            NEW: sum(a == NEW for a in arrows),
            MERGED: sum(a == MERGED for a in arrows),
        }


def _fmt(total: float | None, places: int) -> str:
    return "—" if total is None else f"{total:.{places}f}"


def year_over_year(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    aliases: Sequence[Alias] = (),
    *,
    places: int = 2,
    class_names: Mapping[str, str] | None = None,
) -> Comparison:
    """Match this year's units (``current``) to last year's (``previous``), both with columns unit, name,
    class, total, rank. Aliases must already be checked (:func:`check_aliases`)."""
    names = dict(class_names or {})
    cur = current.select(UNIT_COLUMNS).with_columns(pl.col("rank").cast(pl.Int64))
    prev = previous.select(
        pl.col("unit").alias("old"),
        pl.col("name").alias("prev_name"),
        pl.col("class").alias("prev_class"),
        pl.col("total").alias("prev_total"),
        pl.col("rank").cast(pl.Int64).alias("prev_rank"),
    )
    prev_codes = set(prev["old"].to_list())
    renamed = {a.old_code for a in aliases}
    cur_codes = cur["unit"].to_list()
    pairs = [(c, c, "") for c in cur_codes if c in prev_codes and c not in renamed]
    pairs += [(a.new_code, a.old_code, a.note) for a in aliases if a.old_code in prev_codes]
    matched = pl.DataFrame(
        pairs, schema={"unit": pl.String, "old": pl.String, "alias_note": pl.String}, orient="row"
    ).join(prev, on="old", how="inner")
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in matched.sort("old").to_dicts():
        by_unit.setdefault(r["unit"], []).append(r)

    rows = []
    for r in cur.to_dicts():
        preds = by_unit.get(r["unit"], [])
        out: dict[str, Any] = {
            **r,
            "prev_unit": None,
            "prev_name": None,
            "prev_total": None,
            "prev_rank": None,
            "arrow": NEW,
            "note": "",
        }
        notes: list[str] = []
        if len(preds) == 1:
            p = preds[0]
            out |= {k: p[k] for k in ("prev_name", "prev_total", "prev_rank")} | {"prev_unit": p["old"]}
            if p["old"] != r["unit"]:
                notes.append(f"上年代码 {p['old']}")
            if p["prev_name"] != r["name"]:
                notes.append(f"上年名称：{p['prev_name']}")
            if p["prev_class"] != r["class"]:
                notes.append(f"上年类别：{names.get(p['prev_class'], p['prev_class'])}，名次不可比")
                out["arrow"] = NONE
            else:
                out["arrow"] = None  # from the ranks below
            if p["alias_note"]:
                notes.append(p["alias_note"])
        elif preds:
            out["prev_unit"] = "、".join(p["old"] for p in preds)
            out["arrow"] = MERGED
            notes.append(
                "由"
                + "、".join(
                    f"{p['prev_name']}（{p['old']}，上年"
                    + (f"第{p['prev_rank']}名，" if p["prev_rank"] is not None else "")
                    + f"{_fmt(p['prev_total'], places)}分）"
                    for p in preds
                )
                + "合并"
            )
            notes += [p["alias_note"] for p in preds if p["alias_note"]]
        out["note"] = "；".join(dict.fromkeys(notes))
        rows.append(out)

    schema = {
        "unit": pl.String,
        "name": pl.String,
        "class": pl.String,
        "total": pl.Float64,
        "rank": pl.Int64,
        "prev_unit": pl.String,
        "prev_name": pl.String,
        "prev_total": pl.Float64,
        "prev_rank": pl.Int64,
        "arrow": pl.String,
        "note": pl.String,
    }
    table = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    table = table.with_columns(
        pl.coalesce(pl.col("arrow"), rank_arrow(pl.col("prev_rank"), pl.col("rank"))).alias("arrow"),
        (pl.col("total") - pl.col("prev_total")).round(places).alias("total_change"),
        pl.when(pl.col("arrow").is_null())
        .then(pl.col("prev_rank") - pl.col("rank"))
        .otherwise(None)
        .cast(pl.Int64)
        .alias("rank_change"),
    )
    used = set(matched["old"].to_list())
    gone = previous.select(UNIT_COLUMNS).filter(~pl.col("unit").is_in(list(used)))
    return Comparison(table, gone, places)


def yoy_columns(comparison: Comparison) -> pl.DataFrame:
    """The 同比 columns of the ranking sheets: unit, yoy_total (上年总分), yoy_rank (上年排名), yoy_change
    (名次变化)."""
    return comparison.rows.select(
        "unit",
        pl.col("prev_total").alias("yoy_total"),
        pl.col("prev_rank").alias("yoy_rank"),
        pl.col("arrow").alias("yoy_change"),
    )


# --------------------------------------------------------------------------------------------- workbook


def write_comparison(
    comparison: Comparison,
    path: Path,
    *,
    title: str,
    subtitle: str,
    classes: Sequence[tuple[str, str]],
    year: int,
    previous_year: int,
    generated: dt.date | None = None,
) -> Path:
    """The comparison workbook: one sheet per unit class (this year's order, last year's total and rank,
    the change and an arrow) and 未匹配单位 (new, merged and vanished units), written atomically."""
    from scoring.output.workbook import (
        _atomic,
        _col_width,
        _fit,
        _page_setup,
        _Styles,
        _text,
        _title_row,
        _write_header,
        _write_text,
        sanitise_sheet_name,
        write_book,
    )

    places = comparison.places
    generated = generated or dt.date.today()

    def fill(wb: Any) -> None:
        wb.set_properties(
            {"title": title, "created": dt.datetime(generated.year, generated.month, generated.day)}
        )
        styles = _Styles(wb, places)
        used = {"未匹配单位"}
        num = styles.number()
        signed = styles.number(f"+0.{'0' * places};-0.{'0' * places};0" if places > 0 else "+0;-0;0")
        rank_fmt = styles.number("0", align="center")
        center = styles.text(align="center")
        wrap = styles.text(wrap=True)
        headers = [
            f"{year}年排名",
            "单位",
            f"{year}年总分",
            f"{previous_year}年排名",
            f"{previous_year}年总分",
            "总分变化",
            "名次变化",
            "说明",
        ]
        for class_id, class_name in classes:
            frame = comparison.rows.filter(pl.col("class") == class_id)
            ws = wb.add_worksheet(sanitise_sheet_name(class_name, used))
            _title_row(ws, styles, f"{title}（{class_name}）", len(headers) - 1)
            ws.merge_range(1, 0, 1, len(headers) - 1, "", styles.get(align="left", font_size=9))
            ws.write_string(1, 0, _text(subtitle), styles.get(align="left", font_size=9))
            widths = [10, _fit(max(_col_width(frame, "name"), 8), 10, 40)]
            widths += [11, 11, 11, 10, 10, 40]
            _write_header(ws, styles, 2, headers, widths)
            for r, row in enumerate(frame.to_dicts(), start=3):
                for c, key, fmt in ((0, "rank", rank_fmt), (3, "prev_rank", rank_fmt)):
                    if row[key] is None:
                        ws.write_blank(r, c, None, fmt)
                    else:
                        ws.write_number(r, c, int(row[key]), fmt)
                _write_text(ws, r, 1, row["name"], wrap)
                for c, key, fmt in (
                    (2, "total", num),
                    (4, "prev_total", num),
                    (5, "total_change", signed),
                ):
                    if row[key] is None:
                        ws.write_blank(r, c, None, fmt)
                    else:
                        ws.write_number(r, c, float(row[key]) + 0.0, fmt)
                ws.write_string(r, 6, row["arrow"], center)
                _write_text(ws, r, 7, row["note"], wrap)
            last = max(2 + frame.height, 2)
            ws.autofilter(2, 0, last, len(headers) - 1)
            ws.freeze_panes(3, 2)
            _page_setup(ws, title, 2)

        ws = wb.add_worksheet("未匹配单位")
        head2 = ["情形", "单位代码", "单位", "类别", "总分", "排名", "说明"]
        _title_row(ws, styles, f"{title}（未匹配单位）", len(head2) - 1)
        _write_header(ws, styles, 1, head2, [14, 10, 30, 12, 10, 8, 50])
        names = dict(classes)
        unmatched = comparison.rows.filter(pl.col("arrow").is_in([NEW, MERGED]))
        r = 2
        for row in unmatched.to_dicts():
            what = "本年新增" if row["arrow"] == NEW else "本年合并"
            values: list[tuple[str, object]] = [
                ("t", what),
                ("t", row["unit"]),
                ("t", row["name"]),
                ("t", names.get(row["class"], row["class"])),
                ("n", row["total"]),
                ("r", row["rank"]),
                (
                    "t",
                    row["note"] or ("上年无此单位代码，别名表中也未登记" if row["arrow"] == NEW else ""),
                ),
            ]
            _write_row(ws, r, values, wrap, num, rank_fmt)
            r += 1
        for row in comparison.gone.to_dicts():
            _write_row(
                ws,
                r,
                [
                    ("t", f"{previous_year}年有、{year}年无"),
                    ("t", row["unit"]),
                    ("t", row["name"]),
                    ("t", names.get(row["class"], row["class"])),
                    ("n", row["total"]),
                    ("r", row["rank"]),
                    ("t", "本年名单中无此代码，别名表中也未登记（撤并或未参评）"),
                ],
                wrap,
                num,
                rank_fmt,
            )
            r += 1
        if r == 2:
            ws.write_string(2, 0, "两年度单位全部匹配。", styles.get())
        ws.freeze_panes(2, 0)
        _page_setup(ws, title, 1)
        wb.worksheets()[0].activate()

    return _atomic(path, lambda tmp: write_book(tmp, fill))


def _write_row(ws: Any, r: int, values: Sequence[tuple[str, object]], text: Any, num: Any, rank: Any) -> None:
    for c, (kind, v) in enumerate(values):
        if v is None:
            ws.write_blank(r, c, None, text if kind == "t" else num)
        elif kind == "n":
            ws.write_number(r, c, float(v) + 0.0, num)  # type: ignore[arg-type]
        elif kind == "r":
            ws.write_number(r, c, int(v), rank)  # type: ignore[call-overload]
        else:
            ws.write_string(r, c, str(v), text)

"""Year over year: this year's results beside last year's.

Units are matched by code. A unit whose code changed (a department renamed or merged in an institutional
reform) is matched through the year's alias table ``data/<year>/aliases.csv`` (``old_code, new_code,
note``); nothing is matched by a similar name. A unit with no predecessor is 新增, one with several is 合并,
and last year's units with no successor are listed, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from scoring.spec.year import Alias

NEW = "新增"
MERGED = "合并"
NONE = "—"

# the per-unit columns a comparison reads from each year's results
UNIT_COLUMNS = ("unit", "name", "class", "total", "rank")


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

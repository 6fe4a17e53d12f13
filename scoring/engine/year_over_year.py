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


def _by_unit(several: pl.DataFrame) -> list[tuple[str, list[dict[str, Any]]]]:
    """The matched rows of each unit with several predecessors, in the order of last year's codes."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in several.to_dicts():
        by_unit.setdefault(r["unit"], []).append(r)
    return list(by_unit.items())


def _merged(unit: str, preds: list[dict[str, Any]], places: int) -> tuple[str, str, str]:
    """(unit, last year's codes, the note) of a unit merged from ``preds``."""
    notes = [
        "由"
        + "、".join(
            f"{p['prev_name']}（{p['old']}，上年"
            + (f"第{p['prev_rank']}名，" if p["prev_rank"] is not None else "")
            + f"{_fmt(p['prev_total'], places)}分）"
            for p in preds
        )
        + "合并"
    ]
    notes += [p["alias_note"] for p in preds if p["alias_note"]]
    return unit, "、".join(p["old"] for p in preds), "；".join(dict.fromkeys(notes))


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
    pair_schema = {"unit": pl.String, "old": pl.String, "alias_note": pl.String}
    last_year = prev.select("old")
    # a unit matched by its own code (unless last year's code was renamed), or through an alias
    renamed = pl.Series([a.old_code for a in aliases], dtype=pl.String).implode()
    direct = (
        cur.select("unit", pl.col("unit").alias("old"), pl.lit("").alias("alias_note"))
        .join(last_year, on="old", how="semi", maintain_order="left")
        .filter(~pl.col("old").is_in(renamed))
    )
    through = pl.DataFrame(
        [(a.new_code, a.old_code, a.note) for a in aliases], schema=pair_schema, orient="row"
    ).join(last_year, on="old", how="semi", maintain_order="left")
    matched = pl.concat([direct, through]).join(prev, on="old", how="inner")
    count = pl.len().over("unit")
    one = matched.filter(count == 1)
    several = matched.filter(count > 1).sort("old", maintain_order=True)

    table = cur.join(one, on="unit", how="left", maintain_order="left")
    same_class = pl.col("prev_class").eq_missing(pl.col("class"))
    # the notes of a unit with one predecessor, joined by ；: the three made here never equal one another,
    # so only the alias's own note may repeat one of them (said once)
    said = [
        pl.when(pl.col("old") != pl.col("unit")).then(pl.format("上年代码 {}", pl.col("old"))),
        pl.when(pl.col("prev_name").ne_missing(pl.col("name"))).then(
            pl.format("上年名称：{}", pl.col("prev_name"))
        ),
        pl.when(~same_class).then(pl.format("上年类别：{}，名次不可比", pl.col("prev_class").replace(names))),
    ]
    alias_note = pl.col("alias_note")
    repeated = pl.any_horizontal(alias_note.eq_missing(n) for n in said)
    notes = pl.concat_str(
        [*said, pl.when((alias_note != "") & ~repeated).then(alias_note)], separator="；", ignore_nulls=True
    )
    table = table.with_columns(
        pl.col("old").alias("prev_unit"),
        pl.when(pl.col("old").is_null())
        .then(pl.lit(NEW))
        .when(~same_class)
        .then(pl.lit(NONE))
        .otherwise(None)  # from the ranks below
        .alias("arrow"),
        pl.when(pl.col("old").is_null()).then(pl.lit("")).otherwise(notes).alias("note"),
    )
    if several.height:  # units merged from several (an alias table's few lines): said one by one
        merged = pl.DataFrame(
            [_merged(unit, preds, places) for unit, preds in _by_unit(several)],
            schema={"unit": pl.String, "merged_from": pl.String, "merged_note": pl.String},
            orient="row",
        )
        table = table.join(merged, on="unit", how="left", maintain_order="left").with_columns(
            pl.coalesce("merged_from", "prev_unit").alias("prev_unit"),
            pl.when(pl.col("merged_from").is_not_null())
            .then(pl.lit(MERGED))
            .otherwise(pl.col("arrow"))
            .alias("arrow"),
            pl.coalesce("merged_note", "note").alias("note"),
        )
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
    table = table.select(pl.col(c).cast(t) for c, t in schema.items()).with_columns(
        pl.coalesce(pl.col("arrow"), rank_arrow(pl.col("prev_rank"), pl.col("rank"))).alias("arrow"),
        (pl.col("total") - pl.col("prev_total")).round(places).alias("total_change"),
        pl.when(pl.col("arrow").is_null())
        .then(pl.col("prev_rank") - pl.col("rank"))
        .otherwise(None)
        .cast(pl.Int64)
        .alias("rank_change"),
    )
    gone = previous.select(UNIT_COLUMNS).join(
        matched.select(pl.col("old").alias("unit")), on="unit", how="anti", maintain_order="left"
    )
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

"""What-if: the same inputs scored under two rubrics, unit by unit — rank and grade before and after, and
the points that made the difference (each level-1 part, bonus, penalty and major deductions that moved)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

KEEP = ("unit", "name", "class", "rank", "grade", "total")


def signed_text(value: pl.Expr, places: int) -> pl.Expr:
    """A number as +1.50 / -0.25 at ``places`` decimals (half away from zero), as text."""
    scaled = (value * 10**places).round(0).cast(pl.Int64)
    whole = (scaled.abs() // 10**places).cast(pl.String)
    sign = pl.when(scaled > 0).then(pl.lit("+")).when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    if places == 0:
        return pl.concat_str([sign, whole])
    frac = (scaled.abs() % 10**places).cast(pl.String).str.zfill(places)
    return pl.concat_str([sign, whole, pl.lit("."), frac])


def parts_moved(labels: Sequence[tuple[str, str]], places: int) -> pl.Expr:
    """``labels``: (column, reader's name) of the columns compared (``part:C`` → 指标C): the ones whose
    points differ, as 名称+1.50, joined by ；"""
    pieces = []
    for col, label in labels:
        before, after = pl.col(f"{col}_before").fill_null(0.0), pl.col(f"{col}_after").fill_null(0.0)
        diff = (after - before).round(places)
        pieces.append(pl.when(diff != 0).then(pl.concat_str([pl.lit(label), signed_text(diff, places)])))
    if not pieces:
        return pl.lit("", pl.String)
    return pl.concat_str(pieces, separator="；", ignore_nulls=True)


def compare(
    before: pl.LazyFrame,
    after: pl.LazyFrame,
    labels: Sequence[tuple[str, str]],
    places: int,
) -> pl.LazyFrame:
    """Every unit with its rank, grade and total before and after, ``change`` (total after − before),
    ``moved`` (the points that made the difference, see :func:`parts_moved`) and ``changed`` (its rank or
    grade differs). ``before``/``after``: published units (unit, name, class, rank, grade, total and the
    ``labels`` columns); a unit absent from one side has nulls there."""
    cols = [c for c, _ in labels]

    def side(lf: pl.LazyFrame, suffix: str) -> pl.LazyFrame:
        have = lf.collect_schema().names()
        return lf.select(
            "unit",
            "name",
            "class",
            *(pl.col(c).alias(f"{c}_{suffix}") for c in ("rank", "grade", "total")),
            *((pl.col(c) if c in have else pl.lit(None, pl.Float64)).alias(f"{c}_{suffix}") for c in cols),
        )

    joined = side(before, "before").join(
        side(after, "after").drop("name", "class"), on="unit", how="full", coalesce=True
    )
    rank_differs = pl.col("rank_before").ne_missing(pl.col("rank_after"))
    grade_differs = pl.col("grade_before").ne_missing(pl.col("grade_after"))
    return joined.select(
        "unit",
        "name",
        "class",
        "rank_before",
        "rank_after",
        "grade_before",
        "grade_after",
        "total_before",
        "total_after",
        (pl.col("total_after") - pl.col("total_before")).round(places).alias("change"),
        parts_moved(labels, places).alias("moved"),
        (rank_differs | grade_differs).alias("changed"),
    )

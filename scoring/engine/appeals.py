"""The effect of appeal decisions: each decision's indicator points, total, rank and grade before and after,
and the other units whose figures moved because of them."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from scoring.engine.year_over_year import rank_arrow


@dataclass(frozen=True)
class AppealsReport:
    """The 申诉处理 sheet: every decision with its effect on the unit's indicator points, total, rank and
    grade (``changes``), and the other units whose figures moved because of them (``others``), against
    ``base_label`` (the superseded run)."""

    base_label: str
    changes: pl.DataFrame
    others: pl.DataFrame


def appeals_report(
    decisions: pl.DataFrame,
    units: pl.DataFrame,
    points: pl.DataFrame,
    base_units: pl.DataFrame,
    base_points: pl.DataFrame,
    base_label: str,
) -> AppealsReport:
    """Compare the run with the appeal decisions applied (``decisions``: one row per decision, as read from
    the appeals file; ``units``, ``points``: unit, indicator, points in 10⁻¹² points) with the one before
    them (``base_units``, ``base_points``)."""

    def figures(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.select(
            "unit",
            pl.col("total").alias(f"total_{suffix}"),
            pl.col("rank").cast(pl.Int64).alias(f"rank_{suffix}"),
            pl.col("grade").alias(f"grade_{suffix}"),
        )

    def leaf(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.select(
            "unit", "indicator", (pl.col("points").cast(pl.Float64) / 1e12).alias(f"points_{suffix}")
        )

    per_unit = figures(base_units, "before").join(
        figures(units, "after"), on="unit", how="full", coalesce=True
    )
    per_unit = per_unit.with_columns(
        (pl.col("total_after") - pl.col("total_before")).round(6).alias("total_change"),
        rank_arrow(pl.col("rank_before"), pl.col("rank_after")).alias("rank_arrow"),
    )
    changes = (
        decisions.join(leaf(base_points, "before"), on=["unit", "indicator"], how="left")
        .join(leaf(points, "after"), on=["unit", "indicator"], how="left")
        .join(per_unit, on="unit", how="left")
        .sort("row")
    )
    appealed = set(decisions["unit"].to_list())
    names = units.select("unit", "name", "class")
    others = (
        per_unit.filter(~pl.col("unit").is_in(list(appealed)))
        .filter(
            pl.col("total_before").ne_missing(pl.col("total_after"))
            | pl.col("rank_before").ne_missing(pl.col("rank_after"))
            | pl.col("grade_before").ne_missing(pl.col("grade_after"))
        )
        .join(names, on="unit", how="left")
    )
    order = units.select("unit").with_row_index("_o")
    others = others.join(order, on="unit", how="left").sort("_o", "unit").drop("_o")
    return AppealsReport(base_label, changes, others)

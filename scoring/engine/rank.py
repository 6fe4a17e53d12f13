"""Rank: within each unit class, on printed or exact totals as declared; competition (1,2,2,4) or dense
(1,2,2,3); inside a tie, units are listed by code. Vetoed units are placed as declared (``[veto]
placement``): after the ranked units without a rank (the default), ranked last, or ranked in place. A unit
not scored (a veto that stops scoring) has no rank."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from scoring.exact import exact_key, printed
from scoring.spec.settings import Settings


def rank_units(units: pl.LazyFrame, settings: Settings, within: Sequence[str] = ()) -> pl.LazyFrame:
    """Adds ``total_printed`` (integer of 10^-places), ``rank_key`` and ``rank``; ranks are within each
    class and, when given, each value of the ``within`` columns (``("run",)``: each run of many scored at
    once)."""
    by = ["class", *within]
    num, den = pl.col("total_num"), pl.col("total_den")
    method: Literal["min", "dense"] = "min" if settings.ties == "competition" else "dense"
    units = units.with_columns(
        printed(num, den, settings.places, settings.rounding).cast(pl.Int64).alias("total_printed")
    )
    key = pl.col("total_printed") if settings.rank_basis == "printed" else exact_key(num, den)
    veto = pl.col("veto").fill_null(False)
    if settings.veto_placement == "in_place":
        rank = pl.col("rank_key").rank(method, descending=True).over(by)
    else:
        # ranked among the units that were not vetoed; vetoed units after them (last) or without a rank
        among = pl.col("rank_key").rank(method, descending=True).over([*by, veto])
        if settings.veto_placement == "after":
            rank = pl.when(veto).then(None).otherwise(among)
        else:
            ranked = pl.col("rank_key").is_not_null() & ~veto
            offset = ranked.sum().over(by) if method == "min" else _dense_top(ranked, by)
            rank = pl.when(veto).then(among + offset).otherwise(among)
    return (
        units.with_columns(key.alias("rank_key"))
        .with_columns(rank.cast(pl.Int64).alias("rank"))
        .with_columns(
            (pl.len().over([*by, "rank"]) > 1).and_(pl.col("rank").is_not_null()).alias("tied"),
        )
    )


def _dense_top(ranked: pl.Expr, by: list[str]) -> pl.Expr:
    """The last dense rank among the ranked units of each class (distinct keys)."""
    return pl.col("rank_key").filter(ranked).n_unique().over(by)


def order(units: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Published order: class as declared, then rank, then unit code; unranked units last."""
    class_order = {c.id: i for i, c in enumerate(settings.classes)}
    return units.sort(
        pl.col("class").replace_strict(class_order, default=len(class_order), return_dtype=pl.Int32),
        pl.col("rank"),
        pl.col("unit"),
        nulls_last=True,
    )

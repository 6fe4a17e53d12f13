"""Rank: within each unit class, on printed or exact totals as declared; competition (1,2,2,4) or dense
(1,2,2,3); inside a tie, units are listed by code. A unit not scored (veto that stops scoring) has no rank."""

from __future__ import annotations

from typing import Literal

import polars as pl

from scoring.exact import exact_key, printed
from scoring.spec.settings import Settings


def rank_units(units: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Adds ``total_printed`` (integer of 10^-places), ``rank_key`` and ``rank``."""
    num, den = pl.col("total_num"), pl.col("total_den")
    method: Literal["min", "dense"] = "min" if settings.ties == "competition" else "dense"
    units = units.with_columns(
        printed(num, den, settings.places, settings.rounding).cast(pl.Int64).alias("total_printed")
    )
    key = pl.col("total_printed") if settings.rank_basis == "printed" else exact_key(num, den)
    return (
        units.with_columns(key.alias("rank_key"))
        .with_columns(
            pl.col("rank_key").rank(method, descending=True).over("class").cast(pl.Int64).alias("rank"),
        )
        .with_columns(
            (pl.len().over("class", "rank") > 1).and_(pl.col("rank").is_not_null()).alias("tied"),
        )
    )


def order(units: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Published order: class as declared, then rank, then unit code; unranked units last."""
    class_order = {c.id: i for i, c in enumerate(settings.classes)}
    return units.sort(
        pl.col("class").replace_strict(class_order, default=len(class_order), return_dtype=pl.Int32),
        pl.col("rank"),
        pl.col("unit"),
        nulls_last=True,
    )

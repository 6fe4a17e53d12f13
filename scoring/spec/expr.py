"""Small expression helpers shared by the pipeline steps."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def first_match(cases: Sequence[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
    """The value of the first case whose condition holds (a when/then chain), else ``otherwise``."""
    expr = otherwise
    for cond, value in reversed(cases):
        expr = pl.when(cond).then(value).otherwise(expr)
    return expr


def place_among(column: str, among: pl.Enum) -> pl.Expr:
    """Each row's ``column`` as its place among ``among``'s categories (null when not among them); ids may
    come as text or as an Enum of their own."""
    return pl.col(column).cast(pl.String).cast(among, strict=False).to_physical().cast(pl.Int64)

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

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


def place_among(
    column: str,
    among: pl.Enum,
    given: pl.DataType | None = None,
    dtype: pl.UInt32 | pl.UInt64 | type[pl.Int64] = pl.Int64,
) -> pl.Expr:
    """Each row's ``column`` as its place among ``among``'s categories (null when not among them), as
    ``dtype``; ids may come as text or as an Enum of their own. ``given``: the column's type when known; an
    Enum's place is then read from its physical index (directly for ``among`` itself, through a table of
    its categories for another), without the text."""
    if given == among:
        return pl.col(column).to_physical().cast(dtype)
    if isinstance(given, pl.Enum):
        at = {c: i for i, c in enumerate(among.categories.to_list())}
        table = pl.Series([at.get(c) for c in given.categories.to_list()], dtype=dtype)
        return pl.lit(table).gather(pl.col(column).to_physical())
    return pl.col(column).cast(pl.String).cast(among, strict=False).to_physical().cast(dtype)


def index_type(size: int) -> pl.UInt32 | pl.UInt64:
    """The narrowest type of places among ``size`` things: four bytes while they fit (a column of a row per
    observation, 57M at a million units, is half an Int64's size)."""
    return pl.UInt32() if size <= 2**32 else pl.UInt64()


SCATTER_ROWS = 4_000_000
""":func:`placed` puts this many values at a time: polars copies the places it is given (228 MB for the
57M rows of a million units, on top of the table: a third of the per-indicator points' peak)."""


def placed(places: pl.Series, values: pl.Series, size: int) -> pl.Series:
    """A series of ``size`` nulls with ``values`` put at ``places`` (a table read by place instead of a join
    of millions of rows), :data:`SCATTER_ROWS` at a time (a place given twice holds the later value)."""
    out = pl.repeat(None, size, dtype=values.dtype, eager=True)
    for at in range(0, len(places), SCATTER_ROWS):
        out = out.scatter(places.slice(at, SCATTER_ROWS), values.slice(at, SCATTER_ROWS))
    return out


def marked(places: pl.Series, size: int) -> pl.Series:
    """True at ``places`` of a series of ``size``, null elsewhere."""
    return placed(places, pl.repeat(True, len(places), eager=True), size)

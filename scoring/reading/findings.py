"""The issues of the rows a check flags (each named by file, row, column and value, up to a limit per check,
and how many more), rows repeating another, and a unit's missing quota row (定额)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from scoring.errors import Issue
from scoring.spec.expr import marked

MAX_ISSUES_PER_CHECK = 200


def issues_from(
    df: pl.DataFrame,
    file_col: str,
    column: str,
    value_col: str,
    expected: str | pl.Expr,
    code: str,
    severity: str = "error",
) -> list[Issue]:
    """Issues for the failing rows in ``df`` (already filtered), up to a limit per check, and a line with
    how many more (its ``count``: so the total is never hidden)."""
    if df.is_empty():
        return []
    exp = expected if isinstance(expected, pl.Expr) else pl.lit(expected)
    rows = (
        df.head(MAX_ISSUES_PER_CHECK)
        .select(
            pl.col(file_col).alias("f"),
            pl.col("__row__").alias("r"),
            pl.col(value_col).cast(pl.String).alias("v"),
            exp.alias("e"),
            pl.col("indicator").cast(pl.String).alias("i")
            if "indicator" in df.columns
            else pl.lit("?").alias("i"),
            pl.col("__cell__").alias("c") if "__cell__" in df.columns else pl.lit(None, pl.String).alias("c"),
        )
        .to_dicts()
    )
    out = []
    for r in rows:
        where = f"{column}（{r['c']}）" if r["c"] else column  # a template's cell, e.g. value（乡镇!F12）
        out.append(Issue(r["f"], r["r"], where, r["v"], r["e"], f"{r['i']}|{code}", severity=severity))
    more = df.height - MAX_ISSUES_PER_CHECK
    if more > 0:
        files = df[file_col].unique(maintain_order=True).to_list()
        out.append(
            Issue(
                rows[0]["f"] if len(files) == 1 else "、".join(files[:3]) + ("等" if len(files) > 3 else ""),
                None,
                column,
                None,
                f"同类{'错误' if severity == 'error' else '说明'}还有 {more} 处未列出（共 {df.height} 处）",
                f"*|{code}",
                severity=severity,
                count=more,
            )
        )
    return out


def all_distinct(places: pl.Series, size: int) -> bool:
    """Whether no two of ``places`` (each below ``size``) are the same: each marks its place in a table of
    ``size`` (a bit a place, 8 MB for 65M (unit, leaf) pairs; a table of row numbers read back took 900 MB
    at a million units); a place given twice marks fewer places than there are rows."""
    return size - marked(places, size).null_count() == len(places)


def duplicates(
    df: pl.DataFrame, restore: Callable[[pl.DataFrame], pl.DataFrame], units: int, leaves: int
) -> list[Issue]:
    """Rows repeating another's unit, indicator, key, period and channel (within and across files), each
    named with the row it repeats (the first, by file and row). ``df``: the validated rows as collected
    (``__pair``: the unit's place among ``units`` times ``leaves`` plus the leaf's; key, period, channel,
    source, ``__row__``); ``restore`` gives some of them back with their unit, indicator and value (those
    that repeat, almost always none)."""
    keys = ["unit", "indicator", "key", "period", "channel"]
    pair = pl.col("__pair")  # the unit and leaf as one integer; null for a row of an unknown unit or leaf
    # a key, period or channel column empty throughout tells no rows apart: compare without it
    given = df.select((pair.is_not_null() & pl.col(k).is_not_null()).any().alias(k) for k in keys[2:]).row(0)
    by = ["__pair", *(k for k, some in zip(keys[2:], given, strict=True) if some)]
    rows = df.lazy().filter(pair.is_not_null()).select(by)
    # whether any row repeats (almost always none), then which, then where
    if len(by) == 1:  # one row per unit and leaf
        if all_distinct(df["__pair"].drop_nulls(), units * leaves):
            return []
    else:  # counting the distinct keys
        n, distinct = rows.select(pl.len(), pl.struct(by).n_unique()).collect().row(0)
        if n == distinct:
            return []
    repeated = rows.group_by(by).agg(pl.len().alias("n")).filter(pl.col("n") > 1).drop("n").collect()
    dup = (
        restore(df.filter(pair.is_not_null()).join(repeated, on=by, how="semi", nulls_equal=True))
        .with_columns(pl.struct("source", "__row__").alias("at"))
        .with_columns(pl.col("at").first().over(keys, order_by=["source", "__row__"]).alias("first"))
        .filter(pl.col("at") != pl.col("first"))
    )
    return issues_from(
        dup.with_columns(
            pl.format(
                "与{}第{}行重复（同一单位、指标、子项只能有一个值）",
                pl.when(pl.col("first").struct.field("source") == pl.col("source"))
                .then(pl.lit("本文件"))
                .otherwise(pl.format(" {} ", pl.col("first").struct.field("source"))),
                pl.col("first").struct.field("__row__"),
            ).alias("why")
        ),
        "source",
        "value",
        "text",
        pl.col("why"),
        "duplicate",
    )


def missing_extra_rows(
    rows: pl.DataFrame, extra_keys: dict[tuple[str, str], bool], is_extra: pl.Expr, skip: pl.Expr
) -> list[Issue]:
    """A unit's row of a leaf whose extra key every unit must give (quota=各单位: its 定额) when the
    unit has no row of that key for the leaf (in the same period and channel), at the row it has."""
    required = [(leaf_id, key) for (leaf_id, key), must in extra_keys.items() if must]
    if not required:
        return []
    by = ["unit", "indicator", "period", "channel"]
    out = []
    for leaf_id, key in required:
        mine = rows.filter(pl.col("indicator") == leaf_id)
        given = mine.filter(is_extra & (pl.col("key") == key)).select(by).unique()
        lacking = mine.filter(~is_extra & ~skip.fill_null(False)).join(
            given, on=by, how="anti", nulls_equal=True
        )
        out += issues_from(
            lacking,
            "source",
            "key",
            "key",
            f"本指标按各单位定额计分（quota=各单位）：该单位还须填一行，子项（key）为“{key}”，值为本单位的规定数量",
            f"{key}_missing",
        )
    return out

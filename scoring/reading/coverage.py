"""Missing data is never a silent zero: what the inputs leave unscored, said before anything is computed.

- A unit of the roster with no input row at all, and a unit with more than ``[inputs] unscored_share``
  (a half) of its applicable base leaves without a row, are errors listing the units and their counts,
  unless ``[inputs] missing_units = "zero"`` (the office scores them as the inputs stand): then a note.
- With ``[inputs] missing = "error"``, every (unit, leaf) without a row is an error.

Bonus, penalty and veto leaves, and base leaves without points of their own, take rows only when something
happened, so only base leaves with points count.
"""

from __future__ import annotations

import polars as pl

from scoring.errors import Issue
from scoring.spec.catalogue import Catalogue
from scoring.spec.expr import index_type, marked, place_among
from scoring.spec.settings import Settings

MAX_LISTED = 200
"""Units listed one by one; a last line says how many more."""


def _applies() -> pl.Expr:
    return pl.col("applies").list.len().eq(0) | pl.col("applies").list.contains(pl.col("class"))


def check_coverage(
    observations: pl.DataFrame, catalogue: Catalogue, settings: Settings, roster: pl.DataFrame, file: str
) -> list[Issue]:
    """The units the observations (``unit``, ``indicator``: the rows of known units and applicable leaves)
    leave without any row, or with most of their applicable base leaves unscored, each named at its row
    of the roster (``file``; ``roster`` in the order of its file)."""
    # leaves without points of their own (a pooled section's) take rows only when something was found
    counted = (pl.col("role") == "base") & (pl.col("M") > 0)
    base = catalogue.leaf_frame().filter(counted).select("indicator", "applies")
    applicable = (
        pl.DataFrame({"class": settings.class_ids}, schema={"class": pl.String})
        .join(base, how="cross")
        .filter(_applies())
        .group_by("class")
        .agg(pl.len().alias("applicable"))
    )
    # each unit by its place in the roster and each base leaf by its place among them: the distinct
    # (unit, leaf) pairs are integers, counted per unit (grouping millions of rows by text took far more
    # memory than the rows themselves)
    codes = pl.Enum(roster["code"].cast(pl.String).drop_nulls().unique(maintain_order=True))
    among = pl.Enum(base["indicator"])
    n_units, leaves = len(codes.categories), max(base.height, 1)
    schema = observations.schema
    t = index_type(n_units * leaves)  # four bytes a row while the pairs fit in them
    unit = place_among("unit", codes, schema.get("unit"), t)
    leaf = place_among("indicator", among, schema.get("indicator"), t)
    # a unit seen, and a unit's base leaves scored, marked in tables of the roster's (× the leaves') size:
    # no grouping or distinct of millions of rows; the rows' places found one column at a time (each is a
    # row's four bytes: 228 MB at a million units)
    def places(of: pl.Expr) -> pl.Series:  # streamed: no 57M-row temporaries of the expression at once
        return observations.lazy().select(of.alias("at")).drop_nulls().collect(engine="streaming")["at"]

    seen_at = marked(places(unit), n_units)
    scored = marked(places(unit * leaves + leaf), n_units * leaves)
    seen = pl.DataFrame(
        {
            "u": pl.int_range(n_units, eager=True),
            "seen": seen_at,
            "scored": scored.reshape((n_units, leaves)).arr.sum()
            if n_units
            else pl.Series([], dtype=pl.UInt32),
        }
    ).lazy()
    units = (
        roster.lazy()
        .with_row_index("__order")
        .with_columns(place_among("code", codes).alias("u"))
        .join(seen, on="u", how="left")
        .join(applicable.lazy(), on="class", how="left")
        .with_columns(
            pl.col("seen").fill_null(False),
            pl.col("scored").fill_null(0),
            pl.col("applicable").fill_null(0),
        )
        .with_columns((pl.col("applicable") - pl.col("scored")).alias("unscored"))
        .sort("__order")
        .collect()
    )
    severity = "error" if settings.missing_units == "error" else "note"
    allow = '[inputs] missing_units = "zero"'
    share = settings.unscored_share
    absent = units.filter(~pl.col("seen"))
    sparse = units.filter(
        pl.col("seen")
        & (pl.col("applicable") > 0)
        & (pl.col("unscored") * share.denominator > pl.col("applicable") * share.numerator)
    )
    if severity == "error":
        absent_says = f"评分数据中没有此单位：请补齐；不考核的从名单删除；照常计分的设 {allow}"
        then = f"：请补齐（不适用的填“不适用”）或设 {allow}"
    else:
        absent_says = f"评分数据中没有此单位，按 {allow} 照常计分（各项按未评分计）"
        then = f"，按 {allow} 照常计分（各项按未评分计）"
    sparse_says = pl.format(
        "{} 项适用指标中 {} 项无评分数据（超过 {}%）{}",
        "applicable",
        "unscored",
        pl.lit(f"{float(share) * 100:g}"),
        pl.lit(then),
    )
    return [
        *_per_unit(absent, file, pl.lit(absent_says), "units|no_inputs", severity),
        *_per_unit(
            sparse,
            file,
            sparse_says,
            "units|mostly_unscored",
            severity,
        ),
    ]


def _per_unit(units: pl.DataFrame, file: str, says: pl.Expr, code: str, severity: str) -> list[Issue]:
    """One finding per unit (its row in the roster), up to ``MAX_LISTED``, and a line with how many more."""
    rows = units.head(MAX_LISTED).select("__order", "code", "name", says.alias("says")).to_dicts()
    out = [
        Issue(file, r["__order"] + 2, "code", f"{r['code']} {r['name']}", r["says"], code, severity=severity)
        for r in rows
    ]
    more = units.height - MAX_LISTED
    if more > 0:
        what = "错误" if severity == "error" else "说明"
        out.append(
            Issue(
                file,
                None,
                "code",
                None,
                f"同类{what}还有 {more} 个单位未列出（共 {units.height} 个）",
                code,
                severity=severity,
                count=more,
            )
        )
    return out


def missing_rows(have: pl.DataFrame, catalogue: Catalogue, roster: pl.DataFrame, limit: int) -> list[Issue]:
    """With ``[inputs] missing = "error"``: each applicable (unit, leaf) without a row (``have``: the
    ``unit, indicator`` pairs with rows), up to ``limit``, and a line with how many more."""
    leaves = catalogue.leaf_frame().select("indicator", "applies")
    grid = (
        roster.join(leaves, how="cross")
        .filter(_applies())
        .join(have, left_on=["code", "indicator"], right_on=["unit", "indicator"], how="anti")
    )
    issues = [
        Issue(
            "inputs",
            None,
            "indicator",
            f"{r['code']} {r['indicator']}",
            '缺少此单位此指标的评分（settings.toml [inputs] missing = "error"）',
            f"{r['indicator']}|missing",
        )
        for r in grid.head(limit).to_dicts()
    ]
    if grid.height > limit:
        more = grid.height - limit
        issues.append(
            Issue("inputs", None, "indicator", None, f"同类错误还有 {more} 处未列出", "*|missing", count=more)
        )
    return issues

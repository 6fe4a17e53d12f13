"""Missing data is never a silent zero: what the inputs leave unscored, said before anything is computed.

- A unit of the roster with no input row at all, and a unit with more than ``[inputs] unscored_share``
  (a half) of its applicable base leaves without a row, are errors listing the units and their counts,
  unless ``[inputs] missing_units = "zero"`` (the office scores them as the inputs stand): then a note.
- With ``[inputs] missing = "error"``, every (unit, leaf) without a row is an error.

Bonus, penalty and veto leaves take rows only when something happened, so only base leaves count.
"""

from __future__ import annotations

import polars as pl

from scoring.errors import Issue
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings

MAX_LISTED = 30
"""Units named in one coverage finding; the count always says how many there are."""


def _applies() -> pl.Expr:
    return pl.col("applies").list.len().eq(0) | pl.col("applies").list.contains(pl.col("class"))


def _listed(items: list[str]) -> str:
    shown = "、".join(items[:MAX_LISTED])
    return shown + (f" 等 {len(items)} 个" if len(items) > MAX_LISTED else "")


def check_coverage(
    observations: pl.DataFrame, catalogue: Catalogue, settings: Settings, roster: pl.DataFrame, file: str
) -> list[Issue]:
    """The units the observations (``unit``, ``indicator``: the rows of known units and applicable leaves)
    leave without any row, or with most of their applicable base leaves unscored; ``file``: the roster,
    where the units are listed."""
    base = catalogue.leaf_frame().filter(pl.col("role") == "base").select("indicator", "applies")
    applicable = (
        pl.DataFrame({"class": settings.class_ids}, schema={"class": pl.String})
        .join(base, how="cross")
        .filter(_applies())
        .group_by("class")
        .agg(pl.len().alias("applicable"))
    )
    # in memory: faster than streaming for a group-by of many small groups
    seen = observations.lazy().select(pl.col("unit").unique(), pl.lit(True).alias("seen"))
    scored = (
        observations.lazy()
        .filter(pl.col("indicator").is_in(base["indicator"].implode()))
        .group_by("unit")
        .agg(pl.col("indicator").n_unique().alias("scored"))
    )
    units = (
        roster.lazy()
        .with_row_index("__order")
        .join(seen, left_on="code", right_on="unit", how="left")
        .join(scored, left_on="code", right_on="unit", how="left")
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
    allow = 'settings.toml [inputs] missing_units = "zero"'
    share = settings.unscored_share
    then = "照常计分（未评分的指标按 [inputs] missing 计）"
    issues = []
    absent = units.filter(~pl.col("seen"))
    if not absent.is_empty():
        names = [f"{r['code']} {r['name']}" for r in absent.to_dicts()]
        issues.append(
            Issue(
                file,
                None,
                "code",
                _listed(names),
                f"{len(names)} 个单位在评分数据中没有任何一行（其各项指标将按未评分计）："
                + (
                    f"请补齐其评分；本年度不考核的，从名单中删除；确需{then}的，设 {allow}"
                    if severity == "error"
                    else f"已按 {allow} {then}"
                ),
                "units|no_inputs",
                severity=severity,
            )
        )
    sparse = units.filter(
        pl.col("seen")
        & (pl.col("applicable") > 0)
        & (pl.col("unscored") * share.denominator > pl.col("applicable") * share.numerator)
    )
    if not sparse.is_empty():
        items = [
            f"{r['code']} {r['name']}（{r['applicable']} 项中 {r['unscored']} 项未评分）"
            for r in sparse.to_dicts()
        ]
        issues.append(
            Issue(
                file,
                None,
                "code",
                _listed(items),
                f"{len(items)} 个单位超过 {float(share) * 100:g}% 的适用指标（加分、扣分、否决项除外）"
                "没有评分数据："
                + (
                    f"请补齐评分，不适用的指标填“不适用”；确需{then}的，设 {allow}"
                    if severity == "error"
                    else f"已按 {allow} {then}"
                ),
                "units|mostly_unscored",
                severity=severity,
            )
        )
    return issues


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

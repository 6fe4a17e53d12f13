"""Points: every registered rule kind applied to the observations, one vectorized pass per kind.

Output: one row per (unit, leaf) with the leaf's points in pico-points after channels and periods are
combined, modifiers (不得分, 及格封顶) applied and the leaf capped as the settings declare; the part of
an uncapped leaf's deduction that goes beyond the leaf (重大扣分项) is kept apart in ``major``.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import polars as pl

from ._fixed import div_round
from .catalogue import Catalogue, Node
from .rules import GROUP, REGISTRY, RuleKind
from .settings import Settings
from .validate import MODIFIER_KEYS

KEYED_LOOKUP = {"grade_scale": "text", "rank_based": "rank_key"}


def _param_table(kind: RuleKind, leaves: list[Node]) -> pl.DataFrame | None:
    rows = [{"indicator": n.id, **kind.columns(n.params, n.points_fixed)} for n in leaves]
    if not rows or len(rows[0]) == 1:
        return None
    df = pl.DataFrame(rows, infer_schema_length=None)
    return df.with_columns(
        pl.col(c).cast(pl.Int64) for c in df.columns if df.schema[c] == pl.Null or df.schema[c].is_integer()
    )


def _key_table(kind: RuleKind, leaves: list[Node]) -> pl.DataFrame | None:
    rows = [(n.id, k, a, s) for n in leaves for k, a, s in kind.key_rows(n.params)]
    if not rows:
        return None
    return pl.DataFrame(
        rows,
        schema={"indicator": pl.String, "key": pl.String, "amount": pl.Int64, "share": pl.Float64},
        orient="row",
    )


def rule_points(rows: pl.LazyFrame, kind: RuleKind, leaves: list[Node]) -> pl.LazyFrame:
    """Points of every (unit, leaf, period, channel) scored by one rule kind."""
    params = _param_table(kind, leaves)
    keys = _key_table(kind, leaves)
    lf = rows
    if params is not None:
        lf = lf.join(params.lazy(), on="indicator", how="left")
    lookup = KEYED_LOOKUP.get(kind.name, "key")
    if keys is not None and lookup == "key":
        lf = lf.join(keys.lazy(), on=["indicator", "key"], how="left")
    elif keys is not None and lookup == "text":
        lf = lf.join(
            keys.lazy().select(
                "indicator", pl.col("key").alias("text"), pl.col("amount").alias("grade_points")
            ),
            on=["indicator", "text"],
            how="left",
        )
    else:
        lf = lf.with_columns(pl.lit(None, pl.Int64).alias("amount"), pl.lit(None, pl.Float64).alias("share"))
    if kind.name == "grade_scale" and keys is None:  # pragma: no cover - a scale always has rows
        lf = lf.with_columns(pl.lit(None, pl.Int64).alias("grade_points"))
    lf = lf.with_columns(**kind.row())
    agg = lf.group_by(GROUP).agg(pl.col("M").first(), pl.col("class").first(), *kind.aggs())
    if params is not None:
        agg = agg.join(params.lazy(), on="indicator", how="left")
    if kind.needs_class_rank:
        measure = pl.when(pl.col("p_asc")).then(-pl.col("v")).otherwise(pl.col("v"))
        agg = agg.with_columns(
            measure.rank("min", descending=True)
            .over("indicator", "class", "period", "channel")
            .cast(pl.String)
            .alias("rank_key")
        )
        if keys is not None:
            agg = agg.join(
                keys.lazy().select(
                    "indicator", pl.col("key").alias("rank_key"), pl.col("amount").alias("rank_points")
                ),
                on=["indicator", "rank_key"],
                how="left",
            )
    return agg.select(*GROUP, kind.finish().cast(pl.Int64).alias("points"))


def _weights(pairs: tuple[tuple[str, Fraction], ...]) -> tuple[dict[str, int], int]:
    """Integer weights and their sum: Σ wᵢ·pᵢ / Σ wᵢ is the weighted mean, exactly."""
    scale = lcm(*(w.denominator for _, w in pairs)) if pairs else 1
    weights = {k: int(w * scale) for k, w in pairs}
    return weights, max(sum(weights.values()), 1)


def combine(points: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Channels by weight within a period, then periods into the year, exact to the pico-point."""
    out = points
    if settings.channel_weights:
        w, den = _weights(settings.channel_weights)
        out = (
            out.with_columns(pl.col("channel").replace_strict(w, default=0, return_dtype=pl.Int64).alias("w"))
            .group_by("unit", "indicator", "period")
            .agg((pl.col("points").cast(pl.Int128) * pl.col("w")).sum().alias("num"))
            .with_columns(
                div_round(pl.col("num"), pl.lit(den, pl.Int128), "half_up").cast(pl.Int64).alias("points")
            )
            .drop("num")
        )
    else:
        out = out.drop("channel")
    if settings.period_method is not None:
        method = settings.period_method
        if method == "sum":
            out = out.group_by("unit", "indicator").agg(pl.col("points").sum())
        else:
            pairs = settings.period_weights
            if method == "mean":
                pairs = tuple((k, Fraction(1, len(pairs))) for k, _ in pairs)
            w, den = _weights(pairs)
            out = (
                out.with_columns(
                    pl.col("period").replace_strict(w, default=0, return_dtype=pl.Int64).alias("w")
                )
                .group_by("unit", "indicator")
                .agg((pl.col("points").cast(pl.Int128) * pl.col("w")).sum().alias("num"))
                .with_columns(
                    div_round(pl.col("num"), pl.lit(den, pl.Int128), "half_up").cast(pl.Int64).alias("points")
                )
                .drop("num")
            )
    else:
        out = out.drop("period")
    return out


def leaf_points(
    observations: pl.LazyFrame, catalogue: Catalogue, settings: Settings, units: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """(unit, indicator, points, major) for every scored leaf; N/A rows and missing leaves are absent.

    ``observations`` has columns unit, class, indicator, key, value, na (and optionally period, channel).
    """
    schema = observations.collect_schema()
    obs = observations
    for col, dtype in (
        ("period", pl.String),
        ("channel", pl.String),
        ("key", pl.String),
        ("text", pl.String),
        ("na", pl.Boolean),
    ):
        if col not in schema:
            obs = obs.with_columns(pl.lit(None if col != "na" else False, dtype).alias(col))
    marked = obs.select("unit", "indicator")  # every leaf with a row, N/A included
    obs = obs.filter(~pl.col("na"))
    leaves = catalogue.leaves
    leaf_m = pl.LazyFrame(
        {
            "indicator": [n.id for n in leaves],
            "M": [n.points_fixed for n in leaves],
            "rule": [n.rule or "" for n in leaves],
        },
        schema_overrides={"M": pl.Int64},
    )
    is_mod = pl.col("key").is_in(list(MODIFIER_KEYS)).fill_null(False)
    modifiers = (
        obs.filter(is_mod & (pl.col("value") >= 1))
        .group_by("unit", "indicator")
        .agg(
            (pl.col("key") == "不得分").any().alias("zero"), (pl.col("key") == "及格封顶").any().alias("ceil")
        )
    )
    rows = (
        obs.filter(~is_mod)
        .join(leaf_m, on="indicator", how="inner")
        .with_columns(pl.lit(False).alias("synthetic"))
    )
    if settings.missing == "no_finding" and units is not None:
        rows = pl.concat([rows, _synthetic_rows(marked, units, catalogue, leaf_m)], how="diagonal_relaxed")

    by_kind: dict[str, list[Node]] = {}
    for n in leaves:
        if n.rule in REGISTRY:
            by_kind.setdefault(n.rule, []).append(n)
    parts = [
        rule_points(rows.filter(pl.col("rule") == name), REGISTRY[name], nodes)
        for name, nodes in sorted(by_kind.items())
    ]
    if not parts:
        return pl.LazyFrame(
            schema={"unit": pl.String, "indicator": pl.String, "points": pl.Int64, "major": pl.Int64}
        )
    combined = combine(pl.concat(parts, how="vertical"), settings)

    info = pl.LazyFrame(
        {
            "indicator": [n.id for n in leaves],
            "M": [n.points_fixed for n in leaves],
            "bounded": [bool(n.kind and n.kind.bounded) for n in leaves],
            "uncapped": [n.uncapped for n in leaves],
            "ceiling": [n.params.get("ceiling") for n in leaves],
            "as_penalty": [n.role == "penalty" and bool(n.kind and n.kind.sense == "deduct") for n in leaves],
        },
        schema_overrides={"M": pl.Int64, "ceiling": pl.Int64},
    )
    p = pl.col("points")
    lf = (
        combined.join(info, on="indicator", how="left")
        .join(modifiers, on=["unit", "indicator"], how="left")
        .with_columns(
            pl.when(pl.col("zero").fill_null(False))
            .then(0)
            .when(pl.col("ceil").fill_null(False))
            .then(pl.min_horizontal(p, pl.col("ceiling")))
            .otherwise(p)
            .alias("points")
        )
    )
    low = pl.lit(0, pl.Int64) if settings.caps == "node" else None
    capped = pl.when(pl.col("bounded")).then(p.clip(low, pl.col("M"))).otherwise(p.clip(low, None))
    # in a penalty section a deducting rule's deduction is the penalty
    final = pl.when(pl.col("uncapped")).then(p.clip(0, pl.col("M"))).otherwise(capped)
    final = pl.when(pl.col("as_penalty")).then(pl.col("M") - final).otherwise(final)
    return lf.select(
        "unit",
        "indicator",
        final.cast(pl.Int64).alias("points"),
        pl.when(pl.col("uncapped"))
        .then(pl.min_horizontal(p, pl.lit(0, pl.Int64)))
        .otherwise(0)
        .cast(pl.Int64)
        .alias("major"),
    )


def _synthetic_rows(
    marked: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, leaf_m: pl.LazyFrame
) -> pl.LazyFrame:
    """For ``missing = "no_finding"``: an empty observation for each applicable leaf without rows."""
    leaves = pl.LazyFrame(
        {
            "indicator": [n.id for n in catalogue.leaves],
            "applies": [list(n.applies_to) for n in catalogue.leaves],
        },
        schema_overrides={"applies": pl.List(pl.String)},
    )
    grid = (
        units.select(pl.col("code").alias("unit"), "class")
        .join(leaves, how="cross")
        .filter(pl.col("applies").list.len().eq(0) | pl.col("applies").list.contains(pl.col("class")))
        .join(marked.unique(), on=["unit", "indicator"], how="anti")
        .join(leaf_m, on="indicator")
    )
    return grid.select(
        "unit",
        "class",
        "indicator",
        "M",
        "rule",
        pl.lit(None, pl.String).alias("key"),
        pl.lit(None, pl.Float64).alias("value"),
        pl.lit(None, pl.String).alias("period"),
        pl.lit(None, pl.String).alias("channel"),
        pl.lit(None, pl.String).alias("text"),
        pl.lit(True).alias("synthetic"),
    )

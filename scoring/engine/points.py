"""Points: every registered rule kind applied to the observations, one vectorized pass per kind.

Output: one row per (unit, leaf) with the leaf's points in pico-points after channels and periods are
combined, modifiers (不得分, 及格封顶) applied and the leaf capped as the settings declare; the part of
an uncapped leaf's deduction that goes beyond the leaf (重大扣分项) is kept apart in ``major``.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import polars as pl

from scoring.exact import div_round
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.expr import first_match
from scoring.spec.rules import GROUP, MODIFIER_KEYS, REGISTRY, RuleKind
from scoring.spec.settings import Settings
from scoring.spec.year import written_text


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
    if keys is not None and kind.lookup == "key":
        lf = lf.join(keys.lazy(), on=["indicator", "key"], how="left")
    elif keys is not None and kind.lookup == "text":  # the text as written (a number's own included)
        lf = lf.with_columns(written_text().alias("text")).join(
            keys.lazy().select("indicator", pl.col("key").alias("text"), "amount"),
            on=["indicator", "text"],
            how="left",
        )
    else:
        lf = lf.with_columns(pl.lit(None, pl.Int64).alias("amount"), pl.lit(None, pl.Float64).alias("share"))
    lf = lf.with_columns(**kind.row)
    agg = lf.group_by(GROUP).agg(
        pl.col("M").first(), pl.col("class").first(), *(a.grouped() for a in kind.aggs)
    )
    if params is not None:
        agg = agg.join(params.lazy(), on="indicator", how="left")
    if kind.rank_by is not None:
        agg = agg.with_columns(
            kind.rank_by.rank("min", descending=True)
            .over("indicator", "class", "period", "channel")
            .cast(pl.String)
            .alias("rank_key")
        )
        if keys is not None and kind.lookup == "rank":
            agg = agg.join(
                keys.lazy().select(
                    "indicator", pl.col("key").alias("rank_key"), pl.col("amount").alias("rank_points")
                ),
                on=["indicator", "rank_key"],
                how="left",
            )
    if kind.lookup == "class":  # a parameter given per class: the unit's class's value
        agg = (
            agg.join(
                keys.lazy().select(
                    "indicator", pl.col("key").alias("class"), pl.col("amount").alias("class_amount")
                ),
                on=["indicator", "class"],
                how="left",
            )
            if keys is not None
            else agg.with_columns(pl.lit(None, pl.Int64).alias("class_amount"))
        )
    steps = params.columns if params is not None else []
    return agg.select(*GROUP, kind.finish_for(steps).cast(pl.Int64).alias("points"))


def _weights(pairs: tuple[tuple[str, Fraction], ...]) -> tuple[dict[str, int], int]:
    """Integer weights and their sum: Σ wᵢ·pᵢ / Σ wᵢ is the weighted mean, exactly."""
    scale = lcm(*(w.denominator for _, w in pairs)) if pairs else 1
    weights = {k: int(w * scale) for k, w in pairs}
    return weights, max(sum(weights.values()), 1)


def _weighted_mean(
    points: pl.LazyFrame, over: str, pairs: tuple[tuple[str, Fraction], ...], by: list[str]
) -> pl.LazyFrame:
    """Points weighted by the ``over`` column's declared weights, per ``by``; rounded once, half up."""
    w, den = _weights(pairs)
    return (
        points.with_columns(pl.col(over).replace_strict(w, default=0, return_dtype=pl.Int64).alias("w"))
        .group_by(*by)
        .agg((pl.col("points").cast(pl.Int128) * pl.col("w")).sum().alias("num"))
        .with_columns(
            div_round(pl.col("num"), pl.lit(den, pl.Int128), "half_up").cast(pl.Int64).alias("points")
        )
        .drop("num")
    )


def combine(points: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Channels by weight within a period, then periods into the year, exact to the pico-point."""
    out = points
    if settings.channel_weights:
        out = _weighted_mean(out, "channel", settings.channel_weights, ["unit", "indicator", "period"])
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
            out = _weighted_mean(out, "period", pairs, ["unit", "indicator"])
    else:
        out = out.drop("period")
    return out


NARROWED = ("veto_bit", "major")
"""Columns of :func:`leaf_points` (Int64) that a holder of the points may keep in a narrower type: a leaf's
veto bit is 0 or one bit and 重大扣分 almost always 0, 16 bytes a row as Int64 (1 GB at a million units,
held from scoring until the ledger is written); what reads them as given takes them back as Int64."""


LEAF_COLUMNS = (
    "indicator",
    "rule",
    "kind_code",
    "M",
    "l1",
    "bounded",
    "uncapped",
    "ceiling",
    "as_penalty",
    "veto_bit",
)
"""The columns of the catalogue's leaf frame that scoring reads, before the parameter columns."""


def _leaves_by_kind(catalogue: Catalogue) -> dict[str, list[Node]]:
    """The leaves with a registered rule (the rows of :func:`leaf_table`), by rule name in name order."""
    by_kind: dict[str, list[Node]] = {}
    for n in catalogue.leaves:
        if n.kind is not None:
            by_kind.setdefault(n.kind.name, []).append(n)
    return dict(sorted(by_kind.items()))


def leaf_table(catalogue: Catalogue) -> pl.DataFrame:
    """One row per leaf with a rule: its rule (and its code), points, level-1 node (as its index), caps and
    flags, veto bit (``LEAF_COLUMNS``, from :meth:`Catalogue.leaf_frame`), and the parameter columns
    (``p_*``) of every single-row rule kind."""
    base = catalogue.leaf_frame().filter(pl.col("kind_code").is_not_null()).select(LEAF_COLUMNS)
    params = [
        t
        for name, leaves in _leaves_by_kind(catalogue).items()
        if REGISTRY[name].single_row and (t := _param_table(REGISTRY[name], leaves)) is not None
    ]
    if params:
        table = pl.concat(params, how="diagonal_relaxed")
        # parameters no leaf of this catalogue uses (e.g. the 4th to 8th tier) stay out of the join
        used = [c for c in table.columns if c == "indicator" or table[c].null_count() < table.height]
        base = base.join(table.select(used), on="indicator", how="left")
    return base


def single_row_points(rows: pl.LazyFrame, kinds: list[str], columns: list[str]) -> pl.LazyFrame:
    """Every single-row kind at once: one pass, a when/then over the rule codes, each aggregation taken
    in its one-row form (registration makes a name mean the same aggregation in every single-row kind).
    ``rows`` are the observations joined with the leaf table, whose columns are ``columns``; a parameter
    no leaf uses is a null literal, not a column."""
    names = sorted(REGISTRY)
    finishes = [(k, REGISTRY[k].finish_for(columns).cast(pl.Int64)) for k in kinds]
    needed = {name for _, e in finishes for name in e.meta.root_names()}
    absent = sorted(n for n in needed if n.startswith("p_") and n not in columns)
    cases = [(pl.col("kind_code") == names.index(k), e) for k, e in finishes]
    points = finishes[0][1] if len(finishes) == 1 else first_match(cases[:-1], cases[-1][1])
    return (
        rows.with_columns(pl.lit(None, pl.Int64).alias(n) for n in absent)
        .with_columns(**{a.name: a.one_row() for k in kinds for a in REGISTRY[k].aggs if a.name in needed})
        .with_columns(points.alias("points"))
    )


def leaf_points(
    observations: pl.LazyFrame, catalogue: Catalogue, settings: Settings, units: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """(unit, indicator, l1, veto_bit, points, major) for every scored leaf; N/A rows and missing leaves are
    absent. ``l1`` is the index of the leaf's level-1 node in ``catalogue.level1``.

    ``observations`` has columns unit, indicator, value, and optionally class (needed by ``rank_based``),
    key, na, period, channel, text. Rules without keys expect one row per (unit, leaf, period, channel).
    """
    schema = observations.collect_schema()
    obs = observations
    combining = bool(settings.channel_weights) or settings.period_method is not None
    by_kind = _leaves_by_kind(catalogue)
    by_class = any(REGISTRY[name].rank_by is not None or REGISTRY[name].lookup == "class" for name in by_kind)
    if "class" not in schema and units is not None and by_class:
        # ranks are within a unit class, and a parameter may be given per class: each unit's class from
        # the roster
        obs = obs.join(units.select(pl.col("code").alias("unit"), "class"), on="unit", how="left")
        schema = obs.collect_schema()
    for col, dtype in (
        ("period", pl.String),
        ("channel", pl.String),
        ("key", pl.String),
        ("text", pl.String),
        ("class", pl.String),
    ):
        if col not in schema:
            obs = obs.with_columns(pl.lit(None, dtype).alias(col))
    marked = obs.select("unit", "indicator")  # every leaf with a row, N/A included
    if "na" in schema:
        obs = obs.filter(~pl.col("na"))
    table = leaf_table(catalogue)
    has_keys = "key" in schema
    modifiers = None
    if has_keys:
        is_mod = pl.col("key").is_in(list(MODIFIER_KEYS)).fill_null(False)
        modifiers = (
            obs.filter(is_mod & (pl.col("value") >= 1))
            .group_by("unit", "indicator")
            .agg(
                (pl.col("key") == "不得分").any().alias("zero"),
                (pl.col("key") == "及格封顶").any().alias("ceil"),
            )
        )
        obs = obs.filter(~is_mod)
    rows = obs.join(table.lazy(), on="indicator", how="inner").with_columns(pl.lit(False).alias("synthetic"))
    if settings.missing == "no_finding" and units is not None:
        rows = pl.concat(
            [rows, _synthetic_rows(marked, units, catalogue, table.lazy(), settings)], how="diagonal_relaxed"
        )

    kinds = list(by_kind)
    fast = [k for k in kinds if REGISTRY[k].single_row]
    slow = [k for k in kinds if not REGISTRY[k].single_row]
    info = table.lazy().select(
        "indicator", "M", "l1", "bounded", "uncapped", "ceiling", "as_penalty", "veto_bit"
    )
    parts: list[pl.LazyFrame] = []
    if fast:
        fast_rows = rows.filter(pl.col("rule").is_in(fast)) if slow else rows
        scored = single_row_points(fast_rows, fast, table.columns)
        parts.append(scored.select(*GROUP, "points") if combining else scored)
    for name in slow:
        # the leaf table's parameter columns belong to the single-row kinds: each kind joins its own
        mine = rows.filter(pl.col("rule") == name).select(pl.exclude("^p_.*$"))
        group = rule_points(mine, REGISTRY[name], by_kind[name])
        parts.append(group if combining else group.join(info, on="indicator", how="left"))
    if not parts:
        return pl.LazyFrame(
            schema={
                "unit": pl.String,
                "indicator": pl.String,
                "l1": pl.UInt16,
                "veto_bit": pl.Int64,
                "points": pl.Int64,
                "major": pl.Int64,
            }
        )
    if combining:
        lf = combine(pl.concat(parts, how="vertical"), settings).join(info, on="indicator", how="left")
    else:
        keep = [
            "unit",
            "indicator",
            "points",
            "M",
            "l1",
            "bounded",
            "uncapped",
            "ceiling",
            "as_penalty",
            "veto_bit",
        ]
        lf = pl.concat([part.select(keep) for part in parts], how="vertical")
    p = pl.col("points")
    if modifiers is not None:
        lf = lf.join(modifiers, on=["unit", "indicator"], how="left").with_columns(
            pl.when(pl.col("zero").fill_null(False))
            .then(0)
            .when(pl.col("ceil").fill_null(False))
            .then(pl.min_horizontal(p, pl.col("ceiling")))
            .otherwise(p)
            .alias("points")
        )
    # the caps, written only for what the catalogue has (a column test per row costs at a million units)
    low = pl.lit(0, pl.Int64) if settings.caps == "node" else None
    capped = p.clip(low, pl.col("M"))
    if not table["bounded"].all():
        capped = pl.when(pl.col("bounded")).then(capped).otherwise(p.clip(low, None))
    final = capped
    major: pl.Expr = pl.lit(0, pl.Int64)
    if table["uncapped"].any():
        final = pl.when(pl.col("uncapped")).then(p.clip(0, pl.col("M"))).otherwise(capped)
        major = pl.when(pl.col("uncapped")).then(pl.min_horizontal(p, pl.lit(0, pl.Int64))).otherwise(0)
    if table["as_penalty"].any():
        # in a penalty section a deducting rule's deduction is the penalty
        final = pl.when(pl.col("as_penalty")).then(pl.col("M") - final).otherwise(final)
    return lf.select(
        "unit",
        "indicator",
        "l1",
        "veto_bit",
        final.cast(pl.Int64).alias("points"),
        major.cast(pl.Int64).alias("major"),
    )


def _synthetic_rows(
    marked: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, table: pl.LazyFrame, settings: Settings
) -> pl.LazyFrame:
    """For ``missing = "no_finding"``: an empty observation for each applicable leaf without rows, in each
    declared period and channel (nothing was found in any of them; a row without a period or channel
    would weigh nothing in their weighted means)."""
    leaves = catalogue.leaf_frame().lazy().select("indicator", "applies")
    grid = (
        units.select(pl.col("code").alias("unit"), "class")
        .join(leaves, how="cross")
        .filter(pl.col("applies").list.len().eq(0) | pl.col("applies").list.contains(pl.col("class")))
        .join(marked.unique(), on=["unit", "indicator"], how="anti")
        .join(table, on="indicator")
        .drop("applies")
        .with_columns(
            pl.lit(None, pl.String).alias("key"),
            pl.lit(None, pl.Float64).alias("value"),
            pl.lit(None, pl.String).alias("text"),
            pl.lit(True).alias("synthetic"),
        )
    )
    for column, declared in (("period", settings.period_weights), ("channel", settings.channel_weights)):
        if declared:
            names = pl.LazyFrame({column: [name for name, _ in declared]}, schema={column: pl.String})
            grid = grid.join(names, how="cross")
        else:
            grid = grid.with_columns(pl.lit(None, pl.String).alias(column))
    return grid

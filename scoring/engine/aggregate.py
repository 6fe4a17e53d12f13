"""Aggregate: leaf points up the tree with caps as declared, not-applicable handling, bonus (cap and
gate), penalty (cap), uncapped major deductions and veto, into an exact per-unit total.

The total is an exact rational ``total_num / total_den`` pico-points: ``den`` is 1 unless a
renormalisation or scale factor applies. Rounding happens once, later, from the rational.
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from scoring.exact import DEN_UNIT, div_round, to_fixed
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.settings import Settings


def _na_frame(na: pl.LazyFrame, catalogue: Catalogue) -> pl.LazyFrame:
    info = catalogue.leaf_frame().lazy().filter(pl.col("role") == "base").select("indicator", "M", "level1")
    return na.select("unit", "indicator").unique().join(info, on="indicator", how="inner")


def _class_tables(catalogue: Catalogue, settings: Settings) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Per class: its max and applicable max (pico); per (class, level1): applicable points and leaf count."""
    classes = []
    per_l1 = []
    kept = _leftover(catalogue, settings)
    for c in settings.classes:
        applicable = [n for n in catalogue.leaves if n.role == "base" and n.applies(c.id)]
        scale = c.scale or Fraction(1)
        classes.append(
            {
                "class": c.id,
                "class_max": to_fixed(c.max_points),
                "class_applicable": sum(n.points_fixed for n in applicable)
                + int(kept.filter(pl.col("class") == c.id)["kept"].sum()),
                "scale_num": scale.numerator,
                "scale_den": scale.denominator,
            }
        )
        under = {l1.id: [n.id for n in catalogue.nodes if n.level1 == l1.id] for l1 in catalogue.level1}
        for l1 in catalogue.level1:
            if l1.role != "base":
                continue
            leaves = [n for n in catalogue.leaves if n.level1 == l1.id]
            per_l1.append(
                {
                    "class": c.id,
                    "level1": l1.id,
                    "l1_points": l1.points_fixed,
                    "l1_applicable": sum(n.points_fixed for n in leaves if n.applies(c.id))
                    + int(
                        kept.filter((pl.col("class") == c.id) & (pl.col("node").is_in(under[l1.id])))[
                            "kept"
                        ].sum()
                    ),
                    "l1_count": sum(1 for n in leaves if n.applies(c.id)),
                }
            )
    return (
        pl.LazyFrame(classes, schema_overrides={"class_max": pl.Int64, "class_applicable": pl.Int64}),
        pl.LazyFrame(
            per_l1, schema_overrides={"l1_points": pl.Int64, "l1_applicable": pl.Int64, "l1_count": pl.Int64}
        ),
    )


def _tree(points: pl.LazyFrame, catalogue: Catalogue, settings: Settings) -> pl.LazyFrame:
    """(unit, level1, part): each level-1 node's points, capped as declared, from the leaves up."""
    nodes = catalogue.nodes
    parent = {n.id: n.parent for n in nodes}
    npoints = {n.id: n.points_fixed for n in nodes}
    level = {n.id: n.level for n in nodes}
    current = points.select("unit", pl.col("indicator").alias("node"), "points")
    depth = catalogue.depth
    clamp_inner = settings.caps == "node" and settings.not_applicable != "redistribute"
    # lift every row one level at a time, from the deepest level to level 1
    for lvl in range(depth, 1, -1):
        at = [n for n in level if level[n] == lvl]
        if not at:
            continue
        lift = pl.LazyFrame({"node": at, "up": [parent[n] for n in at]})
        moved = (
            current.join(lift, on="node", how="inner")
            .group_by("unit", "up")
            .agg(pl.col("points").sum())
            .rename({"up": "node"})
        )
        stay = current.join(lift, on="node", how="anti")
        current = (
            pl.concat([stay, moved], how="vertical").group_by("unit", "node").agg(pl.col("points").sum())
        )
        if clamp_inner and lvl - 1 > 1:
            caps = pl.LazyFrame(
                {
                    "node": [n for n in level if level[n] == lvl - 1],
                    "cap": [npoints[n] for n in level if level[n] == lvl - 1],
                },
                schema_overrides={"cap": pl.Int64},
            )
            current = (
                current.join(caps, on="node", how="left")
                .with_columns(
                    pl.when(pl.col("cap").is_not_null())
                    .then(pl.col("points").clip(0, pl.col("cap")))
                    .otherwise(pl.col("points"))
                    .alias("points")
                )
                .drop("cap")
            )
    l1 = pl.LazyFrame(
        {
            "node": [n.id for n in catalogue.level1],
            "cap": [n.points_fixed if n.has_points else None for n in catalogue.level1],
        },
        schema_overrides={"cap": pl.Int64},
    )
    held = pl.when(pl.col("cap").is_null()).then(pl.col("points").clip(0, None))
    return current.join(l1, on="node", how="inner").select(
        "unit",
        pl.col("node").alias("level1"),
        held.otherwise(pl.col("points").clip(0, pl.col("cap"))).alias("part"),
    )


def _redistribute(
    points: pl.LazyFrame, na: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, l1_table: pl.LazyFrame
) -> pl.LazyFrame:
    """Scale each applicable leaf so the N/A points of its level-1 node are shared evenly (M + Δ/k)."""
    leaf = catalogue.leaf_frame().lazy().select("indicator", "M", "level1", "role")
    explicit = na.group_by("unit", "level1").agg(pl.col("M").sum().alias("na_pts"), pl.len().alias("na_n"))
    per = (
        units.select(pl.col("code").alias("unit"), "class")
        .join(l1_table, on="class")
        .join(explicit, on=["unit", "level1"], how="left")
        .with_columns(pl.col("na_pts").fill_null(0), pl.col("na_n").fill_null(0).cast(pl.Int64))
        .select(
            "unit",
            "level1",
            (pl.col("l1_points") - pl.col("l1_applicable") + pl.col("na_pts")).alias("delta"),
            (pl.col("l1_count") - pl.col("na_n")).alias("k"),
        )
    )
    scaled = (
        points.join(leaf, on="indicator", how="left")
        .join(per, on=["unit", "level1"], how="left")
        .with_columns(pl.col("delta").fill_null(0), pl.col("k").fill_null(1))
    )
    num = pl.col("points").cast(pl.Int128) * (pl.col("M") * pl.col("k") + pl.col("delta"))
    den = (pl.col("M") * pl.col("k")).cast(pl.Int128)
    return scaled.select(
        "unit",
        "indicator",
        "l1",
        "veto_bit",
        pl.when((pl.col("role") == "base") & (pl.col("delta") > 0) & (pl.col("k") > 0))
        .then(div_round(num, den, "half_up"))
        .otherwise(pl.col("points"))
        .cast(pl.Int64)
        .alias("points"),
        "major",
    )


def _simple_tree(catalogue: Catalogue, settings: Settings) -> bool:
    """Whether the level-1 parts are plain sums of capped leaves: no node below level 1 can need its own cap
    (children adding up to more than it, an unbounded leaf under it, or a bonus/penalty/veto subtree)."""
    if settings.not_applicable == "redistribute":
        return False
    if settings.caps == "pooled":
        return True
    by_id = {n.id: n for n in catalogue.nodes}
    for n in catalogue.nodes:
        if n.is_leaf or n.level == 1:
            continue
        kids = catalogue.children(n.id)
        under = [leaf for leaf in catalogue.leaves if n.id in leaf.path]
        if (
            sum(k.points for k in kids) > n.points
            or any(not (leaf.kind and leaf.kind.bounded) for leaf in under)
            or by_id[n.level1].role != "base"
        ):
            return False
    return True


def _veto_reason(catalogue: Catalogue) -> pl.Expr:
    """The names of the veto leaves a unit triggered, from the bit set in ``veto_bits``, in name order."""
    veto = (
        catalogue.leaf_frame()
        .filter(pl.col("veto_bit") > 0)
        .select("name", "veto_bit")
        .sort("name", "veto_bit")
    )
    if veto.is_empty():
        return pl.lit(None, pl.String)
    names = [
        pl.when((pl.col("veto_bits") // bit) % 2 == 1).then(pl.lit(name)) for name, bit in veto.iter_rows()
    ]
    return pl.concat_str(names, separator="；", ignore_nulls=True).replace("", None)


def _parts_by_unit(points: pl.LazyFrame, catalogue: Catalogue, settings: Settings) -> pl.LazyFrame:
    """Per unit: each base level-1 part (capped), bonus_raw, penalty_raw, major, veto and veto_reason.

    A plain catalogue (the usual case) takes one group-by over the leaf rows; otherwise every level is
    summed and capped in turn."""
    level1 = catalogue.level1
    # sums over every leaf row cost at a million units: only those the catalogue can make non-zero
    scored = catalogue.leaf_frame().filter(pl.col("kind_code").is_not_null())
    agg = [
        (pl.col("veto_bit") * (pl.col("points") > 0)).sum().alias("veto_bits")
        if (scored["veto_bit"] > 0).any()
        else pl.lit(0, pl.Int64).alias("veto_bits"),
        pl.col("major").sum() if scored["uncapped"].any() else pl.lit(0, pl.Int64).alias("major"),
    ]
    if _simple_tree(catalogue, settings):
        sums = points.group_by("unit").agg(
            *[
                pl.when(pl.col("l1") == i).then(pl.col("points")).otherwise(0).sum().alias(f"raw:{n.id}")
                for i, n in enumerate(level1)
                if n.role != "veto"
            ],
            *agg,
        )
    else:
        tree = _tree(points, catalogue, settings)
        sums = (
            tree.group_by("unit")
            .agg(
                pl.col("part").filter(pl.col("level1") == n.id).sum().alias(f"raw:{n.id}")
                for n in level1
                if n.role != "veto"
            )
            .join(points.group_by("unit").agg(*agg), on="unit", how="full", coalesce=True)
        )

    def part(n: Node) -> pl.Expr:
        return pl.col(f"raw:{n.id}").fill_null(0).clip(0, n.points_fixed if n.has_points else None)

    def total(role: str) -> pl.Expr:
        chosen = [part(n) for n in level1 if n.role == role]
        return pl.sum_horizontal(chosen) if chosen else pl.lit(0, pl.Int64)

    return sums.select(
        "unit",
        *[part(n).alias(f"part:{n.id}") for n in level1 if n.role == "base"],
        total("base").alias("base_raw"),
        total("bonus").alias("bonus_raw"),
        total("penalty").alias("penalty_raw"),
        pl.col("major").fill_null(0),
        (pl.col("veto_bits").fill_null(0) > 0).alias("veto"),
        _veto_reason(catalogue).alias("veto_reason"),
    )


def _leftover(catalogue: Catalogue, settings: Settings) -> pl.DataFrame:
    """(class, node, l1, kept): what a node keeps of its points for its children without points of their
    own, per class (see :meth:`Catalogue.kept`), pico."""
    l1_index = {n.id: i for i, n in enumerate(catalogue.level1)}
    rows = [
        {"class": c.id, "node": n.id, "l1": l1_index[n.level1], "kept": to_fixed(kept)}
        for n in catalogue.nodes
        for c in settings.classes
        if (kept := catalogue.kept(n, c.id)) > 0
    ]
    return pl.DataFrame(
        rows, schema={"class": pl.String, "node": pl.String, "l1": pl.UInt16, "kept": pl.Int64}
    )


def with_leftover(
    points: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, settings: Settings
) -> pl.LazyFrame:
    """``points`` and, for a section whose leaves have no points of their own, a row per unit with what the
    section keeps (its points less its leaves' declared points): the leaves' deductions come off it."""
    kept = _leftover(catalogue, settings)
    if kept.is_empty():
        return points
    rows = (
        units.select(pl.col("code").alias("unit"), "class")
        .join(kept.lazy(), on="class")
        .select(
            "unit",
            pl.col("node").alias("indicator"),
            "l1",
            pl.lit(0, pl.Int64).alias("veto_bit"),
            pl.col("kept").alias("points"),
            pl.lit(0, pl.Int64).alias("major"),
        )
    )
    return pl.concat([points, rows], how="diagonal_relaxed")


def summed_points(
    points: pl.LazyFrame, na: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, settings: Settings
) -> pl.LazyFrame:
    """The leaves' points as the parts add them up: under ``redistribute`` each applicable leaf scaled to
    its share of the N/A points, otherwise ``points`` as they are."""
    points = with_leftover(points, units, catalogue, settings)
    if settings.not_applicable != "redistribute":
        return points
    _, l1_table = _class_tables(catalogue, settings)
    return _redistribute(points, _na_frame(na, catalogue), units, catalogue, l1_table)


def base_factor(settings: Settings) -> tuple[pl.Expr, pl.Expr]:
    """The factor on the base as (f_num, f_den), Int128: the class maximum over the unit's applicable
    maximum (columns ``class_max``, ``applicable_max``, in 10⁻⁴ points), the class's scale (``scale_num``,
    ``scale_den``), or 1."""
    unit_den = pl.lit(DEN_UNIT, pl.Int64)
    if settings.not_applicable in ("renormalise", "redistribute"):
        f_num = pl.col("class_max") // unit_den
        f_den = pl.max_horizontal(pl.col("applicable_max") // unit_den, pl.lit(1, pl.Int64))
    elif settings.not_applicable == "scale":
        f_num, f_den = pl.col("scale_num"), pl.col("scale_den")
    else:
        f_num, f_den = pl.lit(1, pl.Int64), pl.lit(1, pl.Int64)
    return f_num.cast(pl.Int128), f_den.cast(pl.Int128)


def counted_bonus(bonus: pl.Expr, base_num: pl.Expr, den: pl.Expr, settings: Settings) -> pl.Expr:
    """The bonus that counts: held to ``[bonus] cap``, and 0 unless the base (``base_num / den``, pico)
    passes the gate."""
    if settings.bonus_cap is not None:
        bonus = pl.min_horizontal(bonus, pl.lit(to_fixed(settings.bonus_cap), pl.Int64))
    if settings.bonus_gate is not None:
        gate = pl.lit(to_fixed(settings.bonus_gate), pl.Int128) * den
        passes = base_num >= gate if settings.bonus_gate_inclusive else base_num > gate
        bonus = pl.when(passes).then(bonus).otherwise(0)
    return bonus


def total_num(
    base_num: pl.Expr, den: pl.Expr, bonus: pl.Expr, penalty: pl.Expr, settings: Settings
) -> pl.Expr:
    """The total's numerator over ``den``: base, bonus, penalty and the major deductions (column ``major``),
    floored at 0; a veto's fixed score, or no total under ``stop`` (column ``veto``)."""
    adjust = (bonus - penalty + pl.col("major")).cast(pl.Int128) * den
    num = pl.max_horizontal(base_num + adjust, pl.lit(0, pl.Int128))
    if settings.veto_action == "fixed_score":
        return (
            pl.when(pl.col("veto"))
            .then(pl.lit(to_fixed(settings.veto_score), pl.Int128) * den)
            .otherwise(num)
        )
    if settings.veto_action == "stop":
        return pl.when(pl.col("veto")).then(None).otherwise(num)
    return num


def aggregate_units(
    points: pl.LazyFrame,
    na: pl.LazyFrame,
    units: pl.LazyFrame,
    catalogue: Catalogue,
    settings: Settings,
    *,
    accounts: bool = False,
) -> pl.LazyFrame:
    """One row per unit: parts, base, bonus, penalty, major, veto and the exact total as num/den.

    ``points``: (unit, indicator, points, major) from :func:`scoring.engine.points.leaf_points`;
    ``na``: (unit, indicator) marked not applicable; ``units``: (code, name, class). With ``accounts``
    the frame also keeps ``applicable_raw``: the applicable points of the unit's base leaves before any
    conversion (what the ledger accounts from, see :mod:`scoring.engine.accounts`).
    """
    class_table, l1_table = _class_tables(catalogue, settings)
    na_base = _na_frame(na, catalogue)
    points = summed_points(points, na, units, catalogue, settings)

    base_l1 = [n.id for n in catalogue.level1 if n.role == "base"]
    wide = _parts_by_unit(points, catalogue, settings)
    parts = wide.unpivot(
        on=[f"part:{l1}" for l1 in base_l1], index="unit", variable_name="level1", value_name="part"
    ).with_columns(pl.col("level1").str.strip_prefix("part:"))
    na_sum = na_base.group_by("unit").agg(pl.col("M").sum().alias("na_max"))

    lf = (
        units.select(pl.col("code").alias("unit"), "name", "class")
        .join(class_table, on="class", how="left")
        .join(wide, on="unit", how="left")
        .join(na_sum, on="unit", how="left")
        .with_columns(
            pl.col(c).fill_null(0)
            for c in [
                *(f"part:{l1}" for l1 in base_l1),
                "base_raw",
                "bonus_raw",
                "penalty_raw",
                "major",
                "na_max",
            ]
        )
        .with_columns(
            pl.col("veto").fill_null(False),
            (pl.col("class_applicable") - pl.col("na_max")).alias("applicable_max"),
            (pl.col("class_applicable") - pl.col("na_max")).alias("applicable_raw"),
        )
    )
    if settings.not_applicable == "redistribute":
        # a level-1 node with every leaf N/A has nothing to share with: its points leave the maximum
        empty = (
            l1_table.join(units.select(pl.col("code").alias("unit"), "class"), on="class")
            .join(
                na_base.group_by("unit", "level1").agg(pl.len().alias("na_n")),
                on=["unit", "level1"],
                how="left",
            )
            .filter(pl.col("l1_count") - pl.col("na_n").fill_null(0) <= 0)
            .group_by("unit")
            .agg(pl.col("l1_points").sum().alias("lost_max"))
        )
        lf = lf.join(empty, on="unit", how="left").with_columns(
            (pl.col("class_max") - pl.col("lost_max").fill_null(0)).alias("applicable_max")
        )

    # the factor F = f_num / f_den applied to the base
    f_num, f_den = base_factor(settings)
    lf = lf.with_columns(f_num.alias("f_num"), f_den.alias("f_den"))
    base_num = pl.col("base_raw").cast(pl.Int128) * pl.col("f_num")
    den = pl.col("f_den")

    bonus = counted_bonus(pl.col("bonus_raw"), base_num, den, settings)
    penalty = pl.col("penalty_raw")
    if settings.penalty_cap is not None:
        penalty = pl.min_horizontal(penalty, pl.lit(to_fixed(settings.penalty_cap), pl.Int64))
    lf = lf.with_columns(bonus.cast(pl.Int64).alias("bonus"), penalty.cast(pl.Int64).alias("penalty"))
    num = total_num(base_num, den, pl.col("bonus"), pl.col("penalty"), settings)
    unit_max = pl.col("applicable_max") if settings.not_applicable == "reduce_max" else pl.col("class_max")

    fail_share = settings.section_fail_share
    if fail_share is not None:
        # a base level-1 part under the share of its applicable points fails the unit
        na_l1 = na_base.group_by("unit", "level1").agg(pl.col("M").sum().alias("na_pts"))
        failing = (
            units.select(pl.col("code").alias("unit"), "class")
            .join(l1_table, on="class")
            .join(na_l1, on=["unit", "level1"], how="left")
            .join(parts, on=["unit", "level1"], how="left")
            .with_columns(
                (pl.col("l1_applicable") - pl.col("na_pts").fill_null(0)).alias("app"),
                pl.col("part").fill_null(0),
            )
            .filter(
                (pl.col("app") > 0)
                & (
                    pl.col("part").cast(pl.Int128) * fail_share.denominator
                    < pl.col("app").cast(pl.Int128) * fail_share.numerator
                )
            )
            .group_by("unit")
            .agg(
                pl.lit(True).alias("section_fail"),
                pl.col("level1").sort().str.join(",").alias("failed_parts"),
            )
        )
        lf = lf.join(failing, on="unit", how="left").with_columns(
            pl.col("section_fail").fill_null(False), pl.col("failed_parts").fill_null("")
        )
    else:
        lf = lf.with_columns(pl.lit(False).alias("section_fail"), pl.lit("").alias("failed_parts"))
    return lf.with_columns(
        num.alias("total_num"),
        den.alias("total_den"),
        base_num.alias("base_num"),
        unit_max.alias("max"),
    ).select(
        "unit",
        "name",
        "class",
        *(f"part:{l1}" for l1 in base_l1),
        "base_raw",
        "applicable_max",
        "base_num",
        "bonus_raw",
        "bonus",
        "penalty_raw",
        "penalty",
        "major",
        "veto",
        "veto_reason",
        "section_fail",
        "failed_parts",  # the base level-1 parts under the section-fail share, ids joined by ","
        "total_num",
        "total_den",
        "max",
        *(["applicable_raw"] if accounts else []),
    )


def plain_parts(catalogue: Catalogue, settings: Settings) -> bool:
    """Whether each level-1 part is the plain sum of its leaves' points, capped at the part (no node below
    level 1 caps anything): then the leaves' points may be summed per level-1 node before aggregating."""
    return _simple_tree(catalogue, settings)

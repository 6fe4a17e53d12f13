"""The ledger's account lines: what stands between the leaves' lines and a unit's total.

The leaves' lines of the ledger (失分, 加分, 扣分项) say what each indicator lost or credited on its own. The
total also depends on what happens above the leaves: a section floored at 0 (扣完为止) or held at its points,
a base converted by the 得分率 or a declared factor, bonus and penalty capped or gated, a total floored at 0,
a veto's fixed score. Each of these is a line here, with its signed ``change`` to the total, so that for every
unit scored::

    max + Σ change over all its ledger lines = its total (to 10⁻¹² points, the base rounded half up there)

``max`` is the unit's maximum (the class's, or under ``reduce_max`` its applicable points). A unit vetoed
under ``stop`` has no total and no account lines.
"""

from __future__ import annotations

import polars as pl

from scoring.engine.aggregate import aggregate_units, summed_points, with_leftover
from scoring.exact import SCALE, div_round, to_fixed
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings

ACCOUNT_KINDS = ("扣完为止", "封顶", "折算", "加分封顶", "加分门槛", "扣分封顶", "总分保底", "否决定分")
"""The kinds of the account lines, as the ledger prints them."""


def amount_text(pico: pl.Expr) -> pl.Expr:
    """An amount of pico-points as the rubric writes it: 5, 2.5, 0.075 (no trailing zeros)."""
    whole = (pico.abs() // SCALE).cast(pl.String)
    frac = (pico.abs() % SCALE).cast(pl.String).str.zfill(12).str.strip_chars_end("0")
    sign = pl.when(pico < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, whole, pl.when(frac != "").then(pl.lit(".") + frac).otherwise(pl.lit("")))


def _line(
    unit_rows: pl.LazyFrame, change: pl.Expr, kind: str, name: pl.Expr, rubric: pl.Expr, indicator: pl.Expr
) -> pl.LazyFrame:
    """One account line per unit where ``change`` is not zero."""
    return (
        unit_rows.with_columns(change.cast(pl.Int64).alias("change"))
        .filter(pl.col("change") != 0)
        .select(
            "unit",
            indicator.cast(pl.String).alias("indicator"),
            name.cast(pl.String).alias("name"),
            pl.lit(kind).alias("kind"),
            rubric.cast(pl.String).alias("rubric"),
            "change",
        )
    )


def account_lines(
    points: pl.LazyFrame, na: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, settings: Settings
) -> pl.LazyFrame:
    """(unit, indicator, name, kind, rubric, change): the account lines of every unit (see the module).

    ``points``: the leaves' points (:func:`scoring.engine.points.leaf_points`); ``na``: (unit, indicator)
    marked not applicable; ``units``: (code, name, class)."""
    totals = aggregate_units(points, na, units, catalogue, settings, accounts=True)
    if settings.veto_action == "stop":
        totals = totals.filter(~pl.col("veto"))
    totals = totals.cache()  # every line reads it: computed once
    level1 = catalogue.level1
    l1_info = pl.LazyFrame(
        {
            "l1": list(range(len(level1))),
            "level1": [n.id for n in level1],
            "l1_name": [n.name for n in level1],
            "l1_role": [n.role for n in level1],
            "l1_points": [n.points_fixed for n in level1],
        },
        schema_overrides={"l1": pl.UInt16, "l1_points": pl.Int64},
    )
    summed = (
        summed_points(points, na, units, catalogue, settings)
        .group_by("unit", "l1")
        .agg(pl.col("points").sum().alias("summed"))
        .join(l1_info, on="l1")
        .cache()
    )
    raw = (
        with_leftover(points, units, catalogue, settings)
        .join(l1_info.select("l1", "l1_role"), on="l1")
        .filter(pl.col("l1_role") == "base")
        .group_by("unit")
        .agg(pl.col("points").sum().alias("raw_points"))
    )
    lines: list[pl.LazyFrame] = []

    # a base level-1 part held within [0, its points] (扣完为止 / 封顶), at the node or anywhere below it
    base_l1 = [n for n in level1 if n.role == "base"]
    if base_l1:
        parts = totals.unpivot(
            on=[f"part:{n.id}" for n in base_l1], index="unit", variable_name="level1", value_name="part"
        ).with_columns(pl.col("level1").str.strip_prefix("part:"))
        held = parts.join(summed.select("unit", "level1", "summed"), on=["unit", "level1"], how="left").join(
            l1_info.select("level1", "l1_name", "l1_points"), on="level1"
        )
        gap = pl.col("summed").fill_null(0) - pl.col("part")
        points_text = amount_text(pl.col("l1_points"))
        lines.append(
            _line(
                held.filter(gap < 0),
                -gap,
                "扣完为止",
                pl.col("l1_name"),
                pl.format("{}（{}分）扣分以本项分值为限，扣完为止", pl.col("l1_name"), points_text),
                pl.col("level1"),
            )
        )
        lines.append(
            _line(
                held.filter(gap > 0),
                -gap,
                "封顶",
                pl.col("l1_name"),
                pl.format("{}得分以本项分值（{}分）为限", pl.col("l1_name"), points_text),
                pl.col("level1"),
            )
        )

    # the base converted: 得分率, a declared factor, N/A points shared out
    base_pico = div_round(pl.col("base_num"), pl.col("total_den"), "half_up").cast(pl.Int64)
    base_summed = (
        summed.filter(pl.col("l1_role") == "base")
        .group_by("unit")
        .agg(pl.col("summed").sum().alias("summed"))
    )
    unit_rows = totals.join(raw, on="unit", how="left").join(base_summed, on="unit", how="left").cache()
    gain = pl.col("summed").fill_null(0) - pl.col("raw_points").fill_null(0)  # redistribution's own gain
    conversion = (
        pl.col("max") - base_pico - pl.col("applicable_raw") + pl.col("base_raw") - gain
    )  # lost: what the leaves and the held parts do not account for
    method = settings.not_applicable
    if method == "renormalise":
        name, rubric = (
            pl.lit("按得分率折算"),
            pl.format(
                "适用指标满分{}分，得分按得分率折算为{}分制",
                amount_text(pl.col("applicable_raw")),
                amount_text(pl.col("max")),
            ),
        )
    elif method == "scale":
        name, rubric = pl.lit("按系数折算"), pl.lit("基础得分按本类单位的折算系数折算")
    else:
        name, rubric = (
            pl.lit("不适用指标分值调剂"),
            pl.lit("不适用指标的分值由同一一级指标下的适用指标分担，按得分率折算"),
        )
    lines.append(_line(unit_rows, -conversion, "折算", name, rubric, pl.lit(None, pl.String)))

    # bonus and penalty: the nodes' points, the declared caps, the gate
    for role, word, verb in (("bonus", "加分", "加"), ("penalty", "扣分", "扣")):
        nodes = [n for n in level1 if n.role == role]
        if not nodes:
            continue
        credited = (
            summed.filter(pl.col("l1_role") == role)
            .group_by("unit")
            .agg(pl.col("summed").sum().alias(f"{role}_summed"))
        )
        rows = unit_rows.join(credited, on="unit", how="left")
        sign = 1 if role == "bonus" else -1
        node_gap = pl.col(f"{role}_summed").fill_null(0) - pl.col(f"{role}_raw")
        node_names = "、".join(f"{n.name}最多{verb}{n.points}分" for n in nodes if n.has_points)
        lines.append(
            _line(
                rows,
                -sign * node_gap,
                f"{word}封顶",
                pl.lit("、".join(n.name for n in nodes)),
                pl.lit(node_names),
                pl.lit(nodes[0].id if len(nodes) == 1 else None, pl.String),
            )
        )
        cap = settings.bonus_cap if role == "bonus" else settings.penalty_cap
        capped = pl.col(f"{role}_raw")
        if cap is not None:
            capped = pl.min_horizontal(capped, pl.lit(to_fixed(cap), pl.Int64))
            lines.append(
                _line(
                    rows,
                    -sign * (pl.col(f"{role}_raw") - capped),
                    f"{word}封顶",
                    pl.lit(f"{word}项合计封顶"),
                    pl.lit(f"{word}项合计最多{verb}{cap}分"),
                    pl.lit(None, pl.String),
                )
            )
        if role == "bonus" and settings.bonus_gate is not None:
            reached = "达到" if settings.bonus_gate_inclusive else "高于"
            lines.append(
                _line(
                    rows,
                    -(capped - pl.col("bonus")),
                    "加分门槛",
                    pl.lit("加分门槛"),
                    pl.lit(f"基础得分{reached}{settings.bonus_gate}分的方可加分"),
                    pl.lit(None, pl.String),
                )
            )

    # the total floored at 0, then a veto's fixed score
    before = base_pico + pl.col("bonus") - pl.col("penalty") + pl.col("major")
    floored = pl.max_horizontal(before, pl.lit(0, pl.Int64))
    lines.append(
        _line(
            unit_rows,
            floored - before,
            "总分保底",
            pl.lit("总分保底"),
            pl.lit("总分最低为0分"),
            pl.lit(None, pl.String),
        )
    )
    if settings.veto_action == "fixed_score":
        fixed = pl.lit(to_fixed(settings.veto_score), pl.Int64)
        lines.append(
            _line(
                unit_rows.filter(pl.col("veto")),
                fixed - floored,
                "否决定分",
                pl.lit("一票否决"),
                pl.lit(f"一票否决的，总分按{settings.veto_score}分计"),
                pl.lit(None, pl.String),
            )
        )
    return pl.concat(lines, how="vertical")

"""The runs of ``score stability`` on the usual catalogue, at scale: where each level-1 part is the plain
sum of its leaves capped at the part (:func:`scoring.engine.aggregate.plain_parts`) and only base parts
hold judgement leaves, a run changes a unit's total only through those parts. Their sums are taken from
the draws (one vectorised reduction), everything else comes from :func:`aggregate_units` of the published
points once per unit, and the totals follow the aggregation's rules (factor, bonus cap and gate, penalty,
major deductions, veto, section fail) as columns of the runs × units frame, ranked and graded by the
engine's :func:`rank_units` and :func:`grade_units` with the run as a key.

``tests/engine/test_stability.py`` holds this path equal, run by run, to every run scored through
:func:`aggregate_units` itself, under each aggregation option; a catalogue outside its scope takes that
path instead.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scoring.engine.aggregate import aggregate_units, base_factor, counted_bonus, plain_parts, total_num
from scoring.engine.grade import grade_units
from scoring.engine.perturb import RUN, Perturbation, draws
from scoring.engine.rank import rank_units
from scoring.exact import SCALE, to_fixed
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings


def plain_supported(moving: pl.DataFrame, catalogue: Catalogue, settings: Settings) -> bool:
    """Whether the runs can be summed by part: plain parts, and every moving leaf in a base part."""
    if not plain_parts(catalogue, settings) or settings.not_applicable == "redistribute":
        return False
    roles = [n.role for n in catalogue.level1]
    return all(roles[i] == "base" for i in moving["l1"].unique().to_list())


def _part_sums(
    points: pl.DataFrame, moving: pl.DataFrame, index: pl.DataFrame, catalogue: Catalogue
) -> pl.DataFrame:
    """Per unit ``u`` and base level-1 part: the points of its leaves that do not move (``raw:<i>``)."""
    base = [i for i, n in enumerate(catalogue.level1) if n.role == "base"]
    fixed = points.join(moving.select("unit", "indicator"), on=["unit", "indicator"], how="anti")
    sums = (
        fixed.filter(pl.col("l1").is_in(base))
        .group_by("unit")
        .agg(pl.col("points").filter(pl.col("l1") == i).sum().alias(f"raw:{i}") for i in base)
    )
    return index.join(sums, on="unit", how="left").with_columns(pl.col(f"raw:{i}").fill_null(0) for i in base)


def _applicable(
    units: pl.DataFrame, observations: pl.LazyFrame, catalogue: Catalogue, parts: list[int]
) -> pl.DataFrame:
    """Per unit and base part: its applicable points for the unit (the part's leaves that apply to the
    unit's class, less those marked N/A), ``app:<i>``, as the section-fail rule reads them."""
    leaves = catalogue.leaf_frame().filter(pl.col("role") == "base").select("indicator", "M", "l1", "applies")
    per_class = (
        units.select(pl.col("code").alias("unit"), "class")
        .join(leaves, how="cross")
        .filter(pl.col("applies").list.len().eq(0) | pl.col("applies").list.contains(pl.col("class")))
    )
    schema = observations.collect_schema()
    na = (
        (observations.filter(pl.col("na")) if "na" in schema else observations.head(0))
        .select("unit", "indicator")
        .unique()
        .collect()
    )
    applicable = per_class.join(na, on=["unit", "indicator"], how="anti")
    return (
        units.select(pl.col("code").alias("unit"))
        .join(
            applicable.group_by("unit").agg(
                pl.col("M").filter(pl.col("l1") == i).sum().alias(f"app:{i}") for i in parts
            ),
            on="unit",
            how="left",
        )
        .with_columns(pl.col(f"app:{i}").fill_null(0) for i in parts)
    )


def plain_runs(
    points: pl.DataFrame,
    moving: pl.DataFrame,
    observations: pl.LazyFrame,
    units: pl.DataFrame,
    index: pl.DataFrame,
    catalogue: Catalogue,
    settings: Settings,
    perturbation: Perturbation,
) -> pl.LazyFrame:
    """As :func:`scoring.engine.stability.perturbed_runs`, for a catalogue :func:`plain_supported` takes."""
    n_units = units.height
    level1 = catalogue.level1
    base = [i for i, n in enumerate(level1) if n.role == "base"]
    cap = {i: level1[i].points_fixed for i in base}
    varying = sorted(set(moving["l1"].to_list()))
    steady = [i for i in base if i not in varying]

    # the moving leaves' new points, summed per (unit, part) for every run: one reduction over the draws
    new = np.clip(
        moving["points"].to_numpy()[None, :] + draws(perturbation, moving.height),
        moving["lo"].to_numpy()[None, :],
        moving["hi"].to_numpy()[None, :],
    )
    all_runs = new.shape[0]
    u = moving["u"].to_numpy()
    l1 = moving["l1"].to_numpy()
    columns: dict[str, np.ndarray] = {
        RUN: np.repeat(np.arange(all_runs, dtype=np.int32), n_units),
        "u": np.tile(np.arange(n_units, dtype=np.int64), all_runs),
    }
    for i in varying:
        mine = np.flatnonzero(l1 == i)
        summed = np.zeros((all_runs, n_units), dtype=np.int64)
        if mine.size:
            starts = np.flatnonzero(np.r_[True, u[mine][1:] != u[mine][:-1]])
            summed[:, u[mine][starts]] = np.add.reduceat(new[:, mine], starts, axis=1)
        columns[f"moved:{i}"] = summed.reshape(-1)
    frame = pl.DataFrame(columns)

    # what a run does not change, per unit, from the aggregation of the published points
    na = observations.filter(pl.col("na")) if "na" in observations.collect_schema() else observations.head(0)
    published = aggregate_units(
        points.lazy(), na.select("unit", "indicator"), units.lazy(), catalogue, settings
    )
    classes = pl.LazyFrame(
        {
            "class": [c.id for c in settings.classes],
            "class_max": [to_fixed(c.max_points) for c in settings.classes],
            "scale_num": [(c.scale.numerator if c.scale else 1) for c in settings.classes],
            "scale_den": [(c.scale.denominator if c.scale else 1) for c in settings.classes],
        },
        schema_overrides={"class_max": pl.Int64},
    )
    f_num, f_den = base_factor(settings)
    constants = (
        published.select("unit", "class", "applicable_max", "bonus_raw", "penalty", "major", "veto")
        .join(classes, on="class", how="left")
        .with_columns(f_num.alias("f_num"), f_den.alias("f_den"))
        .join(_part_sums(points, moving, index, catalogue).lazy(), on="unit")
        .join(_applicable(units, observations, catalogue, base).lazy(), on="unit")
        .collect()
    )
    share = settings.section_fail_share

    def fails(part: pl.Expr, i: int) -> pl.Expr:
        if share is None:
            return pl.lit(False)
        app = pl.col(f"app:{i}")
        return (app > 0) & (part.cast(pl.Int128) * share.denominator < app.cast(pl.Int128) * share.numerator)

    def part(i: int) -> pl.Expr:
        raw = pl.col(f"raw:{i}") + (pl.col(f"moved:{i}") if i in varying else 0)
        return raw.clip(0, cap[i])

    steady_parts = pl.sum_horizontal([part(i) for i in steady]) if steady else pl.lit(0, pl.Int64)
    steady_fail = pl.any_horizontal([fails(part(i), i) for i in steady]) if steady else pl.lit(False)
    per_unit = constants.select(
        "u",
        "class",
        "bonus_raw",
        "penalty",
        "major",
        "veto",
        "f_num",
        "f_den",
        *(f"raw:{i}" for i in varying),
        *(f"app:{i}" for i in varying),
        steady_parts.alias("steady_parts"),
        steady_fail.alias("steady_fail"),
    )

    moved_parts = pl.sum_horizontal([part(i) for i in varying]) if varying else pl.lit(0, pl.Int64)
    base_raw = pl.col("steady_parts") + moved_parts
    base_num = base_raw.cast(pl.Int128) * pl.col("f_num")
    den = pl.col("f_den")
    bonus = counted_bonus(pl.col("bonus_raw"), base_num, den, settings)
    num = total_num(base_num, den, bonus, pl.col("penalty"), settings)
    failing = pl.col("steady_fail")
    if varying:
        failing = failing | pl.any_horizontal([fails(part(i), i) for i in varying])

    totals = (
        frame.lazy()
        .join(per_unit.lazy(), on="u", how="left")
        .select(
            RUN,
            "u",
            "class",
            "veto",
            failing.alias("section_fail"),
            num.alias("total_num"),
            den.alias("total_den"),
        )
    )
    graded = grade_units(rank_units(totals, settings, within=(RUN,)), settings, within=(RUN,))
    return graded.select(
        pl.col(RUN).cast(pl.Int64),
        pl.col("u").cast(pl.UInt32),
        "rank",
        "grade",
        (pl.col("total_num").cast(pl.Float64) / pl.col("total_den").cast(pl.Float64) / SCALE).alias("total"),
        "total_printed",
    )

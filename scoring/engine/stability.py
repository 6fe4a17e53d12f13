"""Rank stability: every judgement input perturbed at random, many runs scored at once, and per unit how
far its rank and grade move.

A judgement input (a leaf whose rule takes points an assessor enters: ``judgement``) carries a real spread
between assessors. Each run draws, for every judgement leaf of every unit, a change uniform within
``±amplitude`` points, clips the leaf's points to its declared range (``lo``–``hi``), and scores the year
again. All runs are one frame keyed by (run, unit), and nothing loops over runs or units in Python: on a
plain catalogue the runs' parts are summed from the draws (:mod:`scoring.engine.stability_plain`);
otherwise the leaves that do not move are summed once per unit and node and the frame of runs × units goes
through the engine's own aggregation. Either way ranks and grades come from :func:`rank_units` and
:func:`grade_units` with ``run`` as an extra key.

Per unit: the published rank, the 5th–95th percentile rank over the runs, the share of runs whose grade
differs from the published one, the distance from its total to the nearest other total of its class and
to the nearest grade bound, and the smallest change of its total its own judgement inputs can make that
changes its place (two extra runs: every judgement input at its lowest and at its highest).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scoring.engine.aggregate import aggregate_units, plain_parts
from scoring.engine.grade import grade_units
from scoring.engine.perturb import RUN, Perturbation, draws, moving_leaves
from scoring.engine.rank import rank_units
from scoring.engine.stability_plain import plain_runs, plain_supported
from scoring.exact import SCALE
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings
from scoring.spec.year import as_rows

LOW_QUANTILE, HIGH_QUANTILE = 0.05, 0.95


def _collapsed(constant: pl.LazyFrame, catalogue: Catalogue, settings: Settings) -> pl.LazyFrame:
    """The leaves that do not move, summed per unit and level-1 node when the parts are plain sums, else
    per unit and parent node: a row at the parent is summed with the parent's moving children and capped
    at the parent as the leaves would be, so the totals are those of the leaves one by one. Veto leaves
    stay as they are (their bits); under ``redistribute`` every leaf does (its points are rescaled leaf by
    leaf)."""
    if settings.not_applicable == "redistribute":
        return constant
    if plain_parts(catalogue, settings):  # one row per level-1 node: its part is a plain sum
        parent = {n.id: n.level1 for n in catalogue.leaves}
    else:
        parent = {n.id: n.parent for n in catalogue.leaves if n.parent is not None}
    movable = (pl.col("veto_bit") == 0) & pl.col("indicator").is_in(list(parent))
    summed = (
        constant.filter(movable)
        .with_columns(pl.col("indicator").replace_strict(parent, default=None))
        .group_by("unit", "indicator", "l1")
        .agg(pl.col("points").sum(), pl.col("major").sum())
        .with_columns(pl.lit(0, pl.Int64).alias("veto_bit"))
    )
    cols = ["unit", "indicator", "l1", "veto_bit", "points", "major"]
    return pl.concat([summed.select(cols), constant.filter(~movable).select(cols)], how="vertical_relaxed")


def perturbed_runs(
    points: pl.DataFrame,
    observations: pl.LazyFrame,
    units: pl.DataFrame,
    catalogue: Catalogue,
    settings: Settings,
    perturbation: Perturbation,
    *,
    through_aggregation: bool = False,
) -> pl.LazyFrame:
    """Every run scored: (run, u, rank, grade, total, total_printed) for ``runs`` random runs, then run
    ``runs`` with every judgement input at its lowest and run ``runs + 1`` at its highest; ``u`` numbers
    the roster's units in order.

    ``points``: the leaves' points of the published result (``Result.points``: the unit and indicator as
    Enums or as text, taken through ``as_rows``); ``observations``: the scoring rows (for N/A and
    modifiers); ``units``: the roster (code, name, class).

    Where the level-1 parts are plain sums and only base parts move, the runs' parts are summed from the
    draws directly and their totals taken from the parts (:mod:`scoring.engine.stability_plain`); otherwise,
    or with ``through_aggregation``, every run goes through :func:`aggregate_units` (the reference the
    plain path is tested against)."""
    points = as_rows(points).collect()
    index = pl.DataFrame({"unit": units["code"], "u": pl.int_range(units.height, dtype=pl.Int64, eager=True)})
    moving = moving_leaves(points, observations, index, catalogue)
    if not through_aggregation and plain_supported(moving, catalogue, settings):
        return plain_runs(points, moving, observations, units, index, catalogue, settings, perturbation)
    return _aggregated_runs(points, moving, observations, units, index, catalogue, settings, perturbation)


def _aggregated_runs(
    points: pl.DataFrame,
    moving: pl.DataFrame,
    observations: pl.LazyFrame,
    units: pl.DataFrame,
    index: pl.DataFrame,
    catalogue: Catalogue,
    settings: Settings,
    perturbation: Perturbation,
) -> pl.LazyFrame:
    """The runs × units frame through :func:`aggregate_units`, :func:`rank_units` and :func:`grade_units`
    with (run, unit) as the unit's key."""
    n_units = units.height
    constant = points.lazy().join(
        moving.lazy().select("unit", "indicator"), on=["unit", "indicator"], how="anti"
    )
    base = _collapsed(constant, catalogue, settings).join(index.lazy(), on="unit").drop("unit")
    n_moving = moving.height
    change = draws(perturbation, n_moving)
    all_runs = change.shape[0]
    delta = pl.DataFrame(
        {
            RUN: np.repeat(np.arange(all_runs, dtype=np.int64), n_moving),
            "j": np.tile(np.arange(n_moving, dtype=np.int64), all_runs),
            "delta": change.reshape(-1),
        }
    )
    moved = (
        delta.lazy()
        .join(moving.with_row_index("j").with_columns(pl.col("j").cast(pl.Int64)).lazy(), on="j")
        .select(
            (pl.col(RUN) * n_units + pl.col("u")).alias("key"),
            "indicator",
            "l1",
            "veto_bit",
            (pl.col("points") + pl.col("delta")).clip(pl.col("lo"), pl.col("hi")).alias("points"),
            "major",
        )
    )
    run_ids = pl.LazyFrame({RUN: pl.int_range(all_runs, dtype=pl.Int64, eager=True)})
    fixed = base.join(run_ids, how="cross").select(
        (pl.col(RUN) * n_units + pl.col("u")).alias("key"), "indicator", "l1", "veto_bit", "points", "major"
    )
    all_points = pl.concat([fixed, moved], how="vertical_relaxed").rename({"key": "unit"})
    roster = (
        index.lazy()
        .join(units.lazy().select(pl.col("code").alias("unit"), "class"), on="unit")
        .join(run_ids, how="cross")
        .select(
            (pl.col(RUN) * n_units + pl.col("u")).alias("code"),
            pl.lit(None, pl.String).alias("name"),
            "class",
        )
    )
    schema = observations.collect_schema()
    na = (
        (observations.filter(pl.col("na")) if "na" in schema else observations.head(0))
        .select("unit", "indicator")
        .join(index.lazy(), on="unit")
        .join(run_ids, how="cross")
        .select((pl.col(RUN) * n_units + pl.col("u")).alias("unit"), "indicator")
    )
    totals = aggregate_units(all_points, na, roster, catalogue, settings).with_columns(
        (pl.col("unit") // n_units).alias(RUN), (pl.col("unit") % n_units).alias("u")
    )
    graded = grade_units(rank_units(totals, settings, within=(RUN,)), settings, within=(RUN,))
    return graded.select(
        RUN,
        pl.col("u").cast(pl.UInt32),
        "rank",
        "grade",
        (pl.col("total_num").cast(pl.Float64) / pl.col("total_den").cast(pl.Float64) / SCALE).alias("total"),
        "total_printed",
    )


def _key_points(settings: Settings) -> pl.Expr:
    """A unit's total on the rank basis, in points."""
    if settings.rank_basis == "printed":
        return pl.col("total_printed").cast(pl.Float64) / float(10**settings.places)
    return pl.col("total_exact").cast(pl.Float64)


def _grade_points(settings: Settings) -> pl.Expr:
    if settings.grade_basis == "printed":
        return pl.col("total_printed").cast(pl.Float64) / float(10**settings.places)
    return pl.col("total_exact").cast(pl.Float64)


def _step(settings: Settings, basis: str) -> float:
    """The smallest change a basis shows: one printed place, or (exact) a pico-point."""
    return 10.0**-settings.places if basis == "printed" else 1.0 / SCALE


def _neighbour_gaps(published: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Per ranked unit: the gap (points, rank basis) up to the next higher total and down to the next lower
    total of its class (among the units ranked with it), null where there is none."""
    ranked = published.filter(pl.col("rank").is_not_null()).with_columns(_key_points(settings).alias("k"))
    group = ["class", "veto"] if settings.veto_placement != "in_place" else ["class"]
    distinct = (
        ranked.select(*group, "k")
        .unique()
        .sort([*group, "k"])
        .with_columns(
            pl.col("k").shift(-1).over(group).alias("k_up"), pl.col("k").shift(1).over(group).alias("k_down")
        )
    )
    return ranked.join(distinct, on=[*group, "k"], how="left").select(
        "unit",
        (pl.col("k_up") - pl.col("k")).alias("gap_up"),
        (pl.col("k") - pl.col("k_down")).alias("gap_down"),
    )


def _grade_gaps(settings: Settings) -> tuple[pl.Expr, pl.Expr]:
    """The change up to the next band's bound and down to just below the band reached (points), on each
    class's own bounds (bands given as shares of the class maximum differ by class); none without grades."""
    up: pl.Expr = pl.lit(None, pl.Float64)
    down: pl.Expr = pl.lit(None, pl.Float64)
    if not settings.graded:
        return up, down
    g = _grade_points(settings)
    step = _step(settings, settings.grade_basis)
    by_class = {c: sorted(float(t) for _, t in settings.band_thresholds(c)) for c in settings.class_ids}

    def bound(i: int) -> pl.Expr:
        """The i-th lowest bound of the unit's class."""
        values = {c: bounds[i] for c, bounds in by_class.items()}
        if len(set(values.values())) == 1:
            return pl.lit(next(iter(values.values())))
        return pl.col("class").cast(pl.String).replace_strict(values, return_dtype=pl.Float64)

    for i in reversed(range(len(settings.bands))):  # the lowest bound above the total
        up = pl.when(g < bound(i)).then(bound(i) - g).otherwise(up)
    for i in range(len(settings.bands)):  # the highest bound at or below the total
        down = pl.when(g >= bound(i)).then(g - bound(i) + step).otherwise(down)
    return up, down
    g = _grade_points(settings)
    step = _step(settings, settings.grade_basis)
    by_class = {c: sorted(float(t) for _, t in settings.band_thresholds(c)) for c in settings.class_ids}
    for i in range(len(settings.bands)):
        values = {c: bounds[i] for c, bounds in by_class.items()}
        b = (
            pl.lit(next(iter(values.values())))
            if len(set(values.values())) == 1
            else pl.col("class").cast(pl.String).replace_strict(values, return_dtype=pl.Float64)
        )
        up = pl.when(g < b).then(b - g).otherwise(up) if i == 0 else up
        down = pl.when(g >= b).then(g - b + step).otherwise(down)
    for i in reversed(range(len(settings.bands))):  # the lowest bound above the total
        values = {c: bounds[i] for c, bounds in by_class.items()}
        b = (
            pl.lit(next(iter(values.values())))
            if len(set(values.values())) == 1
            else pl.col("class").cast(pl.String).replace_strict(values, return_dtype=pl.Float64)
        )
        up = pl.when(g < b).then(b - g).otherwise(up)
    return up, down


def summarise(
    runs: pl.LazyFrame,
    published: pl.DataFrame,
    roster: pl.DataFrame,
    settings: Settings,
    perturbation: Perturbation,
) -> pl.LazyFrame:
    """Per unit, in published order: unit, name, class, rank, grade, total, rank_lo, rank_hi (5th–95th
    percentile over the runs), p_grade_change, gap (to the nearest other total of its class; 0 when
    tied), grade_gap (to the nearest grade bound), margin (the smallest change of its total its own
    judgement inputs can make that changes its rank: ties with or passes a neighbour, or breaks its tie;
    null when they cannot), fragile_rank / fragile_grade (gap or grade_gap under the declared margin).

    ``published``: the result's units (unit, name, class, rank, grade, tied, veto, total_printed,
    total_exact); ``roster``: the units in the order :func:`perturbed_runs` numbered them."""
    n = perturbation.runs
    idx = roster.select(pl.col("code").alias("unit")).with_row_index("u")
    pub = published.lazy().with_row_index("order").join(idx.lazy(), on="unit")
    random = runs.filter(pl.col(RUN) < n).join(pub.select("u", pl.col("grade").alias("published")), on="u")
    spread = random.group_by("u").agg(
        pl.col("rank").quantile(LOW_QUANTILE, "lower").cast(pl.Int64).alias("rank_lo"),
        pl.col("rank").quantile(HIGH_QUANTILE, "higher").cast(pl.Int64).alias("rank_hi"),
        (pl.col("grade") != pl.col("published")).mean().alias("p_grade_change"),
    )
    extremes = (
        runs.filter(pl.col(RUN) >= n)
        .group_by("u")
        .agg(
            pl.col("total").filter(pl.col(RUN) == n).first().alias("total_low"),
            pl.col("total").filter(pl.col(RUN) == n + 1).first().alias("total_high"),
        )
    )
    step_rank = _step(settings, settings.rank_basis)
    tolerance = 0.5 / SCALE
    reach_up = pl.col("total_high") - pl.col("total_exact") + tolerance
    reach_down = pl.col("total_exact") - pl.col("total_low") + tolerance
    rank_up = pl.when(pl.col("gap_up") <= reach_up).then(pl.col("gap_up"))
    rank_down = pl.when(pl.col("gap_down") <= reach_down).then(pl.col("gap_down"))
    tie_break = pl.when(pl.lit(step_rank) <= pl.max_horizontal(reach_up, reach_down)).then(pl.lit(step_rank))
    grade_up, grade_down = _grade_gaps(settings)
    margin = float(settings.stability.margin)
    graded_by_band = ~pl.col("veto") & (pl.col("grade") == pl.col("band"))
    return (
        pub.join(spread, on="u", how="left")
        .join(extremes, on="u", how="left")
        .join(_neighbour_gaps(published.lazy(), settings), on="unit", how="left")
        .with_columns(
            pl.when(pl.col("tied"))
            .then(0.0)
            .otherwise(pl.min_horizontal("gap_up", "gap_down"))
            .round(6)
            .alias("gap"),
            pl.when(pl.col("rank").is_null())
            .then(None)
            .when(pl.col("tied"))
            .then(tie_break)
            .otherwise(pl.min_horizontal(rank_up, rank_down))
            .round(6)
            .alias("margin"),
            pl.when(graded_by_band).then(pl.min_horizontal(grade_up, grade_down)).round(6).alias("grade_gap"),
            pl.col("p_grade_change").fill_null(0.0),
        )
        .with_columns(
            (pl.col("gap") < margin).fill_null(False).alias("fragile_rank"),
            (pl.col("grade_gap") < margin).fill_null(False).alias("fragile_grade"),
        )
        .sort("order")
        .select(
            "unit",
            "name",
            "class",
            "rank",
            "grade",
            "total",
            "rank_lo",
            "rank_hi",
            "p_grade_change",
            "margin",
            "gap",
            "grade_gap",
            "fragile_rank",
            "fragile_grade",
        )
    )

"""Grade: bands with inclusive lower bounds on printed or exact totals, optional quotas per class with a
declared rule for ties at the boundary; a veto or a failed section makes the unit 不合格 whatever else."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scoring.exact import to_fixed
from scoring.spec.expr import first_match
from scoring.spec.settings import Settings


def band(settings: Settings, basis: str | None = None) -> pl.Expr:
    """The band a unit's total reaches, on ``basis`` (printed or exact; default the declared grade basis),
    before quotas, veto and section rules."""
    basis = basis or settings.grade_basis
    cases = []
    for b in settings.bands:
        if basis == "printed":
            bound = pl.lit(int(b.min_points.scaleb(settings.places).to_integral_value()), pl.Int64)
            cond = pl.col("total_printed") >= bound
        else:
            cond = pl.col("total_num") >= pl.lit(to_fixed(b.min_points), pl.Int128) * pl.col("total_den")
        cases.append((cond, pl.lit(b.name)))
    return first_match(cases, pl.lit(settings.fail_grade))


def grade_units(units: pl.LazyFrame, settings: Settings, within: Sequence[str] = ()) -> pl.LazyFrame:
    """Adds ``band`` (by the bands alone) and ``grade`` (after quotas, veto and section rules).

    A quota keeps a grade for at most ``share × class size`` (rounded down) units of the class, in rank
    order; ``ties = "exclude"`` demotes a tie that straddles the limit as a whole, ``"include"`` keeps it.
    Demoted units take the next grade down. Quotas count within each class and, when given, each value of
    the ``within`` columns (as :func:`scoring.engine.rank.rank_units`).
    """
    by = ["class", *within]
    fail = settings.fail_grade
    lf = units.with_columns(band(settings).alias("band")).with_columns(pl.col("band").alias("quota_grade"))
    names = [b.name for b in settings.bands] + [fail]
    for q in settings.quotas:
        lower = names[min(names.index(q.grade) + 1, len(names) - 1)]
        size = pl.col("rank_key").is_not_null().sum().over(by)  # every scored unit, vetoed too
        limit = (size.cast(pl.Int64) * q.share.numerator) // q.share.denominator
        in_grade = pl.col("quota_grade") == q.grade
        seat = pl.when(in_grade).then(pl.col("rank_key")).rank("min", descending=True).over(by)
        tie = pl.len().over([*by, "rank_key"])
        last_seat = seat + tie - 1 if q.ties == "exclude" else seat
        lf = lf.with_columns(
            pl.when(in_grade & (last_seat > limit))
            .then(pl.lit(lower))
            .otherwise(pl.col("quota_grade"))
            .alias("quota_grade")
        )
    return lf.with_columns(
        pl.when(pl.col("veto") | pl.col("section_fail") | pl.col("total_num").is_null())
        .then(pl.lit(fail))
        .otherwise(pl.col("quota_grade"))
        .alias("grade")
    ).drop("quota_grade")

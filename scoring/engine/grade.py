"""Grade: bands with inclusive lower bounds on printed or exact totals, optional quotas per class with a
declared rule for ties at the boundary; a veto or a failed section makes the unit 不合格 whatever else."""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from scoring.exact import SCALE
from scoring.spec.expr import first_match
from scoring.spec.settings import Settings


def _per_class(values: dict[str, int], dtype: pl.DataType) -> pl.Expr:
    """A value by the unit's class: a literal when every class has the same one."""
    if len(set(values.values())) == 1:
        return pl.lit(next(iter(values.values())), dtype)
    return pl.col("class").replace_strict(values, return_dtype=dtype)


def band(settings: Settings, basis: str | None = None) -> pl.Expr:
    """The band a unit's total reaches, on ``basis`` (printed or exact; default the declared grade basis),
    before quotas, veto and section rules. A band's bound is inclusive and, for bands given as shares,
    the share of the unit's class maximum, exactly: on the printed total the lowest printed value at or
    above it (⌈t × 10^places⌉), on the exact total ``total_num / total_den ≥ t`` in integers."""
    basis = basis or settings.grade_basis
    if settings.graded:
        return _band(settings, basis)
    return pl.lit(None, pl.String)  # a year without grades


def _band(settings: Settings, basis: str) -> pl.Expr:
    ids = settings.class_ids
    lines = {c: dict(settings.band_thresholds(c)) for c in ids}
    cases = []
    for b in settings.bands:
        t = {c: lines[c][b.name] for c in ids}
        if basis == "printed":
            step = 10**settings.places
            bound = _per_class({c: math.ceil(v * step) for c, v in t.items()}, pl.Int64())
            cond = pl.col("total_printed") >= bound
        else:
            # total_num / total_den is in pico-points: total_num · den ≥ num · SCALE · total_den
            num = _per_class({c: v.numerator * SCALE for c, v in t.items()}, pl.Int128())
            den = _per_class({c: v.denominator for c, v in t.items()}, pl.Int128())
            cond = pl.col("total_num").cast(pl.Int128) * den >= num * pl.col("total_den")
        cases.append((cond, pl.lit(b.name)))
    return first_match(cases, pl.lit(settings.fail_grade))


def grade_units(units: pl.LazyFrame, settings: Settings, within: Sequence[str] = ()) -> pl.LazyFrame:
    """Adds ``band`` (by the bands alone) and ``grade`` (after quotas, veto and section rules); both null
    throughout in a year without grades.

    A quota keeps a grade for at most ``share × class size`` (rounded down) units of the class, in rank
    order; ``ties = "exclude"`` demotes a tie that straddles the limit as a whole, ``"include"`` keeps it.
    Demoted units take the next grade down. Quotas count within each class and, when given, each value of
    the ``within`` columns (as :func:`scoring.engine.rank.rank_units`).
    """
    if settings.graded:
        return _grade(units, settings, within)
    # a year without grades: the columns stay, empty
    return units.with_columns(pl.lit(None, pl.String).alias("band"), pl.lit(None, pl.String).alias("grade"))


def _grade(units: pl.LazyFrame, settings: Settings, within: Sequence[str]) -> pl.LazyFrame:
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

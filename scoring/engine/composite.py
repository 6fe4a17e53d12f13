"""A composite result: e.g. a county's score as 6:3:1 of its own score, its townships' average and its
departments' average. Computed exactly from the published (printed) totals, as offices do by hand, and
rounded once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl

from scoring.errors import ScoringError
from scoring.exact import parse_fraction, round_fraction
from scoring.spec.settings import Settings

OWN = "own"


@dataclass(frozen=True)
class Composite:
    exact: Fraction
    total: Decimal  # rounded to the settings' places and mode
    components: dict[str, Fraction]  # each component's value before weighting


def composite_score(
    units: pl.DataFrame,
    weights: Mapping[str, Fraction | str | int],
    settings: Settings,
    own_total: Decimal | str | None = None,
) -> Composite:
    """Σ weight × component / Σ weights, where a component is a class id (the average printed total of that
    class's scored units) or ``"own"`` (``own_total``, e.g. the county government's own score)."""
    parsed: dict[str, Fraction] = {}
    for key, w in weights.items():
        f = w if isinstance(w, Fraction) else parse_fraction(str(w))
        if f is None or f < 0:
            raise ScoringError(f"权重 {key}={w} 应为非负数")
        parsed[key] = f
    if sum(parsed.values()) <= 0:
        raise ScoringError("权重之和应大于0")
    scale = 10**settings.places
    sums = (
        units.filter(pl.col("total_printed").is_not_null())
        .group_by("class")
        .agg(pl.col("total_printed").cast(pl.Int128).sum().alias("s"), pl.len().alias("n"))
    )
    by_class = {r["class"]: Fraction(int(r["s"]), int(r["n"]) * scale) for r in sums.to_dicts()}
    components: dict[str, Fraction] = {}
    for key in parsed:
        if key == OWN:
            if own_total is None:
                raise ScoringError("权重含 own 时须给出本级得分")
            components[key] = Fraction(Decimal(str(own_total)))
        elif key in by_class:
            components[key] = by_class[key]
        else:
            raise ScoringError(f"单位类别 {key} 没有已计分的单位")
    exact = sum((parsed[k] * components[k] for k in parsed), Fraction(0)) / sum(parsed.values())
    total = round_fraction(exact, settings.places, settings.rounding)
    return Composite(exact, total, components)

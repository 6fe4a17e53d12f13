"""The perturbation of the judgement inputs shared by both ways of scoring the runs: which leaves move,
which of their (unit, leaf) points are held, and the draws of every run from the seed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import polars as pl

from scoring.exact import to_fixed
from scoring.spec.catalogue import Catalogue
from scoring.spec.rules import MODIFIER_KEYS

RUN = "run"


@dataclass(frozen=True)
class Perturbation:
    """How the runs differ: ``runs`` runs, each judgement input within ± ``judgement`` points, from
    ``seed``."""

    runs: int
    judgement: Decimal
    seed: int


def judgement_leaves(catalogue: Catalogue) -> pl.DataFrame:
    """The leaves whose input is points an assessor enters, in base or bonus sections, with their range
    (``lo``, ``hi`` in pico-points): the inputs that carry judgement."""
    rows = []
    for n in catalogue.leaves:
        kind = n.kind
        if kind is None or kind.input.name != "points" or n.role not in ("base", "bonus"):
            continue
        lo, hi = kind.input.bounds_for(n.params, n.points_fixed)
        rows.append(
            (
                n.id,
                to_fixed(lo) if lo is not None else 0,
                to_fixed(hi) if hi is not None else n.points_fixed,
            )
        )
    return pl.DataFrame(rows, schema={"indicator": pl.String, "lo": pl.Int64, "hi": pl.Int64}, orient="row")


def held(observations: pl.LazyFrame) -> pl.LazyFrame:
    """(unit, indicator) whose points a modifier decides (不得分, 及格封顶): not perturbed."""
    if "key" not in observations.collect_schema():
        return pl.LazyFrame(schema={"unit": pl.String, "indicator": pl.String})
    return (
        observations.filter(pl.col("key").is_in(list(MODIFIER_KEYS)) & (pl.col("value") >= 1))
        .select("unit", "indicator")
        .unique()
    )


def draws(perturbation: Perturbation, n: int) -> np.ndarray:
    """The change of each of ``n`` judgement leaves in every run (pico-points), shape (runs + 2, n): the
    random runs from the seed's PCG64 stream, then a run far below and one far above every range (clipped
    to the lowest and the highest)."""
    amplitude = to_fixed(perturbation.judgement)
    rng = np.random.default_rng(perturbation.seed)
    random = np.rint(rng.uniform(-1.0, 1.0, size=(perturbation.runs, n)) * amplitude).astype(np.int64)
    extremes = np.stack([np.full(n, -(2**61)), np.full(n, 2**61)]).astype(np.int64)
    return np.concatenate([random, extremes])


def moving_leaves(
    points: pl.DataFrame, observations: pl.LazyFrame, index: pl.DataFrame, catalogue: Catalogue
) -> pl.DataFrame:
    """The (unit, judgement leaf) points that move, with the unit's number ``u``, the leaf's range and
    level-1 node ``l1``, in (u, indicator) order: the order of :func:`draws`' columns."""
    return (
        points.lazy()
        .join(judgement_leaves(catalogue).lazy(), on="indicator", how="inner")
        .join(held(observations), on=["unit", "indicator"], how="anti")
        .join(index.lazy(), on="unit")
        .sort("u", "indicator")
        .collect()
    )

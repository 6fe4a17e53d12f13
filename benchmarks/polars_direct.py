"""Side-by-side: the reference workload as one hand-written polars query with the engine's arithmetic
(points in integer pico-points, the total as the exact rational base·F + bonus − penalty, rounded half to
even from the rational) — what the engine's plan could cost if it did not group by (unit, leaf).

    python -m benchmarks.polars_direct --in DIR --out FILE [--float]

``--float`` runs the very same query in Float64 points, as WORKLOAD.md states the arithmetic (and as the
DuckDB query does): the difference between the two is what exactness costs on the ranking path.

Specific to the workload's rule kinds (binary, ratio, per_occurrence, tiered, count_capped, veto), one
observation row per (unit, leaf), a depth-2 catalogue and ``renormalise``; the catalogue and its
parameters come from the engine (:func:`benchmarks.workload.build`), so the numbers are the engine's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from benchmarks.cli import in_out_main
from benchmarks.workload import CATEGORY_POINTS, build

PICO = 10**12
DEN_UNIT = 10**8  # 10⁻⁴ points, as scoring.exact.DEN_UNIT
RULES = ("binary", "ratio", "per_occurrence", "tiered", "count_capped", "veto")
NO_CAP = 2**62


def query(in_dir: str | Path, *, exact: bool = True) -> pl.LazyFrame:
    d = Path(in_dir)
    # exact: integer pico-points; otherwise Float64 points (a pico amount divided by 10¹²)
    amount = pl.Int64() if exact else pl.Float64()

    def pts(fixed: int) -> int | float:
        return fixed if exact else fixed / PICO

    catalogue, settings = build(pl.read_parquet(d / "indicators.parquet"))
    leaves = catalogue.leaves
    ids = [n.id for n in leaves]
    leaf_t = pl.Enum(ids)
    level1 = [n.id for n in catalogue.level1]

    def per_leaf(values: list[int | float | None], dtype: pl.DataType) -> pl.Expr:
        """A per-leaf constant gathered for each row by the leaf's Enum index."""
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("leaf").to_physical())

    def tier(i: int, what: int) -> list[int | float | None]:
        out: list[int | float | None] = []
        for n in leaves:
            tiers = n.params.get("tiers") or ()
            if i >= len(tiers):
                out.append(None)
            elif what == 0:
                out.append(float(tiers[i][0]))
            else:
                out.append(pts(int(n.points_fixed * tiers[i][1])))
        return out

    rule = per_leaf([RULES.index(n.rule or "") for n in leaves], pl.UInt8())
    m = per_leaf([pts(n.points_fixed) for n in leaves], amount)
    per = per_leaf([pts(int(n.params.get("per", 0))) for n in leaves], amount)
    cap = per_leaf(
        [
            pts(int(n.params.get("cap", n.points_fixed if n.rule == "count_capped" else NO_CAP)))
            for n in leaves
        ],
        amount,
    )
    l1 = per_leaf([level1.index(n.level1) for n in leaves], pl.UInt8())
    v = pl.col("value")
    n_items = v.cast(pl.Int64) if exact else v
    tiered: pl.Expr = pl.lit(pts(0), amount)
    for i in (2, 1, 0):  # from the lowest tier up, so the highest reached wins
        tiered = (
            pl.when(v >= per_leaf(tier(i, 0), pl.Float64()))
            .then(per_leaf(tier(i, 1), amount))
            .otherwise(tiered)
        )
    ratio = (m.cast(pl.Float64) * v.clip(0.0, 1.0)).round(0).cast(pl.Int64) if exact else m * v.clip(0.0, 1.0)
    points = (
        pl.when(rule == RULES.index("ratio"))
        .then(ratio)
        .when(rule == RULES.index("per_occurrence"))
        .then(m - pl.min_horizontal(per * n_items, cap))
        .when(rule == RULES.index("tiered"))
        .then(tiered)
        .when(rule == RULES.index("count_capped"))
        .then(pl.min_horizontal(per * n_items, cap))
        .otherwise(pl.when(v >= 1).then(m).otherwise(pts(0)))  # binary, veto
        .clip(pts(0), m)
    )

    def part(ix: int) -> pl.Expr:
        return pl.when(pl.col("l1") == ix).then(pl.col("points")).otherwise(pts(0)).sum()

    roles = {n.id: n.role for n in catalogue.level1}
    caps = {n.id: pts(n.points_fixed) for n in catalogue.level1}
    base_ids = [x for x in level1 if roles[x] == "base"]
    by_role = {r: next(x for x in level1 if roles[x] == r) for r in ("bonus", "penalty", "veto")}
    per_unit = (
        pl.scan_parquet(d / "observations.parquet")
        .select(pl.col("unit_id"), pl.col("indicator_id").cast(leaf_t).alias("leaf"), "value")
        .select("unit_id", points.alias("points"), l1.alias("l1"))
        .group_by("unit_id")
        .agg(
            *(part(level1.index(x)).clip(pts(0), caps[x]).alias(x) for x in base_ids),
            part(level1.index(by_role["bonus"])).clip(pts(0), caps[by_role["bonus"]]).alias("bonus"),
            part(level1.index(by_role["penalty"])).clip(pts(0), caps[by_role["penalty"]]).alias("penalty"),
            (part(level1.index(by_role["veto"])) > 0).alias("veto"),
        )
    )
    app = [
        sum(n.points_fixed for n in leaves if n.role == "base" and n.applies(c)) for c in settings.class_ids
    ]
    applicable = pl.LazyFrame({"unit_class": settings.class_ids, "app": app})
    assert settings.bonus_cap is not None and settings.penalty_cap is not None
    scale = 10**settings.places
    if exact:
        bonus = pl.min_horizontal("bonus", int(settings.bonus_cap) * PICO)
        penalty = pl.min_horizontal("penalty", int(settings.penalty_cap) * PICO)
        f_num = 100 * PICO // DEN_UNIT
        f_den = (pl.col("app") // DEN_UNIT).cast(pl.Int128)
        base_raw = pl.sum_horizontal(base_ids).cast(pl.Int128)
        adjust = (bonus - penalty).cast(pl.Int128) * f_den
        num = pl.max_horizontal(base_raw * f_num + adjust, pl.lit(0, pl.Int128))
        den = f_den * 10 ** (12 - settings.places)
        q = num // den
        twice = (num - q * den) * 2
        printed = (q + ((twice > den) | ((twice == den) & (q % 2 != 0))).cast(pl.Int128)).cast(pl.Int64)
        total_raw = num.cast(pl.Float64) / (f_den.cast(pl.Float64) * PICO)
        parts = [(pl.col(c).cast(pl.Float64) / PICO).alias(c) for c in CATEGORY_POINTS]
        total = (pl.col("printed").cast(pl.Float64) / scale).round(settings.places)
    else:  # WORKLOAD.md's floats: 100·base/applicable + bonus − penalty, clipped, rounded half to even
        raw = (
            100 * pl.sum_horizontal(base_ids) / (pl.col("app") / PICO)
            + pl.min_horizontal("bonus", float(settings.bonus_cap))
            - pl.min_horizontal("penalty", float(settings.penalty_cap))
        )
        total_raw = raw.clip(0.0, 105.0)
        total = pl.col("total_raw").round(settings.places, mode="half_to_even")
        printed = (total * scale).round(0).cast(pl.Int64)
        parts = [pl.col(c) for c in CATEGORY_POINTS]
    grade: pl.Expr = pl.lit(settings.fail_grade)
    for b in reversed(settings.bands):
        grade = pl.when(pl.col("printed") >= int(b.min_points * scale)).then(pl.lit(b.name)).otherwise(grade)
    grade = pl.when(pl.col("veto")).then(pl.lit(settings.fail_grade)).otherwise(grade)
    return (
        pl.scan_parquet(d / "units.parquet")
        .select("unit_id", "unit_class")
        .join(per_unit, on="unit_id", how="left")
        .join(applicable, on="unit_class", how="left")
        .with_columns(total_raw.alias("total_raw"))
        .with_columns(printed.alias("printed"))
        .select(
            "unit_id",
            "unit_class",
            *parts,
            "total_raw",
            total.alias("total"),
            pl.col("printed").rank("min", descending=True).over("unit_class").cast(pl.Int64).alias("rank"),
            grade.alias("grade"),
        )
        .sort("unit_class", "rank", "unit_id")
    )


def run(in_dir: str | Path, out: str | Path, *, exact: bool = True) -> None:
    query(in_dir, exact=exact).sink_parquet(out)


def run_float(in_dir: str | Path, out: str | Path) -> None:
    run(in_dir, out, exact=False)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    exact = "--float" not in args
    rest = [a for a in args if a != "--float"]
    in_out_main(run if exact else run_float, "python -m benchmarks.polars_direct", rest)


if __name__ == "__main__":
    main()

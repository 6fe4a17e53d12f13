"""Rank stability at scale: the shipped 2021 year copied to N units (each copy's judgement inputs moved
at random within their range, so totals differ), then ``runs`` perturbed runs scored at once.

    python -m benchmarks.stability --units 10000 --runs 1000           # time and peak memory
    python -m benchmarks.stability --units 10000 --runs 1000 --keep DIR # keep the generated year

The reference workload (``gen.py``) has no judgement leaves, so this benchmark makes its own year. The
figure printed is the wall time of scoring the runs and summarising them (the year is read and scored
once beforehand, as ``score stability`` does) and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from scoring.engine.compute import compute
from scoring.engine.perturb import Perturbation, judgement_leaves
from scoring.engine.stability import perturbed_runs, summarise
from scoring.run.inputs import RunSpec, load
from scoring.spec.year import as_rows

ROOT = Path(__file__).resolve().parents[1]


def scaled_year(units: int, out: Path, seed: int = 7) -> Path:
    """``out/indicators/2021`` and ``out/data/2021``: 2021's catalogue and ``units`` units, copies of the
    30 shipped ones with their judgement inputs redrawn within range; returns ``out``."""
    shutil.copytree(ROOT / "indicators" / "2021", out / "indicators" / "2021", dirs_exist_ok=True)
    data = out / "data" / "2021"
    data.mkdir(parents=True, exist_ok=True)
    roster = pl.read_csv(ROOT / "data" / "2021" / "units.csv", infer_schema_length=0)
    rows = pl.read_csv(ROOT / "data" / "2021" / "assessments.csv", infer_schema_length=0)
    copies = -(-units // roster.height)
    suffix = pl.Series("copy", [f"{i:05d}" for i in range(copies)])
    big_roster = (
        roster.join(suffix.to_frame(), how="cross")
        .with_columns(
            (pl.col("code") + "_" + pl.col("copy")).alias("code"),
            (pl.col("name") + "（" + pl.col("copy") + "）").alias("name"),
        )
        .sort("copy", "code")
        .head(units)
    )
    ranges = pl.read_csv(ROOT / "indicators" / "2021" / "indicators.csv", infer_schema_length=0)
    judged = set(ranges.filter(pl.col("rule") == "judgement")["id"].to_list())
    big = rows.join(suffix.to_frame(), how="cross").with_columns(
        (pl.col("unit") + "_" + pl.col("copy")).alias("unit")
    )
    big = big.join(big_roster.select(pl.col("code").alias("unit")), on="unit", how="semi")
    rng = np.random.default_rng(seed)
    jitter = pl.Series(rng.uniform(-0.4, 0.4, big.height).round(2))
    value = pl.col("value").cast(pl.Float64, strict=False)
    big = big.with_columns(
        pl.when(pl.col("indicator").is_in(list(judged)) & value.is_not_null())
        .then((value + jitter).round(2).cast(pl.String).fill_null(pl.col("value")))
        .otherwise(pl.col("value"))
        .alias("value")
    )
    # within each leaf's declared range (lo–hi)
    bounds = {"C2.2": (0.0, 3.0), "D2.2": (0.0, 2.0), "E1.2": (0.5, 1.5)}
    for leaf, (lo, hi) in bounds.items():
        big = big.with_columns(
            pl.when(pl.col("indicator") == leaf)
            .then(value.clip(lo, hi).round(2).cast(pl.String).fill_null(pl.col("value")))
            .otherwise(pl.col("value"))
            .alias("value")
        )
    big_roster.drop("copy").write_csv(data / "units.csv")
    big.drop("copy").write_csv(data / "assessments.csv")
    return out


def run(
    root: Path, runs: int, judgement: str = "0.5", seed: int = 1, through_aggregation: bool = False
) -> dict[str, float]:
    """Load and score the year once, then time the runs and the summary (``through_aggregation``: every
    run through ``aggregate_units``, the reference path, instead of the plain path)."""
    t0 = time.perf_counter()
    a = load(RunSpec.for_year(2021, root / "indicators" / "2021", root / "data" / "2021"))
    result = compute(a)
    t1 = time.perf_counter()
    p = Perturbation(runs, Decimal(judgement), seed)
    obs = as_rows(a.observations)
    scored = perturbed_runs(
        result.points if result.points is not None else pl.DataFrame(),
        obs,
        a.units,
        a.catalogue,
        a.settings,
        p,
        through_aggregation=through_aggregation,
    )
    summary = summarise(scored, result.units, a.units, a.settings, p).collect(engine="streaming")
    t2 = time.perf_counter()
    assert summary.height == a.units.height
    return {
        "units": float(a.units.height),
        "judgement_leaves": float(judgement_leaves(a.catalogue).height),
        "runs": float(runs),
        "load_and_score_s": t1 - t0,
        "stability_s": t2 - t1,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--keep", type=Path, default=None, help="generate the year here and keep it")
    ap.add_argument(
        "--through-aggregation", action="store_true", help="every run through aggregate_units (reference)"
    )
    args = ap.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-stability."))
    try:
        if not (root / "data" / "2021" / "units.csv").exists():
            scaled_year(args.units, root)
        figures = run(root, args.runs, through_aggregation=args.through_aggregation)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(
        " | ".join(
            f"{k} {v:.2f}" if isinstance(v, float) and not v.is_integer() else f"{k} {v:.0f}"
            for k, v in figures.items()
        )
    )


if __name__ == "__main__":
    main()

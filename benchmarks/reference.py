"""Score one generated folder of the reference workload and write the output Parquet of WORKLOAD.md.

    python -m benchmarks.reference --in DIR --out FILE [--enum] [--materialize] [--time]

Output: one row per unit ordered by (unit_class, rank, unit_id) with columns unit_id, unit_class,
C1..C6 (level-1 parts, points as floats), total_raw (the exact total as a float), total (the printed
total, half to even at 2 places), rank (competition, within the class) and grade.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from benchmarks.workload import CATEGORY_POINTS, Workload, load
from scoring import score

PICO = 1e12


def results(w: Workload) -> pl.LazyFrame:
    """The workload's output columns from the engine's per-unit results, in published order."""
    lf = score(w.observations, w.units, w.catalogue, w.settings)
    scale = 10**w.settings.places
    return lf.select(
        pl.col("unit").cast(pl.String).alias("unit_id"),
        pl.col("class").cast(pl.String).alias("unit_class"),
        *((pl.col(f"part:{c}").cast(pl.Float64) / PICO).alias(c) for c in CATEGORY_POINTS),
        (pl.col("total_num").cast(pl.Float64) / (pl.col("total_den").cast(pl.Float64) * PICO))
        .alias("total_raw"),
        # x / scale in polars multiplies by the reciprocal (78.85 → 78.85000000000001); rounding the
        # quotient to the printed places gives the double nearest the printed decimal
        (pl.col("total_printed").cast(pl.Float64) / scale).round(w.settings.places).alias("total"),
        pl.col("rank").cast(pl.Int64),
        pl.col("grade").cast(pl.String),
    )


def run(in_dir: str | Path, out: str | Path, *, categorical: bool = False, materialize: bool = False) -> None:
    """Read, score, rank and write one folder."""
    results(load(in_dir, categorical=categorical, materialize=materialize)).sink_parquet(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.reference", description=__doc__.splitlines()[0])
    ap.add_argument("--in", dest="in_dir", required=True, help="folder written by gen.py")
    ap.add_argument("--out", required=True, help="output Parquet file")
    ap.add_argument("--enum", action="store_true", help="unit ids as an Enum (slower: the cast costs more)")
    ap.add_argument("--materialize", action="store_true", help="read the observations into memory first")
    ap.add_argument("--time", action="store_true", help="print the scoring time to stderr")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    run(a.in_dir, a.out, categorical=a.enum, materialize=a.materialize)
    if a.time:
        import sys

        print(f"scored {a.in_dir} in {time.perf_counter() - t0:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

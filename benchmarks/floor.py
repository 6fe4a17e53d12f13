"""Side-by-side: the floor of the workload — read the observations once, one pass (a per-unit sum),
write one row per unit. Nothing can score the workload faster than this on the same machine.

    python -m benchmarks.floor --in DIR --out FILE
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl


def run(in_dir: str | Path, out: str | Path) -> None:
    # lazily, so the streaming engine runs it (an eager DataFrame.group_by is ~6x slower on polars 2.1)
    obs = pl.scan_parquet(Path(in_dir) / "observations.parquet")
    obs.group_by("unit_id").agg(pl.col("value").sum()).sink_parquet(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    ap.add_argument("--in", dest="in_dir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    run(a.in_dir, a.out)


if __name__ == "__main__":
    main()

"""Side-by-side: the floor of the workload — read the observations once, one pass (a per-unit sum),
write one row per unit. Nothing can score the workload faster than this on the same machine.

    python -m benchmarks.floor --in DIR --out FILE
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from benchmarks.cli import in_out_main


def run(in_dir: str | Path, out: str | Path) -> None:
    # lazily, so the streaming engine runs it (an eager DataFrame.group_by is ~6x slower on polars 2.1)
    obs = pl.scan_parquet(Path(in_dir) / "observations.parquet")
    obs.group_by("unit_id").agg(pl.col("value").sum()).sink_parquet(out)


def main(argv: list[str] | None = None) -> None:
    in_out_main(run, "python -m benchmarks.floor", argv)


if __name__ == "__main__":
    main()

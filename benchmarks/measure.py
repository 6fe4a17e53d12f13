"""Measure whole fresh processes (interpreter start and imports included), as WORKLOAD.md does:
median and min wall time of ``--repeat`` runs and the peak RSS, per way of doing the job and size.

    python -m benchmarks.measure --sizes 100000,1000000 --repeat 3 \\
        [--ways engine,polars_direct,polars_direct_float,duckdb,floor]

Data come from ``$ZWGK_BENCH_CACHE`` (default ``~/.cache/zwgk-bench/u{N}_s42``), generated if missing.
Uses ``/usr/bin/time`` for the peak RSS (Linux). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WAYS = {
    "engine": "benchmarks.reference",
    "engine_enum": "benchmarks.reference --enum",
    "engine_materialized": "benchmarks.reference --materialize",
    "polars_direct": "benchmarks.polars_direct",
    "polars_direct_float": "benchmarks.polars_direct --float",
    "duckdb": "benchmarks.duckdb_reference",
    "floor": "benchmarks.floor",
}
ROOT = Path(__file__).resolve().parents[1]


def one(way: str, folder: Path, out: Path, timeout: float) -> tuple[float, int] | None:
    """(wall seconds, peak RSS KiB) of one fresh process, or None if it failed or timed out."""
    module, *extra = WAYS[way].split()
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", module,
           "--in", str(folder), "--out", str(out), *extra]
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return None
    wall, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.measure")
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--ways", default="engine,polars_direct,polars_direct_float,duckdb,floor")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    a = ap.parse_args(argv)
    from benchmarks.test_bench import dataset  # generation, cached

    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| way | units | median s | min s | peak RSS MiB | runs |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in a.sizes.split(",")):
            folder = dataset(size)
            for way in a.ways.split(","):
                runs = []
                for i in range(a.repeat):
                    r = one(way, folder, Path(tmp) / f"{way}_{size}_{i}.parquet", a.timeout)
                    if r is None:
                        break
                    runs.append(r)
                if not runs:
                    print(f"| {way} | {size} | failed/timeout | | | 0 |", flush=True)
                    continue
                walls = [w for w, _ in runs]
                peak = max(m for _, m in runs) / 1024
                print(f"| {way} | {size} | {statistics.median(walls):.2f} | {min(walls):.2f} | {peak:.0f} | "
                      f"{len(runs)} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()

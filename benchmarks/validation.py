"""Reading and validating a year (``load_year``) and ``score compute``, side by side for two versions of
the package, in whole fresh processes: median and min wall time of ``--repeat`` runs and the peak RSS.

    python -m benchmarks.validation --before main --sizes 10000,100000 --repeat 5 [--ways load_year,compute]

``--before`` is any git revision: its ``scoring`` package is exported (``git archive``) to a temporary
folder and imported from there; ``--after`` (default: this working tree). The runs alternate between the
versions, so a machine that gets busier part-way through weighs on both alike. The years come from
``benchmarks/year.py`` over ``$ZWGK_BENCH_CACHE`` (generated if missing). Linux: ``/usr/bin/time``.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = (
    "import sys; from pathlib import Path; from scoring.reading.year import load_year; "
    "r = Path(sys.argv[1]); a = load_year(2021, r / 'indicators' / '2021', r / 'data' / '2021'); "
    "print(a.observations.height)"
)


def export(rev: str, into: Path) -> Path:
    """The package as it is at ``rev``, in ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "scoring"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    tar = into / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    return into


def one(way: str, tree: Path, year: Path, timeout: float) -> tuple[float, int] | None:
    """(wall seconds, peak RSS KiB) of one fresh process, or None if it failed."""
    if way == "load_year":
        cmd = [sys.executable, "-c", LOAD, str(year)]
    else:
        cmd = [sys.executable, "-m", "scoring.cli.main", "compute", "--year", "2021", "--no-archive",
               "--force", "--out", "r.xlsx"]
    env = dict(os.environ, PYTHONPATH=str(tree))
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], cwd=year, env=env, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        print(p.stderr[-2000:], file=sys.stderr)
        return None
    wall, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.validation")
    ap.add_argument("--before", default="main", help="git revision to compare with")
    ap.add_argument("--after", default=None, help="git revision (default: this working tree)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--ways", default="load_year,compute")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=900.0)
    a = ap.parse_args(argv)
    from benchmarks.test_bench import dataset
    from benchmarks.year import write_year

    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| what | units | version | median s | min s | peak RSS MiB | runs |")
    print("|---|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"before": export(a.before, Path(tmp) / "before")}
        trees["after"] = export(a.after, Path(tmp) / "after") if a.after else ROOT
        for size in (int(s) for s in a.sizes.split(",")):
            year = write_year(dataset(size), Path(tmp) / f"year_u{size}")
            for way in a.ways.split(","):
                runs: dict[str, list[tuple[float, int]]] = {v: [] for v in trees}
                for _ in range(a.repeat):
                    for version, tree in trees.items():
                        r = one(way, tree, year, a.timeout)
                        if r is not None:
                            runs[version].append(r)
                for version, got in runs.items():
                    if not got:
                        print(f"| {way} | {size} | {version} | failed | | | 0 |", flush=True)
                        continue
                    walls = [w for w, _ in got]
                    peak = max(m for _, m in got) / 1024
                    median = statistics.median(walls)
                    print(f"| {way} | {size} | {version} | {median:.2f} | {min(walls):.2f} | {peak:.0f} | "
                          f"{len(got)} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()

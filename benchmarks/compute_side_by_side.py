"""``score compute`` end to end, two source trees side by side in one run: whole fresh processes, the runs of
the two trees interleaved (so the machine's load falls on both alike), median and min wall time and peak RSS.

    python -m benchmarks.compute_side_by_side --sizes 10000,100000 --repeat 3 \\
        --before /tmp/base --after . [--no-archive] [--engine]

``--before`` / ``--after``: folders holding a ``scoring`` package (e.g. ``git archive <commit> scoring |
tar -x -C /tmp/base``); each run imports the package from there (``PYTHONPATH``), both compiled first
(``benchmarks/trees.py``: without it an extracted tree compiled itself on every run, 0.1 s). The year is the
reference workload written by ``benchmarks/year.py`` (cached beside the data, ``year/`` in
``~/.cache/zwgk-bench/u{N}_s42``). Each run writes a fresh archive unless ``--no-archive``; with
``--after-a-year`` a copy of one holding last year's run (the same inputs, as 2020): the 同比 columns, as
every year after the first has them. ``--engine``
adds the engine alone (``benchmarks.reference`` of this tree) for the ratio. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(cmd: list[str], cwd: Path, tree: Path, timeout: float) -> tuple[float, int] | None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    full = ["/usr/bin/time", "-f", "%e %M", *cmd]
    try:
        p = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
        return None
    wall, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss)


def _after_a_year(year: Path, out: Path, tree: Path, timeout: float) -> tuple[Path, Path]:
    """A folder where 2020 is the same year as ``year``'s 2021 (its settings saying 2020), and an archive
    holding its run (recorded by ``tree``): 2021 scored there gets the 同比 columns."""
    both = out / "years"
    for folder in ("data", "indicators"):
        (both / folder).mkdir(parents=True)
        (both / folder / "2021").symlink_to(year / folder / "2021")
    (both / "data" / "2020").symlink_to(year / "data" / "2021")
    shutil.copytree(year / "indicators" / "2021", both / "indicators" / "2020")
    settings = both / "indicators" / "2020" / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    if "year = 2021" not in text:
        raise SystemExit(f"{settings}: no 'year = 2021' line to make last year's")
    settings.write_text(text.replace("year = 2021", "year = 2020"), encoding="utf-8")
    last = out / "last" / "a.duckdb"
    cmd = [sys.executable, "-m", "scoring.cli.main", "compute", "--year", "2020", "--force"]
    cmd += ["--out", str(out / "last" / "r.xlsx"), "--archive", str(last)]
    if _timed(cmd, both, tree, timeout) is None:
        raise SystemExit("last year's run could not be recorded")
    return both, last


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.compute_side_by_side")
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, default=ROOT)
    ap.add_argument("--no-archive", action="store_true")
    ap.add_argument("--engine", action="store_true")
    ap.add_argument(
        "--after-a-year",
        action="store_true",
        help="2021 scored with last year's run in the archive (the 同比 columns)",
    )
    ap.add_argument("--timeout", type=float, default=1800.0)
    a = ap.parse_args(argv)
    if a.after_a_year and a.no_archive:
        ap.error("--after-a-year needs the archive")
    from benchmarks.test_bench import dataset
    from benchmarks.trees import compile_tree
    from benchmarks.year import write_year

    trees = {"before": a.before.resolve(), "after": a.after.resolve()}
    for tree in trees.values():  # both with their bytecode, as an installed package has it
        compile_tree(sys.executable, tree)
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| what | units | median s | min s | median peak RSS MiB | runs |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in a.sizes.split(",")):
        data = dataset(n)
        year = data / "year"
        if not (year / "data" / "2021").exists():
            write_year(data, year)
        runs: dict[str, list[tuple[float, int]]] = {k: [] for k in (*trees, "engine")}
        with tempfile.TemporaryDirectory(prefix="zwgk-compute-") as tmp:
            out = Path(tmp)
            last = None
            if a.after_a_year:
                year, last = _after_a_year(year, out, trees["before"], a.timeout)
            for _ in range(a.repeat):
                for name, tree in trees.items():
                    shutil.rmtree(out / name, ignore_errors=True)
                    if last is not None:  # a copy of the archive holding last year's run, each time
                        (out / name).mkdir()
                        shutil.copy(last, out / name / "a.duckdb")
                    cmd = [
                        sys.executable,
                        "-m",
                        "scoring.cli.main",
                        "compute",
                        "--year",
                        "2021",
                        "--out",
                        str(out / name / "r.xlsx"),
                        "--force",
                    ]
                    cmd += ["--no-archive"] if a.no_archive else ["--archive", str(out / name / "a.duckdb")]
                    got = _timed(cmd, year, tree, a.timeout)
                    if got is not None:
                        runs[name].append(got)
                if a.engine:
                    cmd = [
                        sys.executable,
                        "-m",
                        "benchmarks.reference",
                        "--in",
                        str(data),
                        "--out",
                        str(out / "engine.parquet"),
                    ]
                    got = _timed(cmd, ROOT, trees["after"], a.timeout)
                    if got is not None:
                        runs["engine"].append(got)
        for name, measured in runs.items():
            if not measured:
                continue
            walls = [w for w, _ in measured]
            rss = statistics.median(r for _, r in measured) / 1024
            what = "engine only" if name == "engine" else f"`score compute` ({name})"
            print(
                f"| {what} | {n:,} | {statistics.median(walls):.2f} | {min(walls):.2f} | {rss:.0f} "
                f"| {len(measured)} |",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()

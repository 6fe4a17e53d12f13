"""What every ``score compute`` pays whatever its size: the interpreter, each library a run loads, and a whole
run of the shipped 30-unit year, in fresh processes, for one or more Python environments side by side.

    python -m benchmarks.startup [--python .venv/bin/python --python /tmp/office/bin/python] [--repeat 7]
        [--year DIR]

Each step is one whole fresh process (``python -c …``, or ``python -m scoring.cli.main compute``) timed from
outside; min and median of ``--repeat`` runs, the environments' runs interleaved. The steps' imports are
cumulative: a row less the row above is what its libraries add. The package is imported from this tree
(``PYTHONPATH``), the libraries from each environment: an office installs the package alone (``pip install
.``), the README's set-up adds the test tools, and with hypothesis installed pandera's polars backend imports
it on the first validation. ``--year``: a year written by ``benchmarks.year`` (e.g. 10,000 units), run end to
end as one more row. Every run writes a fresh archive, as a first run of a year does. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.trees import compile_tree

ROOT = Path(__file__).resolve().parents[1]

# (what, the code of one fresh process): each step imports what the one above it does, and more
IMPORTS: tuple[tuple[str, str], ...] = (
    ("解释器启动（无导入）", "pass"),
    ("+ polars", "import polars"),
    ("+ duckdb（档案库）", "import polars, duckdb"),
    (
        "+ xlsxwriter、typer、rich（工作簿、命令行）",
        "import polars, duckdb, xlsxwriter, typer, rich.progress",
    ),
    (
        "+ pandera（含首次校验时注册的 polars 后端）",
        "import polars, duckdb, xlsxwriter, typer, rich.progress, pandera.polars\n"
        "from pandera.backends.polars.register import register_polars_backends\n"
        "register_polars_backends()",
    ),
    (
        "一次运行导入的全部模块",
        "import scoring.cli.main, scoring.run.compute, scoring.output.workbook\n"
        "from pandera.backends.polars.register import register_polars_backends\n"
        "register_polars_backends()",
    ),
)


def _timed(cmd: list[str], cwd: Path, timeout: float) -> float | None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    took = time.perf_counter() - start
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
        return None
    return took


def _shipped_year(into: Path) -> Path:
    """The repository's own example year (data/ and indicators/), copied so a run writes nothing here."""
    for folder in ("data", "indicators"):
        shutil.copytree(ROOT / folder, into / folder)
    return into


def _units(year: Path) -> int:
    """The units on the roster of the year's 2021 data."""
    return pl.read_csv(year / "data" / "2021" / "units.csv", infer_schema=False).height


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.splitlines()[0])
    ap.add_argument("--python", action="append", type=Path, help="an interpreter (default: this one)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--year", type=Path, help="a year written by benchmarks.year, run end to end too")
    ap.add_argument("--timeout", type=float, default=600.0)
    a = ap.parse_args(argv)
    # absolute, not resolved: a virtual environment's python is a link to the interpreter it was made from
    pythons = [os.path.abspath(p) for p in a.python] if a.python else [sys.executable]
    for py in pythons:  # the tree's bytecode for each interpreter, as an installed package has it
        compile_tree(py, ROOT)
    with tempfile.TemporaryDirectory(prefix="zwgk-startup-") as tmp:
        out = Path(tmp)
        shipped = _shipped_year(out / "shipped")
        runs = out / "runs"
        compute = ["-m", "scoring.cli.main", "compute", "--year", "2021", "--force"]
        compute += ["--out", str(runs / "r.xlsx"), "--archive", str(runs / "a.duckdb")]
        steps: list[tuple[str, Path, list[str]]] = [(what, out, ["-c", code]) for what, code in IMPORTS]
        steps.append((f"`score compute`：随附年度（{_units(shipped)} 个单位）", shipped, compute))
        if a.year is not None:
            steps.append((f"`score compute`：{_units(a.year):,} 个单位", a.year.resolve(), compute))
        times: dict[tuple[int, str], list[float]] = {}
        for _ in range(a.repeat):
            for i, (_, cwd, args) in enumerate(steps):
                for py in pythons:
                    shutil.rmtree(runs, ignore_errors=True)  # a fresh archive: a year's first run
                    took = _timed([py, *args], cwd, a.timeout)
                    if took is not None:
                        times.setdefault((i, py), []).append(took)
    names = [Path(p).parent.parent.name or p for p in pythons]
    print("| step | " + " | ".join(f"{n} min s | {n} median s" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(pythons))
    for i, (what, _, _) in enumerate(steps):
        cells = []
        for py in pythons:
            got = times.get((i, py), [])
            cells.append(f"{min(got):.3f} | {statistics.median(got):.3f}" if got else "— | —")
        print(f"| {what} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()

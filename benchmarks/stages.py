"""Where one ``score compute`` spends its time: each stage of the run timed alone, in one process.

``python -m benchmarks.stages --root DIR [--year 2021]`` (a year written by ``benchmarks.year``): prints
wall seconds per stage — reading and validating, scoring, the per-indicator points, the ledger streamed to
Parquet, the archive's insert, the workbook, the results Parquet. The stages are those of
``scoring.run.compute.compute_year`` called one by one, so their sum is about one run without the
interpreter's start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from scoring.archive.store import Archive
from scoring.engine.compute import compute
from scoring.output.results import write_ledger_parquet, write_parquet
from scoring.output.workbook import write_workbook
from scoring.reading.year import load_year


def _timed(name: str, times: dict[str, float], fn: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    out = fn()
    times[name] = time.perf_counter() - t
    print(f"{name:<28} {times[name]:7.2f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--root", type=Path, required=True, help="a folder with indicators/<year> and data/<year>"
    )
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument("--no-archive", action="store_true")
    args = ap.parse_args(argv)
    times: dict[str, float] = {}
    root: Path = args.root
    a = _timed(
        "读取与校验 load_year",
        times,
        lambda: load_year(
            args.year, root / "indicators" / str(args.year), root / "data" / str(args.year), root=root
        ),
    )
    result = _timed("计分 compute", times, lambda: compute(a))
    with tempfile.TemporaryDirectory(prefix="zwgk-stages-") as tmp:
        out = Path(tmp)
        per = out / "points.parquet"
        _timed(
            "逐项得分 indicator_points",
            times,
            lambda: result.indicator_facts().sink_parquet(per, compression="zstd", compression_level=1),
        )
        result.keep_indicator_points(pl.scan_parquet(per))
        ledger = out / "r.ledger.parquet"
        _timed("扣分明细 ledger parquet", times, lambda: write_ledger_parquet(result, ledger))
        result.keep_ledger(pl.scan_parquet(ledger))
        if not args.no_archive:
            store = Archive(out / "archive.duckdb")

            def record() -> None:
                store.record(
                    result, generated=dt.date.today(), root=root, ledger_file=ledger, points_file=per
                )

            _timed("档案库 archive", times, record)
        _timed("工作簿 workbook", times, lambda: write_workbook(result, out / "r.xlsx"))
        _timed("结果 results parquet", times, lambda: write_parquet(result, out / "r.parquet"))
    print(f"{'合计':<28} {sum(times.values()):7.2f} s")


if __name__ == "__main__":
    main()

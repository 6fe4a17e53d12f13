"""Benchmarks of the engine on the reference workload (pytest-benchmark).

    pytest benchmarks --benchmark-enable                                # 1000 units
    ZWGK_BENCH_SIZES=1000,100000 pytest benchmarks --benchmark-enable   # and 100 000 (marked bigdata)

The data of each size is generated once (seed 42) and cached in ``$ZWGK_BENCH_CACHE`` (default
``~/.cache/zwgk-bench/u{N}_s42``), outside the repository. The project's pytest options include
``--benchmark-disable``, so a plain ``pytest`` runs every benchmark once as a smoke test.

- ``test_score``: read + score + rank + grade + write the results Parquet (``benchmarks.reference``);
- ``test_ledger``: the ledger of every unit (``scoring.build_ledger``) written to Parquet; only up to
  ``ZWGK_BENCH_LEDGER_MAX`` units (default 100 000);
- ``test_workbook``: the 通报 workbook (``scoring.write_workbook``, ledger sheet at its default
  limit) of the workload as a year (``benchmarks.year``), scored once beforehand;
- ``test_compute``: ``score compute`` end to end on that year (read, validate, score, workbook, Parquet,
  ledger, manifest; no archive), in-process through the Typer app;
- side by side on the same data: ``test_polars_direct`` and ``test_polars_direct_float`` (one hand-written
  polars query in the engine's integer arithmetic, and the same in floats: the difference is what exactness
  costs), ``test_duckdb`` (one SQL query; skipped without duckdb) and ``test_floor`` (read once, one pass,
  write).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks import floor, polars_direct, reference
from benchmarks.workload import load

SEED = 42
BIG = 100_000
HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("ZWGK_BENCH_CACHE", Path.home() / ".cache" / "zwgk-bench"))
SIZES = [int(s) for s in os.environ.get("ZWGK_BENCH_SIZES", "1000").replace(" ", "").split(",") if s]
LEDGER_MAX = int(os.environ.get("ZWGK_BENCH_LEDGER_MAX", "100000"))
ROUNDS = int(os.environ.get("ZWGK_BENCH_ROUNDS", "3"))


def dataset(units: int, seed: int = SEED) -> Path:
    """The generated folder for ``units`` (generated on first use, then reused)."""
    out = CACHE / f"u{units}_s{seed}"
    if (out / "meta.json").exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".u{units}_s{seed}.", dir=CACHE))
    try:
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen.py"),
                "--units",
                str(units),
                "--seed",
                str(seed),
                "--out",
                str(tmp),
            ],
            check=True,
            capture_output=True,
        )
        if not (out / "meta.json").exists():  # another run may have won the race
            shutil.rmtree(out, ignore_errors=True)
            tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


@pytest.fixture(
    scope="module",
    params=[pytest.param(n, id=f"u{n}", marks=[pytest.mark.bigdata] if n >= BIG else []) for n in SIZES],
)
def data(request: pytest.FixtureRequest) -> Path:
    units = int(request.param)
    folder = dataset(units)
    assert json.loads((folder / "meta.json").read_text())["units"] == units
    return folder


def _units(folder: Path) -> int:
    return int(json.loads((folder / "meta.json").read_text())["units"])


def _bench(benchmark: BenchmarkFixture, group: str, fn: Callable[[], None]) -> None:
    benchmark.group = group
    benchmark.pedantic(fn, rounds=ROUNDS, iterations=1, warmup_rounds=0)  # type: ignore[no-untyped-call]


def test_score(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.parquet"
    _bench(benchmark, f"score u{_units(data)}", lambda: reference.run(data, out))
    res = pl.read_parquet(out)
    assert res.height == _units(data)
    assert res["rank"].min() == 1


def test_ledger(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    from scoring import build_ledger

    n = _units(data)
    if n > LEDGER_MAX:
        pytest.skip(f"ledger only up to ZWGK_BENCH_LEDGER_MAX={LEDGER_MAX} units")
    out = tmp_path / "ledger.parquet"

    def run() -> None:
        w = load(data)
        build_ledger(w.observations, w.units, w.catalogue, w.settings).sink_parquet(out)

    _bench(benchmark, f"ledger u{n}", run)
    assert pl.scan_parquet(out).select(pl.len()).collect().item() > 0


@pytest.fixture(scope="module")
def year_root(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workload of this size as ``indicators/2021`` and ``data/2021`` (see benchmarks/year.py)."""
    from benchmarks.year import write_year

    return write_year(data, tmp_path_factory.mktemp(f"year_u{_units(data)}"))


def test_load_year(benchmark: BenchmarkFixture, data: Path, year_root: Path) -> None:
    """Reading and validating the year (every check over every row; benchmarks/validation.py compares
    it with an earlier version in fresh processes)."""
    from scoring.reading.year import load_year

    n = _units(data)
    got: list[int] = []

    def run() -> None:
        a = load_year(2021, year_root / "indicators" / "2021", year_root / "data" / "2021")
        got.append(a.units.height)

    _bench(benchmark, f"load_year u{n}", run)
    assert got[-1] == n


def test_workbook(benchmark: BenchmarkFixture, data: Path, year_root: Path, tmp_path: Path) -> None:
    from scoring.engine.compute import compute
    from scoring.output.workbook import write_workbook
    from scoring.reading.year import load_year

    result = compute(load_year(2021, year_root / "indicators" / "2021", year_root / "data" / "2021"))
    # the ledger is written before the workbook, which reads its first lines there (as in score compute)
    ledger = tmp_path / "book.ledger.parquet"
    result.ledger().sink_parquet(ledger)
    result.keep_ledger(pl.scan_parquet(ledger))
    out = tmp_path / "book.xlsx"

    def run() -> None:
        write_workbook(result, out)

    _bench(benchmark, f"workbook u{_units(data)}", run)
    assert out.stat().st_size > 0


def test_compute(
    benchmark: BenchmarkFixture, data: Path, year_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from scoring.cli.main import app

    monkeypatch.chdir(year_root)
    runner = CliRunner()

    def run() -> None:
        args = ["compute", "--year", "2021", "--no-archive", "--force", "--out", "r.xlsx"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    _bench(benchmark, f"compute u{_units(data)}", run)
    assert pl.read_parquet(year_root / "r.parquet").height == _units(data)


def test_polars_direct(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "direct.parquet"
    _bench(benchmark, f"score u{_units(data)}", lambda: polars_direct.run(data, out))
    assert pl.read_parquet(out).height == _units(data)


def test_polars_direct_float(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    """The same hand-written query in floats: against test_polars_direct, the cost of exactness."""
    out = tmp_path / "direct_float.parquet"
    _bench(benchmark, f"score u{_units(data)}", lambda: polars_direct.run(data, out, exact=False))
    assert pl.read_parquet(out).height == _units(data)


def test_duckdb(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from benchmarks import duckdb_reference

    out = tmp_path / "duckdb.parquet"
    _bench(benchmark, f"score u{_units(data)}", lambda: duckdb_reference.run(data, out))
    assert pl.read_parquet(out).height == _units(data)


def test_floor(benchmark: BenchmarkFixture, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "floor.parquet"
    _bench(benchmark, f"score u{_units(data)}", lambda: floor.run(data, out))
    assert pl.read_parquet(out).height == _units(data)

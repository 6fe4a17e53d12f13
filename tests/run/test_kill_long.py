"""The kill test at scale (``python -m pytest -m long tests/run/test_kill_long.py``, about two minutes):
``score compute`` of 30,000 units killed at several moments of a second run leaves the first run's set or
the second's, whole. Not in the default run: it generates the reference workload and runs it seven times."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from scoring.atomic import OutputSet

NAMES = ("r.xlsx", "r.parquet", "r.ledger.parquet", "r.manifest.json")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def big_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw, year = tmp_path_factory.mktemp("u30k"), tmp_path_factory.mktemp("y30k")
    subprocess.run(
        [sys.executable, "benchmarks/gen.py", "--units", "30000", "--seed", "42", "--out", str(raw)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "benchmarks.year", "--in", str(raw), "--out", str(year)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return year


def _digest_of_each(folder: Path) -> set[str]:
    """The results digest the manifest, the results file and the workbook's 运行信息 each carry."""
    manifest = json.loads((folder / "r.manifest.json").read_text(encoding="utf-8"))["results_sha256"]
    meta = json.loads(pl.read_parquet_metadata(folder / "r.parquet")["zwgk_manifest"])["results_sha256"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(folder / "r.xlsx", read_only=True)
        record = " ".join(str(v) for row in book["运行信息"].iter_rows(values_only=True) for v in row if v)
        book.close()
    found = re.search(r"SHA-256 ([0-9a-f]{64})", record)
    return {manifest, meta, found.group(1) if found else "no digest in the workbook"}


@pytest.mark.long
@pytest.mark.parametrize("delay", [1.0, 4.0, 7.0, 9.5, 11.5, 14.0, 30.0])
def test_a_kill_at_any_moment_of_a_30k_run(big_year: Path, delay: float, tmp_path: Path) -> None:
    out = tmp_path / "out"
    exe = [sys.executable, "-m", "scoring.cli.main", "compute", "--year", "2021", "--no-archive", "--force"]
    exe += ["--out", str(out / "r.xlsx")]
    subprocess.run(exe, cwd=big_year, check=True, capture_output=True, timeout=300)
    first = _digest_of_each(out)
    inputs = big_year / "data" / "2021" / "assessments.parquet"
    original = inputs.read_bytes()
    try:
        frame = pl.read_parquet(inputs)
        frame.with_columns(pl.col("value").reverse()).write_parquet(inputs)  # a different, valid year
        started = time.monotonic()
        proc = subprocess.Popen(exe, cwd=big_year, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        print(f"killed after {time.monotonic() - started:.1f} s")
    finally:
        inputs.write_bytes(original)
    OutputSet.recover([out / n for n in NAMES])
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)
    found = _digest_of_each(out)
    assert len(found) == 1, found  # the manifest, the results and the workbook of one run, old or new
    print("the first run's set" if found == first else "the second run's set")

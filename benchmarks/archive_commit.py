"""What DuckDB takes to commit a run into an archive, alone: a copy of ``--archive`` gets a run's units, its
parts and one Parquet file as blob parts (as ``Archive.record`` stores them), in one transaction; prints the
time and the process's peak RSS after the inserts and after ``COMMIT``.

    python -m benchmarks.archive_commit --archive results/archive.duckdb --file r.ledger.parquet \\
        --units r.parquet [--what upb]

``--what``: u (units, no figures), p (8 parts a unit), b (the file's blob parts), in any combination. Run
it on an empty archive and on one holding a run of the same size to see what an archive's history costs
(benchmarks/README.md, eleventh part).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from scoring.archive.schema import PART_BYTES


def _peak_mib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.archive_commit", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--archive", type=Path, required=True)
    ap.add_argument("--file", type=Path, required=True, help="a Parquet file stored as blob parts")
    ap.add_argument("--units", type=Path, required=True, help="a run's results Parquet (its unit column)")
    ap.add_argument("--what", default="upb")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zwgk-commit-") as tmp:
        copy = Path(tmp) / "a.duckdb"
        shutil.copy(a.archive, copy)
        con = duckdb.connect(str(copy))
        units = pl.read_parquet(a.units, columns=["unit"])
        run = 1 + int(con.execute("SELECT coalesce(max(run_id), 0) FROM runs").fetchall()[0][0])
        con.register("given_units", units)
        con.execute("BEGIN TRANSACTION")
        start = time.perf_counter()
        if "u" in a.what:
            con.execute(
                "INSERT INTO unit_results (run_id, ord, unit) "
                "SELECT ?, row_number() OVER (), unit FROM given_units",
                [run],
            )
        if "p" in a.what:
            con.execute(
                "INSERT INTO unit_parts SELECT ?, u.unit, p.part, 1.0 FROM given_units u, "
                "(SELECT unnest(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'BONUS', 'PENALTY']) AS part) p",
                [run],
            )
        if "b" in a.what:
            with a.file.open("rb") as f:
                for part, data in enumerate(iter(lambda: f.read(PART_BYTES), b"")):
                    con.execute("INSERT INTO run_table_parts VALUES (?, 'ledger', ?, ?)", [run, part, data])
        inserted = time.perf_counter()
        print(f"{a.what}: inserted in {inserted - start:.1f} s, peak {_peak_mib():,} MiB", flush=True)
        con.execute("COMMIT")
        print(f"{a.what}: committed in {time.perf_counter() - inserted:.1f} s, peak {_peak_mib():,} MiB")
        con.close()


if __name__ == "__main__":
    main()

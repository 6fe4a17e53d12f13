"""The archive's tables: the DuckDB schema, and the columns each frame of a run is stored with."""

from __future__ import annotations

import polars as pl

APP = "zwgk-scoring archive"
SCHEMA_VERSION = 2
"""1: a run's per-indicator points and ledger as rows of the tables ``indicator_points`` and ``ledger``;
2: as Parquet files in ``run_tables`` (the rows of runs recorded under 1 stay where they are)."""
MARKER = "zwgk_archive"

# unit_parts has no primary key: its (run, unit, part) are unique as the run's units are (unit_results' key
# and Archive.record see to that), and its rows are appended in one statement and read by run. Its index
# cost more than its rows (about 8 per unit): without it a run of 100,000 units is stored and committed in
# about half the time and takes a third less space, and one of 1M units commits in 5.8 s instead of 10.5 s,
# 0.5 GB lower (benchmarks/README.md, ninth part; without unit_results' key as well, the commit of 1M units
# peaked 0.9 GB higher). Archives created before keep the key; nothing else differs.
DDL = (
    f"CREATE TABLE {MARKER} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY,
        created TIMESTAMP NOT NULL,
        year INTEGER NOT NULL,
        period VARCHAR,
        title VARCHAR NOT NULL,
        issuer VARCHAR NOT NULL,
        package_version VARCHAR NOT NULL,
        catalogue_sha256 VARCHAR,
        inputs_sha256 VARCHAR NOT NULL,
        results_sha256 VARCHAR NOT NULL,
        settings VARCHAR NOT NULL,
        manifest VARCHAR NOT NULL,
        options VARCHAR NOT NULL,
        generated DATE NOT NULL,
        supersedes INTEGER,
        reason VARCHAR,
        previous_year_run INTEGER,
        appeals_base_run INTEGER,
        units INTEGER NOT NULL,
        observations INTEGER NOT NULL,
        workbook VARCHAR
    )""",
    """CREATE TABLE run_events (
        run_id INTEGER NOT NULL, seq INTEGER NOT NULL, event_time TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
        actor VARCHAR, note VARCHAR, PRIMARY KEY (run_id, seq)
    )""",
    """CREATE TABLE run_sources (
        run_id INTEGER NOT NULL, ord INTEGER NOT NULL, path VARCHAR NOT NULL, role VARCHAR NOT NULL,
        encoding VARCHAR, sha256 VARCHAR NOT NULL, size BIGINT NOT NULL, in_manifest BOOLEAN NOT NULL,
        PRIMARY KEY (run_id, ord)
    )""",
    "CREATE TABLE blobs (sha256 VARCHAR PRIMARY KEY, size BIGINT NOT NULL, data BLOB NOT NULL)",
    """CREATE TABLE unit_results (
        run_id INTEGER NOT NULL, ord INTEGER NOT NULL, unit VARCHAR NOT NULL, name VARCHAR, class VARCHAR,
        total_num HUGEINT, total_den HUGEINT, total_printed HUGEINT, total DOUBLE, max DOUBLE,
        rank INTEGER, tied BOOLEAN, grade VARCHAR, band VARCHAR, veto BOOLEAN, veto_reason VARCHAR,
        section_fail BOOLEAN, base DOUBLE, bonus DOUBLE, penalty DOUBLE, major DOUBLE,
        PRIMARY KEY (run_id, unit)
    )""",
    """CREATE TABLE unit_parts (
        run_id INTEGER NOT NULL, unit VARCHAR NOT NULL, part VARCHAR NOT NULL, points DOUBLE
    )""",
    """CREATE TABLE indicator_points (
        run_id INTEGER NOT NULL, unit VARCHAR NOT NULL, indicator VARCHAR NOT NULL, max_points BIGINT,
        points BIGINT, lost BIGINT, major BIGINT, status VARCHAR
    )""",
    """CREATE TABLE ledger (
        run_id INTEGER NOT NULL, ord INTEGER NOT NULL, unit VARCHAR, indicator VARCHAR, kind VARCHAR,
        input VARCHAR, max_points BIGINT, points BIGINT, lost BIGINT, note VARCHAR, evidence VARCHAR,
        status VARCHAR
    )""",
)
RUN_TABLES = (
    """CREATE TABLE IF NOT EXISTS run_tables (
        run_id INTEGER NOT NULL, name VARCHAR NOT NULL, rows BIGINT NOT NULL, bytes BIGINT NOT NULL,
        PRIMARY KEY (run_id, name)
    )""",
    """CREATE TABLE IF NOT EXISTS run_table_parts (
        run_id INTEGER NOT NULL, name VARCHAR NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (run_id, name, part)
    )""",
)
"""A run's tables of millions of rows (per-indicator points, ledger), each one Parquet file as written by
the run: storing it is a copy of its bytes, where inserting its rows cost DuckDB seconds and about three
times the space (schema version 2). The file is stored in parts of :data:`PART_BYTES`, in order
(``run_table_parts``): DuckDB held about three times a blob's size in memory to insert it whole (430 MB
for a file of 150 MB, 720 MB at the peak) and about its size in parts of 4 MiB (170 MB); a blob cannot
exceed 4 GB."""
PART_BYTES = 4 << 20

# result.units → unit_results (HUGEINT columns travel as text and are cast in SQL, exactly)
UNIT_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "unit": pl.String,
    "name": pl.String,
    "class": pl.String,
    "total_num": pl.Int128,
    "total_den": pl.Int128,
    "total_printed": pl.Int128,
    "total": pl.Float64,
    "max": pl.Float64,
    "rank": pl.Int64,
    "tied": pl.Boolean,
    "grade": pl.String,
    "band": pl.String,
    "veto": pl.Boolean,
    "veto_reason": pl.String,
    "section_fail": pl.Boolean,
    "base": pl.Float64,
    "bonus": pl.Float64,
    "penalty": pl.Float64,
    "major": pl.Float64,
}
HUGE = ("total_num", "total_den", "total_printed")
POINT_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "unit": pl.String,
    "indicator": pl.String,
    "max_points": pl.Int64,
    "points": pl.Int64,
    "lost": pl.Int64,
    "major": pl.Int64,
    "status": pl.String,
}
LEDGER_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "unit": pl.String,
    "indicator": pl.String,
    "kind": pl.String,
    "input": pl.String,
    "max_points": pl.Int64,
    "points": pl.Int64,
    "lost": pl.Int64,
    "note": pl.String,
    "evidence": pl.String,
    "status": pl.String,
}

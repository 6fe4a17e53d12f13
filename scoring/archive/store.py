"""The results archive: every run in one embedded DuckDB file (default ``results/archive.duckdb``).

A run is stored with its manifest (package version, settings, the catalogue's and every input's SHA-256),
the bytes of every file it read (content-addressed blobs, so the run can be rebuilt from the archive
alone), its per-unit results (exact totals as HUGEINT), its per-indicator points and its ledger (as the
Parquet files the run wrote).

The archive is append-only: the tool never updates or deletes a row of a run (it updates only the marker's
schema version, when it upgrades an archive of version 1). A correction is a new run that names the run it
supersedes and why; finalising a run appends a status event (the status is the latest event).

Concurrency: DuckDB lets one process write a file at a time. A second writer (another ``score compute``)
waits, retrying until a timeout, then fails with a clear message; threads of one process take turns.
A file at the archive path that is not a DuckDB database, or a DuckDB database without our marker table,
is refused and never overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from scoring.archive.errors import ArchiveError
from scoring.archive.frames import ArrowStream, conform, spilled
from scoring.archive.schema import (
    APP,
    DDL,
    HUGE,
    LEDGER_COLUMNS,
    MARKER,
    PART_BYTES,
    POINT_COLUMNS,
    RUN_TABLES,
    SCHEMA_VERSION,
    UNIT_COLUMNS,
)
from scoring.archive.sources import opened, read_source
from scoring.archive.threads import beside, ctrl_c_held, interrupted
from scoring.errors import os_reason

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = [
    "DEFAULT_ARCHIVE",
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "ArchiveRefused",
    "Event",
    "RunInfo",
    "StoredSource",
    "run_label",
]

DEFAULT_ARCHIVE = Path("results") / "archive.duckdb"
DEFAULT_TIMEOUT = 30.0  # seconds a writer waits for another one
STATUS_NAMES = {"draft": "草稿", "final": "定稿"}
KEEP_OUT = "不会使用或覆盖它，请用 --archive 指定其他路径"


class ArchiveBusy(ArchiveError):
    """Another program holds the archive longer than the timeout."""


class ArchiveRefused(ArchiveError):
    """The file at the archive path is not our archive (or is damaged): it is never used or overwritten."""


@dataclass(frozen=True)
class RunInfo:
    """One archived run (``created`` in UTC)."""

    run_id: int
    created: dt.datetime
    year: int
    period: str | None
    title: str
    issuer: str
    package_version: str
    catalogue_sha256: str | None
    inputs_sha256: str
    results_sha256: str
    settings: dict[str, Any]
    manifest: str
    options: dict[str, Any]
    generated: dt.date
    supersedes: int | None
    reason: str | None
    previous_year_run: int | None
    appeals_base_run: int | None
    units: int
    observations: int
    workbook: str | None
    status: str
    superseded_by: tuple[int, ...]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def created_local(self) -> str:
        return local_time(self.created)

    @property
    def places(self) -> int:
        return int(self.settings.get("rounding", {}).get("places", 2))

    @property
    def class_names(self) -> dict[str, str]:
        return {str(c.get("id")): str(c.get("name", c.get("id"))) for c in self.settings.get("classes", [])}

    def label(self) -> str:
        return f"运行 {self.run_id}（{self.year}年度，{self.status_name}，{self.created_local}）"


@dataclass(frozen=True)
class Event:
    run_id: int
    seq: int
    at: dt.datetime
    status: str
    actor: str | None
    note: str | None


@dataclass(frozen=True)
class StoredSource:
    ord: int
    path: str
    role: str
    encoding: str | None
    sha256: str
    size: int
    in_manifest: bool


def local_time(utc: dt.datetime) -> str:
    return utc.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def run_label(run_id: int, supersedes: int | None = None, reason: str | None = None) -> str:
    """The line the workbook's cover shows for an archived run."""
    text = f"运行 {run_id}（score export {run_id} 可从档案库重新生成本工作簿）"
    if supersedes is not None:
        text += f"；取代运行 {supersedes}" + (f"，原因：{reason}" if reason else "")
    return text


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.Lock:
    key = os.path.normcase(str(path.resolve()))
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class _Locked(Exception):
    pass


def _is_lock_error(e: duckdb.Error) -> bool:
    text = str(e)
    return ("lock" in text.lower() and isinstance(e, duckdb.IOException)) or "different configuration" in text


def _first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]


class Archive:
    """The archive at ``path``; every method opens the file, does its work in one transaction and closes
    it, so other programs can use it in between."""

    def __init__(self, path: Path = DEFAULT_ARCHIVE, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._verified = False
        self._version = SCHEMA_VERSION  # of the file, as its marker says on each opening

    # ------------------------------------------------------------------------------------ opening

    @contextlib.contextmanager
    def connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the archive (created on the first write), waiting up to ``timeout`` seconds
        for another writer; raises :class:`ArchiveBusy`, or :class:`ArchiveRefused` for a foreign file."""
        deadline = time.monotonic() + self.timeout
        lock = _process_lock(self.path)
        if not lock.acquire(timeout=max(self.timeout, 0.0)):
            raise ArchiveBusy(self._busy(None))
        try:
            con = self._open(write, deadline)
            try:
                yield con
            except (duckdb.Error, RuntimeError) as e:
                if interrupted(e):  # Ctrl-C in a query: told as Ctrl-C
                    raise KeyboardInterrupt from None
                if isinstance(e, RuntimeError):
                    raise
                raise ArchiveError(f"档案库 {self.path} 读写失败（{_first_line(e)}）") from e
            finally:
                con.close()
        finally:
            lock.release()

    def _busy(self, e: BaseException | None) -> str:
        pid = re.search(r"PID (\d+)", str(e)) if e is not None else None
        holder = f"（进程 {pid.group(1)}）" if pid else ""
        return (
            f"档案库 {self.path} 正被另一个程序使用{holder}，等待 {self.timeout:g} 秒后仍未释放；"
            "请等其完成后重试（或用 --archive 指定其他档案库，--no-archive 不记录）"
        )

    def _open(self, write: bool, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.02
        while True:
            try:
                if not self.path.exists():
                    if not write:
                        raise ArchiveError(
                            f"档案库 {self.path} 不存在：还没有记录任何运行（score compute 会自动记录）"
                        )
                    self._create()
                self._check_header()
                if write and not self._verified:  # look before writing: a foreign database is never touched
                    self._connect_checked(read_only=True).close()
                con = self._connect_checked(read_only=not write)
                self._verified = True
                if write and self._version < SCHEMA_VERSION:
                    self._upgrade(con)
                return con
            except _Locked as e:
                if time.monotonic() >= deadline:
                    raise ArchiveBusy(self._busy(e.__cause__)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    def _connect_checked(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as e:
            if _is_lock_error(e):
                raise _Locked() from e
            raise ArchiveRefused(f"{self.path} 无法作为档案库打开（{_first_line(e)}）；{KEEP_OUT}") from None
        try:
            self._check_marker(con)
            con.execute("SET enable_progress_bar = false")  # DuckDB's own bar, drawn past 2 s, not ours
        except BaseException:
            con.close()
            raise
        return con

    def _check_header(self) -> None:
        try:
            with self.path.open("rb") as f:
                head = f.read(16)
        except OSError as e:
            raise ArchiveError(f"无法读取档案库 {self.path}（{os_reason(e)}）") from None
        if len(head) < 12 or head[8:12] != b"DUCK":
            raise ArchiveRefused(f"{self.path} 不是档案库（不是 DuckDB 数据库文件）；{KEEP_OUT}")

    def _check_marker(self, con: duckdb.DuckDBPyConnection) -> None:
        foreign = ArchiveRefused(
            f"{self.path} 是 DuckDB 数据库，但不是本程序的档案库（没有 {MARKER} 标记表）；{KEEP_OUT}"
        )
        try:
            meta = dict(con.execute(f"SELECT key, value FROM {MARKER}").fetchall())
        except duckdb.Error:
            raise foreign from None
        if meta.get("app") != APP:
            raise foreign
        version = int(meta.get("schema_version", "0") or 0)
        if version > SCHEMA_VERSION:
            raise ArchiveRefused(
                f"{self.path} 由更新版本的程序创建（档案库结构版本 {version}），请升级 zwgk-scoring 后再使用"
            )
        self._version = version

    def _upgrade(self, con: duckdb.DuckDBPyConnection) -> None:
        """An archive of schema version 1, opened to write: the table of version 2 added and the marker
        set, in one transaction (its runs stay as they are, and are read as before)."""
        try:
            con.execute("BEGIN TRANSACTION")
            for ddl in RUN_TABLES:
                con.execute(ddl)
            con.execute(f"UPDATE {MARKER} SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            con.close()
            raise
        self._version = SCHEMA_VERSION

    def _create(self) -> None:
        """A new, empty archive, built under a temporary name and linked into place, so a half-made file
        is never seen and a file someone else created meanwhile is never replaced."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ArchiveError(f"无法创建档案库目录 {folder}（{os_reason(e)}）") from None
        tmp = folder / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        try:
            con = duckdb.connect(str(tmp))
            try:
                for ddl in (*DDL, *RUN_TABLES):
                    con.execute(ddl)
                con.executemany(
                    f"INSERT INTO {MARKER} VALUES (?, ?)",
                    [
                        ["app", APP],
                        ["schema_version", str(SCHEMA_VERSION)],
                        ["created", dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()],
                    ],
                )
                con.execute("CHECKPOINT")
            finally:
                con.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another run created it first: that one is used
            except OSError:  # no hard links on this file system
                if not self.path.exists():
                    os.replace(tmp, self.path)
        except OSError as e:
            raise ArchiveError(f"无法创建档案库 {self.path}（{os_reason(e)}）") from None
        except duckdb.Error as e:
            raise ArchiveError(f"无法创建档案库 {self.path}（{_first_line(e)}）") from None
        finally:
            for p in (tmp, tmp.with_name(tmp.name + ".wal")):
                with contextlib.suppress(OSError):
                    p.unlink()

    # ------------------------------------------------------------------------------------ writing

    def record(
        self,
        result: Result,
        *,
        generated: dt.date,
        root: Path | None = None,
        period: str | None = None,
        supersedes: int | None = None,
        reason: str | None = None,
        extra_files: Sequence[tuple[str, str, Path]] = (),
        previous_year_run: int | None = None,
        appeals_base_run: int | None = None,
        workbook: str | None = None,
        options: dict[str, Any] | None = None,
        ledger_file: Path | None = None,
        points_file: Path | None = None,
        alongside: Callable[[int], None] | None = None,
        then: Callable[[int], None] | None = None,
    ) -> int:
        """Append a run (status draft) and return its id. Every file of the manifest (paths relative to
        ``root``) is stored by content; ``extra_files`` are (shown path, role, path) read besides the
        manifest's (the alias table). ``then`` is called with the new run's id before the run is committed:
        if it raises, nothing is recorded (a run's files are put in place there, so the archive never
        records a run whose files were not written). ``alongside`` is called with the id before ``then``,
        on this thread while the run's files and tables are stored on another (DuckDB and the hashing
        release the interpreter: the run's workbook is written meanwhile); if either fails, nothing is
        recorded and ``then`` is not called. ``ledger_file``: the run's ledger already written as
        Parquet (read from there; otherwise it is built and streamed to a temporary file); ``points_file``
        likewise for the per-indicator points (:meth:`Result.indicator_facts`). The ledger and the
        per-indicator points, millions of rows for a province, are never rows in Python or in DuckDB: each
        is streamed to Parquet and the file is stored as it is (``run_tables``)."""
        manifest = result.manifest
        # (shown, role, encoding, SHA-256 as computed or None, path, in the manifest): each file is read
        # when it is stored, one at a time (a province's inputs are hundreds of MB)
        files: list[tuple[str, str, str | None, str | None, Path, bool]] = []
        for s in manifest.sources:
            p = Path(s.path)
            path = p if p.is_absolute() or root is None else root / p
            files.append((s.path, s.role, s.encoding, s.sha256, path, True))
        files += [(shown, role, None, None, path, False) for shown, role, path in extra_files]
        for shown, _, _, _, path, _ in files:  # a file gone or unreadable: said before the archive is opened
            with opened(path, shown):
                pass
        inputs_sha = hashlib.sha256(
            "\n".join(f"{s.role}\t{s.path}\t{s.sha256}" for s in manifest.sources).encode()
        ).hexdigest()
        created = dt.datetime.fromisoformat(manifest.created)
        created = (created if created.tzinfo else created.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        units = result.units
        twice = units.filter(pl.col("unit").is_duplicated())["unit"].unique(maintain_order=True)
        if len(twice):  # said before the archive is opened (unit_parts has no key to refuse them: schema.py)
            shown = "、".join(map(str, twice.head(5)))
            raise ArchiveError(f"结果中单位代码重复（{shown}），本次运行未记录")
        unit_rows = conform(units, UNIT_COLUMNS).with_row_index("ord")
        part_cols = [c for c in units.columns if c.startswith("part:")]
        parts = (
            units.select("unit", *part_cols)
            .unpivot(index="unit", variable_name="part", value_name="points")
            .with_columns(pl.col("part").str.strip_prefix("part:"), pl.col("points").cast(pl.Float64))
            if part_cols
            else pl.DataFrame(schema={"unit": pl.String, "part": pl.String, "points": pl.Float64})
        )
        settings = result.settings
        catalogue_sha = next((s.sha256 for s in manifest.sources if s.role == "catalogue"), None)
        with (
            spilled(result, ledger_file, points_file) as (points_file, ledger_file),
            self.connect(write=True) as con,
        ):
            con.execute("BEGIN TRANSACTION")
            try:
                if supersedes is not None:
                    row = con.execute("SELECT year FROM runs WHERE run_id = ?", [supersedes]).fetchone()
                    if row is None:
                        raise ArchiveError(f"档案库中没有运行 {supersedes}，无法取代")
                    if row[0] != manifest.year:
                        raise ArchiveError(
                            f"运行 {supersedes} 是 {row[0]} 年度的，不能被 {manifest.year} 年度的运行取代"
                        )
                first = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
                run_id = int(first[0]) if first else 1
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        created.replace(tzinfo=None),
                        manifest.year,
                        period,
                        settings.title,
                        settings.issuer,
                        manifest.package_version,
                        catalogue_sha,
                        inputs_sha,
                        manifest.results_sha256,
                        json.dumps(manifest.settings, ensure_ascii=False, default=str),
                        manifest.to_json(),
                        json.dumps(options or {}, ensure_ascii=False, default=str),
                        generated,
                        supersedes,
                        reason,
                        previous_year_run,
                        appeals_base_run,
                        manifest.units,
                        manifest.observations,
                        workbook,
                    ],
                )
                con.execute(
                    "INSERT INTO run_events VALUES (?, 1, ?, 'draft', NULL, NULL)",
                    [run_id, _now()],
                )
                beside(
                    con,
                    lambda: self._store_rows(con, run_id, files, unit_rows, parts, points_file, ledger_file),
                    None if alongside is None else functools.partial(alongside, run_id),
                )
                with ctrl_c_held():  # the files moved and the run committed together
                    if then is not None:
                        then(run_id)
                    con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        return run_id

    def _store_rows(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: int,
        files: list[tuple[str, str, str | None, str | None, Path, bool]],
        unit_rows: pl.DataFrame,
        parts: pl.DataFrame,
        points_file: Path,
        ledger_file: Path,
    ) -> None:
        """A new run's sources (each file read, checked against its SHA-256 and stored once by content),
        its per-unit results and parts, and its per-indicator points and ledger files."""
        for i, (shown, role, encoding, computed, path, in_manifest) in enumerate(files):
            data = read_source(path, shown)
            sha = hashlib.sha256(data).hexdigest()
            if computed is not None and sha != computed:
                raise ArchiveError(f"{shown} 在计算之后被修改，本次运行未记录；请重新计算")
            con.execute(
                "INSERT INTO run_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, i, shown, role, encoding, sha, len(data), in_manifest],
            )
            # looked up first: DuckDB's INSERT OR IGNORE costs 0.7 s on a 20 MB file, a lookup nothing
            if not con.execute("SELECT 1 FROM blobs WHERE sha256 = ?", [sha]).fetchall():
                con.execute("INSERT INTO blobs VALUES (?, ?, ?)", [sha, len(data), data])
            del data
        huge = {c: f"CAST({c} AS HUGEINT)" for c in HUGE}
        self._insert(con, "unit_results", unit_rows, run_id, ["ord", *UNIT_COLUMNS], huge)
        self._insert(con, "unit_parts", parts, run_id, ["unit", "part", "points"])
        self._store_table(con, run_id, "indicator_points", points_file)
        self._store_table(con, run_id, "ledger", ledger_file)

    @staticmethod
    def _insert(
        con: duckdb.DuckDBPyConnection,
        table: str,
        frame: pl.DataFrame,
        run_id: int,
        columns: list[str],
        casts: dict[str, str] | None = None,
    ) -> None:
        if frame.is_empty():
            return
        view = f"_{table}_{secrets.token_hex(4)}"
        con.register(view, ArrowStream(frame))
        try:
            select = ", ".join((casts or {}).get(c, f'"{c}"') for c in columns)
            con.execute(f"INSERT INTO {table} SELECT ?, {select} FROM {view}", [run_id])
        finally:
            con.unregister(view)

    @staticmethod
    def _store_table(con: duckdb.DuckDBPyConnection, run_id: int, name: str, path: Path) -> None:
        """A table of the run, as the Parquet file the run wrote, in parts (read back by :meth:`_table`)."""
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        con.execute("INSERT INTO run_tables VALUES (?, ?, ?, ?)", [run_id, name, rows, path.stat().st_size])
        with path.open("rb") as f:
            for part, data in enumerate(iter(lambda: f.read(PART_BYTES), b"")):
                con.execute("INSERT INTO run_table_parts VALUES (?, ?, ?, ?)", [run_id, name, part, data])

    def finalize(self, run_id: int, actor: str | None = None, note: str | None = None) -> bool:
        """Mark a run final by appending a status event; False when it already is. A superseded run
        cannot be finalised."""
        with self.connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                info = self._run(con, run_id)
                if info.superseded_by:
                    later = "、".join(str(r) for r in info.superseded_by)
                    raise ArchiveError(f"运行 {run_id} 已被运行 {later} 取代，不能定稿")
                if info.status == "final":
                    con.execute("ROLLBACK")
                    return False
                last = con.execute("SELECT max(seq) FROM run_events WHERE run_id = ?", [run_id]).fetchone()
                seq = int(last[0] or 0) + 1 if last else 1
                con.execute(
                    "INSERT INTO run_events VALUES (?, ?, ?, 'final', ?, ?)",
                    [run_id, seq, _now(), actor, note],
                )
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        return True

    # ------------------------------------------------------------------------------------ reading

    _RUN_SQL = """
        SELECT r.run_id, r.created, r.year, r.period, r.title, r.issuer, r.package_version,
               r.catalogue_sha256, r.inputs_sha256, r.results_sha256, r.settings, r.manifest, r.options,
               r.generated, r.supersedes, r.reason, r.previous_year_run, r.appeals_base_run, r.units,
               r.observations, r.workbook,
               (SELECT e.status FROM run_events e WHERE e.run_id = r.run_id ORDER BY e.seq DESC LIMIT 1),
               (SELECT list(s.run_id ORDER BY s.run_id) FROM runs s WHERE s.supersedes = r.run_id)
        FROM runs r
    """

    @staticmethod
    def _info(row: tuple[Any, ...]) -> RunInfo:
        values = list(row)
        values[10] = json.loads(values[10])
        values[12] = json.loads(values[12])
        values[-1] = tuple(values[-1] or ())
        return RunInfo(*values)

    def _run(self, con: duckdb.DuckDBPyConnection, run_id: int) -> RunInfo:
        row = con.execute(self._RUN_SQL + " WHERE r.run_id = ?", [run_id]).fetchone()
        if row is None:
            raise ArchiveError(f"档案库 {self.path} 中没有运行 {run_id}（score history 列出全部运行）")
        return self._info(row)

    def run(self, run_id: int) -> RunInfo:
        with self.connect() as con:
            return self._run(con, run_id)

    def runs(self, year: int | None = None) -> list[RunInfo]:
        """Every run (of a year), oldest first."""
        with self.connect() as con:
            where = " WHERE r.year = ?" if year is not None else ""
            rows = con.execute(self._RUN_SQL + where + " ORDER BY r.run_id", [] if year is None else [year])
            return [self._info(r) for r in rows.fetchall()]

    def latest(self, year: int, period: str | None = None, issuer: str | None = None) -> RunInfo | None:
        """The latest final run of a year (and period, and issuer when given), else its latest run."""
        runs = [r for r in self.runs(year) if r.period == period and (issuer is None or r.issuer == issuer)]
        finals = [r for r in runs if r.status == "final"]
        return (finals or runs)[-1] if runs else None

    def events(self, run_id: int) -> list[Event]:
        with self.connect() as con:
            rows = con.execute("SELECT * FROM run_events WHERE run_id = ? ORDER BY seq", [run_id]).fetchall()
        return [Event(*r) for r in rows]

    def sources(self, run_id: int) -> list[StoredSource]:
        with self.connect() as con:
            rows = con.execute(
                "SELECT ord, path, role, encoding, sha256, size, in_manifest FROM run_sources "
                "WHERE run_id = ? ORDER BY ord",
                [run_id],
            ).fetchall()
        return [StoredSource(*r) for r in rows]

    def blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        with self.connect() as con:
            rows = con.execute("SELECT sha256, data FROM blobs WHERE list_contains(?, sha256)", [list(shas)])
            return {sha: bytes(data) for sha, data in rows.fetchall()}

    def unit_results(self, run_id: int) -> pl.DataFrame:
        """A run's per-unit results in published order, with its parts as ``part:<id>`` columns. Read as
        columns (DuckDB's Arrow stream, no pyarrow needed), not as Python tuples (100,000 units: 0.95 →
        0.32 s); the 128-bit integers travel as text and are parsed exactly, as they are written."""
        cols = [f"CAST({c} AS VARCHAR) AS {c}" if c in HUGE else c for c in UNIT_COLUMNS]
        run = {"run": run_id}
        with self.connect() as con:
            sql = f"SELECT {', '.join(cols)} FROM unit_results WHERE run_id = $run ORDER BY ord"
            frame = pl.DataFrame(con.sql(sql, params=run))
            parts = pl.DataFrame(
                con.sql("SELECT unit, part, points FROM unit_parts WHERE run_id = $run", params=run)
            )
        frame = frame.select(pl.col(c).cast(t) for c, t in UNIT_COLUMNS.items())
        if parts.is_empty():
            return frame
        names = sorted(parts["part"].unique())
        wide = parts.pivot(on="part", index="unit", values="points", aggregate_function="first")
        by_unit = wide.select("unit", *(pl.col(p).cast(pl.Float64).alias(f"part:{p}") for p in names))
        return frame.join(by_unit, on="unit", how="left", maintain_order="left")

    def indicator_points(self, run_id: int) -> pl.DataFrame:
        """Per unit × leaf: points, points lost (10⁻¹² points) and status, by unit and indicator."""
        return self._table("indicator_points", POINT_COLUMNS, run_id, ["unit", "indicator"])

    def ledger(self, run_id: int) -> pl.DataFrame:
        """Every line of the run's ledger, in its order."""
        return self._table("ledger", LEDGER_COLUMNS, run_id, ["ord"])

    def _table(
        self, table: str, columns: dict[str, pl.DataType | type[pl.DataType]], run_id: int, order: list[str]
    ) -> pl.DataFrame:
        with self.connect() as con:
            parts = (
                con.execute(
                    "SELECT data FROM run_table_parts WHERE run_id = ? AND name = ? ORDER BY part",
                    [run_id, table],
                ).fetchall()
                if self._version >= 2
                else []
            )
            if not parts:  # a run recorded under schema version 1: its rows
                rows = con.execute(
                    f"SELECT {', '.join(columns)} FROM {table} WHERE run_id = ? ORDER BY {', '.join(order)}",
                    [run_id],
                ).fetchall()
                return pl.DataFrame(rows, schema=columns, orient="row")
        frame = pl.read_parquet(io.BytesIO(b"".join(part for (part,) in parts)))
        if "M" in frame.columns and "max_points" not in frame.columns:  # the engine's name for it
            frame = frame.rename({"M": "max_points"})
        if "ord" in order:  # the line's place in the file
            return conform(frame, columns)
        return conform(frame, columns).sort(order)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

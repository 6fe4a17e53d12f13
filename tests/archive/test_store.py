"""The results archive: every `score compute` run recorded (exact results, inputs' bytes), a workbook
rebuilt from the archive alone identical to the original, append-only status events and supersession,
concurrent writers, and refusal of a file that is not our archive."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring import Archive, ArchiveBusy, ArchiveError, ArchiveRefused, Result, compute, results_digest
from scoring.cli.main import app
from scoring.run.archived import export_workbook
from tests.conftest import Year, YearFactory, cells, node

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

CATALOGUE = [
    node("A", points=100),
    node("A1", "A", points=60, rule="judgement"),
    node("A2", "A", points=40, rule="per_occurrence", params="per=0.25; cap=40"),
]
UNITS = [["T1", "甲镇", "town"], ["T2", "乙镇", "town"], ["D1", "丁局", "dept"]]
INPUTS = [
    ["T1", "A1", "", 55.5],
    ["T1", "A2", "", 3, "三处栏目未更新"],
    ["T2", "A1", "", 58],
    ["T2", "A2", "", 0],
    ["D1", "A1", "", 40],
    ["D1", "A2", "", 1, "链接失效", "http://example.gov.cn/x"],
]


def score_exe() -> str:
    exe = shutil.which("score", path=str(Path(sys.executable).parent)) or shutil.which("score")
    assert exe is not None, "the console script `score` is not installed"
    return exe


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the shipped 2021 year."""
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def small(make_year: YearFactory) -> tuple[Year, Result]:
    y = make_year(CATALOGUE, UNITS, INPUTS)
    return y, y.compute()


def record(store: Archive, result: Result, **kwargs: Any) -> int:
    return store.record(result, generated=dt.date(2022, 1, 10), **kwargs)


# --------------------------------------------------------------------------------------------- round trip


def test_a_workbook_is_rebuilt_from_the_archive_alone(shipped: Path) -> None:
    first = runner.invoke(app, ["compute", "--year", "2021"])
    assert first.exit_code == 0, first.output
    assert "档案：运行 1（草稿）已记录到 results/archive.duckdb" in first.output
    original = shipped / "results" / "2021" / "2021年度轮台县政务公开工作考核结果.xlsx"
    before = cells(original)
    assert "运行 1（score export 1 可从档案库重新生成本工作簿）" in str(before["运行信息"])
    assert "score export" not in str(before["封面"])  # the cover is for readers

    # nothing of the inputs is left on disk: the archive alone rebuilds the table
    shutil.rmtree(shipped / "indicators")
    shutil.rmtree(shipped / "data")
    exported = runner.invoke(app, ["export", "1", "--out", "again.xlsx"])
    assert exported.exit_code == 0, exported.output
    assert "结果摘要与记录一致" in exported.output
    after = cells(shipped / "again.xlsx")
    assert list(after) == list(before)
    for sheet in before:
        assert after[sheet] == before[sheet], sheet
    assert sum(len(r) for rows in before.values() for r in rows) > 2000

    again = runner.invoke(app, ["export", "1", "--out", "again.xlsx"])
    assert again.exit_code == 1 and "--force" in again.output


def test_a_run_is_stored_exactly(small: tuple[Year, Result], tmp_path: Path) -> None:
    y, result = small
    store = Archive(tmp_path / "a.duckdb")
    run_id = record(store, result, workbook="r.xlsx")
    assert run_id == 1
    info = store.run(1)
    assert (info.year, info.status, info.units, info.results_sha256) == (
        2021,
        "draft",
        3,
        result.manifest.results_sha256,
    )
    assert info.generated == dt.date(2022, 1, 10) and info.catalogue_sha256 is not None
    units = store.unit_results(1)
    assert units["unit"].to_list() == result.units["unit"].to_list()
    assert units.schema["total_num"] == pl.Int128
    for column in ("total_num", "total_den", "total_printed", "rank", "grade", "total", "part:A"):
        assert units[column].to_list() == result.units[column].to_list(), column
    assert results_digest(units) == result.manifest.results_sha256
    points = store.indicator_points(1)
    expected = result.indicator_points().collect().sort("unit", "indicator")
    assert points["points"].to_list() == expected["points"].to_list()
    ledger = store.ledger(1)
    assert ledger.height == result.ledger().collect().height > 0
    assert "三处栏目未更新" in ledger["note"].to_list()
    sources = store.sources(1)
    assert [s.role for s in sources] == ["settings", "catalogue", "roster", "input"]
    blobs = store.blobs([s.sha256 for s in sources])
    assert blobs[sources[-1].sha256] == (y.data / "assessments.csv").read_bytes()
    # a second run of the same inputs shares the stored files
    assert record(store, result) == 2
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM blobs").fetchone() == (4,)


def test_a_runs_big_tables_are_stored_as_the_files_it_wrote(
    small: tuple[Year, Result], tmp_path: Path
) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    record(store, result)
    with duckdb.connect(str(store.path), read_only=True) as con:
        stored = dict(con.execute("SELECT name, rows FROM run_tables WHERE run_id = 1").fetchall())
        assert con.execute("SELECT count(*) FROM indicator_points").fetchone() == (0,)
        marker = dict(con.execute("SELECT key, value FROM zwgk_archive").fetchall())
    assert marker["schema_version"] == "2"
    points, ledger = store.indicator_points(1), store.ledger(1)
    assert stored == {"indicator_points": points.height, "ledger": ledger.height}
    key = ["unit", "indicator", "kind"]
    expected = result.ledger().collect().sort(key, nulls_last=True)
    assert ledger.sort(key, nulls_last=True)["max_points"].to_list() == expected["M"].to_list()
    assert points["unit"].to_list() == sorted(points["unit"].to_list())


def test_a_big_table_is_stored_in_parts_and_read_back_whole(
    small: tuple[Year, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = small
    whole = Archive(tmp_path / "whole.duckdb")
    record(whole, result)
    monkeypatch.setattr("scoring.archive.store.PART_BYTES", 500)
    store = Archive(tmp_path / "a.duckdb")
    record(store, result)
    with duckdb.connect(str(store.path), read_only=True) as con:
        sizes = con.execute(
            "SELECT t.name, t.bytes, count(*), sum(octet_length(p.data)), max(octet_length(p.data)),"
            " max(p.part) FROM run_tables t JOIN run_table_parts p USING (run_id, name)"
            " GROUP BY t.name, t.bytes ORDER BY t.name"
        ).fetchall()
    for name, size, parts, total, largest, last in sizes:
        assert (parts, last) == (-(-size // 500), parts - 1), name  # parts 0, 1, …, each of 500 bytes
        assert (total, largest) == (size, 500), name
    assert store.ledger(1).equals(whole.ledger(1))
    assert store.indicator_points(1).equals(whole.indicator_points(1))


def test_an_input_gone_after_computing_is_said_before_the_archive_is_made(
    small: tuple[Year, Result], tmp_path: Path
) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    next(Path(s.path) for s in result.manifest.sources if s.role == "input").unlink()
    with pytest.raises(ArchiveError, match=r"无法读取.*本次运行未记录"):
        record(store, result)
    assert not store.path.exists()


def test_an_input_changed_after_computing_is_not_recorded(small: tuple[Year, Result], tmp_path: Path) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    inputs = next(Path(s.path) for s in result.manifest.sources if s.role == "input")
    inputs.write_text(inputs.read_text(encoding="utf-8") + "T1,A1,,1\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="在计算之后被修改，本次运行未记录"):
        record(store, result)
    assert store.runs() == []
    with duckdb.connect(str(store.path), read_only=True) as con:  # nothing half-recorded
        for table in ("runs", "run_sources", "blobs", "run_tables", "run_table_parts"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_a_result_with_a_unit_twice_is_refused(small: tuple[Year, Result], tmp_path: Path) -> None:
    """A unit twice is refused before the archive is opened (unit_parts has no key that would refuse it)."""
    _, result = small
    twice = dataclasses.replace(result, units=pl.concat([result.units, result.units.tail(1)]))
    store = Archive(tmp_path / "a.duckdb")
    with pytest.raises(ArchiveError, match=r"结果中单位代码重复（D1），本次运行未记录"):
        record(store, twice)
    assert not store.path.exists()
    assert record(store, result) == 1


def test_an_archive_of_schema_version_1_is_read_as_it_is_and_upgraded_to_write(
    small: tuple[Year, Result], tmp_path: Path
) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    record(store, result)
    points, ledger = store.indicator_points(1), store.ledger(1)
    # what version 1 wrote: the run's rows in the tables, no run_tables, the marker at 1
    with duckdb.connect(str(store.path)) as con:
        con.executemany("INSERT INTO indicator_points VALUES (1, ?, ?, ?, ?, ?, ?, ?)", points.rows())
        con.executemany(
            "INSERT INTO ledger VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ledger.with_row_index("ord").rows(),
        )
        con.execute("DROP TABLE run_tables")
        con.execute("DROP TABLE run_table_parts")
        con.execute("UPDATE zwgk_archive SET value = '1' WHERE key = 'schema_version'")
    old = Archive(store.path)
    assert old.indicator_points(1).equals(points) and old.ledger(1).equals(ledger)
    with duckdb.connect(str(store.path), read_only=True) as con:  # reading changes nothing
        assert con.execute("SELECT value FROM zwgk_archive WHERE key = 'schema_version'").fetchone() == ("1",)
    assert record(old, result) == 2
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute("SELECT value FROM zwgk_archive WHERE key = 'schema_version'").fetchone() == ("2",)
        assert con.execute("SELECT run_id, name FROM run_tables ORDER BY name").fetchall() == [
            (2, "indicator_points"),
            (2, "ledger"),
        ]
    for run in (1, 2):
        assert Archive(store.path).indicator_points(run).equals(points)
    # run 2's ledger in the order its own file has
    assert (
        Archive(store.path)
        .ledger(2)
        .sort(pl.all(), nulls_last=True)
        .equals(ledger.sort(pl.all(), nulls_last=True))
    )


def test_runs_are_append_only(small: tuple[Year, Result], tmp_path: Path) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    record(store, result)
    with pytest.raises(ArchiveError, match="档案库中没有运行 7"):
        record(store, result, supersedes=7, reason="更正")
    assert record(store, result, supersedes=1, reason="更正输入") == 2
    assert store.finalize(2, "张三", "经审定") is True
    assert store.finalize(2) is False  # already final: nothing appended
    with pytest.raises(ArchiveError, match="已被运行 2 取代"):
        store.finalize(1)
    with pytest.raises(ArchiveError, match="没有运行 9"):
        store.finalize(9)
    assert [(e.seq, e.status, e.actor) for e in store.events(2)] == [(1, "draft", None), (2, "final", "张三")]
    one, two = store.runs()
    assert (one.status, one.superseded_by) == ("draft", (2,))
    assert (two.status, two.supersedes, two.reason) == ("final", 1, "更正输入")
    assert store.latest(2021) == two and store.latest(2020) is None


def test_a_tampered_archive_is_not_exported(small: tuple[Year, Result], tmp_path: Path) -> None:
    _, result = small
    store = Archive(tmp_path / "a.duckdb")
    record(store, result, root=None)
    with duckdb.connect(str(store.path)) as con:  # someone edits the archive behind the tool's back
        con.execute("UPDATE runs SET results_sha256 = 'x'")
    with pytest.raises(ArchiveError, match="与记录不一致"):
        export_workbook(store, 1, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


# --------------------------------------------------------------------------------------------- concurrency


def test_threads_writing_at_once_lose_nothing(small: tuple[Year, Result], tmp_path: Path) -> None:
    _, result = small
    path = tmp_path / "results" / "archive.duckdb"  # created by whichever thread comes first
    ids: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            ids.append(record(Archive(path), result))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(ids) == [1, 2, 3, 4, 5, 6]
    store = Archive(path)
    assert [r.run_id for r in store.runs()] == [1, 2, 3, 4, 5, 6]
    for run_id in ids:
        assert store.unit_results(run_id).height == 3


def test_two_compute_processes_at_once(make_year: YearFactory, tmp_path: Path) -> None:
    y = make_year(CATALOGUE, UNITS, INPUTS)
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data)]
    procs = [
        subprocess.Popen(
            [score_exe(), *args, "--out", f"r{i}.xlsx"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    runs = Archive(tmp_path / "archive.duckdb").runs()  # beside the workbooks written to the current folder
    assert [r.run_id for r in runs] == [1, 2]
    assert {r.workbook for r in runs} == {"r0.xlsx", "r1.xlsx"}


def test_a_second_writer_waits_or_fails_clearly(small: tuple[Year, Result], tmp_path: Path) -> None:
    _, result = small
    path = tmp_path / "a.duckdb"
    record(Archive(path), result)
    env = {**os.environ, "ZWGK_ARCHIVE_WAIT": "0.3"}
    cmd = [score_exe(), "finalize", "1", "--archive", str(path)]

    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with Archive(path).connect(write=True):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        busy = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        assert busy.returncode == 1, busy.stdout
        assert "正被另一个程序使用" in busy.stderr and "Traceback" not in busy.stderr
        with pytest.raises(ArchiveBusy):  # another thread of this process takes its turn, or times out
            Archive(path, timeout=0.2).run(1)
        # a writer with time to wait succeeds once the first one is done
        waiting = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "ZWGK_ARCHIVE_WAIT": "60"},
        )
        time.sleep(0.8)
        assert waiting.poll() is None  # still waiting
    finally:
        release.set()
        holder.join()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "运行 1 已定稿" in out
    assert Archive(path).run(1).status == "final"


# --------------------------------------------------------------------------------------------- refusal


def _text(path: Path) -> None:
    path.write_text("这是一份会议纪要，不是档案库。\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _other_database(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE budget (item VARCHAR, amount DECIMAL(18, 2))")
        con.execute("INSERT INTO budget VALUES ('办公经费', 1200.50)")


def _truncated(path: Path) -> None:
    other = path.parent.parent / "whole.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(100000)")
    path.write_bytes(other.read_bytes()[:20000])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text, "不是档案库（不是 DuckDB 数据库文件）"),
        (_empty, "不是档案库（不是 DuckDB 数据库文件）"),
        (_other_database, "不是本程序的档案库（没有 zwgk_archive 标记表）"),
        (_truncated, "无法作为档案库打开"),
    ],
)
def test_a_foreign_or_damaged_file_is_refused_and_never_overwritten(
    make: Any, message: str, make_year: YearFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = make_year(CATALOGUE, UNITS, INPUTS)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "results" / "archive.duckdb"
    path.parent.mkdir()
    make(path)
    before = path.read_bytes()
    out = tmp_path / "results" / "2021" / "r.xlsx"  # the archive's default place is beside results/2021
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.output and "不会使用或覆盖它" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before and not out.exists()
    assert sorted(p.name for p in path.parent.iterdir()) in (["archive.duckdb"], ["2021", "archive.duckdb"])
    assert not out.parent.exists() or not list(out.parent.iterdir())  # nothing written, no temporary file
    for command in (["history"], ["show", "1"], ["finalize", "1"]):
        refused = runner.invoke(app, command)
        assert refused.exit_code == 1 and message in refused.output, command
    assert path.read_bytes() == before
    with pytest.raises(ArchiveRefused):
        Archive(path).runs()
    # the run can still be computed without the archive
    assert runner.invoke(app, [*args, "--no-archive"]).exit_code == 0
    assert path.read_bytes() == before


# --------------------------------------------------------------------------------------------- commands


def test_history_show_and_messages(
    small: tuple[Year, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y, _ = small
    monkeypatch.chdir(tmp_path)
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data)]
    args += ["--archive", "results/archive.duckdb"]  # where history looks by default
    missing = runner.invoke(app, ["history"])
    assert missing.exit_code == 1 and "档案库 results/archive.duckdb 不存在" in missing.output
    assert runner.invoke(app, [*args, "--out", "r.xlsx"]).exit_code == 0
    wrong = runner.invoke(app, [*args, "--out", "s.xlsx", "--supersedes", "5", "--reason", "更正"])
    assert wrong.exit_code == 1 and "中没有运行 5" in wrong.output and not Path("s.xlsx").exists()
    both = runner.invoke(
        app, [*args, "--out", "s.xlsx", "--no-archive", "--supersedes", "1", "--reason", "x"]
    )
    assert both.exit_code == 1 and "--no-archive" in both.output
    fixed = runner.invoke(app, [*args, "--out", "s.xlsx", "--supersedes", "1", "--reason", "更正录入错误"])
    assert fixed.exit_code == 0, fixed.output

    history = runner.invoke(app, ["history", "--year", "2021"])
    assert history.exit_code == 0
    lines = history.output.splitlines()
    assert lines[0].split() == [
        "编号",
        "计算时间",
        "年度",
        "考核期",
        "状态",
        "单位数",
        "结果摘要",
        "取代",
        "原因",
    ]
    assert "草稿（已被运行 2 取代）" in lines[2] and lines[3].endswith("更正录入错误")
    assert "没有 2020 年度的运行记录" in runner.invoke(app, ["history", "--year", "2020"]).output

    shown = runner.invoke(app, ["show", "2"])
    assert shown.exit_code == 0, shown.output
    for text in (
        "运行 2：测试县2021年度政务公开工作考核结果",
        "取代：运行 1（原因：更正录入错误）",
        "评分数据",
        "前三：1.乙镇",
    ):
        assert text in shown.output
    assert runner.invoke(app, ["show", "9"]).exit_code == 1
    assert runner.invoke(app, ["export", "1", "--out", "x.pdf"]).exit_code == 1


def test_no_archive_records_nothing(
    small: tuple[Year, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y, _ = small
    monkeypatch.chdir(tmp_path)
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data), "--no-archive"]
    result = runner.invoke(app, [*args, "--out", "r.xlsx"])
    assert result.exit_code == 0 and "档案" not in result.output
    assert not Path("results").exists()


def test_duckdb_draws_no_progress_bar_of_its_own(small: tuple[Year, Result], tmp_path: Path) -> None:
    """DuckDB draws a bar on the terminal for a query over two seconds: not on the archive's connections."""
    store = Archive(tmp_path / "a.duckdb")
    record(store, small[1])
    for write in (True, False):
        with store.connect(write=write) as con:
            assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)


def test_help_loads_neither_polars_nor_duckdb() -> None:
    code = "import sys, scoring.cli.main; print('polars' in sys.modules, 'duckdb' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"


def test_record_time_for_the_shipped_year(shipped: Path) -> None:
    """Recording the shipped 2021 year (30 units, 1850 inputs) takes well under a second."""
    from scoring import load_year

    result = compute(load_year(2021, Path("indicators/2021"), Path("data/2021"), root=shipped))
    store = Archive(shipped / "a.duckdb")
    record(store, result, root=shipped)  # creates the file
    start = time.perf_counter()
    record(store, result, root=shipped)
    assert time.perf_counter() - start < 3

"""A run's files are one set: the workbook, results, ledger and manifest are in place together or not at
all, the archive records a run only with its files, and any failure — a write error, Ctrl-C, a kill —
leaves the earlier set as it was, with no temporary file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

import scoring.output.workbook as output_workbook
import scoring.run.compute
from scoring import Archive
from scoring.archive.store import ArchiveError
from scoring.atomic import OutputSet, journal_path
from scoring.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
NAMES = ("r.xlsx", "r.parquet", "r.ledger.parquet", "r.manifest.json")


@pytest.fixture
def year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _compute(*extra: str) -> tuple[int, str]:
    args = ["compute", "--year", "2021", "--out", "out/r.xlsx", "--archive", "archive.duckdb", *extra]
    done = runner.invoke(app, args)
    return done.exit_code, done.output


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _change_an_input(root: Path) -> None:
    data = root / "data" / "2021" / "assessments.csv"
    data.write_bytes(data.read_bytes().replace(b"T01,C1.1,,97.5,", b"T01,C1.1,,90,"))


def test_a_failed_write_leaves_the_earlier_set_and_records_nothing(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _compute()[0] == 0
    before = _snapshot(year / "out")
    assert sorted(before) == sorted(NAMES)
    _change_an_input(year)

    def broken(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scoring.run.compute, "write_ledger_parquet", broken)
    code, output = _compute("--force")
    assert code == 1 and "无法写出结果" in output and "原有结果文件保持不变" in output
    assert "Traceback" not in output
    assert _snapshot(year / "out") == before  # the earlier set, byte for byte, and no temporary file
    assert [r.run_id for r in Archive(year / "archive.duckdb").runs()] == [1]


def test_a_full_disk_while_the_workbook_is_zipped_is_told_as_such(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xlsxwriter wraps the OSError of its zip in an exception of its own: the run reports the OSError as
    # any other write error (it gave a Python traceback before), with the earlier set as it was
    assert _compute()[0] == 0
    before = _snapshot(year / "out")
    _change_an_input(year)

    def full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    code, output = _compute("--force")
    assert code == 1 and "无法写出结果：磁盘空间不足" in output and "No space left" not in output
    assert "原有结果文件保持不变" in output and "Traceback" not in output
    assert _snapshot(year / "out") == before
    assert [r.run_id for r in Archive(year / "archive.duckdb").runs()] == [1]


def test_ctrl_c_while_writing_leaves_the_earlier_set(year: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _compute()[0] == 0
    before = _snapshot(year / "out")
    _change_an_input(year)

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scoring.run.compute, "write_parquet", interrupted)
    code, output = _compute("--force")
    assert code == 130 and "已中断" in output and "Traceback" not in output
    assert _snapshot(year / "out") == before
    assert [r.run_id for r in Archive(year / "archive.duckdb").runs()] == [1]


@pytest.mark.parametrize("when", ["at once", "after the workbook"])
def test_the_archive_failing_while_the_files_are_written_leaves_the_earlier_set(
    year: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """The archive stores the run's rows while the workbook is written: when storing fails, before or
    after the workbook is done, no file is put in place and nothing is recorded."""
    assert _compute()[0] == 0
    before = _snapshot(year / "out")
    _change_an_input(year)
    written = threading.Event()

    def workbook(*args: Any, **kwargs: Any) -> None:
        output_workbook.write_workbook(*args, **kwargs)
        written.set()

    def failing(*_: object) -> None:
        if when == "after the workbook":
            assert written.wait(timeout=60)
        raise ArchiveError("档案库 archive.duckdb 读写失败（磁盘已满）")

    monkeypatch.setattr(scoring.run.compute, "write_workbook", workbook)
    monkeypatch.setattr(Archive, "_store_rows", failing)
    code, output = _compute("--force")
    assert code == 1 and "磁盘已满" in output and "Traceback" not in output
    assert written.is_set()
    assert _snapshot(year / "out") == before
    assert [r.run_id for r in Archive(year / "archive.duckdb").runs()] == [1]


def test_ctrl_c_once_the_files_are_moved_still_records_the_run(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between moving the files into place and committing the run would leave new files and no run
    (and say 原有结果文件保持不变): it is held back until the run is committed, which ends the run whole."""
    assert _compute()[0] == 0
    before = _snapshot(year / "out")
    _change_an_input(year)
    commit = OutputSet.commit

    def then_ctrl_c(self: OutputSet, *args: Any, **kwargs: Any) -> None:
        commit(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, once the files are in place

    monkeypatch.setattr(OutputSet, "commit", then_ctrl_c)
    code, output = _compute("--force")
    assert code == 0 and "已中断" not in output and "Traceback" not in output, output
    assert _snapshot(year / "out") != before
    assert [r.run_id for r in Archive(year / "archive.duckdb").runs()] == [1, 2]


def test_output_paths_are_checked_before_any_work(year: Path) -> None:
    (year / "blocked").write_text("a file where a folder is wanted")
    done = runner.invoke(app, ["compute", "--year", "2021", "--out", "blocked/r.xlsx", "--no-archive"])
    assert done.exit_code == 1 and "无法写入文件夹 blocked" in done.output and "Traceback" not in done.output
    (year / "folder.xlsx").mkdir()
    done = runner.invoke(app, ["compute", "--year", "2021", "--out", "folder.xlsx", "--no-archive"])
    assert done.exit_code == 1 and "是一个文件夹" in done.output


def test_the_archive_lives_beside_the_results(year: Path) -> None:
    done = runner.invoke(app, ["compute", "--year", "2021", "--out", "elsewhere/2021/r.xlsx"])
    assert done.exit_code == 0, done.output
    assert (year / "elsewhere" / "archive.duckdb").exists() and not (year / "results").exists()


def test_an_interrupted_commit_is_finished_by_the_next_run(tmp_path: Path) -> None:
    paths = [tmp_path / n for n in NAMES]
    for p in paths:
        p.write_text("old")
    files = OutputSet(paths)
    for p in paths:
        files.stage(p, lambda tmp: tmp.write_text("new"))
    # the journal is written (the commit point), then the run is killed after moving two files
    moves = [[str(files.staged[p]), str(p)] for p in paths]
    journal_path(paths[0]).write_text(json.dumps(moves), encoding="utf-8")
    for tmp, final in moves[:2]:
        os.replace(tmp, final)
    assert OutputSet.recover(paths)
    assert [p.read_text() for p in paths] == ["new"] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    # killed before the commit point: the old set stays, the temporary files go
    files = OutputSet(paths)
    files.stage(paths[0], lambda tmp: tmp.write_text("newer"))
    assert not OutputSet.recover(paths)
    assert [p.read_text() for p in paths] == ["new"] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)


def _runs_of_each_file(folder: Path, runs: dict[str, tuple[str, int]]) -> set[str]:
    """Which run (by name in ``runs``: results digest and T01's C1.1 points lost) each file of the set
    belongs to: one name when the set is whole."""
    manifest = json.loads((folder / "r.manifest.json").read_text(encoding="utf-8"))["results_sha256"]
    meta = json.loads(pl.read_parquet_metadata(folder / "r.parquet")["zwgk_manifest"])["results_sha256"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(folder / "r.xlsx", read_only=True)
        record = " ".join(str(v) for row in book["运行信息"].iter_rows(values_only=True) for v in row if v)
        book.close()
    ledger = pl.read_parquet(folder / "r.ledger.parquet")
    lost = ledger.filter(pl.col("unit") == "T01", pl.col("indicator") == "C1.1")["lost"].sum()
    found = set()
    for name, (digest, points_lost) in runs.items():
        found |= {f"manifest:{name}"} if manifest == digest else set()
        found |= {f"parquet:{name}"} if meta == digest else set()
        found |= {f"workbook:{name}"} if digest in record else set()
        found |= {f"ledger:{name}"} if lost == points_lost else set()
    return {f.split(":")[1] for f in found} if len(found) == 4 else found


def _run(root: Path) -> tuple[str, int]:
    from scoring import compute, load_year

    result = compute(load_year(2021, root / "indicators" / "2021", root / "data" / "2021"))
    ledger = result.ledger().collect()
    lost = ledger.filter(pl.col("unit") == "T01", pl.col("indicator") == "C1.1")["lost"].sum()
    return result.manifest.results_sha256, int(lost)


@pytest.mark.parametrize("delay", [0.5, 1.5, 2.5, 3.5])
def test_a_kill_at_any_moment_leaves_one_whole_set(year: Path, delay: float) -> None:
    """``score compute`` killed (SIGKILL, no clean-up) at several moments of a second run: afterwards, as
    the next run finds it, the folder holds the first run's set or the second's, whole."""
    exe = [sys.executable, "-m", "scoring.cli.main", "compute", "--year", "2021", "--out", "out/r.xlsx"]
    exe += ["--no-archive", "--force"]
    subprocess.run(exe, check=True, capture_output=True, timeout=120)
    runs = {"first": _run(year)}
    _change_an_input(year)
    runs["second"] = _run(year)
    assert runs["first"] != runs["second"]
    proc = subprocess.Popen(exe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    OutputSet.recover([year / "out" / n for n in NAMES])  # what the next run does first
    assert sorted(p.name for p in (year / "out").iterdir()) == sorted(NAMES)  # no temporary file
    assert _runs_of_each_file(year / "out", runs) in ({"first"}, {"second"})


def test_a_class_longer_than_an_excel_sheet_is_refused_before_any_work(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scoring.output.ranking as ranking

    towns = pl.read_csv(year / "data" / "2021" / "units.csv").filter(pl.col("class") == "town").height
    monkeypatch.setattr(ranking, "RANKING_SHEET_UNITS", towns - 1)  # 1,048,573 units, scaled down
    code, output = _compute()
    assert code == 1 and "Traceback" not in output
    said = "".join(output.split())
    assert f"乡镇（{towns:,}个单位）" in said and "超过Excel工作表的行数上限" in said
    assert "分为几个类别" in said
    assert not (year / "out").exists() or not any((year / "out").iterdir())
    assert not (year / "archive.duckdb").exists()

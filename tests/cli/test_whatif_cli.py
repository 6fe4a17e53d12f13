"""``score whatif``, ``score stability`` and ``score compute --stability`` through the Typer app (and
``score stability`` once as a real process); their files read back."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from scoring.cli.main import app
from tests.conftest import cells

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def year_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_whatif_lists_the_changed_units_per_class_and_writes_its_files(year_dir: Path) -> None:
    done = runner.invoke(
        app,
        ["whatif", "--year", "2021", "--set", "B2.2.points=1", "--set", "B2.4.points=5", "--out", "w.xlsx"],
    )
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "方案比较（指标B2.2的分值改为1；指标B2.4的分值改为5）"
    assert "乡镇：排名和等次均未改变" in lines
    assert "县直部门：2 个单位排名或等次改变" in lines
    supply = next(line for line in lines if line.startswith("轮台县供电公司"))
    assert "18→17" in supply and "88.83→89.99" in supply and "B部分+1.00" in supply
    assert (year_dir / "w.xlsx").exists() and (year_dir / "w.parquet").exists()
    sheet = cells(year_dir / "w.xlsx")["方案比较"]
    assert [r[1] for r in sheet[2:]] == ["轮台县供电公司", "轮台县教科局"]


def test_whatif_without_a_change_and_with_a_bad_one(year_dir: Path) -> None:
    nothing = runner.invoke(app, ["whatif", "--year", "2021"])
    assert nothing.exit_code == 1 and "--set" in nothing.output
    bad = runner.invoke(app, ["whatif", "--year", "2021", "--set", "C2.2.points=2"])
    assert bad.exit_code == 1
    assert (
        "indicators/2021/indicators.csv（按 --set 修改后）" in bad.output
        and "C2.2|params_range" in bad.output
    )
    assert "Traceback" not in bad.output
    nowhere = runner.invoke(app, ["whatif", "--year", "2021", "--with", "nowhere"])
    assert nowhere.exit_code == 1 and "nowhere 不存在" in nowhere.output


def test_stability_summary_and_parquet(year_dir: Path) -> None:
    done = runner.invoke(
        app, ["stability", "--year", "2021", "--runs", "200", "--seed", "3", "--out", "s.parquet"]
    )
    assert done.exit_code == 0, done.output
    assert done.output.startswith("200次模拟：每项区间评分（共3项指标）在评分值上下0.5分内均匀变动")
    assert "需关注的名次和等次：" in done.output and "并列" in done.output
    frame = pl.read_parquet(year_dir / "s.parquet")
    assert frame.columns[:7] == ["unit", "class", "rank", "rank_lo", "rank_hi", "p_grade_change", "margin"]
    assert frame.height == 30
    again = runner.invoke(
        app, ["stability", "--year", "2021", "--runs", "200", "--seed", "3", "--out", "s.parquet", "--force"]
    )
    assert again.exit_code == 0 and pl.read_parquet(year_dir / "s.parquet").equals(frame)
    exists = runner.invoke(app, ["stability", "--year", "2021", "--runs", "20", "--out", "s.parquet"])
    assert exists.exit_code == 1 and "已存在" in exists.output
    bad = runner.invoke(app, ["stability", "--year", "2021", "--judgement", "半分"])
    assert bad.exit_code == 1 and "应为分数" in bad.output


def test_stability_workbook_draws_the_intervals(year_dir: Path) -> None:
    done = runner.invoke(app, ["stability", "--year", "2021", "--runs", "100", "--out", "s.xlsx"])
    assert done.exit_code == 0, done.output
    sheet = cells(year_dir / "s.xlsx")["排名稳定性"]
    assert sheet[1][:7] == ["类别", "排名", "单位", "总分", "等次", "名次区间（低）", "名次区间（高）"]
    first = sheet[2]
    assert first[:5] == ["乡镇", 1, "轮台镇", 102.88, "优秀"]
    with zipfile.ZipFile(year_dir / "s.xlsx") as z:
        names = z.namelist()
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert sum(n.startswith("xl/charts/chart") for n in names) == 2  # one interval chart per class
    assert "dataBar" in sheet_xml


def test_compute_adds_the_stability_sheet_when_asked(year_dir: Path) -> None:
    plain = runner.invoke(app, ["compute", "--year", "2021", "--no-archive", "--out", "a.xlsx"])
    asked = runner.invoke(
        app, ["compute", "--year", "2021", "--no-archive", "--out", "b.xlsx", "--stability"]
    )
    assert plain.exit_code == 0 and asked.exit_code == 0, asked.output
    assert "排名稳定性" not in cells(year_dir / "a.xlsx")
    book = cells(year_dir / "b.xlsx")
    assert "排名稳定性" in book and len(book["排名稳定性"]) >= 32
    # the results are the same either way
    assert pl.read_parquet(year_dir / "a.parquet").equals(pl.read_parquet(year_dir / "b.parquet"))


def test_stability_runs_as_a_process(year_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli.main", "stability", "--year", "2021", "--runs", "50"],
        capture_output=True,
        text=True,
        check=False,
        cwd=year_dir,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "需关注的名次和等次" in done.stdout

"""``score publish`` in-process (CliRunner) and once as a real subprocess printing the PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli.main import app
from scoring.output.publish.pdf import BROWSER_VARIABLE, find_browser

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
OUT = Path("results") / "2021" / "publish"


@pytest.fixture
def year_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_publish_an_archived_run_without_the_pdf(year_dir: Path) -> None:
    assert runner.invoke(app, ["compute", "--year", "2021"]).exit_code == 0
    done = runner.invoke(app, ["publish", "--year", "2021", "--no-pdf"])
    assert done.exit_code == 0, done.output
    assert "发布档案库 results/archive.duckdb 中的运行 1（草稿" in done.output
    assert "score finalize 1" in done.output and "未要求生成 PDF" in done.output
    assert sorted(p.name for p in (year_dir / OUT).iterdir()) == ["index.html", "results.csv", "results.json"]
    again = runner.invoke(app, ["publish", "--year", "2021", "--no-pdf"])
    assert again.exit_code == 1 and "已存在；使用 --force 覆盖" in again.output
    missing = runner.invoke(app, ["publish", "--year", "2021", "--run", "9", "--force"])
    assert missing.exit_code == 1 and "9" in missing.output and "Traceback" not in missing.output


def test_without_a_browser_the_pdf_is_left_out_unless_asked_for(
    year_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BROWSER_VARIABLE, str(year_dir / "no-such-browser"))
    asked = runner.invoke(app, ["publish", "--year", "2021", "--pdf"])
    assert asked.exit_code == 1 and "apt-get install chromium" in asked.output
    assert "未写出任何文件" in asked.output and not (year_dir / OUT).exists()
    done = runner.invoke(app, ["publish", "--year", "2021"])
    assert done.exit_code == 0, done.output
    assert "按当前数据计算" in done.output  # no archive: computed from the files, and said so
    assert "未生成 通报.pdf：生成 PDF 需要 Chromium 浏览器" in done.output
    assert (year_dir / OUT / "index.html").exists() and not (year_dir / OUT / "通报.pdf").exists()


@pytest.mark.skipif(find_browser() is None, reason="没有 Chromium（apt-get install chromium fonts-noto-cjk）")
def test_publish_as_a_real_process_prints_the_pdf(year_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "scoring.cli.main", "publish", "--year", "2021"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pdf = year_dir / OUT / "通报.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and "通报 PDF（A4）" in done.stdout
    assert sorted(p.name for p in (year_dir / OUT).iterdir()) == sorted(
        ["index.html", "通报.pdf", "results.csv", "results.json"]
    )

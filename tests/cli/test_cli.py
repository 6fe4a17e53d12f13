"""The `score` commands in-process (CliRunner) and once as a real subprocess; the README's commands are
the ones CI runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from scoring.cli.main import app
from tests.conftest import YearFactory, cells, node

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def year_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the shipped 2021 and 2020 years."""
    shutil.copytree(ROOT / "indicators", tmp_path / "indicators")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "compute",
        "validate",
        "explain",
        "indicators",
        "template",
        "history",
        "show",
        "finalize",
        "export",
        "compare",
        "publish",
        "whatif",
        "stability",
        "plan",
    ):
        assert command in result.output


def test_compute_writes_workbook_parquet_and_manifest(year_dir: Path) -> None:
    result = runner.invoke(app, ["compute", "--year", "2021"])
    assert result.exit_code == 0, result.output
    out = year_dir / "results" / "2021"
    workbook = out / "2021年度轮台县政务公开工作考核结果.xlsx"
    assert workbook.exists() and workbook.with_suffix(".parquet").exists()
    assert workbook.with_suffix(".manifest.json").exists()
    assert "乡镇：10 个单位" in result.output and "县直部门：20 个单位" in result.output
    assert "一票否决：铁热克巴扎乡" in result.output
    results = pl.read_parquet(workbook.with_suffix(".parquet"))
    assert results.height == 30
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert {"乡镇", "县直部门"} <= set(book.sheetnames)
    book.close()


def test_compute_never_overwrites_without_force(year_dir: Path) -> None:
    assert runner.invoke(app, ["compute", "--year", "2021", "--out", "r.xlsx"]).exit_code == 0
    before = (year_dir / "r.xlsx").read_bytes()
    again = runner.invoke(app, ["compute", "--year", "2021", "--out", "r.xlsx"])
    assert again.exit_code == 1 and "--force" in again.output
    assert (year_dir / "r.xlsx").read_bytes() == before
    forced = runner.invoke(app, ["compute", "--year", "2021", "--out", "r.xlsx", "--force"])
    assert forced.exit_code == 0


def test_compute_with_invalid_data_writes_nothing(year_dir: Path) -> None:
    path = year_dir / "data" / "2021" / "assessments.csv"
    path.write_text(path.read_text(encoding="utf-8-sig") + "T99,E1.1,,1,,,,\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["compute", "--year", "2021", "--out", "r.xlsx"])
    assert result.exit_code == 1
    assert "E1.1|unit_known" in result.output and "Traceback" not in result.output
    assert not (year_dir / "r.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compute", "--year", "1999"], "没有 1999 年度的指标体系"),
        (["compute", "--year", "2021", "--out", "r.pdf"], "应以 .xlsx 结尾"),
        (["compute", "--year", "2021", "--period", "Q3"], "考核期 Q3 未在"),
        (["compute", "--year", "2021", "--input", "nope.csv"], "nope.csv：文件不存在"),
        (["explain", "--year", "2021", "--unit", "不存在的单位"], "不在 2021 年度名单中"),
        (["indicators", "--year", "1999"], "没有 1999 年度的指标体系"),
    ],
)
def test_user_errors_are_messages(year_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_compute_ledger_rows_limits_the_workbook_not_the_ledger_file(year_dir: Path) -> None:
    from scoring.output.ledger_sheet import LEDGER_WORKBOOK_MAX

    command = typer.main.get_command(app).commands["compute"]  # type: ignore[attr-defined]
    option = next(p for p in command.params if "--ledger-rows" in p.opts)
    assert f"默认 {LEDGER_WORKBOOK_MAX}" in str(option.help)  # the help states the real default
    args = ["compute", "--year", "2021", "--out", "r.xlsx", "--no-archive", "--ledger-rows", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(year_dir / "r.xlsx", read_only=True)
    sheet = book["扣分明细"]
    assert "前 5 条" in str(sheet["A1"].value)
    assert sum(1 for r in sheet.iter_rows(min_row=3) if r[0].value and r[3].value != "小计") == 5
    book.close()
    assert pl.read_parquet(year_dir / "r.ledger.parquet").height > 5
    bad = runner.invoke(app, ["compute", "--year", "2021", "--out", "r2.xlsx", "--ledger-rows", "-1"])
    assert bad.exit_code == 2 and not (year_dir / "r2.xlsx").exists()


def test_compute_2020(year_dir: Path) -> None:
    result = runner.invoke(app, ["compute", "--year", "2020", "--out", "r2020.xlsx"])
    assert result.exit_code == 0, result.output
    assert "一票否决：胜金乡" in result.output


def test_a_year_after_an_archived_one_prints_its_own_ledger_and_differences(year_dir: Path) -> None:
    # The 同比 columns join last year's figures to this year's units. The ledger sheet and the self-review
    # differences must still be this year's, read as the run kept them: they were once built again, after
    # the run had let its observations go, from none (every indicator 未评分, no differences).
    for folder in ("indicators", "data"):  # last year: the same county, the same inputs
        shutil.rmtree(year_dir / folder / "2020")
        shutil.copytree(year_dir / folder / "2021", year_dir / folder / "2020")
    settings = year_dir / "indicators" / "2020" / "settings.toml"
    text = settings.read_text(encoding="utf-8").replace("year = 2021", "year = 2020")
    settings.write_text(text.replace("[inputs]", "[inputs]\ndate_window = 2"), "utf-8")  # dates of 2021-22
    assessments = pl.read_csv(year_dir / "data" / "2021" / "assessments.csv", infer_schema=False)
    own = assessments.filter((pl.col("unit") == "T01") & (pl.col("indicator") == "A3.4"))
    first = pl.int_range(pl.len()) == 0
    own.with_columns(pl.when(first).then(pl.lit("否")).otherwise("value").alias("value")).write_csv(
        year_dir / "data" / "2021" / "自评.csv"
    )
    assert runner.invoke(app, ["compute", "--year", "2020", "--out", "r2020.xlsx"]).exit_code == 0
    second = runner.invoke(app, ["compute", "--year", "2021", "--out", "r.xlsx"])
    alone = runner.invoke(app, ["compute", "--year", "2021", "--out", "alone.xlsx", "--no-archive"])
    assert second.exit_code == 0 and alone.exit_code == 0, second.output + alone.output
    second_book, alone_book = cells(year_dir / "r.xlsx"), cells(year_dir / "alone.xlsx")
    assert "上年排名" in second_book["乡镇"][2]  # the 同比 columns are there (title, formula, header)
    ledger = second_book["扣分明细"]
    assert ledger == alone_book["扣分明细"] and len(ledger) > 10
    assert not any(r[7] == "未评分（按0分计）" for r in ledger[2:])
    differences = second_book["自评复核差异"]
    assert differences == alone_book["自评复核差异"]
    assert any(r[1] == "A3.4" for r in differences)


def test_explain_by_code_and_by_name(year_dir: Path) -> None:
    by_name = runner.invoke(app, ["explain", "--year", "2021", "--unit", "阳霞镇"])
    by_code = runner.invoke(app, ["explain", "--year", "2021", "--unit", "T04"])
    assert by_name.exit_code == 0 and by_name.output == by_code.output
    assert "阳霞镇（T04，乡镇）" in by_name.output
    assert "D3.2" in by_name.output and "逾期5日" in by_name.output
    assert "按得分率折算" in by_name.output


def test_explain_vetoed_unit(year_dir: Path) -> None:
    result = runner.invoke(app, ["explain", "--year", "2021", "--unit", "铁热克巴扎乡"])
    assert result.exit_code == 0 and "一票否决：发生泄密或严重失泄密事件" in result.output


def test_indicators_tree(year_dir: Path) -> None:
    result = runner.invoke(app, ["indicators", "--year", "2021"])
    assert result.exit_code == 0
    assert "├─ A 紧扣“十四五”开好局起好步，深化政务公开（22分）" in result.output
    assert "per_occurrence；per=0.5; cap=1.5" in result.output
    assert "仅县直部门" in result.output and "仅乡镇" in result.output


def test_installed_score_runs_as_a_subprocess(year_dir: Path) -> None:
    exe = shutil.which("score", path=str(Path(sys.executable).parent)) or shutil.which("score")
    assert exe is not None, "the console script `score` is not installed"
    done = subprocess.run([exe, "validate", "--year", "2021"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "校验通过" in done.stdout
    failed = subprocess.run([exe, "validate", "--year", "1999"], capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)[:2]


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    setup, tests = readme_commands()
    assert setup.endswith("score compute --year 2021") and "pip install -e '.[test]'" in setup
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in ci and "head -n 2" in ci
    # the test run is the one configured here: these tests are part of it
    assert Path(__file__).name.startswith("test_")


def test_readme_documents_every_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or "" for c in typer.main.get_command(app).commands.values()]  # type: ignore[attr-defined]
    assert commands and all(
        f"`score {c}" in text or f"/ `{c}" in text or f"`{c} RUN`" in text for c in commands
    )


def test_readme_session_matches_the_commands(year_dir: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    result = runner.invoke(app, ["validate", "--year", "2021"])
    assert result.output.strip().splitlines()[-1] in text
    # the summary the README shows is what compute prints today (totals, top three, grade counts)
    computed = runner.invoke(app, ["compute", "--year", "2021", "--no-archive"])
    assert computed.exit_code == 0
    for line in computed.output.splitlines()[:7]:
        assert line in text, line


def test_help_does_not_load_the_engine() -> None:
    code = "import sys, scoring.cli.main; print('polars' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_public_names_are_not_shadowed_by_modules() -> None:
    code = (
        "import importlib, pkgutil, scoring\n"
        "for m in pkgutil.iter_modules(scoring.__path__): importlib.import_module('scoring.' + m.name)\n"
        "import types\n"
        "bad = [n for n in scoring.__all__ if isinstance(getattr(scoring, n), types.ModuleType)]\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_scoring_path_does_not_load_validation() -> None:
    code = "import sys; from scoring import score; print('pandera' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_compute_one_period(make_year: YearFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    rows = [("U1", "A1", "", v, "", "", q, "") for q, v in (("Q1", 90), ("Q2", 70))]
    y = make_year(
        catalogue, [("U1", "甲", "town")], rows, '[periods]\nmethod = "mean"\nweights = { Q1 = 1, Q2 = 1 }\n'
    )
    monkeypatch.chdir(y.root)
    base = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data), "--no-archive"]
    whole = runner.invoke(app, [*base, "--out", "all.xlsx"])
    first = runner.invoke(app, [*base, "--out", "q1.xlsx", "--period", "Q1"])
    assert whole.exit_code == 0 and first.exit_code == 0, first.output
    assert "1.甲(80.00)" in whole.output and "1.甲(90.00)" in first.output


def test_a_title_with_a_slash_names_one_file(make_year: YearFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    base = 'year = 2021\ntitle = "甲/乙县考核"\n[[classes]]\nid = "town"\nname = "乡镇"\nmax = 100\n'
    y = make_year(catalogue, [("U1", "甲", "town")], [("U1", "A1", "", 90)], base=base)
    monkeypatch.chdir(y.root)
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data), "--no-archive"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (y.root / "results" / "2021" / "甲_乙县考核结果.xlsx").exists()


def test_a_run_with_a_period_replays(make_year: YearFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring import Manifest, replay_run, results_digest

    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    rows = [("U1", "A1", "", v, "", "", q, "") for q, v in (("Q1", 90), ("Q2", 70))]
    y = make_year(
        catalogue, [("U1", "甲", "town")], rows, '[periods]\nmethod = "mean"\nweights = { Q1 = 1, Q2 = 1 }\n'
    )
    monkeypatch.chdir(y.root)
    args = ["compute", "--year", "2021", "--indicators", str(y.ind), "--data", str(y.data), "--no-archive"]
    done = runner.invoke(app, [*args, "--out", "q1.xlsx", "--period", "Q1"])
    assert done.exit_code == 0, done.output
    manifest = Manifest.from_json((y.root / "q1.manifest.json").read_text(encoding="utf-8"))
    assert manifest.period == "Q1"
    assert manifest.options["period"] == "Q1" and manifest.options["data"] == str(y.data)
    again = replay_run(manifest, y.root)
    assert results_digest(again.units) == manifest.results_sha256
    assert again.units["total"].to_list() == [90.0]


def test_compute_scores_each_leaf_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the totals, the per-indicator points, the ledger, the workbook and the archive all read one
    # computation of the leaves' points
    import scoring.engine.compute
    import scoring.engine.ledger
    from scoring.engine.points import leaf_points

    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> pl.LazyFrame:
        calls.append(1)
        return leaf_points(*args, **kwargs)

    monkeypatch.setattr(scoring.engine.compute, "leaf_points", counted)
    monkeypatch.setattr(scoring.engine.ledger, "leaf_points", counted)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "r.xlsx"
    done = runner.invoke(
        app, ["compute", "--year", "2021", "--out", str(out), "--archive", str(tmp_path / "a")]
    )
    assert done.exit_code == 0, done.output
    assert len(calls) == 1


def test_help_shows_settings_tables_in_brackets() -> None:
    # rich would read [periods] as markup and drop it: "须在  中声明"
    done = runner.invoke(app, ["compute", "--help"], env={"COLUMNS": "200"})
    assert "[periods]" in done.output


def test_explain_prints_points_at_the_declared_places_and_names_failed_parts(year_dir: Path) -> None:
    # 2021 declares two places: a 0.075 deduction stays 0.075; 阿克萨来乡 failed two parts
    done = runner.invoke(app, ["explain", "--year", "2021", "--unit", "阿克萨来乡"])
    assert done.exit_code == 0, done.output
    failed = "以下部分得分低于其分值的60%，等次为不合格：紧扣“十四五”开好局起好步，深化政务公开；"
    assert failed in done.output
    first = runner.invoke(app, ["explain", "--year", "2021", "--unit", "轮台镇"])
    assert " -0.075 " in first.output
    # the lines account for the whole difference: the 得分率 conversion is a line of its own
    assert " -0.04 " in first.output and "满分 100.00，以上各行合计 +2.88，总分 102.88" in first.output

"""``score explain`` on the rubric shapes of tests/years: the lines it prints add up to the total."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scoring.cli.main import app

YEARS = Path(__file__).parents[1] / "years"
runner = CliRunner()


def test_explain_prints_the_section_floor_and_adds_up() -> None:
    root = YEARS / "pooled-section"
    args = ["explain", "--year", "2024", "--unit", "甲镇"]
    done = runner.invoke(
        app,
        [*args, "--indicators", str(root / "indicators"), "--data", str(root / "data")],
        env={"COLUMNS": "200"},
    )
    assert done.exit_code == 0, done.output
    assert "扣完为止" in done.output and "+3.00" in done.output and "-8.00" in done.output
    assert "满分 10.00，以上各行合计 -6.00，总分 4.00" in done.output


def test_explain_prints_the_rate_conversion() -> None:
    root = YEARS / "rate-sheet"
    args = ["explain", "--year", "2024", "--unit", "D01"]
    done = runner.invoke(
        app,
        [*args, "--indicators", str(root / "indicators"), "--data", str(root / "data")],
        env={"COLUMNS": "200"},
    )
    assert done.exit_code == 0, done.output
    assert "按得分率折算" in done.output and "满分 100.00，以上各行合计 -6.47，总分 93.53" in done.output

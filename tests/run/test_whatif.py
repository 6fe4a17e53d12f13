"""``score whatif`` as a use case (scoring.run.whatif) on a copy of the shipped 2021 year: the units it
reports are exactly those a plain re-score of an edited copy shows, and an invalid change is refused with
its place named."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from scoring.engine.compute import compute
from scoring.errors import ValidationFailed
from scoring.reading.year import load_year
from scoring.run.inputs import RunSpec, load
from scoring.run.whatif import whatif_year, write_whatif

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def year(tmp_path: Path) -> RunSpec:
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    return RunSpec.for_year(2021, tmp_path / "indicators" / "2021", tmp_path / "data" / "2021", root=tmp_path)


def _edited_copy(spec: RunSpec, target: Path, cells: dict[str, str]) -> Path:
    """A copy of the year's indicators folder with the points of some rows edited in the file."""
    shutil.copytree(spec.indicators, target)
    path = target / "indicators.csv"
    rows = pl.read_csv(path, infer_schema_length=0)
    rows = rows.with_columns(pl.col("id").replace_strict(cells, default=pl.col("points")).alias("points"))
    rows.write_csv(path)
    return target


def test_moving_points_between_siblings_changes_exactly_the_units_a_plain_re_score_shows(
    year: RunSpec, tmp_path: Path
) -> None:
    # B2.2 (binary, 2 points) gives 1 point to B2.4 (quota per quarter, 4 points): B2 keeps its 12
    moves = {"B2.2": "1", "B2.4": "5"}
    report = whatif_year(year, load(year), None, [f"{k}.points={v}" for k, v in moves.items()])
    edited = _edited_copy(year, tmp_path / "edited", moves)
    plain = compute(load_year(2021, edited, year.data, root=year.root))
    before = compute(load(year))
    key = ["unit", "rank", "grade"]
    differs = (
        before.units.select(key)
        .join(plain.units.select(key), on="unit", suffix="_after")
        .filter((pl.col("rank") != pl.col("rank_after")) | (pl.col("grade") != pl.col("grade_after")))
    )
    assert not differs.is_empty()  # the move matters on this year
    assert sorted(report.changed()["unit"].to_list()) == sorted(differs["unit"].to_list())
    after = {r["unit"]: (r["rank_after"], r["grade_after"], r["total_after"]) for r in report.rows.to_dicts()}
    assert after == {r["unit"]: (r["rank"], r["grade"], r["total"]) for r in plain.units.to_dicts()}
    assert report.description == "指标B2.2的分值改为1；指标B2.4的分值改为5"
    # the points that made the difference: part B moved, nothing else; a unit passed keeps its points
    moved = dict(zip(report.changed()["unit"], report.changed()["moved"], strict=True))
    assert moved == {"D20": "B部分+1.00", "D18": ""}


def test_a_settings_change_alone_moves_ranks_but_no_points(year: RunSpec) -> None:
    report = whatif_year(year, load(year), None, ["ties=dense"])
    changed = report.changed()
    # the shipped year has ties at 6 (towns) and 5 and 11 (departments): dense closes the gaps after them
    assert set(changed["unit"].to_list()) >= {"T05", "T07", "D13"}
    assert changed.filter(pl.col("unit") == "T05").row(0, named=True)["rank_after"] == 7
    assert (changed["change"] == 0).all() and (changed["moved"] == "").all()


def test_an_invalid_change_is_refused_with_its_place(year: RunSpec) -> None:
    with pytest.raises(ValidationFailed) as caught:
        whatif_year(year, load(year), None, ["C2.2.points=2"])  # C2 then sums 6, not 7; hi 3 over 2
    located = {(i.row, i.column, i.code) for i in caught.value.errors}
    assert (39, "params", "C2.2|params_range") in located
    assert any(code == "C2|points_sum" and column == "points" for _, column, code in located)
    assert all("indicators.csv（按 --set 修改后）" in i.file for i in caught.value.errors)


def test_a_change_the_inputs_no_longer_fit_names_the_input_rows(year: RunSpec) -> None:
    with pytest.raises(ValidationFailed) as caught:
        whatif_year(year, load(year), None, ["C2.2.points=2", "C2.2.params=lo=0; hi=2", "C2.3.points=2"])
    assert {i.code for i in caught.value.errors} == {"C2.2|value_points_range"}
    assert all(i.file.endswith("assessments.csv") and i.row for i in caught.value.errors)


def test_another_indicators_folder(year: RunSpec, tmp_path: Path) -> None:
    other = _edited_copy(year, tmp_path / "other", {"B2.2": "1", "B2.4": "5"})
    by_folder = whatif_year(year, load(year), other, [])
    by_set = whatif_year(year, load(year), None, ["B2.2.points=1", "B2.4.points=5"])
    assert by_folder.rows.sort("unit").equals(by_set.rows.sort("unit"))
    assert by_folder.description.startswith("指标体系 ")


def test_the_workbook_and_parquet_are_written_together(year: RunSpec, tmp_path: Path) -> None:
    from tests.conftest import cells

    report = whatif_year(year, load(year), None, ["ties=dense"])
    book, parquet = write_whatif(report, tmp_path / "out" / "比较.xlsx")
    sheet = cells(book)["方案比较"]
    assert sheet[0][0].startswith("2021年度轮台县政务公开工作考核：方案比较")
    assert "并列名次改为1、2、2、3" in sheet[0][0]
    assert sheet[1][:4] == ["类别", "单位", "原排名", "新排名"]
    listed = [r[1] for r in sheet[2:] if r[1]]
    assert len(listed) == report.changed().height
    assert pl.read_parquet(parquet).height == report.rows.height
    with pytest.raises(Exception, match="已存在"):
        write_whatif(report, book)

"""Appeals (申诉): a decision changes an input value with its reason and who decided; the old value must be
what the inputs say; the recomputed run supersedes the circulated draft, both stay in the archive, and its
workbook lists every change with its effect on the unit's points and rank."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from scoring import (
    Archive,
    Manifest,
    ValidationFailed,
    apply_appeals,
    compute,
    load_year,
    replay_run,
    results_digest,
)
from scoring.cli.main import app
from scoring.engine.appeals import appeals_report
from tests.conftest import Year, YearFactory, cells, node, write_csv

runner = CliRunner()

CATALOGUE = [
    node("A", points=100),
    node("A1", "A", points=50, rule="judgement"),
    node("A2", "A", points=40, rule="judgement"),
    node("A3", "A", points=10, rule="binary", name="年报按时公开"),
]
UNITS = [["T1", "甲镇", "town"], ["T2", "乙镇", "town"], ["T3", "丙镇", "town"], ["D1", "丁局", "dept"]]
INPUTS: list[list[object]] = [
    ["T1", "A1", "", 50],
    ["T1", "A2", "", 30],
    ["T1", "A3", "", "是"],  # 90
    ["T2", "A1", "", 50],
    ["T2", "A2", "", 25],
    ["T2", "A3", "", "是"],  # 85
    ["T3", "A1", "", 45],
    ["T3", "A2", "", 25],
    ["T3", "A3", "", "√"],  # 80
    ["D1", "A1", "", 40],
    ["D1", "A2", "", 30],
    ["D1", "A3", "", "否"],  # 70
]
HEADER = ["unit", "indicator", "key", "old_value", "new_value", "reason", "decided_by", "decision_date"]
DECISION = ["T2", "A2", "", "25", "35", "补充佐证材料后复核", "县政务公开办", "2022-01-20"]


def write_appeals(y: Year, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    path = y.data / "appeals.csv"
    write_csv(path, header, rows)
    return path


def load(y: Year) -> Any:
    return load_year(2021, y.ind, y.data, [y.data / "assessments.csv"])


@pytest.fixture
def year(make_year: YearFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Year:
    monkeypatch.chdir(tmp_path)
    return make_year(CATALOGUE, UNITS, INPUTS)


def table(values: list[list[Any]], header_row: int) -> list[dict[str, Any]]:
    header = values[header_row]
    return [dict(zip(header, r, strict=True)) for r in values[header_row + 1 :] if r[0] is not None]


# --------------------------------------------------------------------------------------------- library


def test_a_decision_replaces_the_value_and_changes_the_rank(year: Year) -> None:
    before = load(year)
    path = write_appeals(year, [DECISION])
    after, applied = apply_appeals(before, path)
    assert applied is not None and applied.changes.height == 1
    change = applied.changes.row(0, named=True)
    assert (change["unit"], change["unit_name"], change["indicator"], change["was"]) == (
        "T2",
        "乙镇",
        "A2",
        f"{year.data / 'assessments.csv'} 第6行",
    )
    assert after.sources[-1].role == "appeals" and after.observations.height == before.observations.height
    old, new = compute(before), compute(after)
    # the run is replayable from its manifest, the decision applied again
    replayed = replay_run(Manifest.from_json(new.manifest.to_json()))
    assert results_digest(replayed.units) == results_digest(new.units) != results_digest(old.units)
    rank = {r["unit"]: r["rank"] for r in new.units.to_dicts()}
    assert (
        {r["unit"]: r["rank"] for r in old.units.to_dicts()}["T2"] == 2
        and rank["T2"] == 1
        and rank["T1"] == 2
    )
    decided = after.observations.filter(pl.col("unit") == "T2", pl.col("indicator") == "A2")
    assert decided["note"].item() == "申诉决定：补充佐证材料后复核（县政务公开办，2022-01-20）"
    # the decided row comes from the decisions' file, which the rows' files (an Enum of them) now name
    sources = after.observations.schema["source"]
    assert isinstance(sources, pl.Enum) and decided["source"].item() == after.sources[-1].path
    assert set(sources.categories) == {*before.observations["source"].cast(pl.String), after.sources[-1].path}

    report = appeals_report(
        applied.changes,
        new.units,
        new.indicator_points().collect(),
        old.units,
        old.indicator_points().collect(),
        "草稿",
    )
    row = report.changes.row(0, named=True)
    assert (row["points_before"], row["points_after"], row["total_before"], row["total_after"]) == (
        25,
        35,
        85,
        95,
    )
    assert (row["rank_before"], row["rank_after"], row["rank_arrow"]) == (2, 1, "↑1")
    assert report.others["unit"].to_list() == ["T1"]  # pushed down by the decision
    assert report.others.row(0, named=True)["rank_arrow"] == "↓1"


def test_old_values_compare_after_normalisation_and_by_name(year: Year) -> None:
    """√ is 是, a unit may be named, and an empty old value adds a row the inputs did not have."""
    rows = [
        ["丙镇", "A3", "", "是", "否", "年报逾期", "县政务公开办", "2022年1月20日"],
        ["D1", "A3", "", "否", "是", "年报已按时公开", "县政务公开办", "2022/1/21"],
    ]
    chinese = [
        "单位",
        "指标",
        "子项",
        "原值",
        "新值",
        "理由",
        "决定人",
        "决定日期",
    ]  # headers as an office types them
    after, applied = apply_appeals(load(year), write_appeals(year, rows, chinese))
    assert applied is not None
    assert applied.changes["decision_date"].to_list() == ["2022-01-20", "2022-01-21"]
    values = {
        r["unit"]: r["value"] for r in after.observations.filter(pl.col("indicator") == "A3").to_dicts()
    }
    assert values["T3"] == 0 and values["D1"] == 1

    write_csv(year.data / "assessments.csv", ["unit", "indicator", "key", "value"], INPUTS[:-1])
    addition = [["D1", "A3", "", "", "是", "补录", "县政务公开办", "2022-01-20"]]
    added, applied = apply_appeals(load(year), write_appeals(year, addition))
    assert applied is not None and applied.changes["was"].to_list() == ["新增"]
    assert added.observations.height == len(INPUTS)


def test_every_problem_is_located_in_appeals_csv(year: Year) -> None:
    rows = [
        ["T2", "A2", "", "20", "35", "复核", "县政务公开办", "2022-01-20"],  # old value is 25
        ["T9", "A2", "", "25", "35", "复核", "县政务公开办", "2022-01-20"],  # no such unit
        ["T1", "A9", "", "25", "35", "复核", "县政务公开办", "2022-01-20"],  # no such indicator
        ["T1", "A1", "", "50", "60", "复核", "县政务公开办", "2022-01-20"],  # above the leaf's 50 points
        ["T3", "A2", "", "25", "30", "", "", "下周"],  # no reason, no decider, no date
    ]
    path = write_appeals(year, rows)
    with pytest.raises(ValidationFailed) as e:
        apply_appeals(load(year), path)
    found = [(i.row, i.column, i.code.split("|")[-1]) for i in e.value.errors]
    assert sorted(found) == [
        (2, "old_value", "appeals_old_value"),
        (3, "unit", "unit_known"),
        (4, "indicator", "indicator_known"),
        (5, "new_value", "value_points_range"),
        (6, "decided_by", "required"),
        (6, "decision_date", "date"),
        (6, "reason", "required"),
    ]
    write_appeals(year, rows[:1])
    with pytest.raises(ValidationFailed) as e:
        apply_appeals(load(year), path)
    (issue,) = e.value.errors
    assert (issue.row, issue.column, issue.value) == (2, "old_value", "20")
    assert "与评分数据不一致" in issue.expected and "第6行为“25”" in issue.expected
    write_appeals(year, [["T2", "A2", "", "25", "35", "复核", "办", "2022-01-20"]] * 2)
    with pytest.raises(ValidationFailed) as e:
        apply_appeals(load(year), path)
    assert [i.code.split("|")[-1] for i in e.value.errors] == ["duplicate"]


def test_a_header_only_file_applies_nothing(year: Year) -> None:
    before = load(year)
    after, applied = apply_appeals(before, write_appeals(year, []))
    assert applied is None and after is before


# --------------------------------------------------------------------------------------------- commands


def test_appeal_run_supersedes_the_draft_and_both_are_kept(year: Year) -> None:
    args = ["compute", "--year", "2021", "--indicators", str(year.ind), "--data", str(year.data)]
    args += ["--archive", "results/archive.duckdb"]  # where export looks by default
    draft = runner.invoke(app, [*args, "--out", "draft.xlsx"])
    assert draft.exit_code == 0, draft.output
    assert "档案：运行 1（草稿）已记录" in draft.output
    write_appeals(year, [DECISION])

    no_reason = runner.invoke(app, [*args, "--out", "final.xlsx", "--supersedes", "1"])
    assert no_reason.exit_code == 1 and "--reason" in no_reason.output
    final = runner.invoke(app, [*args, "--out", "final.xlsx", "--supersedes", "1", "--reason", "申诉处理"])
    assert final.exit_code == 0, final.output
    assert "申诉：应用" in final.output and "中 1 项决定" in final.output and "对照：运行 1" in final.output
    assert "取代运行 1（申诉处理）" in final.output

    values = cells(Path("final.xlsx"))
    sheet = values["申诉处理"]
    (row,) = table(sheet, 2)[:1]
    assert (row["单位"], row["编号"], row["原值"], row["新值"], row["决定人"]) == (
        "乙镇",
        "A2",
        "25",
        "35",
        "县政务公开办",
    )
    assert (row["指标得分(原)"], row["指标得分(新)"], row["总分(原)"], row["总分(新)"], row["总分变化"]) == (
        25,
        35,
        85,
        95,
        10,
    )
    assert (row["排名(原)"], row["排名(新)"], row["名次变化"]) == (2, 1, "↑1")
    others = next(i for i, r in enumerate(sheet) if r[0] and str(r[0]).startswith("其他单位"))
    assert sheet[others + 2][1:9] == ["甲镇", "乡镇", 90, 90, 0, 1, 2, "↓1"]
    towns = table(values["乡镇"], 2)
    assert [(r["排名"], r["单位"]) for r in towns] == [(1, "乙镇"), (2, "甲镇"), (3, "丙镇")]
    assert "申诉处理" not in cells(Path("draft.xlsx"))

    # both runs stay; the draft is marked superseded and cannot be finalised
    history = runner.invoke(app, ["history"])
    assert "草稿（已被运行 2 取代）" in history.output and "申诉处理" in history.output
    refused = runner.invoke(app, ["finalize", "1"])
    assert refused.exit_code == 1 and "已被运行 2 取代" in refused.output
    assert runner.invoke(app, ["finalize", "2", "--by", "张三"]).output.strip() == "运行 2 已定稿"
    store = Archive(Path("results/archive.duckdb"))
    runs = store.runs(2021)
    assert [(r.run_id, r.status, r.supersedes, r.superseded_by) for r in runs] == [
        (1, "draft", None, (2,)),
        (2, "final", 1, ()),
    ]
    assert store.unit_results(1).filter(pl.col("unit") == "T2")["rank"].item() == 2
    assert store.unit_results(2).filter(pl.col("unit") == "T2")["rank"].item() == 1
    assert [s.role for s in store.sources(2)][-1] == "appeals"

    # the final workbook, 申诉处理 included, is reproduced from the archive alone
    for p in (year.data / "appeals.csv", year.data / "assessments.csv"):
        p.unlink()
    again = runner.invoke(app, ["export", "2", "--out", "again.xlsx"])
    assert again.exit_code == 0, again.output
    assert cells(Path("again.xlsx")) == values


def test_a_wrong_old_value_is_refused_and_nothing_is_written(year: Year) -> None:
    write_appeals(year, [["T2", "A2", "", "20", "35", "复核", "县政务公开办", "2022-01-20"]])
    args = ["compute", "--year", "2021", "--indicators", str(year.ind), "--data", str(year.data)]
    result = runner.invoke(app, [*args, "--out", "r.xlsx"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "appeals.csv" in result.output
        and "old_value" in result.output
        and "与评分数据不一致" in result.output
    )
    assert "申诉决定未通过校验" in result.output
    assert not Path("r.xlsx").exists() and not Path("results/archive.duckdb").exists()


def test_without_a_superseded_run_the_sheet_compares_with_the_inputs_before_the_decisions(
    year: Year, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "decisions"
    elsewhere.mkdir()
    path = elsewhere / "申诉决定.csv"
    write_csv(path, HEADER, [DECISION])
    args = ["compute", "--year", "2021", "--indicators", str(year.ind), "--data", str(year.data)]
    result = runner.invoke(app, [*args, "--appeals", str(path), "--no-archive", "--out", "r.xlsx"])
    assert result.exit_code == 0, result.output
    assert "对照：不含申诉决定的计算结果" in result.output and "提示：未用 --supersedes" in result.output
    (row,) = table(cells(Path("r.xlsx"))["申诉处理"], 2)[:1]
    assert (row["排名(原)"], row["排名(新)"], row["总分变化"]) == (2, 1, 10)


def test_old_values_compare_with_a_parquet_file_of_decimals(year: Year) -> None:
    """A decimal number of a Parquet file is kept without its text (spec.year.written_text): an appeal's
    old value is still compared with it, and a wrong one is told with the number as the file holds it."""
    as_number = {"是": 1.0, "√": 1.0, "否": 0.0}
    pl.DataFrame(
        [(u, i, float(as_number.get(str(v), str(v)))) for u, i, _, v in INPUTS],
        schema={"unit": pl.String, "indicator": pl.String, "value": pl.Float64},
        orient="row",
    ).write_parquet(year.data / "assessments.parquet")
    (year.data / "assessments.csv").unlink()
    before = load_year(2021, year.ind, year.data)
    assert before.observations["text"].null_count() == len(INPUTS)  # none kept: each is its number's own
    after, applied = apply_appeals(before, write_appeals(year, [DECISION]))
    assert applied is not None and applied.changes["was"].to_list() == [
        f"{year.data / 'assessments.parquet'} 第6行"
    ]
    decided = after.observations.filter((pl.col("unit") == "T2") & (pl.col("indicator") == "A2"))
    assert decided.select("value", "text").row(0) == (35.0, "35")
    wrong = [["T2", "A2", "", "20", "35", "复核", "县政务公开办", "2022-01-20"]]
    with pytest.raises(ValidationFailed) as refused:
        apply_appeals(before, write_appeals(year, wrong))
    assert [i.expected for i in refused.value.issues] == [
        f"与评分数据不一致：{year.data / 'assessments.parquet'} 第6行为“25.0”"
    ]

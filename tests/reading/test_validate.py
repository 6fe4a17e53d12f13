"""Deliberately broken copies of the shipped 2021 year: each fault is reported with its file, row,
column and code, all faults together, and `score validate` exits 1 without a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring import ValidationFailed, load_year
from scoring.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def copy_year(tmp_path: Path) -> tuple[Path, Path]:
    ind, data = tmp_path / "indicators" / "2021", tmp_path / "data" / "2021"
    shutil.copytree(ROOT / "indicators" / "2021", ind)
    shutil.copytree(ROOT / "data" / "2021", data)
    return ind, data


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8-sig")


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\r\n")


def line_of(path: Path, startswith: str) -> int:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return next(i for i, x in enumerate(lines, 1) if x.startswith(startswith))


def validate(ind: Path, data: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--year", "2021", "--indicators", str(ind), "--data", str(data)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_shipped_years_are_clean() -> None:
    for year in (2020, 2021):
        result = runner.invoke(
            app,
            [
                "validate",
                "--year",
                str(year),
                "--indicators",
                str(ROOT / "indicators" / str(year)),
                "--data",
                str(ROOT / "data" / str(year)),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "校验通过" in result.output


Mutation = Callable[[Path, Path], list[str]]


def duplicate_id(ind: Path, data: Path) -> list[str]:
    append(ind / "indicators.csv", "A1.2,A1,重复,1.5,,binary,,,,评分标准,")
    return ["A1.2|id_unique", "indicators.csv"]


def points_not_adding_up(ind: Path, data: Path) -> list[str]:
    edit(
        ind / "indicators.csv",
        "A1.2,A1,链接自治区“十四五”规划公开专栏,1.5,",
        "A1.2,A1,链接自治区“十四五”规划公开专栏,2,",
    )
    return ["A1|points_sum", "下级指标分值之和为 4.5"]


def unknown_rule(ind: Path, data: Path) -> list[str]:
    edit(ind / "indicators.csv", ",per_occurrence,per=0.5; cap=1.5,", ",per_ocurrence,per=0.5; cap=1.5,")
    return ["A2.2|rule_known", "per_ocurrence"]


def bad_parameter(ind: Path, data: Path) -> list[str]:
    edit(ind / "indicators.csv", "per=0.5; cap=1.5", "per=0.5; cap=-1")
    return ["A2.2|params_cap", "cap=-1"]


def tiers_not_descending(ind: Path, data: Path) -> list[str]:
    text = (ind / "indicators.csv").read_text(encoding="utf-8-sig")
    line = next(x for x in text.splitlines() if ",tiered," in x)
    leaf = line.split(",")[0]
    start = line.index("tiers=") + len("tiers=")
    end = line.index('"', start)
    steps = line[start:end].split(",")
    edit(ind / "indicators.csv", line, line.replace(line[start:end], ",".join(reversed(steps))))
    return [f"{leaf}|params_tiers_descending"]


def missing_parameter(ind: Path, data: Path) -> list[str]:
    edit(ind / "indicators.csv", "per=0.5; cap=1.5", "cap=1.5")
    return ["A2.2|params_per_missing"]


def unknown_parent(ind: Path, data: Path) -> list[str]:
    append(ind / "indicators.csv", "Z1,Z,孤儿,1,,binary,,,,评分标准,")
    return ["Z1|parent_known"]


def unknown_plan_item(ind: Path, data: Path) -> list[str]:
    edit(ind / "indicators.csv", ",2021-5,", ",2021-99,")
    return ["A2.2|plan_item_known", "2021-99"]


def unknown_class_in_roster(ind: Path, data: Path) -> list[str]:
    edit(data / "units.csv", "T02,轮南镇,town", "T02,轮南镇,township")
    return ["T02|class_known", "township", "units.csv"]


def unknown_unit(ind: Path, data: Path) -> list[str]:
    append(data / "assessments.csv", "T99,E1.1,,1,,,,")
    return ["E1.1|unit_known", "T99", "1852"]


def out_of_domain(ind: Path, data: Path) -> list[str]:
    edit(data / "assessments.csv", "T01,E1.1,,6,", "T01,E1.1,,-2,")
    edit(data / "assessments.csv", "T01,A3.4,补贴政策,是,", "T01,A3.4,补贴政策,也许,")
    return ["E1.1|value_count", "A3.4|value_domain", "也许", "-2"]


def not_applicable_indicator(ind: Path, data: Path) -> list[str]:
    append(data / "assessments.csv", "T01,A1.1,未公开,1,,,,")  # A1 is for departments only
    return ["A1.1|indicator_applies"]


def duplicate_row(ind: Path, data: Path) -> list[str]:
    append(data / "assessments.csv", "T01,A3.4,补贴政策,否,,,,")
    return ["A3.4|duplicate", "与本文件第2行重复"]


def unknown_key(ind: Path, data: Path) -> list[str]:
    edit(data / "assessments.csv", "T01,A3.4,补贴政策,", "T01,A3.4,补贴正策,")
    return ["A3.4|key_known", "补贴正策"]


def empty_file(ind: Path, data: Path) -> list[str]:
    (data / "assessments.csv").write_bytes(b"")
    return ["文件为空"]


def missing_column(ind: Path, data: Path) -> list[str]:
    text = (data / "units.csv").read_text(encoding="utf-8-sig")
    rows = [",".join(x.split(",")[:2]) for x in text.splitlines()]
    (data / "units.csv").write_text("\n".join(rows), encoding="utf-8")
    return ["class|column_present"]


def unknown_column(ind: Path, data: Path) -> list[str]:
    edit(data / "assessments.csv", "unit,indicator,key,value", "unit,indicator,key,valeu")
    return ["valeu|column_known", "value|column_present"]


def wrong_encoding(ind: Path, data: Path) -> list[str]:
    text = (data / "units.csv").read_text(encoding="utf-8-sig")
    (data / "units.csv").write_bytes(text.encode("utf-16"))
    return ["无法识别的文件编码"]


MUTATIONS: list[Mutation] = [
    duplicate_id,
    points_not_adding_up,
    unknown_rule,
    bad_parameter,
    tiers_not_descending,
    missing_parameter,
    unknown_parent,
    unknown_plan_item,
    unknown_class_in_roster,
    unknown_unit,
    out_of_domain,
    not_applicable_indicator,
    duplicate_row,
    unknown_key,
    empty_file,
    missing_column,
    unknown_column,
    wrong_encoding,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda m: m.__name__)
def test_broken_copy_reports_its_fault(tmp_path: Path, mutate: Mutation) -> None:
    ind, data = copy_year(tmp_path)
    expected = mutate(ind, data)
    code, output = validate(ind, data)
    assert code == 1
    for text in expected:
        assert text in output, f"{text!r} missing from:\n{output}"


def test_bad_settings_choice(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    text = (ind / "settings.toml").read_text(encoding="utf-8")
    (ind / "settings.toml").write_text(
        text.replace('ties = "competition"', 'ties = "olympic"'), encoding="utf-8"
    )
    code, output = validate(ind, data)
    assert code == 1 and "settings|ties_choice" in output and "olympic" in output


def test_every_fault_is_reported_at_once(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    expected = [unknown_unit(ind, data), out_of_domain(ind, data), unknown_key(ind, data)]
    append(data / "assessments.csv", "T01,E1.1,,5,,,,")
    with pytest.raises(ValidationFailed) as err:
        load_year(2021, ind, data)
    codes = {i.code for i in err.value.errors}
    assert {
        "E1.1|unit_known",
        "E1.1|value_count",
        "A3.4|value_domain",
        "E1.1|duplicate",
        "A3.4|key_known",
    } <= codes
    for issue in err.value.errors:
        assert issue.file.endswith("assessments.csv") and issue.row is not None and issue.column
    assert len(expected) == 3


def test_catalogue_faults_reported_together(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    duplicate_id(ind, data)
    unknown_rule(ind, data)
    unknown_parent(ind, data)
    with pytest.raises(ValidationFailed) as err:
        load_year(2021, ind, data)
    codes = {i.code for i in err.value.errors}
    assert {"A1.2|id_unique", "A2.2|rule_known", "Z1|parent_known"} <= codes
    rows = {i.code: i.row for i in err.value.errors}
    assert rows["A2.2|rule_known"] == line_of(ind / "indicators.csv", "A2.2,")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_load(tmp_path: Path, encoding: str) -> None:
    ind, data = copy_year(tmp_path)
    for name in ("units.csv", "assessments.csv"):
        text = (data / name).read_text(encoding="utf-8-sig")
        (data / name).write_bytes(text.encode(encoding))
    a = load_year(2021, ind, data)
    assert a.units.filter(a.units["code"] == "T01")["name"].item() == "轮台镇"


def test_year_without_catalogue_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", "--year", "1999", "--indicators", str(tmp_path / "nope"), "--data", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "1999" in result.output


def test_duplicates_across_files_name_the_first_file(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    first = line_of(data / "assessments.csv", "T02,E1.1,")
    text = (data / "assessments.csv").read_text(encoding="utf-8-sig").splitlines()
    (data / "more.csv").write_text(
        "\n".join([text[0], text[first - 1], "T01,A3.4,补贴对象及标准,是,,,,"]) + "\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as err:
        load_year(2021, ind, data)
    dups = [i for i in err.value.errors if i.code.endswith("|duplicate")]
    assert {(Path(i.file).name, i.row, i.code) for i in dups} == {
        ("more.csv", 2, "E1.1|duplicate"),
        ("more.csv", 3, "A3.4|duplicate"),
    }
    by_row = {i.row: i.expected for i in dups}
    assert "assessments.csv" in by_row[2] and f"第{first}行重复" in by_row[2]
    assert f"第{line_of(data / 'assessments.csv', 'T01,A3.4,补贴对象及标准,')}行" in by_row[3]


def test_each_rows_file_is_named_once_for_the_year_not_on_every_row(tmp_path: Path) -> None:
    # the rows of several files (and the self-scores, read apart) name their file by an Enum of the year's
    # files: a byte a row, where text took 16 (900 MB at a million units in several files)
    import polars as pl

    ind, data = copy_year(tmp_path)
    csv = data / "assessments.csv"
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    moved = [x for x in lines[1:] if x.startswith("T01,")]
    kept = [x for x in lines[1:] if not x.startswith("T01,")]
    csv.write_text("\n".join([lines[0], *kept]) + "\n", encoding="utf-8")
    (data / "b_T01.csv").write_text("\n".join([lines[0], *moved]) + "\n", encoding="utf-8")
    own = next(x for x in lines[1:] if x.startswith("T02,"))  # a self-score (自评) as reviewed
    (data / "自评.csv").write_text("\n".join([lines[0], own]) + "\n", encoding="utf-8")
    a = load_year(2021, ind, data)
    kind = a.observations.schema["source"]
    assert isinstance(kind, pl.Enum) and a.observations["source"].to_physical().dtype == pl.UInt8
    names = {Path(f).name for f in kind.categories}
    assert names == {"assessments.csv", "b_T01.csv", "自评.csv"}
    assert list(kind.categories) == sorted(kind.categories)
    of_t01 = a.observations.filter(pl.col("unit") == "T01")["source"].cast(pl.String).unique().to_list()
    assert [Path(f).name for f in of_t01] == ["b_T01.csv"]
    assert a.self_observations is not None and a.self_observations.schema["source"] == kind


def test_numbers_from_a_typed_file_are_not_called_hand_entry(tmp_path: Path) -> None:
    """A Parquet (or spreadsheet) number arrives as digits a program wrote, 4.07e-07 included: taken as it
    is, exactly, with no “normalised” note; a hand-entry form in the same year still gets its note."""
    import polars as pl

    ind, data = copy_year(tmp_path)
    csv = data / "assessments.csv"
    text = csv.read_text(encoding="utf-8-sig")
    kept = [x for x in text.splitlines() if not x.startswith("T01,B1.2,")]
    csv.write_text("\n".join(kept) + "\n", encoding="utf-8")
    pl.DataFrame({"unit": ["T01"], "indicator": ["B1.2"], "value": [4.071836643970706e-07]}).write_parquet(
        data / "more.parquet"
    )
    a = load_year(2021, ind, data)
    value = a.observations.filter((pl.col("unit") == "T01") & (pl.col("indicator") == "B1.2"))["value"]
    assert value.to_list() == [4.071836643970706e-07]
    noted = {i.file.rsplit("/", 1)[-1] for i in a.notes if i.code == "inputs|normalised"}
    assert "more.parquet" not in noted and "assessments.csv" in noted  # 100% and 50% are hand-entry forms


def test_a_parquet_file_of_numbers_reads_as_the_same_file_of_text() -> None:
    """Numbers of a Parquet file are read as numbers (not cast to text and parsed back): observations,
    issues and notes as when the same values come as text; a file of integers beside one of decimals keeps
    each value as its own file wrote it (-3, not -3.0)."""
    import polars as pl

    from scoring.reading.validate import read_inputs
    from scoring.spec.year import written_text
    from scoring.testing import example_year

    a = example_year().assessment()
    rows = [
        ("T01", "A1", 1.0),
        ("T02", "A1", -3.0),  # a count cannot be negative
        ("T01", "A2", float("nan")),  # no number
        ("T02", "A2", float("inf")),
        ("D01", "B2", 0.5),
        ("D02", "B2", 4.071836643970706e-07),
        ("D01", "A2", None),  # empty
        ("X9", "A1", 2.0),  # unknown unit
        ("T01", "A1", 1.0),  # repeats row 2
    ]
    floats = pl.DataFrame(
        rows, schema={"unit": pl.String, "indicator": pl.String, "value": pl.Float64}, orient="row"
    )
    ints = pl.DataFrame({"unit": ["D02"], "indicator": ["A1"], "value": [-3]})
    numbers = [
        (f, df.with_row_index("__row__", offset=2)) for f, df in (("a.parquet", floats), ("b.parquet", ints))
    ]
    text = [(f, df.with_columns(pl.col("value").cast(pl.String))) for f, df in numbers]
    for given in ([numbers[0]], numbers):
        as_numbers = read_inputs(given, a.catalogue, a.settings, a.units)
        as_text = read_inputs(text[: len(given)], a.catalogue, a.settings, a.units)
        # the same observations once each value's text is given back (a decimal's is its own: not kept)
        assert as_numbers.observations.with_columns(written_text().alias("text")).equals(as_text.observations)
        assert as_numbers.issues == as_text.issues and as_numbers.normalised.equals(as_text.normalised)
    # a file of decimals alone: no text kept; beside a file of integers both are read as text ("-3")
    alone = read_inputs([numbers[0]], a.catalogue, a.settings, a.units).observations
    valued = alone.filter(pl.col("value").is_not_null())
    assert valued.height == 5 and valued["text"].null_count() == 5
    assert as_numbers.observations.filter(pl.col("source") == "b.parquet")["text"].to_list() == ["-3"]
    found = [(i.file, i.row, i.value, i.code) for i in as_numbers.issues]
    assert found == [
        ("a.parquet", 9, "X9", "A1|unit_known"),
        ("a.parquet", 4, "NaN", "A2|value_domain"),
        ("a.parquet", 5, "inf", "A2|value_domain"),
        ("a.parquet", 3, "-3.0", "A1|value_count"),
        ("b.parquet", 2, "-3", "A1|value_count"),
        ("a.parquet", 8, None, "A2|value_required"),
        ("a.parquet", 10, "1.0", "A1|duplicate"),
    ]


def test_yes_and_no_as_1_and_0_are_not_called_hand_entry(tmp_path: Path) -> None:
    """A yes/no leaf given as 1/0 — a number column of a Parquet file (1.0) or a CSV's digits — is read as
    是/否 with no “normalised” note; √ is a hand-entry form and is noted."""
    import polars as pl

    ind, data = copy_year(tmp_path)
    csv = data / "assessments.csv"
    edit(csv, "T01,E1.3,,是,", "T01,E1.3,,1,")
    edit(csv, "T02,B2.2,,是,", "T02,B2.2,,0,")
    text = csv.read_text(encoding="utf-8-sig")
    csv.write_text(
        "\n".join(x for x in text.splitlines() if not x.startswith("T01,B2.2,")) + "\n", encoding="utf-8"
    )
    pl.DataFrame({"unit": ["T01"], "indicator": ["B2.2"], "value": [1.0]}).write_parquet(
        data / "more.parquet"
    )
    a = load_year(2021, ind, data)
    got = a.observations.filter(
        pl.col("indicator").is_in(["B2.2", "E1.3"]) & pl.col("unit").is_in(["T01", "T02"])
    )
    assert sorted(got.select("unit", "indicator", "value").rows()) == [
        ("T01", "B2.2", 1.0),
        ("T01", "E1.3", 1.0),
        ("T02", "B2.2", 0.0),
        ("T02", "E1.3", 1.0),
    ]
    notes = [i for i in a.notes if i.code == "inputs|normalised"]
    assert not any(i.file.endswith("more.parquet") for i in notes)
    before = next(i for i in notes if i.file.endswith("assessments.csv"))
    assert before.expected.startswith("14 个值")  # the shipped year's 14 (100%, 50% …), not 16
    edit(csv, "T01,E1.3,,1,", "T01,E1.3,,√,")
    after = next(i for i in load_year(2021, ind, data).notes if i.file.endswith("assessments.csv"))
    assert after.expected.startswith("15 个值") and "√" in (after.value or "").split("、")


def test_inputs_with_no_known_unit_are_reported_not_a_crash(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    csv = data / "assessments.csv"
    header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
    csv.write_text(header + "\nX01,E1.1,,1,,,,\nX02,E1.1,,2,,,,\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        load_year(2021, ind, data)
    assert [(i.row, i.code) for i in err.value.errors if i.code.endswith("unit_known")] == [
        (2, "E1.1|unit_known"),
        (3, "E1.1|unit_known"),
    ]


def test_a_year_without_workbooks_among_its_inputs_does_not_load_openpyxl() -> None:
    """openpyxl (the template reader's) is 75 ms of a run's start: loaded only for a workbook input."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from scoring import load_year; "
        "load_year(2021, Path('indicators/2021'), Path('data/2021')); print('openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_parquet_file_of_texts_is_checked_as_the_same_csv(tmp_path: Path) -> None:
    """A Parquet file's texts are read as Categorical (each code once): the same problems, at the same rows
    and in the same words, as when the same rows come as CSV, and the same observations when none."""
    import polars as pl

    def year(folder: str, suffix: str, rows: pl.DataFrame) -> tuple[Path, Path]:
        ind, data = copy_year(tmp_path / folder)
        (data / "assessments.csv").unlink()
        path = data / f"assessments{suffix}"
        rows.write_parquet(path) if suffix == ".parquet" else rows.write_csv(path)
        return ind, data

    _, data = copy_year(tmp_path / "given")
    given = pl.read_csv(data / "assessments.csv", infer_schema=False)
    loaded = [load_year(2021, *year(f, s, given)) for f, s in (("c", ".csv"), ("p", ".parquet"))]
    assert loaded[0].observations.drop("source").equals(loaded[1].observations.drop("source"))

    n = pl.int_range(pl.len())
    planted = given.with_columns(
        pl.when(n == 3)
        .then(pl.lit("T０１"))  # full-width digits: the same code
        .when(n == 5)
        .then(None)
        .when(n == 7)
        .then(pl.lit("X99"))
        .otherwise(pl.col("unit"))
        .alias("unit"),
        pl.when(n == 9)
        .then(None)
        .when(n == 11)
        .then(pl.lit("ZZ9"))
        .otherwise(pl.col("indicator"))
        .alias("indicator"),
    )
    found = []
    for folder, suffix in (("pc", ".csv"), ("pp", ".parquet")):
        with pytest.raises(ValidationFailed) as failed:
            load_year(2021, *year(folder, suffix, planted))
        found.append([(i.row, i.column, i.value, i.expected, i.code) for i in failed.value.issues])
    assert found[0] == found[1]
    unknown = "单位代码或名称不在名单（units.csv）中"
    assert [i[:4] for i in found[1][:-1]] == [
        (7, "unit", None, "不能为空"),
        (11, "indicator", None, "不能为空"),
        (7, "unit", None, unknown),
        (9, "unit", "X99", unknown),
        (13, "indicator", "ZZ9", "指标编号不在本年度指标体系中"),
    ]

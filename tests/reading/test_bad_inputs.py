"""Bad inputs on copies of the shipped 2021 year, one test per kind of fault: none is accepted silently.
Each is a located error in Chinese (file, row or template cell, column, value, what was expected) or,
for a value that is legal but unusual, the correct score and a note naming the cell."""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from scoring import Assessment, ValidationFailed, compute, load_year
from scoring.errors import Issue
from scoring.output.template import write_template
from tests.reading.test_template import locate
from tests.reading.test_validate import copy_year, edit, line_of, validate

ROOT = Path(__file__).resolve().parents[2]
A = "assessments.csv"
C11 = "T01,C1.1,,97.5,"  # 政府网站集约化: an imported score (scale=100)
E21 = "T01,E2.1,,100,"  # 回头看完成率: tiered, tiers up to 100
E31 = "T01,E3.1,,2021-09-29,"  # 要点涉及信息按期发布: a deadline (due 2021-10-20)


def errors(ind: Path, data: Path) -> list[Issue]:
    with pytest.raises(ValidationFailed) as caught:
        load_year(2021, ind, data)
    return caught.value.errors


def one(issues: list[Issue], code: str) -> Issue:
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, "\n".join(map(str, issues))
    return found[0]


def without_unit(data: Path, unit: str, keep: int = 0) -> None:
    """Delete the unit's rows from assessments.csv (all but the first ``keep``)."""
    lines = (data / A).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    mine = [x for x in lines if x.startswith(f"{unit},")]
    (data / A).write_text("".join(x for x in lines if x not in mine[keep:]), encoding="utf-8")


# ------------------------------------------------------------------------- NaN, inf: never a number


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "Infinity"])
@pytest.mark.parametrize(
    ("row", "code"),
    [(C11, "C1.1|value_domain"), (E21, "E2.1|value_domain"), ("T01,E1.1,,6,", "E1.1|value_domain")],
)
def test_not_a_number_is_refused_where_it_is(tmp_path: Path, text: str, row: str, code: str) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, row, f"{row.rsplit(',', 2)[0]},{text},")
    issue = one(errors(ind, data), code)
    assert (Path(issue.file).name, issue.row, issue.column, issue.value) == (
        A,
        line_of(data / A, row.rsplit(",", 2)[0] + ","),
        "value",
        text,
    )
    assert "应为有限的数值" in issue.expected


def test_not_a_number_through_score_validate(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, C11, "T01,C1.1,,NaN,")
    code, output = validate(ind, data)
    assert code == 1
    assert "NaN" in output and "应为有限的数值（NaN、inf 等不是数值，不能作为评分）" in output
    assert "C1.1|value_domain" in output and "规范化" not in output


def test_not_a_number_from_parquet(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    lines = (data / A).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (data / A).write_text("".join(x for x in lines if not x.startswith(C11)), encoding="utf-8")
    frame = pl.DataFrame({"unit": ["T01"], "indicator": ["C1.1"], "value": [float("nan")]})
    frame.write_parquet(data / "more.parquet")
    issue = one(errors(ind, data), "C1.1|value_domain")
    assert (Path(issue.file).name, issue.row, issue.value) == ("more.parquet", 2, "NaN")


def template_year(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of 2021 whose only input is a blank template (the CSV removed)."""
    ind, data = copy_year(tmp_path)
    year = load_year(2021, ind, data)
    (data / A).unlink()
    path = data / "评分表.xlsx"
    write_template(path, year.catalogue, year.settings, year.units)
    return ind, data, path


@cache
def shipped() -> Assessment:
    return load_year(2021, ROOT / "indicators" / "2021", ROOT / "data" / "2021")


def fill(path: Path, cells: dict[tuple[str, str], object]) -> dict[tuple[str, str], tuple[str, int]]:
    """Type values into the template: (unit, leaf) → value; returns where each went (sheet!cell, row)."""
    book = openpyxl.load_workbook(path)
    where = {}
    for (unit, leaf), value in cells.items():
        sheet, cell = locate(path, shipped(), unit, leaf)
        book[sheet][cell] = value
        where[unit, leaf] = (f"{sheet}!{cell}", int(re.sub(r"\D", "", cell)))
    book.save(path)
    return where


@pytest.mark.parametrize("text", ["NaN", "inf"])
def test_not_a_number_in_a_template_names_the_cell(tmp_path: Path, text: str) -> None:
    ind, data, path = template_year(tmp_path)
    where = fill(path, {("T01", "C1.1"): text})
    issue = one(errors(ind, data), "C1.1|value_domain")
    assert Path(issue.file).name == path.name and issue.value == text
    cell, row = where["T01", "C1.1"]
    assert (issue.column, issue.row) == (f"value（{cell}）", row)
    assert "应为有限的数值" in issue.expected


# ------------------------------------------------------------------ a number within its declared bounds


@pytest.mark.parametrize("text", ["150", "930", "-5", "100.5"])
def test_an_imported_score_beyond_its_scale_is_refused(tmp_path: Path, text: str) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, C11, f"T01,C1.1,,{text},")
    issue = one(errors(ind, data), "C1.1|value_range")
    where = (Path(issue.file).name, issue.row, issue.column, issue.value)
    assert where == (A, line_of(data / A, "T01,C1.1,"), "value", text)
    assert issue.expected == "应在 0 到 100 之间（其他机构的评价得分）"
    code, output = validate(ind, data)
    assert code == 1 and "应在 0 到 100 之间（其他机构的评价得分）" in output


@pytest.mark.parametrize("text", ["0", "100"])
def test_an_imported_score_at_its_bounds_is_taken(tmp_path: Path, text: str) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, C11, f"T01,C1.1,,{text},")
    year = load_year(2021, ind, data)
    assert not [i for i in year.notes if "C1.1" in i.code]


def test_a_tiered_rate_above_100_is_scored_and_noted(tmp_path: Path) -> None:
    """120 on a completion rate (tiers up to 100%): legal for the rule (the top tier), so scored as
    such, but noted with its cell, so a typo for 12.0 or 102 is seen."""
    ind, data = copy_year(tmp_path)
    before = compute(load_year(2021, ind, data)).units
    edit(data / A, E21, "T01,E2.1,,120,")
    year = load_year(2021, ind, data)
    note = one(list(year.notes), "E2.1|value_unusual")
    assert note.severity == "note"
    where = (Path(note.file).name, note.row, note.column, note.value)
    assert where == (A, line_of(data / A, "T01,E2.1,"), "value", "120")
    assert note.expected == "超出此项通常的范围（0 到 100），已按所填数值计分；请核对是否填错"
    after = compute(year).units
    assert after.equals(before)  # 100 and 120 both reach the top tier
    code, output = validate(ind, data)
    assert code == 0 and "E2.1|value_unusual" in output


# -------------------------------------------------------------------------------- dates near the year


@pytest.mark.parametrize("text", ["2012-01-05", "2222-01-05", "2019-12-31", "2023-01-01"])
def test_a_date_with_a_year_typo_is_refused(tmp_path: Path, text: str) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, E31, f"T01,E3.1,,{text},")
    issue = one(errors(ind, data), "E3.1|value_date_window")
    where = (Path(issue.file).name, issue.row, issue.column, issue.value)
    assert where == (A, line_of(data / A, "T01,E3.1,"), "value", text)
    assert issue.expected.startswith("日期应在 2020-01-01 至 2022-12-31 之间（2021年度前后1年")
    assert "年份是否写错" in issue.expected


def test_the_date_window_is_a_setting(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, E31, "T01,E3.1,,2012-01-05,")
    settings = ind / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "date_window = 8\n", encoding="utf-8")
    assert one(errors(ind, data), "E3.1|value_date_window").expected.startswith(
        "日期应在 2013-01-01 至 2029-12-31 之间（2021年度前后8年"
    )
    edit(settings, "date_window = 8", "date_window = 10")
    load_year(2021, ind, data)  # the office said dates ten years away are meant


# ------------------------------------------------------------------------------------- settings keys


@pytest.mark.parametrize(
    ("old", "new", "column", "nearest"),
    [
        (
            "section_fail_share = 0.6",
            "section_fail_shar = 0.6",
            "grades.section_fail_shar",
            "section_fail_share",
        ),
        ("places = 2", "place = 2", "rounding.place", "places"),
    ],
)
def test_a_misspelt_setting_is_refused_with_the_nearest_key(
    tmp_path: Path, old: str, new: str, column: str, nearest: str
) -> None:
    ind, data = copy_year(tmp_path)
    edit(ind / "settings.toml", old, new)
    issue = one(errors(ind, data), "settings|key_unknown")
    assert Path(issue.file).name == "settings.toml" and issue.column == column
    assert f"是否应为 {nearest}？" in issue.expected
    code, output = validate(ind, data)
    assert code == 1 and f"是否应为 {nearest}？" in output and column in output


# ------------------------------------------------------------------------- missing data is not a zero


def test_a_unit_without_any_row_is_an_error(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    without_unit(data, "T05")
    issue = one(errors(ind, data), "units|no_inputs")
    where = (Path(issue.file).name, issue.row, issue.column, issue.value)
    assert where == ("units.csv", line_of(data / "units.csv", "T05,"), "code", "T05 哈尔巴克乡")
    assert issue.expected.startswith("评分数据中没有此单位：请补齐；不考核的从名单删除")
    assert issue.expected.endswith('照常计分的设 [inputs] missing_units = "zero"')
    code, output = validate(ind, data)
    assert code == 1 and "T05 哈尔巴克乡" in output and "共 1 处错误" in output


def test_an_office_may_score_a_unit_without_rows(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    without_unit(data, "T05")
    edit(ind / "settings.toml", 'missing = "zero"', 'missing = "zero"\nmissing_units = "zero"')
    year = load_year(2021, ind, data)
    note = one(list(year.notes), "units|no_inputs")
    assert note.severity == "note" and note.value == "T05 哈尔巴克乡"
    assert note.expected.startswith('评分数据中没有此单位，按 [inputs] missing_units = "zero" 照常计分')
    row = compute(year).units.filter(pl.col("unit") == "T05")
    assert row["total"].item() == 0 and row["grade"].item() == "不合格"


def test_a_unit_with_most_leaves_unscored_is_an_error(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    without_unit(data, "T05", keep=5)
    issue = one(errors(ind, data), "units|mostly_unscored")
    where = (Path(issue.file).name, issue.row, issue.value)
    assert where == ("units.csv", line_of(data / "units.csv", "T05,"), "T05 哈尔巴克乡")
    counts = re.match(r"(\d+) 项适用指标中 (\d+) 项无评分数据（超过 50%）：请补齐", issue.expected)
    assert counts is not None
    applicable, unscored = map(int, counts.groups())
    base = [n for n in shipped().catalogue.leaves if n.role == "base" and n.applies("town")]
    assert applicable == len(base) and applicable - unscored <= 5


def test_missing_share_is_a_setting(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    without_unit(data, "T05", keep=5)
    edit(ind / "settings.toml", 'missing = "zero"', 'missing = "zero"\nunscored_share = 0.95')
    load_year(2021, ind, data)  # the office allows up to 95% unscored


def test_a_template_with_one_filled_cell_is_not_thirty_zeros(tmp_path: Path) -> None:
    ind, data, path = template_year(tmp_path)
    fill(path, {("T01", "C1.1"): 95})
    found = errors(ind, data)
    absent = [i for i in found if i.code == "units|no_inputs"]
    assert [i.value for i in absent][:2] == ["T02 轮南镇", "T03 群巴克镇"] and len(absent) == 29
    assert one(found, "units|mostly_unscored").value == "T01 轮台镇"
    code, output = validate(ind, data)
    assert code == 1 and "共 30 处错误" in output
    # the office may score the units as they stand: then the template says what it left blank, per unit
    edit(ind / "settings.toml", 'missing = "zero"', 'missing = "zero"\nmissing_units = "zero"')
    year = load_year(2021, ind, data)
    blank = [i for i in year.notes if i.code.endswith("|template_blank")]
    assert len(blank) == 30 and {i.code for i in blank} == {"乡镇|template_blank", "县直部门|template_blank"}
    t01 = next(i for i in blank if i.value == "T01")
    assert t01.severity == "note" and t01.row == locate_row(path, "T01")
    assert re.fullmatch(
        r"\d+ 个应填单元格未填写（.+）：按未评分计（不是0分或满分），不适用的请填“不适用”", t01.expected
    )


def locate_row(path: Path, unit: str) -> int:
    _, cell = locate(path, shipped(), unit, "C1.1")
    return int(re.sub(r"\D", "", cell))


# ------------------------------------------------------------------------------ encodings, structure


def test_a_latin1_file_is_refused_not_read_as_gb18030(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    text = (data / A).read_text(encoding="utf-8-sig")
    # a Western office's file: no Chinese in it, one note in French
    rows = [x for x in text.splitlines() if x.isascii() and not x.startswith(C11)]
    rows.append("T01,C1.1,,97.5,,,Contrôle par Hélène,")
    (data / A).write_bytes("\n".join(rows).encode("latin-1"))
    code, output = validate(ind, data)
    assert code == 1
    assert "assessments.csv：文件编码不是 UTF-8 或 GB18030" in output
    assert "Contr鬺e par H閘鑞e" in output  # what it would have read, shown as the reason


def test_a_row_with_an_extra_field_is_named(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    edit(data / A, "T01,E2.1,,100,,,,", "T01,E2.1,,100,,,,,")
    code, output = validate(ind, data)
    row = line_of(data / A, "T01,E2.1,")
    assert code == 1
    assert f"assessments.csv：不是有效的 CSV 文件：第{row}行有 9 个字段，比表头的 8 列多 1 个" in output
    assert not re.search(r"[A-Za-z]{4,}", output.replace("CSV", "").split("assessments.csv")[-1])


def test_an_unbalanced_quote_is_named(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    row = line_of(data / A, "T01,E2.1,")
    edit(data / A, "T01,E2.1,,100,,,,", 'T01,E2.1,,"100,,,,')
    code, output = validate(ind, data)
    assert code == 1
    assert (
        f"不是有效的 CSV 文件：第{row}行第4列以英文双引号开头，但直到文件末尾都没有配对的结束引号" in output
    )
    assert not re.search(r"[A-Za-z]{4,}", output.replace("CSV", "").split("assessments.csv")[-1])


def test_a_duplicate_file_counts_every_error(tmp_path: Path) -> None:
    ind, data = copy_year(tmp_path)
    shutil.copy(data / A, data / "assessments_copy.csv")
    rows = len((data / A).read_text(encoding="utf-8-sig").splitlines()) - 1
    with pytest.raises(ValidationFailed) as caught:
        load_year(2021, ind, data)
    assert caught.value.total == rows and len(caught.value.errors) == 201
    code, output = validate(ind, data)
    assert code == 1
    assert f"同类错误还有 {rows - 200} 处未列出（共 {rows} 处）" in output
    assert f"共 {rows} 处错误（表中列出 201 条" in output

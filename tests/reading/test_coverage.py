"""Missing data is never a silent zero: units with no row, or most of their base leaves unscored, are
errors naming each unit at its roster row, unless the settings allow them; bonus, penalty and veto
leaves (rows only when something happened) are not counted."""

from __future__ import annotations

import pytest

from scoring.errors import Issue, ValidationFailed
from scoring.testing import example_year, leaf, section

CATALOGUE = [
    section("A", 100),
    leaf("A1", "A", 25, "binary"),
    leaf("A2", "A", 25, "binary"),
    leaf("A3", "A", 25, "binary"),
    leaf("A4", "A", 25, "binary", applies_to="dept"),
    section("J", 5, "bonus"),
    leaf("J1", "J", 5, "accumulate", "per=1"),
]
UNITS = [("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("D01", "丙局", "dept")]


def rows(unit: str, *leaves: str, value: str = "是") -> list[tuple[str, str, str, str]]:
    return [(unit, x, "", value) for x in leaves]


FULL = rows("T01", "A1", "A2", "A3") + rows("T02", "A1", "A2", "A3") + rows("D01", "A1", "A2", "A3", "A4")


def refused(inputs: list[tuple[str, str, str, str]], settings: str = "") -> list[Issue]:
    with pytest.raises(ValidationFailed) as caught:
        example_year(CATALOGUE, UNITS, inputs, settings).assessment()
    return caught.value.errors


def test_full_inputs_pass_without_bonus_rows() -> None:
    a = example_year(CATALOGUE, UNITS, FULL).assessment()
    assert a.notes == ()


def test_a_unit_with_no_row_is_named_at_its_roster_row() -> None:
    inputs = [r for r in FULL if r[0] != "T02"]
    (issue,) = refused(inputs)
    assert (issue.file, issue.row, issue.column, issue.value, issue.code) == (
        "units.csv",
        3,
        "code",
        "T02 乙镇",
        "units|no_inputs",
    )


def test_a_bonus_row_alone_does_not_make_a_unit_scored() -> None:
    inputs = [r for r in FULL if r[0] != "T02"] + rows("T02", "J1", value="1")
    (issue,) = refused(inputs)
    assert (issue.value, issue.code) == ("T02 乙镇", "units|mostly_unscored")
    assert issue.expected.startswith("3 项适用指标中 3 项无评分数据（超过 50%）")


def test_more_than_half_unscored_is_an_error_and_half_is_not() -> None:
    two_of_four = [r for r in FULL if not (r[0] == "D01" and r[1] in ("A3", "A4"))]
    example_year(CATALOGUE, UNITS, two_of_four).assessment()
    three_of_four = [r for r in two_of_four if r[:2] != ("D01", "A2")]
    (issue,) = refused(three_of_four)
    assert (issue.row, issue.value) == (4, "D01 丙局")
    assert issue.expected.startswith("4 项适用指标中 3 项无评分数据（超过 50%）")


def test_not_applicable_is_an_answer() -> None:
    inputs = [r for r in FULL if r[0] != "T02"] + rows("T02", "A1", "A2", "A3", value="不适用")
    example_year(CATALOGUE, UNITS, inputs).assessment()


def test_the_office_may_score_partial_units_as_they_stand() -> None:
    inputs = [r for r in FULL if r[0] != "T02" and r[:2] not in (("D01", "A1"), ("D01", "A2"), ("D01", "A3"))]
    a = example_year(CATALOGUE, UNITS, inputs, '[inputs]\nmissing_units = "zero"\n').assessment()
    assert [(n.code, n.value, n.severity) for n in a.notes] == [
        ("units|no_inputs", "T02 乙镇", "note"),
        ("units|mostly_unscored", "D01 丙局", "note"),
    ]
    assert a.notes[1].expected.startswith(
        '4 项适用指标中 3 项无评分数据（超过 50%），按 [inputs] missing_units = "zero"'
    )


def test_many_units_are_all_counted() -> None:
    units = [(f"T{i:03d}", f"镇{i}", "town") for i in range(250)]
    with pytest.raises(ValidationFailed) as caught:
        example_year(CATALOGUE, units, rows("T000", "A1", "A2", "A3")).assessment()
    errors = caught.value.errors
    assert len(errors) == 201 and caught.value.total == 249
    assert errors[-1].expected == "同类错误还有 49 个单位未列出（共 249 个）"


def test_missing_error_policy_counts_what_it_does_not_list() -> None:
    units = [(f"T{i:03d}", f"镇{i}", "town") for i in range(120)]
    inputs = [r for u, _, _ in units for r in rows(u, "A1", "A2")]  # A3 missing everywhere
    with pytest.raises(ValidationFailed) as caught:
        example_year(CATALOGUE, units, inputs, '[inputs]\nmissing = "error"\n').assessment()
    missing = [i for i in caught.value.errors if i.code.endswith("|missing")]
    assert len(missing) == 201 and sum(i.count for i in missing) == 240  # A3 and J1 for each unit


def test_the_same_findings_with_the_ids_as_text_or_as_an_enum_of_another_order() -> None:
    # T02 without rows, D01 with one of its four base leaves: as the roster's and leaves' Enums (a year's
    # observations), as text, and with the leaves an Enum in another order
    import polars as pl

    from scoring.reading.coverage import check_coverage

    inputs = rows("T01", "A1", "A2", "A3") + rows("D01", "A4") + rows("T01", "J1", value="1")
    year = example_year(CATALOGUE, UNITS, inputs, '[inputs]\nmissing_units = "zero"\n')
    a = year.assessment()
    leaves = pl.Enum(["J1", "A4", "A3", "A2", "A1"])
    given = [
        a.observations,
        a.observations.with_columns(pl.col("unit", "class", "indicator").cast(pl.String)),
        a.observations.with_columns(pl.col("indicator").cast(pl.String).cast(leaves)),
    ]
    found = [check_coverage(obs, a.catalogue, a.settings, a.units, "units.csv") for obs in given]
    assert [(i.row, i.value, i.code) for i in found[0]] == [
        (3, "T02 乙镇", "units|no_inputs"),
        (4, "D01 丙局", "units|mostly_unscored"),
    ]
    assert found[1] == found[0] and found[2] == found[0]

"""Each input domain enforced on example years: only finite numbers, a count whole and ≥ 0, a ratio
0–1, a percent 0–100, a number within its kind's declared bounds, a date near the year; a value beyond
its kind's usual range scored and noted."""

from __future__ import annotations

import pytest

from scoring.errors import Issue, ValidationFailed
from scoring.testing import example_year, leaf, section

CATALOGUE = [
    section("A", 100),
    leaf("A1", "A", 10, "imported", "scale=5"),
    leaf("A2", "A", 10, "judgement", "lo=2; hi=8"),
    leaf("A3", "A", 10, "ratio"),
    leaf("A4", "A", 10, "rate_linear", "target=95; per=0.5"),
    leaf("A5", "A", 10, "count_capped", "per=1"),
    leaf("A6", "A", 10, "tiered", "tiers=0.9:1,0.6:0.5"),
    leaf("A7", "A", 10, "tiered", "tiers=200:1,100:0.5"),
    leaf("A8", "A", 10, "deadline", "due=2021-10-20"),
    leaf("A9", "A", 10, "binary"),
    leaf("A10", "A", 10, "tiered", "tiers=100:1,90:0.5"),
]
GOOD = {
    "A1": "4.5",
    "A2": "5",
    "A3": "0.9",
    "A4": "96",
    "A5": "2",
    "A6": "0.95",
    "A7": "150",
    "A8": "2021-10-01",
    "A9": "是",
    "A10": "95",
}


def inputs(**changed: str) -> list[tuple[str, str, str, str]]:
    values = GOOD | {k.upper(): v for k, v in changed.items()}
    return [("T01", leaf_id, "", value) for leaf_id, value in values.items()]


def refused(**changed: str) -> list[Issue]:
    year = example_year(CATALOGUE, [("T01", "甲镇", "town")], inputs(**changed))
    with pytest.raises(ValidationFailed) as caught:
        year.assessment()
    return caught.value.errors


def test_good_values_pass_without_notes() -> None:
    a = example_year(CATALOGUE, [("T01", "甲镇", "town")], inputs()).assessment()
    assert a.observations.height == len(GOOD) and a.notes == ()


@pytest.mark.parametrize("leaf_id", ["A1", "A2", "A3", "A4", "A5", "A6", "A7"])
@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "+Infinity", "1e999"])
def test_not_a_number_is_refused_in_every_numeric_domain(leaf_id: str, text: str) -> None:
    (issue,) = refused(**{leaf_id: text})
    expected = "应为有限的数值（NaN、inf 等不是数值，不能作为评分）"
    assert (issue.row, issue.column, issue.value, issue.code) == (
        2 + list(GOOD).index(leaf_id),
        "value",
        text,
        f"{leaf_id}|value_domain",
    )
    assert issue.expected == expected or (text == "1e999" and issue.expected.startswith("应为"))


@pytest.mark.parametrize(
    ("leaf_id", "text", "code", "expected"),
    [
        ("A9", "NaN", "value_domain", "应为 是/否"),
        ("A8", "NaN", "value_domain", "应为日期"),
        ("A1", "5.5", "value_range", "应在 0 到 5 之间（其他机构的评价得分）"),
        ("A1", "-1", "value_range", "应在 0 到 5 之间（其他机构的评价得分）"),
        ("A2", "9", "value_points_range", "评分应在 2 到 8 分之间"),
        ("A2", "1.5", "value_points_range", "评分应在 2 到 8 分之间"),
        ("A3", "1.2", "value_ratio_range", "比例应在0到1之间（或0%–100%）"),
        ("A3", "120%", "value_ratio_range", "比例应在0到1之间（或0%–100%）"),
        ("A4", "101", "value_percent_range", "百分数应在0到100之间"),
        ("A5", "2.5", "value_count", "应为非负整数（次数、条数）"),
        ("A5", "-1", "value_count", "应为非负整数（次数、条数）"),
        ("A8", "2012-10-01", "value_date_window", "日期应在 2020-01-01 至 2022-12-31 之间"),
        ("A8", "2023年1月1日", "value_date_window", "日期应在 2020-01-01 至 2022-12-31 之间"),
    ],
)
def test_a_value_outside_its_domain_is_refused(leaf_id: str, text: str, code: str, expected: str) -> None:
    (issue,) = refused(**{leaf_id: text})
    assert (issue.value, issue.code) == (text, f"{leaf_id}|{code}")
    assert issue.expected.startswith(expected)


@pytest.mark.parametrize(("leaf_id", "text"), [("A1", "0"), ("A1", "5"), ("A2", "2"), ("A2", "8")])
def test_the_bounds_themselves_are_taken(leaf_id: str, text: str) -> None:
    example_year(CATALOGUE, [("T01", "甲镇", "town")], inputs(**{leaf_id: text})).assessment()


@pytest.mark.parametrize(
    ("leaf_id", "text", "usual"),
    [
        ("A6", "1.5", "0 到 1"),
        ("A10", "120", "0 到 100"),
        ("A10", "-3", "0 到 100"),
        ("A7", "-1", "不小于 0"),
    ],
)
def test_a_value_beyond_its_usual_range_is_scored_and_noted(leaf_id: str, text: str, usual: str) -> None:
    a = example_year(CATALOGUE, [("T01", "甲镇", "town")], inputs(**{leaf_id: text})).assessment()
    (note,) = a.notes
    assert (note.severity, note.code, note.value, note.row) == (
        "note",
        f"{leaf_id}|value_unusual",
        text,
        2 + list(GOOD).index(leaf_id),
    )
    assert note.expected == f"超出此项通常的范围（{usual}），已按所填数值计分；请核对是否填错"


def test_a_count_tier_has_no_usual_maximum() -> None:
    a = example_year(CATALOGUE, [("T01", "甲镇", "town")], inputs(a7="5000")).assessment()
    assert a.notes == ()


def test_the_date_window_follows_the_settings() -> None:
    year = example_year(
        CATALOGUE, [("T01", "甲镇", "town")], inputs(a8="2018-12-31"), "[inputs]\ndate_window = 3\n"
    )
    year.assessment()
    with pytest.raises(ValidationFailed) as caught:
        example_year(
            CATALOGUE, [("T01", "甲镇", "town")], inputs(a8="2017-12-31"), "[inputs]\ndate_window = 3\n"
        ).assessment()
    (issue,) = caught.value.errors
    assert issue.expected.startswith("日期应在 2018-01-01 至 2024-12-31 之间（2021年度前后3年")


def test_a_count_beyond_any_real_count_is_refused() -> None:
    # found by the fuzz suite: 1e308 as a count overflowed the exact points and crashed the engine
    from scoring.errors import ValidationFailed
    from scoring.testing import CATALOGUE, INPUTS, example_year

    inputs = [r if r[:2] != ("T01", "A1") else ("T01", "A1", "", "1e308") for r in INPUTS]
    try:
        example_year(CATALOGUE, inputs=inputs).assessment()
    except ValidationFailed as e:
        bad = [i for i in e.errors if i.code == "A1|value_count_huge"]
        assert bad and bad[0].value == "1e308" and bad[0].row == 2, e.errors
    else:
        raise AssertionError("1e308 as a count was accepted")


def test_a_number_beyond_any_real_measure_is_refused() -> None:
    # found by the fuzz suite: 1e308 on a tiered rate overflowed the single pass's integer reading
    from scoring.errors import ValidationFailed
    from scoring.testing import CATALOGUE, INPUTS, example_year, leaf

    rows = [r if r[0] != "B1" else leaf("B1", "B", 20, "tiered", "tiers=90:1,60:0.6") for r in CATALOGUE]
    inputs = [r if r[:2] != ("T01", "B1") else ("T01", "B1", "", "1e308") for r in INPUTS]
    inputs = [r if r[1] != "B1" or r[0] == "T01" else (r[0], "B1", "", "95") for r in inputs]
    try:
        example_year(rows, inputs=inputs).assessment()
    except ValidationFailed as e:
        assert [i.value for i in e.errors if i.code == "B1|value_number_huge"] == ["1e308"], e.errors
    else:
        raise AssertionError("1e308 as a measure was accepted")

"""Each rule kind with hand-computed cases, including the boundaries: exactly on a threshold, a cap
reached, a deduction larger than the points."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scoring import REGISTRY
from scoring.spec.year import as_rows
from tests.conftest import YearFactory, node


def leaf_points(
    make_year: YearFactory,
    rule: str,
    params: str,
    points: float,
    rows: Sequence[Sequence[object]],
    settings: str = "",
) -> dict[str, float]:
    """Points of leaf A1 (worth ``points``) per unit; rows are (unit, key, value)."""
    rest = 100 - points
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=points, rule=rule, params=params),
        node("A2", "A", points=rest, rule="judgement"),
    ]
    units = sorted({str(r[0]) for r in rows})
    inputs = [(u, "A1", k, v) for u, k, v in rows]
    y = make_year(catalogue, [(u, f"单位{u}", "town") for u in units], inputs, settings)
    pts = y.compute().indicator_points().filter(pl.col("indicator") == "A1").collect()
    return {r["unit"]: r["points"] / 10**12 for r in pts.to_dicts()}


def test_every_registered_kind_is_tested() -> None:
    tested = {name.removeprefix("test_").split("__")[0] for name in globals() if name.startswith("test_")}
    assert set(REGISTRY) - tested == set()


def test_binary(make_year: YearFactory) -> None:
    got = leaf_points(make_year, "binary", "", 10, [("U1", "", "是"), ("U2", "", "否"), ("U3", "", "√")])
    assert got == {"U1": 10, "U2": 0, "U3": 10}


def test_deductions(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "deductions",
        "items=目录未更新:1,无年报:2",
        5,
        [("U1", "目录未更新", "是"), ("U1", "无年报", "是"), ("U2", "无年报", "否")],
    )
    assert got == {"U1": 2, "U2": 5}


@pytest.mark.parametrize(("n", "expected"), [(0, 5), (3, 3.5), (4, 3), (5, 3), (100, 3)])
def test_per_occurrence__cap(make_year: YearFactory, n: int, expected: float) -> None:
    got = leaf_points(make_year, "per_occurrence", "per=0.5; cap=2", 5, [("U1", "", n)])
    assert got == {"U1": expected}


def test_per_occurrence__floor_at_zero(make_year: YearFactory) -> None:
    # 扣完为止: a deduction larger than the points leaves 0, not a negative
    got = leaf_points(make_year, "per_occurrence", "per=2", 5, [("U1", "", 3), ("U2", "", 2)])
    assert got == {"U1": 0, "U2": 1}


def test_per_occurrence__tenths_exact(make_year: YearFactory) -> None:
    got = leaf_points(make_year, "per_occurrence", "per=0.1", 1, [("U1", "", 3), ("U2", "", 7)])
    assert got == {"U1": 0.7, "U2": 0.3}


def test_severity(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "severity",
        "classes=一般:1,严重:2; cap=4",
        6,
        [("U1", "一般", 1), ("U1", "严重", 1), ("U2", "严重", 3), ("U3", "一般", 0)],
    )
    assert got == {"U1": 3, "U2": 2, "U3": 6}


def test_missing_elements(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "missing_elements",
        "elements=指南,目录,年报; per=2",
        6,
        [
            ("U1", "指南", "是"),
            ("U1", "目录", "否"),
            ("U2", "指南", "是"),
            ("U2", "目录", "是"),
            ("U2", "年报", "是"),
        ],
    )
    # U1: 目录 absent, 年报 has no row → two missing
    assert got == {"U1": 2, "U2": 6}


def test_any_of(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "any_of",
        "conditions=错链,空栏目,广告; amount=0.5",
        2,
        [("U1", "错链", "是"), ("U1", "空栏目", "是"), ("U2", "广告", "否")],
    )
    assert got == {"U1": 1.5, "U2": 2}


def test_half_if_none(make_year: YearFactory) -> None:
    got = leaf_points(make_year, "half_if_none", "", 3, [("U1", "", 0), ("U2", "", 1)])
    assert got == {"U1": 1.5, "U2": 3}


def test_checklist(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "checklist",
        "items=扶贫政策:1,扶贫对象:1.5",
        2.5,
        [("U1", "扶贫政策", "是"), ("U2", "扶贫政策", "是"), ("U2", "扶贫对象", "是")],
    )
    assert got == {"U1": 1, "U2": 2.5}


def test_fractional(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "fractional",
        "criteria=标识:50%,导航:0.3,检索:0.2",
        3,
        [("U1", "标识", "是"), ("U1", "检索", "是"), ("U2", "导航", "是")],
    )
    assert got == {"U1": 2.1, "U2": 0.9}


@pytest.mark.parametrize(("n", "expected"), [(0, 0), (2, 4), (3, 6), (4, 6)])
def test_count_capped(make_year: YearFactory, n: int, expected: float) -> None:
    assert leaf_points(make_year, "count_capped", "per=2; cap=6", 8, [("U1", "", n)]) == {"U1": expected}


def test_accumulate__unbounded_in_bonus(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=100, rule="judgement"),
        node("J", points=5, role="bonus"),
        node("J1", "J", points=5, rule="accumulate", params="classes=采用:5,转载:1"),
    ]
    y = make_year(
        catalogue,
        [("U1", "甲", "town")],
        [("U1", "A1", "", 80), ("U1", "J1", "采用", 1), ("U1", "J1", "转载", 2)],
        "[bonus]\ncap = 10\n",
    )
    pts = y.compute().indicator_points().filter(pl.col("indicator") == "J1").collect()
    assert pts["points"][0] == 7 * 10**12  # 5 + 2, beyond the leaf's nominal 5 points


def test_events(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "events",
        "levels=国家级:3,自治区级:2,州级:1; cap=4",
        4,
        [("U1", "国家级", 1), ("U1", "州级", 2), ("U2", "州级", 1)],
    )
    assert got == {"U1": 4, "U2": 1}


def test_judgement(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year, "judgement", "lo=0.1; hi=0.5", 0.5, [("U1", "", "0.35"), ("U2", "", "0.1分")]
    )
    assert got == {"U1": 0.35, "U2": 0.1}


def test_grade_scale(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "grade_scale",
        "scale=优:10,良:8,一般:6,差:0",
        10,
        [("U1", "", "优"), ("U2", "", "一般"), ("U3", "", "差")],
    )
    assert got == {"U1": 10, "U2": 6, "U3": 0}


def test_grade_scale_written_as_numbers_in_a_parquet_file(make_year: YearFactory) -> None:
    """A grade a program wrote as a number (1.0 in a Parquet file of decimals) is kept without its text
    (spec.year.written_text); the grade is still looked up by its text, and the ledger shows it."""
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=10, rule="grade_scale", params="scale=1.0:10,2.0:8,3.0:0"),
        node("A2", "A", points=90, rule="judgement"),
    ]
    units = [("U1", "单位U1", "town"), ("U2", "单位U2", "town")]
    y = make_year(catalogue, units, [("U1", "A1", "", "1.0")])
    (y.data / "assessments.csv").unlink()
    pl.DataFrame(
        {
            "unit": ["U1", "U2", "U1", "U2"],
            "indicator": ["A1", "A1", "A2", "A2"],
            "value": [1.0, 2.0, 80.0, 70.0],
        }
    ).write_parquet(y.data / "assessments.parquet")
    result = y.compute()
    # U1's 1.0 is its own text (a category's value is 1: chosen); U2's 2.0 is not the value and is kept
    assert result.assessment.observations.select("unit", "indicator", "text").sort(
        "unit", "indicator"
    ).rows() == [
        ("U1", "A1", None),
        ("U1", "A2", None),
        ("U2", "A1", "2.0"),
        ("U2", "A2", None),
    ]
    pts = result.indicator_points().filter(pl.col("indicator") == "A1").collect()
    assert {r["unit"]: r["points"] / 10**12 for r in pts.to_dicts()} == {"U1": 10, "U2": 8}
    lines = result.ledger().filter(pl.col("indicator") == "A1").collect()
    assert lines.select("unit", "input").rows() == [("U2", "2.0")]


def test_ratio(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year, "ratio", "", 2.5, [("U1", "", "0.8995"), ("U2", "", "100%"), ("U3", "", "0")]
    )
    assert got == {"U1": 2.24875, "U2": 2.5, "U3": 0}


@pytest.mark.parametrize(
    ("value", "expected"), [(95, 10), (90, 10), (89.99, 6), (60, 6), (59, 3), (40, 3), (39, 0)]
)
def test_tiered__on_thresholds(make_year: YearFactory, value: float, expected: float) -> None:
    got = leaf_points(make_year, "tiered", "tiers=90:1,60:0.6,40:0.3", 10, [("U1", "", value)])
    assert got == {"U1": expected}


def test_tiered__leaves_with_fewer_tiers_than_others(make_year: YearFactory) -> None:
    """One pass scores every tiered leaf: a leaf with two tiers beside one with four must not take a
    tier it does not have (its thresholds beyond its own are empty)."""
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=10, rule="tiered", params="tiers=90:1,60:0.5"),
        node("A2", "A", points=10, rule="tiered", params="tiers=90:1,60:0.6,40:0.3,10:0.1"),
        node("A3", "A", points=80, rule="judgement"),
    ]
    inputs = [
        (u, leaf, "", v) for u, v in (("U1", 50), ("U2", 20), ("U3", 5), ("U4", 60)) for leaf in ("A1", "A2")
    ]
    y = make_year(catalogue, [(u, f"单位{u}", "town") for u in ("U1", "U2", "U3", "U4")], inputs)
    pts = y.compute().indicator_points().filter(pl.col("indicator").is_in(["A1", "A2"])).collect()
    got = {(r["unit"], r["indicator"]): r["points"] / 10**12 for r in pts.to_dicts()}
    assert got == {
        ("U1", "A1"): 0,
        ("U1", "A2"): 3,
        ("U2", "A1"): 0,
        ("U2", "A2"): 1,
        ("U3", "A1"): 0,
        ("U3", "A2"): 0,
        ("U4", "A1"): 5,
        ("U4", "A2"): 6,
    }


def test_quota_per_period(make_year: YearFactory) -> None:
    params = "quota=6; per=1; empty=3; periods=2021-01..2021-04"
    got = leaf_points(
        make_year,
        "quota_per_period",
        params,
        10,
        [
            ("U1", "2021-01", 6),
            ("U1", "2021-02", 5),
            ("U1", "2021-03", 0),  # 04 has no row: empty
            ("U2", "2021-01", 9),
            ("U2", "2021-02", 6),
            ("U2", "2021-03", 7),
            ("U2", "2021-04", 6),
        ],
    )
    assert got == {"U1": 10 - 1 - 3 - 3, "U2": 10}


@pytest.mark.parametrize(("count", "expected"), [(10, 0), (9, 0), (11, 1), (12, 2), (30, 2)])
def test_over_quota_bonus(make_year: YearFactory, count: int, expected: float) -> None:
    got = leaf_points(make_year, "over_quota_bonus", "quota=10; steps=10%:1,20%:2", 2, [("U1", "", count)])
    assert got == {"U1": expected}


QUOTA_UNITS = (("T1", "甲镇", "town"), ("T2", "乙镇", "town"), ("D1", "甲局", "dept"), ("D2", "乙局", "dept"))


def quota_points(params: str, rows: Sequence[tuple[str, str, object]]) -> dict[str, float]:
    """Points of an over_quota_bonus leaf A2 (2 points) in the in-memory example year; rows are (unit,
    key, value); every unit has A1 (judgement) too."""
    from scoring.testing import example_year, leaf, section

    year = example_year(
        catalogue=(
            section("A", 100),
            leaf("A1", "A", 98, "judgement"),
            leaf("A2", "A", 2, "over_quota_bonus", params),
        ),
        units=QUOTA_UNITS,
        inputs=[(u, "A1", "", 90) for u, _, _ in QUOTA_UNITS] + [(u, "A2", k, v) for u, k, v in rows],
    )
    pts = year.result().indicator_points().filter(pl.col("indicator") == "A2").collect()
    return {r["unit"]: r["points"] / 10**12 for r in pts.to_dicts()}


def test_over_quota_bonus__per_class() -> None:
    # 乡镇 10, 部门 20: T1 11 is 10% over (1); D1 22 is 10% over (1), D2 24 20% (2); T2 24 is 140% (2)
    got = quota_points(
        "quota=town:10,dept:20; steps=10%:1,20%:2",
        [("T1", "", 11), ("T2", "", 24), ("D1", "", 22), ("D2", "", 24)],
    )
    assert got == {"T1": 1, "T2": 2, "D1": 1, "D2": 2}


def test_over_quota_bonus__a_units_own_quota_overrides() -> None:
    # T1's own 定额 5: 6 is 20% over (2), where the class quota 10 gives nothing; D1's own 25 over the
    # class's 20: 22 is under it (0); the rest keep their class's quota
    got = quota_points(
        "quota=town:10,dept:20; steps=10%:1,20%:2",
        [
            ("T1", "", 6),
            ("T1", "定额", 5),
            ("T2", "", 11),
            ("D1", "", 22),
            ("D1", "定额", 25),
            ("D2", "", 22),
        ],
    )
    assert got == {"T1": 2, "T2": 1, "D1": 0, "D2": 1}
    # and over one quota for all
    got = quota_points("quota=10; steps=10%:1,20%:2", [("T1", "", 6), ("T1", "定额", 5), ("T2", "", 11)])
    assert got == {"T1": 2, "T2": 1, "D1": 0, "D2": 0}  # no row: 未评分按0分


def test_over_quota_bonus__each_units_own_quota() -> None:
    # quota=各单位: every unit enters its 定额; 7 over 5 is 40% (2), 5 over 5 nothing, 11 over 10 is 10%
    got = quota_points(
        "quota=各单位; steps=10%:1,20%:2",
        [
            ("T1", "", 7),
            ("T1", "定额", 5),
            ("T2", "", 5),
            ("T2", "定额", 5),
            ("D1", "定额", 10),
            ("D1", "", 11),
        ],
    )
    assert got == {"T1": 2, "T2": 0, "D1": 1, "D2": 0}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    thresholds=st.lists(st.sampled_from([5, 10, 20, 25, 50, 100]), min_size=1, max_size=3, unique=True),
)
def test_over_quota_bonus__against_a_plain_reference(data: st.DataObject, thresholds: list[int]) -> None:
    """Each unit's quota (its 定额, else its class's) and the highest step its excess reaches, in exact
    fractions, against the engine on random counts, quotas and steps."""
    town, dept = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 30))
    amounts = [data.draw(st.sampled_from(["0.5", "1", "1.5", "2"])) for _ in thresholds]
    steps = ",".join(f"{t}%:{a}" for t, a in zip(thresholds, amounts, strict=True))
    rows: list[tuple[str, str, object]] = []
    want: dict[str, float] = {}
    for unit, _, cls in QUOTA_UNITS:
        count = data.draw(st.integers(0, 60))
        own = data.draw(st.none() | st.integers(1, 30))
        rows.append((unit, "", count))
        if own is not None:
            rows.append((unit, "定额", own))
        quota = own if own is not None else (town if cls == "town" else dept)
        excess = Fraction(count - quota, quota)
        # the step of the highest threshold reached; the leaf's 2 points bound it
        top = max((t for t in thresholds if excess >= Fraction(t, 100)), default=None)
        points = (
            Fraction(dict(zip(thresholds, amounts, strict=True))[top]) if top is not None else Fraction(0)
        )
        want[unit] = float(min(points, Fraction(2)))
    got = quota_points(f"quota=town:{town},dept:{dept}; steps={steps}", rows)
    assert got == want


def quota_year_errors(params: str, rows: Sequence[tuple[str, str, object]]) -> list[tuple[str | None, str]]:
    from scoring.errors import ValidationFailed
    from scoring.testing import example_year, leaf, section

    year = example_year(
        catalogue=(
            section("A", 100),
            leaf("A1", "A", 98, "judgement"),
            leaf("A2", "A", 2, "over_quota_bonus", params),
        ),
        units=QUOTA_UNITS,
        inputs=[(u, "A1", "", 90) for u, _, _ in QUOTA_UNITS] + [(u, "A2", k, v) for u, k, v in rows],
    )
    with pytest.raises(ValidationFailed) as caught:
        year.assessment()
    return [(i.column, i.expected) for i in caught.value.errors]


def test_over_quota_bonus__quotas_that_do_not_hold_are_refused() -> None:
    steps = "steps=10%:1"
    # a class the leaf applies to without a quota, and an id that is no class
    errors = quota_year_errors(f"quota=town:10,乡镇:5; {steps}", [])
    assert [c for c, _ in errors] == ["params", "params"]
    assert "参数 quota 中的 乡镇 不是单位类别；类别 id 应为 town（乡镇）、dept（部门）" in errors[0][1]
    assert "须为本指标适用的每类单位给出数量：缺 dept（部门）" in errors[1][1]
    # 各单位: a unit with a count and no 定额 row; a 定额 of 0; a key the leaf does not take
    errors = quota_year_errors(
        f"quota=各单位; {steps}",
        [
            ("T1", "", 7),
            ("T2", "", 5),
            ("T2", "定额", 0),
            ("D1", "", 3),
            ("D1", "定额", 2),
            ("D1", "其他", 1),
        ],
    )
    assert (
        "key",
        "本指标按各单位定额计分（quota=各单位）：该单位还须填一行，子项（key）为“定额”，值为本单位的规定数量",
    ) in errors
    assert ("value", "子项“定额”应为不小于1的整数（本单位的规定数量，不能为0或不适用）") in errors
    assert ("key", "子项（key）应留空，或为 定额 / 不得分 / 及格封顶") in errors
    assert len(errors) == 3  # T2's 定额 row is there (refused for its value), so T2 is not also missing it


@pytest.mark.parametrize(
    ("done", "expected"),
    [("2021-10-20", 4), ("2021-10-21", 3), ("2021-10-27", 3), ("2021-10-28", 2), ("2021-12-30", 2), ("", 0)],
)
def test_deadline__lateness_classes(make_year: YearFactory, done: str, expected: float) -> None:
    got = leaf_points(
        make_year, "deadline", "due=2021-10-20; late_steps=1:1,8:2; missing=4", 4, [("U1", "", done)]
    )
    assert got == {"U1": expected}


def test_deadline__too_early(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "deadline",
        "due=2021-10-20; early_before=2021-10-01; early=1",
        4,
        [("U1", "", "2021-09-30"), ("U2", "", "2021年10月1日")],
    )
    assert got == {"U1": 3, "U2": 4}


def test_rate_linear(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "rate_linear",
        "target=100; per=0.1",
        2,
        [("U1", "", "97.3%"), ("U2", "", "100"), ("U3", "", "50")],
    )
    assert got == {"U1": 1.73, "U2": 2, "U3": 0}


def test_imported(make_year: YearFactory) -> None:
    got = leaf_points(make_year, "imported", "scale=100", 5, [("U1", "", "87.5"), ("U2", "", "100")])
    assert got == {"U1": 4.375, "U2": 5}


def test_rank_based(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "rank_based",
        "points=6,5,4; else=1",
        6,
        [("U1", "", 50), ("U2", "", 80), ("U3", "", 80), ("U4", "", 10), ("U5", "", 5)],
    )
    # U2, U3 share rank 1; U1 rank 3; U4 rank 4 → else
    assert got == {"U1": 4, "U2": 6, "U3": 6, "U4": 1, "U5": 1}


def test_veto(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=100, rule="judgement"),
        node("V", points=1, role="veto"),
        node("V1", "V", points=1, rule="veto", name="泄密"),
    ]
    y = make_year(
        catalogue,
        [("U1", "甲", "town"), ("U2", "乙", "town")],
        [("U1", "A1", "", 95), ("U2", "A1", "", 90), ("U1", "V1", "", "是"), ("U2", "V1", "", "否")],
    )
    r = {x["unit"]: x for x in y.compute().units.to_dicts()}
    assert r["U1"]["veto"] and r["U1"]["grade"] == "不合格" and r["U1"]["veto_reason"] == "泄密"
    # grade_only keeps the score; by default a vetoed unit is listed after the ranked ones, without a rank
    assert r["U1"]["total"] == 95 and r["U1"]["rank"] is None
    assert not r["U2"]["veto"] and r["U2"]["grade"] == "优秀" and r["U2"]["rank"] == 1


def test_modifiers_zero_and_ceiling(make_year: YearFactory) -> None:
    got = leaf_points(
        make_year,
        "per_occurrence",
        "per=1; ceiling=6",
        10,
        [("U1", "", 1), ("U1", "不得分", "是"), ("U2", "", 0), ("U2", "及格封顶", "是"), ("U3", "", 2)],
    )
    assert got == {"U1": 0, "U2": 6, "U3": 8}


def test_binary_accepts_numbers_one_and_zero(make_year: YearFactory) -> None:
    got = leaf_points(make_year, "binary", "", 10, [("U1", "", "1.0"), ("U2", "", "0.0"), ("U3", "", "1")])
    assert got == {"U1": 10, "U2": 0, "U3": 10}


def test_rank_based_ranks_within_the_class_even_without_a_class_column(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=6, rule="rank_based", params="points=6,5; else=1"),
        node("A2", "A", points=94, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("T1", "甲镇", "town"), ("T2", "乙镇", "town"), ("D1", "甲局", "dept")],
        [("T1", "A1", "", 50), ("T2", "A1", "", 40), ("D1", "A1", "", 10)],
    )
    a = y.load()
    from scoring import leaf_points as points_of

    pts = points_of(as_rows(a.observations).drop("class"), a.catalogue, a.settings, a.units.lazy()).collect()
    got = {r["unit"]: r["points"] / 10**12 for r in pts.to_dicts() if r["indicator"] == "A1"}
    assert got == {"T1": 6, "T2": 5, "D1": 6}  # D1 is first among departments


SINGLE_ROW = {
    "binary": ("", "是", 10),
    "tiered": ("tiers=80:0.1", 90, 1),
    "count_capped": ("per=1", 2, 2),
    "imported": ("", 30, 3),
    "judgement": ("", 4, 4),
    "half_if_none": ("", 0, 5),
    "ratio": ("", "0.6", 6),
    "deadline": ("due=2021-06-30; late=3", "2021-07-01", 7),
    "rate_linear": ("target=90; per=1", 88, 8),
    "per_occurrence": ("per=1", 1, 9),
}
"""The kinds scored from one row per (unit, leaf, period, channel): parameters, a value, its points of 10."""


def _plan(kinds: dict[str, tuple[str, object, int]], key: str = "") -> tuple[str, dict[str, int]]:
    """The query plan of leaf_points for one leaf of each kind (and a veto leaf), without a key column
    when ``key`` is empty, and the points it computes."""
    from scoring import leaf_points as points_of
    from scoring.testing import ExampleYear, leaf, section
    from tests.engine.test_binding import BASE

    leaves = [leaf(f"A{i}", "A", 10, k, p) for i, (k, (p, _, _)) in enumerate(kinds.items(), 1)]
    inputs = [("U1", f"A{i}", key, v) for i, (_, v, _) in enumerate(kinds.values(), 1)]
    rest = 100 - 10 * len(leaves)  # the section's points are 100: a judgement leaf takes the rest
    catalogue = (
        section("A", 100),
        *leaves,
        *([leaf("A0", "A", rest, "judgement")] if rest else []),
        section("V", 1, role="veto"),
        leaf("V1", "V", 1, "veto"),
    )
    inputs += [("U1", "A0", "", 1)] if rest else []
    a = ExampleYear(catalogue, (("U1", "甲", "town"),), (*inputs, ("U1", "V1", "", "否")), BASE).assessment()
    observations = as_rows(a.observations) if key else as_rows(a.observations).drop("key")
    lf = points_of(observations, a.catalogue, a.settings, a.units.lazy())
    return lf.explain(), {r["indicator"]: r["points"] for r in lf.collect().to_dicts()}


def test_the_single_row_kinds_are_scored_without_a_group_by_each_by_its_own_finish() -> None:
    # the one-pass path (single_row_points) is what keeps a million units fast: a kind declared single-row
    # and scored through a group-by per (unit, leaf, period, channel) gives the same points, slower
    plan, got = _plan(SINGLE_ROW)
    assert "AGGREGATE" not in plan
    # ten kinds in one when/then over the rule codes: each leaf takes its own kind's finish
    expected = {f"A{i}": points * 10**12 for i, (_, _, points) in enumerate(SINGLE_ROW.values(), 1)}
    assert got == {**expected, "V1": 0}
    # a keyed kind does group its rows: the plan shows it
    plan, _ = _plan({"checklist": ("items=甲:1", "是", 1)}, key="甲")
    assert "AGGREGATE" in plan


def test_over_quota_bonus__a_step_worth_more_than_the_leaf_is_held_at_its_points() -> None:
    # a 5-point step on a 2-point leaf: the leaf gives at most its 2 points
    got = quota_points("quota=10; steps=10%:1,20%:5", [("T1", "", 11), ("T2", "", 12)])
    assert got == {"T1": 1, "T2": 2, "D1": 0, "D2": 0}


def test_over_quota_bonus__per_class_even_without_a_class_column() -> None:
    # observations without a class column (as the ranking test above): a catalogue whose only rule takes a
    # parameter per class still finds each unit's class in the roster
    from scoring import leaf_points as points_of
    from scoring.testing import example_year, leaf, section

    year = example_year(
        catalogue=(
            section("A", 100),
            leaf("A1", "A", 100, "over_quota_bonus", "quota=town:10,dept:20; steps=10%:50,20%:100"),
        ),
        units=QUOTA_UNITS,
        inputs=[("T1", "A1", "", 11), ("T2", "A1", "", 10), ("D1", "A1", "", 22), ("D2", "A1", "", 24)],
    )
    a = year.assessment()
    pts = points_of(as_rows(a.observations).drop("class"), a.catalogue, a.settings, a.units.lazy()).collect()
    got = {r["unit"]: r["points"] // 10**12 for r in pts.to_dicts()}
    assert got == {"T1": 50, "T2": 0, "D1": 50, "D2": 100}

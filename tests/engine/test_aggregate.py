"""Aggregation policies with hand-computed cases: caps, major deductions, not applicable, bonus gate,
penalty cap, veto actions, section fail, channels and periods; and exactness where Excel goes wrong."""

from __future__ import annotations

import pytest

from tests.conftest import YearFactory, node, row, totals

TWO_PARTS = [
    node("A", points=60),
    node("A1", "A", points=30, rule="per_occurrence", params="per=1"),
    node("A2", "A", points=30, rule="judgement"),
    node("B", points=40),
    node("B1", "B", points=40, rule="judgement"),
]


def test_exact_tenths_make_a_tie(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=10, rule="severity", params="classes=轻:0.1,中:0.2"),
        node("A2", "A", points=90, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("U1", "甲", "town"), ("U2", "乙", "town")],
        [
            ("U1", "A1", "轻", 1),
            ("U1", "A1", "中", 1),
            ("U1", "A2", "", 80),
            ("U2", "A1", "轻", 3),
            ("U2", "A1", "中", 0),
            ("U2", "A2", "", 80),
        ],
    )
    r = y.compute()
    assert totals(r) == {"U1": 89.7, "U2": 89.7}
    assert [x["rank"] for x in r.units.to_dicts()] == [1, 1]
    assert r.units["total_num"].to_list()[0] == r.units["total_num"].to_list()[1]


@pytest.mark.parametrize(("basis", "grade"), [("printed", "优秀"), ("exact", "良好")])
def test_89_995_rounds_half_up_and_grades_on_declared_basis(
    make_year: YearFactory, basis: str, grade: str
) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    y = make_year(
        catalogue, [("U1", "甲", "town")], [("U1", "A1", "", "89.995")], f'[grades]\nbasis = "{basis}"\n'
    )
    r = row(y.compute(), "U1")
    assert r["total"] == 90.0  # 四舍五入 of the decimal, not the binary float 89.99499999…
    assert r["grade"] == grade


def test_renormalisation_is_exact(make_year: YearFactory) -> None:
    # (72.35 + 1.5) / (95 + 2) × 100 = 76.1340206… → 76.13
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=95, rule="judgement"),
        node("A2", "A", points=2, rule="judgement"),
        node("A3", "A", points=3, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("U1", "甲", "town")],
        [("U1", "A1", "", "72.35"), ("U1", "A2", "", "1.5"), ("U1", "A3", "", "不适用")],
    )
    r = row(y.compute(), "U1")
    assert r["total"] == 76.13
    assert isinstance(r["total_num"], int) and isinstance(r["total_den"], int)
    assert r["total_num"] * 97 == 7385 * 10**12 * r["total_den"]


@pytest.mark.parametrize(("mode", "expected"), [("half_up", 0.13), ("half_even", 0.12), ("down", 0.12)])
def test_rounding_modes(make_year: YearFactory, mode: str, expected: float) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    y = make_year(
        catalogue,
        [("U1", "甲", "town")],
        [("U1", "A1", "", "0.125")],
        f'[rounding]\nplaces = 2\nmode = "{mode}"\n',
    )
    assert row(y.compute(), "U1")["total"] == expected


def test_node_caps_versus_pooled(make_year: YearFactory) -> None:
    inputs = [("U1", "A1", "", 40), ("U1", "A2", "", 30), ("U1", "B1", "", 40)]
    units = [("U1", "甲", "town")]
    node_caps = make_year(TWO_PARTS, units, inputs).compute()
    pooled = make_year(TWO_PARTS, units, inputs, '[caps]\nmode = "pooled"\n').compute()
    # per node: A1 floors at 0 → A = 30; pooled: A1 = -10 pools into A → A = 20
    assert row(node_caps, "U1")["part:A"] == 30 and row(pooled, "U1")["part:A"] == 20
    assert totals(node_caps)["U1"] == 70 and totals(pooled)["U1"] == 60


def test_pooled_floor_at_level1(make_year: YearFactory) -> None:
    y = make_year(
        TWO_PARTS,
        [("U1", "甲", "town")],
        [("U1", "A1", "", 100), ("U1", "A2", "", 0), ("U1", "B1", "", 40)],
        '[caps]\nmode = "pooled"\n',
    )
    assert row(y.compute(), "U1")["part:A"] == 0


def test_uncapped_major_deduction_goes_below_caps(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=5, rule="per_occurrence", params="per=5", uncapped="是"),
        node("A2", "A", points=95, rule="judgement"),
    ]
    y = make_year(catalogue, [("U1", "甲", "town")], [("U1", "A1", "", 3), ("U1", "A2", "", 95)])
    r = row(y.compute(), "U1")
    assert r["part:A"] == 95 and r["major"] == 10 and r["total"] == 85


BONUS = [
    node("A", points=100),
    node("A1", "A", points=100, rule="judgement"),
    node("J", points=5, role="bonus"),
    node("J1", "J", points=5, rule="count_capped", params="per=1; cap=10"),
    node("P", points=10, role="penalty"),
    node("P1", "P", points=10, rule="per_occurrence", params="per=3"),
]


@pytest.mark.parametrize(("inclusive", "bonus"), [(False, 0), (True, 5)])
def test_bonus_gate_strict_or_inclusive(make_year: YearFactory, inclusive: bool, bonus: float) -> None:
    y = make_year(
        BONUS,
        [("U1", "甲", "town")],
        [("U1", "A1", "", 80), ("U1", "J1", "", 8)],
        f"[bonus]\ncap = 5\ngate = 80\ngate_inclusive = {'true' if inclusive else 'false'}\n",
    )
    r = row(y.compute(), "U1")
    assert r["bonus"] == bonus and r["total"] == 80 + bonus


def test_penalty_capped(make_year: YearFactory) -> None:
    y = make_year(
        BONUS,
        [("U1", "甲", "town")],
        [("U1", "A1", "", 90), ("U1", "P1", "", 5)],
        "[bonus]\ncap = 5\n[penalty]\ncap = 10\n",
    )
    r = row(y.compute(), "U1")
    assert r["penalty"] == 10 and r["total"] == 80


VETO = [
    node("A", points=100),
    node("A1", "A", points=100, rule="judgement"),
    node("V", points=1, role="veto"),
    node("V1", "V", points=1, rule="veto"),
]


@pytest.mark.parametrize(
    ("action", "total", "rank"), [("grade_only", 95.0, 1), ("fixed_score", 59.0, 2), ("stop", None, None)]
)
def test_veto_actions(make_year: YearFactory, action: str, total: float | None, rank: int | None) -> None:
    y = make_year(
        VETO,
        [("U1", "甲", "town"), ("U2", "乙", "town")],
        [("U1", "A1", "", 95), ("U1", "V1", "", "是"), ("U2", "A1", "", 70)],
        f'[veto]\naction = "{action}"\nscore = 59\nplacement = "in_place"\n',
    )
    result = y.compute()
    r = row(result, "U1")
    assert r["total"] == total and r["rank"] == rank and r["grade"] == "不合格"
    assert result.units["unit"].to_list()[-1] == ("U1" if action != "grade_only" else "U2")


def test_section_fail_threshold(make_year: YearFactory) -> None:
    y = make_year(
        TWO_PARTS,
        [("U1", "甲", "town"), ("U2", "乙", "town")],
        [
            ("U1", "A1", "", 0),
            ("U1", "A2", "", 30),
            ("U1", "B1", "", 23.99),
            ("U2", "A1", "", 0),
            ("U2", "A2", "", 30),
            ("U2", "B1", "", 24),
        ],
        "[grades]\nsection_fail_share = 0.6\n",
    )
    r = y.compute()
    assert row(r, "U1")["grade"] == "不合格" and row(r, "U2")["grade"] == "良好"


def three_units(make_year: YearFactory, settings: str, method: str) -> dict[str, float]:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=25, rule="judgement", applies_to="town"),
        node("A2", "A", points=50, rule="judgement"),
        node("A3", "A", points=25, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("T1", "甲镇", "town"), ("D1", "甲局", "dept"), ("D2", "乙局", "dept")],
        [
            ("T1", "A1", "", 20),
            ("T1", "A2", "", 40),
            ("T1", "A3", "", 20),
            ("D1", "A2", "", 40),
            ("D1", "A3", "", 20),
            ("D2", "A2", "", 40),
            ("D2", "A3", "", "不适用"),
        ],
        f'[not_applicable]\nmethod = "{method}"\n' + settings,
    )
    return totals(y.compute())


def test_not_applicable_renormalise(make_year: YearFactory) -> None:
    assert three_units(make_year, "", "renormalise") == {"T1": 80, "D1": 80, "D2": 80}


def test_not_applicable_reduce_max(make_year: YearFactory) -> None:
    assert three_units(make_year, "", "reduce_max") == {"T1": 80, "D1": 60, "D2": 40}


def test_not_applicable_scale_factor(make_year: YearFactory) -> None:
    base = """year = 2021
title = "t"
[[classes]]
id = "town"
name = "乡镇"
max = 100
scale = "1"
[[classes]]
id = "dept"
name = "部门"
max = 100
scale = "4/3"
"""
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=25, rule="judgement", applies_to="town"),
        node("A2", "A", points=75, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("T1", "甲镇", "town"), ("D1", "甲局", "dept")],
        [("T1", "A1", "", 20), ("T1", "A2", "", 60), ("D1", "A2", "", 70)],
        '[not_applicable]\nmethod = "scale"\n',
        base=base,
    )
    assert totals(y.compute()) == {"T1": 80, "D1": 93.33}


def test_not_applicable_redistribute(make_year: YearFactory) -> None:
    # the 25 points of N/A A1 are shared evenly by A2 and A3 (+12.5 each), earned points scale with them:
    # A2 40/50 → 40 × 62.5/50 = 50; A3 25/25 → 37.5; total 87.5 (renormalising would give 65/75 = 86.67)
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=25, rule="judgement", applies_to="town"),
        node("A2", "A", points=50, rule="judgement"),
        node("A3", "A", points=25, rule="judgement"),
    ]
    units = [("D1", "甲局", "dept")]
    inputs = [("D1", "A2", "", 40), ("D1", "A3", "", 25)]
    redistributed = make_year(
        catalogue, units, inputs, '[not_applicable]\nmethod = "redistribute"\n'
    ).compute()
    renormalised = make_year(catalogue, units, inputs).compute()
    assert totals(redistributed) == {"D1": 87.5}
    assert totals(renormalised) == {"D1": 86.67}


def test_channels_weighted(make_year: YearFactory) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    y = make_year(
        catalogue,
        [("U1", "甲", "town")],
        [("U1", "A1", "", 90, "", "", "", "online"), ("U1", "A1", "", 75, "", "", "", "onsite")],
        "[channels]\nweights = { online = 0.8, onsite = 0.2 }\n",
    )
    assert totals(y.compute()) == {"U1": 87}


def test_periods_mean_and_missing_period(make_year: YearFactory) -> None:
    catalogue = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]
    rows = [("U1", "A1", "", v, "", "", q, "") for q, v in (("Q1", 90), ("Q2", 80), ("Q3", 85), ("Q4", 86))]
    rows += [("U2", "A1", "", 90, "", "", "Q1", "")]
    y = make_year(
        catalogue,
        [("U1", "甲", "town"), ("U2", "乙", "town")],
        rows,
        '[periods]\nmethod = "mean"\nweights = { Q1 = 1, Q2 = 1, Q3 = 1, Q4 = 1 }\n',
    )
    assert totals(y.compute()) == {"U1": 85.25, "U2": 22.5}


def test_class_maxima_differ(make_year: YearFactory) -> None:
    base = """year = 2021
title = "t"
[[classes]]
id = "b1"
name = "B1类"
max = 100
[[classes]]
id = "b2"
name = "B2类"
max = 80
[grades]
none = true
"""
    catalogue = [
        node("A", points=80),
        node("A1", "A", points=80, rule="judgement"),
        node("B", points=20, applies_to="b1"),
        node("B1", "B", points=20, rule="judgement"),
    ]
    y = make_year(
        catalogue,
        [("X", "甲", "b1"), ("Y", "乙", "b2")],
        [("X", "A1", "", 70), ("X", "B1", "", 20), ("Y", "A1", "", 70)],
        base=base,
    )
    assert totals(y.compute()) == {"X": 90, "Y": 70}


def test_no_finding_keeps_deduction_rules_and_respects_not_applicable(make_year: YearFactory) -> None:
    catalogue = [
        node("A", points=100),
        node("A1", "A", points=40, rule="per_occurrence", params="per=1"),
        node("A2", "A", points=40, rule="binary"),
        node("A3", "A", points=20, rule="rate_linear", params="target=100; per=0.1"),
    ]
    y = make_year(
        catalogue,
        [("U1", "甲", "town")],
        [("U1", "A3", "", "不适用")],
        '[inputs]\nmissing = "no_finding"\nmissing_units = "zero"\n[not_applicable]\nmethod = "reduce_max"\n',
    )
    # A1 has no row: nothing found, full points; A2 has no row: not met; A3 is N/A, never scored as 0%
    assert totals(y.compute()) == {"U1": 40}

"""Every cap, floor, gate and option made to bind: cases where leaving one out (or applying it the wrong way)
changes the result, each computed by hand. Built in memory with ``scoring.testing``; totals compared as
exact fractions where rounding to the printed places could hide a difference (issue #22)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import polars as pl
import pytest

from scoring.engine.composite import composite_score
from scoring.errors import ScoringError
from scoring.testing import ExampleYear, leaf, section

BASE = """year = 2021
title = "t"
[[classes]]
id = "town"
name = "乡镇"
max = 100
[[classes]]
id = "dept"
name = "部门"
max = 100
"""
ONE = (("U1", "甲", "town"),)


def year(
    catalogue: Sequence[tuple[str, ...]],
    inputs: Sequence[tuple[object, ...]],
    settings: str = "",
    units: Sequence[tuple[str, str, str]] = ONE,
) -> ExampleYear:
    return ExampleYear(tuple(catalogue), tuple(units), tuple(tuple(r) for r in inputs), BASE + settings)


def scored(
    catalogue: Sequence[tuple[str, ...]],
    inputs: Sequence[tuple[object, ...]],
    settings: str = "",
    units: Sequence[tuple[str, str, str]] = ONE,
) -> dict[str, dict[str, object]]:
    return {r["unit"]: r for r in year(catalogue, inputs, settings, units).result().units.to_dicts()}


def exact(row: dict[str, object]) -> Fraction | None:
    """The exact total in points."""
    num, den = row["total_num"], row["total_den"]
    if num is None:
        return None
    assert isinstance(num, int) and isinstance(den, int)
    return Fraction(num, den * 10**12)


def leaf_points(y: ExampleYear, unit: str, indicator: str) -> Fraction:
    pts = (
        y.result()
        .indicator_points()
        .filter((pl.col("unit") == unit) & (pl.col("indicator") == indicator))
        .collect()
    )
    return Fraction(int(pts["points"][0]), 10**12)


# ---- bonus, penalty, floor, veto -------------------------------------------------------------------

BONUS = (
    section("A", 100),
    leaf("A1", "A", 100, "judgement"),
    section("J", 10, "bonus"),
    leaf("J1", "J", 10, "count_capped", "per=1"),
    section("P", 10, "penalty"),
    leaf("P1", "P", 10, "per_occurrence", "per=3"),
)
CAP10 = "[bonus]\ncap = 10\n"  # at the bonus node's points: never binding


def test_bonus_cap_below_the_bonus_nodes_points_binds() -> None:
    # J1 earns 6 of its 10; the settings cap the bonus at 3: 80 + 3 = 83 (86 without the cap)
    r = scored(BONUS, [("U1", "A1", "", 80), ("U1", "J1", "", 6)], "[bonus]\ncap = 3\n")["U1"]
    assert r["bonus"] == 3
    assert exact(r) == 83


def test_bonus_node_points_cap_an_unbounded_leaf() -> None:
    # accumulate is unbounded: 7 × 1 = 7, the bonus node is worth 4: 80 + 4 = 84 (87 uncapped)
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("J", 4, "bonus"),
        leaf("J1", "J", 4, "accumulate", "per=1"),
    )
    r = scored(catalogue, [("U1", "A1", "", 80), ("U1", "J1", "", 7)], CAP10)["U1"]
    assert exact(r) == 84


def test_bonus_gate_compares_the_renormalised_base() -> None:
    # A2 N/A: base 42 of 50 applicable → 84 of 100 ≥ gate 80 → bonus 2: 86.
    # A gate on the raw 42 would refuse the bonus (84).
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 50, "judgement"),
        leaf("A2", "A", 50, "judgement"),
        section("J", 5, "bonus"),
        leaf("J1", "J", 5, "count_capped", "per=1"),
    )
    inputs = [("U1", "A1", "", 42), ("U1", "A2", "", "不适用"), ("U1", "J1", "", 2)]
    r = scored(catalogue, inputs, "[bonus]\ncap = 5\ngate = 80\n")["U1"]
    assert exact(r) == 86


@pytest.mark.parametrize(("base", "inclusive", "total"), [(80, True, 85), (80, False, 80), (81, False, 86)])
def test_bonus_gate_at_its_boundary(base: int, inclusive: bool, total: int) -> None:
    # base = gate: the bonus (5) only when the gate is inclusive; above it, always
    flag = "true" if inclusive else "false"
    inputs = [("U1", "A1", "", base), ("U1", "J1", "", 5)]
    r = scored(BONUS, inputs, f"[bonus]\ncap = 5\ngate = 80\ngate_inclusive = {flag}\n")["U1"]
    assert exact(r) == total


def test_penalty_cap_below_the_penalty_nodes_points_binds() -> None:
    # P1: 5 findings × 3 = 15, capped at the leaf's 10 → penalty 10; the settings cap it at 4: 90 − 4 = 86
    r = scored(BONUS, [("U1", "A1", "", 90), ("U1", "P1", "", 5)], CAP10 + "[penalty]\ncap = 4\n")["U1"]
    assert r["penalty"] == 4 and exact(r) == 86


def test_penalty_without_a_cap_is_the_leafs_deduction() -> None:
    # 2 findings × 3 = 6: 90 − 6 = 84
    r = scored(BONUS, [("U1", "A1", "", 90), ("U1", "P1", "", 2)], CAP10)["U1"]
    assert exact(r) == 84


def test_the_total_floors_at_zero() -> None:
    # base 3, penalty 4 × 3 = 12 → 10 (the leaf): 3 − 10 < 0 → 0
    r = scored(BONUS, [("U1", "A1", "", 3), ("U1", "P1", "", 4)], CAP10)["U1"]
    assert r["total_num"] == 0 and r["total"] == 0


def test_an_uncapped_major_deduction_floors_the_total_at_zero() -> None:
    # A1 (5 points, uncapped): 3 × 5 = 15 → leaf 0, major −10; A2 6: 6 − 10 < 0 → 0
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 5, "per_occurrence", "per=5", uncapped="是"),
        leaf("A2", "A", 95, "judgement"),
    )
    r = scored(catalogue, [("U1", "A1", "", 3), ("U1", "A2", "", 6)])["U1"]
    assert r["major"] == 10 and r["total_num"] == 0


VETO = (
    section("A", 100),
    leaf("A1", "A", 50, "judgement"),
    leaf("A2", "A", 50, "judgement"),
    section("V", 1, "veto"),
    leaf("V1", "V", 1, "veto"),
)


def test_a_vetos_fixed_score_is_a_score_not_a_ceiling() -> None:
    # U1 earns 40, is vetoed: its total is the fixed 59 (a ceiling would leave 40)
    inputs = [("U1", "A1", "", 20), ("U1", "A2", "", 20), ("U1", "V1", "", "是")]
    r = scored(VETO, inputs, '[veto]\naction = "fixed_score"\nscore = 59\n')["U1"]
    assert exact(r) == 59


def test_a_vetos_fixed_score_is_exact_under_renormalisation() -> None:
    # A2 N/A makes the denominator 50: the fixed score is still exactly 59 (not 59/50 × 100 or 59 × 50)
    inputs = [("U1", "A1", "", 45), ("U1", "A2", "", "不适用"), ("U1", "V1", "", "是")]
    r = scored(VETO, inputs, '[veto]\naction = "fixed_score"\nscore = 59\n')["U1"]
    assert exact(r) == 59 and r["total_den"] != 1


def test_no_veto_no_fixed_score() -> None:
    inputs = [("U1", "A1", "", 20), ("U1", "A2", "", 20), ("U1", "V1", "", "否")]
    r = scored(VETO, inputs, '[veto]\naction = "fixed_score"\nscore = 59\n')["U1"]
    assert exact(r) == 40 and r["grade"] == "不合格" and not r["veto"]


# ---- not applicable: each denominator ---------------------------------------------------------------

CROSS = (
    section("A", 50),
    leaf("A1", "A", 25, "judgement"),
    leaf("A2", "A", 25, "judgement"),
    section("B", 50),
    leaf("B1", "B", 50, "judgement"),
)
CROSS_INPUTS = [("U1", "A1", "", "不适用"), ("U1", "A2", "", 20), ("U1", "B1", "", 25)]


@pytest.mark.parametrize(
    ("method", "total", "maximum"),
    [
        # (20 + 25) / 75 × 100 = 60
        ("renormalise", Fraction(60), 100),
        # A2 takes A1's 25 points: 20 × 50/25 = 40, + 25 = 65
        ("redistribute", Fraction(65), 100),
        # 45 of a maximum of 75
        ("reduce_max", Fraction(45), 75),
    ],
)
def test_explicit_not_applicable_under_each_method(method: str, total: Fraction, maximum: int) -> None:
    r = scored(CROSS, CROSS_INPUTS, f'[not_applicable]\nmethod = "{method}"\n')["U1"]
    assert exact(r) == total and r["max"] == maximum


def test_redistribute_counts_the_leaves_left() -> None:
    # A1 and A2 N/A in A (60 = 3 × 20): A3 takes their 40 alone: 10 × 60/20 = 30; + B1 20 = 50
    catalogue = (
        section("A", 60),
        leaf("A1", "A", 20, "judgement"),
        leaf("A2", "A", 20, "judgement"),
        leaf("A3", "A", 20, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
    )
    inputs = [
        ("U1", "A1", "", "不适用"),
        ("U1", "A2", "", "不适用"),
        ("U1", "A3", "", 10),
        ("U1", "B1", "", 20),
    ]
    r = scored(catalogue, inputs, '[not_applicable]\nmethod = "redistribute"\n')["U1"]
    assert exact(r) == 50


def test_redistribute_a_level1_node_wholly_not_applicable_leaves_the_maximum() -> None:
    # B1 N/A: B has no leaf to share with, its 40 leave the maximum: 45 / 60 × 100 = 75
    catalogue = (
        section("A", 60),
        leaf("A1", "A", 60, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
    )
    inputs = [("U1", "A1", "", 45), ("U1", "B1", "", "不适用")]
    r = scored(catalogue, inputs, '[not_applicable]\nmethod = "redistribute"\n')["U1"]
    assert exact(r) == 75


def test_scale_factor_is_exact() -> None:
    # the dept class's declared factor 4/3: 70 × 4/3 = 93.333… exactly (not 93.33)
    base = BASE.replace("max = 100\n", 'max = 100\nscale = "1"\n', 1).replace(
        'id = "dept"\nname = "部门"\nmax = 100\n', 'id = "dept"\nname = "部门"\nmax = 100\nscale = "4/3"\n'
    )
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 25, "judgement", applies_to="town"),
        leaf("A2", "A", 75, "judgement"),
    )
    y = ExampleYear(
        catalogue,
        (("D1", "甲局", "dept"),),
        (("D1", "A2", "", "70"),),
        base + '[not_applicable]\nmethod = "scale"\n',
    )
    r = y.result().units.to_dicts()[0]
    assert exact(r) == Fraction(280, 3)


def test_not_applicable_bonus_leaf_changes_no_denominator() -> None:
    # J1 N/A is a bonus leaf: the base stays 80 of 100 (not renormalised over 95)
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("J", 5, "bonus"),
        leaf("J1", "J", 5, "count_capped", "per=1"),
    )
    r = scored(catalogue, [("U1", "A1", "", 80), ("U1", "J1", "", "不适用")], "[bonus]\ncap = 5\n")["U1"]
    assert exact(r) == 80 and r["max"] == 100


def test_not_applicable_penalty_leaf_deducts_nothing() -> None:
    r = scored(BONUS, [("U1", "A1", "", 80), ("U1", "P1", "", "不适用")], CAP10)["U1"]
    assert exact(r) == 80 and r["penalty"] == 0


def test_section_fail_share_counts_only_applicable_points() -> None:
    # A1 N/A: A's applicable points are 30, A2 earns 20: 20/30 ≥ 0.6 passes (20/60 would fail)
    catalogue = (
        section("A", 60),
        leaf("A1", "A", 30, "judgement"),
        leaf("A2", "A", 30, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
    )
    inputs = [("U1", "A1", "", "不适用"), ("U1", "A2", "", 20), ("U1", "B1", "", 35)]
    r = scored(catalogue, inputs, "[grades]\nsection_fail_share = 0.6\n")["U1"]
    # (20 + 35) / 70 × 100 = 78.57: 合格
    assert not r["section_fail"] and r["grade"] == "合格" and exact(r) == Fraction(5500, 70)
    # B under 0.6 of 40 fails the unit whatever its total
    low = scored(catalogue, [*inputs[:2], ("U1", "B1", "", 23)], "[grades]\nsection_fail_share = 0.6\n")["U1"]
    assert low["section_fail"] and low["failed_parts"] == "B" and low["grade"] == "不合格"


# ---- grades and ranks: exact basis, quotas -----------------------------------------------------------

ONE_LEAF = (section("A", 100), leaf("A1", "A", 50, "judgement"), leaf("A2", "A", 50, "judgement"))


def test_exact_grade_basis_at_a_band_boundary_with_a_denominator() -> None:
    # 45 of 50 applicable → exactly 90: 优秀 on the exact basis (its lower bound is inclusive)
    inputs = [
        ("U1", "A1", "", 45),
        ("U1", "A2", "", "不适用"),
        ("U2", "A1", "", "44.999"),
        ("U2", "A2", "", "不适用"),
    ]
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    rows = scored(ONE_LEAF, inputs, '[grades]\nbasis = "exact"\n', units)
    assert rows["U1"]["total_den"] != 1 and exact(rows["U1"]) == 90 and rows["U1"]["grade"] == "优秀"
    # 89.998 exactly prints as 90.00 but is below the bound
    assert rows["U2"]["total"] == 90.0 and rows["U2"]["grade"] == "良好"


def test_exact_rank_basis_ties_equal_fractions_with_different_denominators() -> None:
    # U1: 45/50 × 100 = 90 (den ≠ 1); U2: 90 (den 1); U3 89.999 → ranks 1, 1, 3
    inputs = [
        ("U1", "A1", "", 45),
        ("U1", "A2", "", "不适用"),
        ("U2", "A1", "", 45),
        ("U2", "A2", "", 45),
        ("U3", "A1", "", "44.999"),
        ("U3", "A2", "", 45),
    ]
    units = (("U1", "甲", "town"), ("U2", "乙", "town"), ("U3", "丙", "town"))
    rows = scored(ONE_LEAF, inputs, '[ranking]\nbasis = "exact"\n', units)
    assert [rows[u]["rank"] for u in ("U1", "U2", "U3")] == [1, 1, 3]


def _quota_year(values: dict[str, tuple[str, object]], settings: str) -> dict[str, dict[str, object]]:
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto"),
    )
    units = tuple((u, f"单位{u}", cls) for u, (cls, _) in values.items())
    inputs = []
    for u, (_, v) in values.items():
        inputs.append((u, "A1", "", 99) if v == "veto" else (u, "A1", "", v))
        if v == "veto":
            inputs.append((u, "V1", "", "是"))
    return scored(catalogue, inputs, settings, units)


def test_quota_ties_are_counted_within_the_class() -> None:
    # 优秀 for at most 50% per class (1 of 2). T1 and D1 both 95: no tie inside either class, both keep it;
    # T2 92 is second in its class: demoted to 良好
    settings = '[grades]\nquotas = [{ grade = "优秀", share = 0.5, ties = "exclude" }]\n'
    rows = _quota_year(
        {"T1": ("town", 95), "T2": ("town", 92), "D1": ("dept", 95), "D2": ("dept", 70)}, settings
    )
    assert {u: r["grade"] for u, r in rows.items()} == {
        "T1": "优秀",
        "T2": "良好",
        "D1": "优秀",
        "D2": "合格",
    }


def test_quota_with_a_stop_veto_counts_only_scored_units() -> None:
    # U5 is vetoed and not scored: the class has 4 scored units, 40% of 4 → 1 seat (of 5 it would be 2)
    settings = '[veto]\naction = "stop"\n[grades]\nquotas = [{ grade = "优秀", share = 0.4 }]\n'
    rows = _quota_year(
        {
            "U1": ("town", 99),
            "U2": ("town", 98),
            "U3": ("town", 97),
            "U4": ("town", 96),
            "U5": ("town", "veto"),
        },
        settings,
    )
    assert [rows[u]["grade"] for u in ("U1", "U2", "U3", "U4", "U5")] == [
        "优秀",
        "良好",
        "良好",
        "良好",
        "不合格",
    ]
    assert rows["U5"]["total"] is None and rows["U5"]["rank"] is None


def test_quota_demotes_to_the_next_grade_down() -> None:
    # a quota on 良好 (1 of 2): the second 良好 unit becomes 合格, not 不合格
    settings = '[grades]\nquotas = [{ grade = "良好", share = 0.5 }]\n'
    rows = _quota_year({"U1": ("town", 85), "U2": ("town", 82)}, settings)
    assert (rows["U1"]["grade"], rows["U2"]["grade"]) == ("良好", "合格")


def test_composite_averages_only_the_scored_units_of_a_stopped_class() -> None:
    # town: U1 90, U2 80, U3 vetoed (stop, no total): the average is 85, not 170/3
    settings = '[veto]\naction = "stop"\n'
    values = {"U1": ("town", 90), "U2": ("town", 80), "U3": ("town", "veto")}
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto"),
    )
    inputs = [("U1", "A1", "", 90), ("U2", "A1", "", 80), ("U3", "A1", "", 99), ("U3", "V1", "", "是")]
    y = year(catalogue, inputs, settings, tuple((u, u, c) for u, (c, _) in values.items()))
    result = y.result()
    c = composite_score(result.units, {"town": 1}, result.settings)
    assert c.exact == 85


# ---- a deeper tree: a level-2 node's own cap -----------------------------------------------------------

DEEP = (
    section("A", 100),
    leaf("A1", "A", 10, "", rubric=""),  # a level-2 node
    leaf("A1a", "A1", 5, "accumulate", "per=1"),  # unbounded: may earn more than its 5
    leaf("A1b", "A1", 5, "judgement"),
    leaf("A2", "A", 90, "judgement"),
)
DEEP_INPUTS = [("U1", "A1a", "", 8), ("U1", "A1b", "", 5), ("U1", "A2", "", 80)]


@pytest.mark.parametrize(("caps", "total"), [("node", 90), ("pooled", 93)])
def test_an_inner_nodes_cap_binds_under_node_caps_only(caps: str, total: int) -> None:
    # A1's leaves earn 8 + 5 = 13: capped at A1's 10 per node (80 + 10 = 90); pooled, only A caps: 93
    r = scored(DEEP, DEEP_INPUTS, f'[caps]\nmode = "{caps}"\n')["U1"]
    assert exact(r) == total


def test_redistributed_leaf_points_round_half_up_at_the_pico_point() -> None:
    # A1 (40) N/A: A2 and A3 (30 each) take 20 more each, × 5/3; A2 earns 1 pico-point → 5/3 → 2 (half up;
    # truncation would give 1), A3 earns 0: the total is exactly 2 pico-points
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 40, "judgement"),
        leaf("A2", "A", 30, "judgement"),
        leaf("A3", "A", 30, "judgement"),
    )
    inputs = [("U1", "A1", "", "不适用"), ("U1", "A2", "", "0.000000000001"), ("U1", "A3", "", 0)]
    r = scored(catalogue, inputs, '[not_applicable]\nmethod = "redistribute"\n')["U1"]
    assert exact(r) == Fraction(2, 10**12)


def test_a_quota_on_the_fail_grade_keeps_the_fail_grade() -> None:
    # 不合格 has no grade below it: a unit over the quota stays 不合格
    settings = '[grades]\nquotas = [{ grade = "不合格", share = 0.5 }]\n'
    rows = _quota_year({"U1": ("town", 50), "U2": ("town", 40)}, settings)
    assert (rows["U1"]["grade"], rows["U2"]["grade"]) == ("不合格", "不合格")


def test_quota_seats_count_every_unit_above_a_tie() -> None:
    # 优秀 for at most 2 of 4: U1 and U2 tie at 95 (seats 1–2), U3 93 takes seat 3 (not 2): 良好
    settings = '[grades]\nquotas = [{ grade = "优秀", share = 0.5, ties = "include" }]\n'
    rows = _quota_year(
        {"U1": ("town", 95), "U2": ("town", 95), "U3": ("town", 93), "U4": ("town", 50)}, settings
    )
    assert [rows[u]["grade"] for u in ("U1", "U2", "U3", "U4")] == ["优秀", "优秀", "良好", "不合格"]


def test_tied_flags_only_units_that_share_a_rank() -> None:
    rows = _quota_year({"U1": ("town", 95), "U2": ("town", 95), "U3": ("town", 93)}, "")
    assert [rows[u]["tied"] for u in ("U1", "U2", "U3")] == [True, True, False]


def test_every_triggered_veto_is_named() -> None:
    # two veto leaves (bits 1 and 2) both triggered: the reason names both, in name order
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto", name="泄密"),
        leaf("V2", "V", 1, "veto", name="安全事故"),
    )
    inputs = [("U1", "A1", "", 90), ("U1", "V1", "", "是"), ("U1", "V2", "", "是"), ("U2", "A1", "", 90)]
    inputs += [("U2", "V2", "", "是"), ("U2", "V1", "", "否")]
    rows = scored(catalogue, inputs, "", (("U1", "甲", "town"), ("U2", "乙", "town")))
    assert rows["U1"]["veto_reason"] == "安全事故；泄密" and rows["U2"]["veto_reason"] == "安全事故"


def test_a_section_without_rows_adds_exactly_nothing() -> None:
    # no row for B1 (missing counts 0): the total is exactly A1's 45, to the pico-point
    catalogue = (
        section("A", 50),
        leaf("A1", "A", 50, "judgement"),
        section("B", 50),
        leaf("B1", "B", 50, "judgement"),
    )
    r = scored(catalogue, [("U1", "A1", "", 45)])["U1"]
    assert exact(r) == 45 and r["part:B"] == 0


def test_section_fail_share_is_exact_below_the_printed_places() -> None:
    # share 2/3 of B's 40 is 26.666…: B1 26.666666666666 is below it by 2/3 of a pico-point and fails,
    # though it prints as 26.67 (a threshold off by one pico-point would let it pass)
    catalogue = (
        section("A", 60),
        leaf("A1", "A", 60, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
    )
    settings = '[grades]\nsection_fail_share = "2/3"\n'
    low = scored(catalogue, [("U1", "A1", "", 60), ("U1", "B1", "", "26.666666666666")], settings)["U1"]
    ok = scored(catalogue, [("U1", "A1", "", 60), ("U1", "B1", "", "26.666666666667")], settings)["U1"]
    assert low["section_fail"] and low["failed_parts"] == "B" and not ok["section_fail"]


def test_composite_accepts_a_zero_weight_and_refuses_zero_in_all() -> None:
    # own 1 : town 0 → exactly the own score; weights all 0 have no mean: an error, not a division by zero
    catalogue = (section("A", 100), leaf("A1", "A", 100, "judgement"))
    result = year(catalogue, [("U1", "A1", "", 80)]).result()
    assert composite_score(result.units, {"own": 1, "town": 0}, result.settings, "91.5").exact == Fraction(
        183, 2
    )
    with pytest.raises(ScoringError):
        composite_score(result.units, {"own": 0, "town": 0}, result.settings, "91.5")


def test_an_uncapped_leaf_within_its_points_has_no_major_deduction() -> None:
    # A1 (5, uncapped), 1 × 2 = 2: the leaf keeps 3 and nothing goes beyond it: 3 + 90 = 93
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 5, "per_occurrence", "per=2", uncapped="是"),
        leaf("A2", "A", 95, "judgement"),
    )
    r = scored(catalogue, [("U1", "A1", "", 1), ("U1", "A2", "", 90)])["U1"]
    assert r["major"] == 0 and exact(r) == 93


def test_an_uncapped_award_leaf_is_still_held_at_its_points() -> None:
    # uncapped lets a deduction go beyond the leaf, never a credit above it: A1 (5, count_capped cap 10),
    # 8 × 1 = 8 → the leaf keeps 5, not 8: 5 + 90 = 95
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 5, "count_capped", "per=1; cap=10", uncapped="是"),
        leaf("A2", "A", 95, "judgement"),
    )
    r = scored(catalogue, [("U1", "A1", "", 8), ("U1", "A2", "", 90)])["U1"]
    assert r["major"] == 0 and exact(r) == 95


# ---- a pooled section: what it keeps for leaves without points of their own --------------------------

POOLED = (
    section("A", 60),
    leaf("A1", "A", "", "per_occurrence", "per=1"),  # no points: deducts from the 40 A keeps
    leaf("A2", "A", 20, "judgement"),
    section("B", 40),
    leaf("B1", "B", "", "per_occurrence", "per=1", applies_to="town"),  # B keeps 20 for towns only
    leaf("B2", "B", 20, "judgement"),
)


def test_what_a_pooled_section_keeps_counts_in_the_applicable_maximum() -> None:
    # B2 N/A. The town's applicable points: A2 20 + A's 40 kept + B1's 20 kept = 80 of 100 (B2's 20 out):
    # T1 earns A (40 − 3) + 15 = 52, B (20 − 10) = 10: 62 / 80 × 100 = 77.5. The dept keeps nothing in B
    # (B1 does not apply): 20 + 40 applicable, D1 earns 15 + 40 = 55 → 55 / 60 × 100 = 91.67
    units = (("T1", "甲镇", "town"), ("D1", "甲局", "dept"))
    inputs = [
        ("T1", "A1", "", 3),
        ("T1", "A2", "", 15),
        ("T1", "B1", "", 10),
        ("T1", "B2", "", "不适用"),
        ("D1", "A1", "", 0),
        ("D1", "A2", "", 15),
        ("D1", "B2", "", "不适用"),
    ]
    for method, t1, d1, maxima in [
        ("renormalise", Fraction(155, 2), Fraction(275, 3), (100, 100)),
        ("reduce_max", Fraction(62), Fraction(55), (80, 60)),
    ]:
        rows = scored(
            POOLED, inputs, f'[caps]\nmode = "pooled"\n[not_applicable]\nmethod = "{method}"\n', units
        )
        assert (exact(rows["T1"]), exact(rows["D1"])) == (t1, d1), method
        assert (rows["T1"]["max"], rows["D1"]["max"]) == maxima, method


def test_section_fail_share_counts_what_a_pooled_section_keeps() -> None:
    # share 0.5 of each section's applicable points, kept points included: A 20 + 40 = 60 → 30; B (town)
    # 20 + 20 = 40 → 20. U1: A (40 − 20) + 5 = 25 < 30 and B (20 − 15) + 10 = 15 < 20 both fail;
    # U2: A (40 − 10) + 5 = 35 and B 40 pass (A's applicable points counted without its kept 40, or with
    # B's or the other class's, would fail it or pass U1)
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = [
        ("U1", "A1", "", 20),
        ("U1", "A2", "", 5),
        ("U1", "B1", "", 15),
        ("U1", "B2", "", 10),
        ("U2", "A1", "", 10),
        ("U2", "A2", "", 5),
        ("U2", "B1", "", 0),
        ("U2", "B2", "", 20),
    ]
    settings = '[caps]\nmode = "pooled"\n[grades]\nsection_fail_share = 0.5\n'
    rows = scored(POOLED, inputs, settings, units)
    assert (rows["U1"]["part:A"], rows["U1"]["part:B"], rows["U2"]["part:A"]) == (25, 15, 35)
    assert rows["U1"]["failed_parts"] == "A,B" and rows["U1"]["grade"] == "不合格"
    assert not rows["U2"]["section_fail"] and rows["U2"]["failed_parts"] == ""


# ---- the general tree path: floors, caps and sections without points ---------------------------------

DEEP_BONUS = (
    section("A", 60),
    leaf("A1", "A", 10, "", rubric=""),  # a level-2 node: the tree path
    leaf("A1a", "A1", 5, "accumulate", "per=1"),
    leaf("A1b", "A1", 5, "judgement"),
    leaf("A2", "A", 50, "judgement"),
    section("B", 40),
    leaf("B1", "B", 40, "judgement"),
    section("J", "", "bonus"),  # no points of its own: not capped
    leaf("J1", "J", 3, "accumulate", "per=1"),
)


def test_the_tree_path_adds_nothing_to_parts_that_earn_nothing() -> None:
    # U1: A1's leaves, B1 and J1 earn 0: the total is exactly A2's 30 (a floor above 0 at an inner node, a
    # level-1 part or the bonus section would add a pico-point). U2: J1 earns 3 of the bonus section, which
    # has no points and so no cap: A 3 + 5 + 30, B 20, + 3 = 61 (capping J at its blank 0 would give 58)
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = [
        ("U1", "A1a", "", 0),
        ("U1", "A1b", "", 0),
        ("U1", "A2", "", 30),
        ("U1", "B1", "", 0),
        ("U1", "J1", "", 0),
        ("U2", "A1a", "", 3),
        ("U2", "A1b", "", 5),
        ("U2", "A2", "", 30),
        ("U2", "B1", "", 20),
        ("U2", "J1", "", 3),
    ]
    rows = scored(DEEP_BONUS, inputs, "", units)
    assert exact(rows["U1"]) == 30 and rows["U1"]["bonus_raw"] == 0 and rows["U1"]["part:B"] == 0
    assert rows["U2"]["bonus"] == 3 and exact(rows["U2"]) == 61


def test_an_inner_node_over_unbounded_leaves_only_is_capped() -> None:
    # A1 (10) over two accumulate leaves (5 each, unbounded): 8 + 4 = 12 → 10: 80 + 10 = 90, not 92
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 10, "", rubric=""),
        leaf("A1a", "A1", 5, "accumulate", "per=1"),
        leaf("A1b", "A1", 5, "accumulate", "per=1"),
        leaf("A2", "A", 90, "judgement"),
    )
    r = scored(catalogue, [("U1", "A1a", "", 8), ("U1", "A1b", "", 4), ("U1", "A2", "", 80)])["U1"]
    assert exact(r) == 90


@pytest.mark.parametrize("method", ["renormalise", "redistribute"])
def test_a_unit_with_every_leaf_not_applicable_scores_zero(method: str) -> None:
    # nothing applicable: the factor's denominator is held at 1 (no division by zero), the total is 0
    inputs = [
        ("U1", "A1", "", "不适用"),
        ("U1", "A2", "", "不适用"),
        ("U2", "A1", "", 40),
        ("U2", "A2", "", 40),
    ]
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    rows = scored(ONE_LEAF, inputs, f'[not_applicable]\nmethod = "{method}"\n', units)
    assert exact(rows["U1"]) == 0 and rows["U1"]["total"] == 0 and rows["U1"]["rank"] == 2
    assert exact(rows["U2"]) == 80


def test_what_a_pooled_section_keeps_is_no_veto_and_no_major_deduction() -> None:
    # A keeps 20 for A1: A (20 − 2) + 20 + 0 + 10 = 48, B 30; A3 (10, uncapped) 3 × 5 = 15 → major 5:
    # exactly 73, not vetoed (the kept row is points, not a triggered veto leaf, nor a major deduction)
    catalogue = (
        section("A", 60),
        leaf("A1", "A", "", "per_occurrence", "per=1"),
        leaf("A2", "A", 20, "judgement"),
        leaf("A3", "A", 10, "per_occurrence", "per=5", uncapped="是"),
        leaf("A4", "A", 10, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto"),
    )
    inputs = [
        ("U1", "A1", "", 2),
        ("U1", "A2", "", 20),
        ("U1", "A3", "", 3),
        ("U1", "A4", "", 10),
        ("U1", "B1", "", 30),
        ("U1", "V1", "", "否"),
    ]
    settings = '[caps]\nmode = "pooled"\n[veto]\naction = "fixed_score"\nscore = 59\n'
    r = scored(catalogue, inputs, settings)["U1"]
    assert r["part:A"] == 48 and r["major"] == 5 and not r["veto"] and exact(r) == 73


def test_a_unit_without_any_input_rows_is_not_vetoed() -> None:
    # U2 has no row at all (missing units count 0): it scores 0, not the veto's fixed 59
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    settings = '[inputs]\nmissing_units = "zero"\n[veto]\naction = "fixed_score"\nscore = 59\n'
    rows = scored(VETO, [("U1", "A1", "", 20), ("U1", "A2", "", 20)], settings, units)
    assert not rows["U2"]["veto"] and exact(rows["U2"]) == 0 and exact(rows["U1"]) == 40


def test_renormalising_to_an_applicable_maximum_of_one_ten_thousandth_of_a_point() -> None:
    # the factor's denominator is the applicable maximum in 10⁻⁴ points, held at 1 only when nothing
    # applies: A2 N/A leaves A1's 0.0001 applicable, earned in full → 100 (a floor of 2 would give 50)
    catalogue = (
        section("A", 100),
        leaf("A1", "A", "0.0001", "judgement"),
        leaf("A2", "A", "99.9999", "judgement"),
    )
    r = scored(catalogue, [("U1", "A1", "", "0.0001"), ("U1", "A2", "", "不适用")])["U1"]
    assert exact(r) == 100


def test_a_unit_without_any_rows_fails_even_the_smallest_section_share() -> None:
    # share 10⁻¹⁴: B's threshold is 0.4 pico-points. U1's B1 earns 1 pico-point and passes; U2 has no row
    # at all (missing units count 0): each part is exactly 0 and fails
    catalogue = (
        section("A", 60),
        leaf("A1", "A", 60, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement"),
    )
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    settings = '[inputs]\nmissing_units = "zero"\n[grades]\nsection_fail_share = "1/100000000000000"\n'
    rows = scored(catalogue, [("U1", "A1", "", 60), ("U1", "B1", "", "0.000000000001")], settings, units)
    assert not rows["U1"]["section_fail"]
    assert rows["U2"]["section_fail"] and rows["U2"]["failed_parts"] == "A,B"

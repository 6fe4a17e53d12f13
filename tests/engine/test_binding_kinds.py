"""Each rule kind's parameters at values where the default would hide a difference, and the rounding below
the printed places that can still decide an exact-basis rank; computed by hand, compared exactly in
pico-points (issue #22)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import polars as pl
import pytest

from scoring.testing import ExampleYear, leaf, section
from tests.engine.test_binding import BASE

PICO = 10**12


def points(
    rule: str, params: str, worth: int, rows: Sequence[tuple[str, str, object]], settings: str = ""
) -> dict[str, Fraction]:
    """Points of leaf A1 (worth ``worth``) per unit, exactly; rows are (unit, key, value)."""
    catalogue = (
        section("A", 100),
        leaf("A1", "A", worth, rule, params),
        leaf("A2", "A", 100 - worth, "judgement"),
    )
    units = tuple((u, f"单位{u}", "town") for u in sorted({r[0] for r in rows}))
    inputs = tuple((u, "A1", k, v) for u, k, v in rows)
    result = ExampleYear(catalogue, units, inputs, BASE + settings).result()
    pts = result.indicator_points().filter(pl.col("indicator") == "A1").collect()
    return {r["unit"]: Fraction(int(r["points"]), PICO) for r in pts.to_dicts()}


def test_half_if_none_with_a_declared_fraction() -> None:
    # fraction 1/4 of 8: none compliant keeps 6 (the default half would keep 4); one compliant keeps 8
    got = points("half_if_none", "fraction=1/4", 8, [("U1", "", 0), ("U2", "", 1)])
    assert got == {"U1": 6, "U2": 8}


@pytest.mark.parametrize(
    ("rule", "params", "rows", "expected"),
    [
        # 4 × 3 = 12, capped at 5: 10 − 5 = 5 (the leaf's 10 would give 0)
        ("per_occurrence", "per=3; cap=5", [("U1", "", 4)], 5),
        # 轻 1 + 重 2 × 4 = 9, capped at 6: 4
        ("severity", "classes=轻:1,重:4; cap=6", [("U1", "轻", 1), ("U1", "重", 2)], 4),
        # 4 × 2 = 8, capped at 5 (below the leaf's 10)
        ("count_capped", "per=2; cap=5", [("U1", "", 4)], 5),
        # 国家 5 + 省 3 = 8, capped at 6
        ("events", "levels=国家:5,省:3; cap=6", [("U1", "国家", 1), ("U1", "省", 1)], 6),
    ],
)
def test_a_cap_below_the_leafs_points_binds(
    rule: str, params: str, rows: list[tuple[str, str, object]], expected: int
) -> None:
    assert points(rule, params, 10, rows) == {"U1": expected}


def test_imported_with_a_declared_scale() -> None:
    # 4 of 5 → 10 × 4/5 = 8 (the default scale 100 would give 0.4); above the scale is refused as input
    assert points("imported", "scale=5", 10, [("U1", "", 4), ("U2", "", 5)]) == {"U1": 8, "U2": 10}


def test_rank_based_ascending_with_else() -> None:
    # ascending: the lowest value ranks first: U1 5, U2 3, U3 the else 1
    rows = [("U1", "", 10), ("U2", "", 20), ("U3", "", 30)]
    got = points("rank_based", "points=5,3; else=1; order=asc", 6, rows)
    assert got == {"U1": 5, "U2": 3, "U3": 1}


def test_deadline_without_lateness_steps_deducts_late() -> None:
    # due 2021-06-30, late 3 of 10: on time 10, a day late 7, a month late 7, no date: missing 0
    rows = [("U1", "", "2021-06-30"), ("U2", "", "2021-07-01"), ("U3", "", "2021-07-31"), ("U4", "", "")]
    got = points("deadline", "due=2021-06-30; late=3", 10, rows)
    assert got == {"U1": 10, "U2": 7, "U3": 7, "U4": 0}


def test_deadline_lateness_steps_at_their_thresholds() -> None:
    # ≥ 1 day late 2, ≥ 5 days 6: 4 days late 2, exactly 5 days 6
    rows = [("U1", "", "2021-07-04"), ("U2", "", "2021-07-05")]
    got = points("deadline", "due=2021-06-30; late_steps=1:2,5:6; missing=10", 10, rows)
    assert got == {"U1": 8, "U2": 4}


def test_any_of_deducts_once_when_several_hold() -> None:
    # 甲 and 乙 both hold: 3 once, 7 (not 4); none holds: 10
    rows = [("U1", "甲", "是"), ("U1", "乙", "是"), ("U2", "甲", "否"), ("U2", "乙", "否")]
    assert points("any_of", "conditions=甲,乙; amount=3", 10, rows) == {"U1": 7, "U2": 10}


def test_missing_elements_counts_each_absent_element() -> None:
    # a and b present, c absent (no row) and d absent (否): 10 − 2 × 2 = 6
    rows = [("U1", "a", "是"), ("U1", "b", "是"), ("U1", "d", "否")]
    assert points("missing_elements", "elements=a,b,c,d; per=2", 10, rows) == {"U1": 6}


def test_quota_per_period_empty_differs_from_below() -> None:
    # quota 2: Jan 1 (below: 1), Feb 0 (empty: 3), Mar no row (empty: 3): 10 − 7 = 3
    rows = [("U1", "2021-01", 1), ("U1", "2021-02", 0)]
    assert points("quota_per_period", "quota=2; per=1; empty=3; periods=2021-01..2021-03", 10, rows) == {
        "U1": 3
    }


def test_tiered_at_and_below_each_threshold() -> None:
    # 80:1, 50:0.4 of 10: 80 → 10, 79.9 → 4, 50 → 4, 49.9 → 0
    rows = [("U1", "", 80), ("U2", "", "79.9"), ("U3", "", 50), ("U4", "", "49.9")]
    got = points("tiered", "tiers=80:1,50:0.4", 10, rows)
    assert got == {"U1": 10, "U2": 4, "U3": 4, "U4": 0}


# ---- rounding below the printed places ---------------------------------------------------------------


def test_judgement_input_rounds_to_the_pico_point_not_truncates() -> None:
    # 4.35 × 10¹² is 4349999999999.9995 as a float: rounded it is exactly 4.35
    assert points("judgement", "", 10, [("U1", "", "4.35")]) == {"U1": Fraction(435, 100)}


def test_channel_weighted_mean_rounds_half_up_at_the_pico_point() -> None:
    # weights 2:1 of 1 and 1.000000000002 → (2 + 1.000000000002) / 3 = 1 + 0.000000000000666…
    # → 1.000000000001 rounded half up (truncation would give 1)
    rows = [
        ("U1", "", 1, "", "", "", "online"),
        ("U1", "", "1.000000000002", "", "", "", "onsite"),
    ]
    catalogue = (section("A", 100), leaf("A1", "A", 100, "judgement"))
    inputs = tuple(("U1", "A1", *r[1:]) for r in rows)
    y = ExampleYear(
        catalogue,
        (("U1", "甲", "town"),),
        inputs,
        BASE + '[channels]\nweights = { online = "2/3", onsite = "1/3" }\n',
    )
    row = y.result().units.to_dicts()[0]
    assert Fraction(row["total_num"], row["total_den"]) == PICO + 1


def test_negative_tie_rounds_half_up_away_from_zero_in_print() -> None:
    # an uncapped leaf of 1 point, one finding of 1.125: major −0.125 → printed −0.13 (shown as 0.13)
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 1, "per_occurrence", "per=1.125", uncapped="是"),
        leaf("A2", "A", 99, "judgement"),
    )
    y = ExampleYear(
        catalogue,
        (("U1", "甲", "town"),),
        (("U1", "A1", "", 1), ("U1", "A2", "", 90)),
        BASE + "[rounding]\nplaces = 2\n",
    )
    row = y.result().units.to_dicts()[0]
    assert row["major"] == 0.13 and row["total"] == 89.88  # 90 − 0.125 = 89.875 → 89.88


def test_a_modifier_marked_no_changes_nothing() -> None:
    # 不得分 = 否 and 及格封顶 = 否 are rows that say the modifier does not apply: 10 − 1 = 9 for both
    rows = [("U1", "", 1), ("U1", "不得分", "否"), ("U2", "", 1), ("U2", "及格封顶", "否")]
    assert points("per_occurrence", "per=1; ceiling=6", 10, rows) == {"U1": 9, "U2": 9}


def test_the_pass_ceiling_never_raises_points() -> None:
    # 及格封顶 caps at 6: 10 − 1 = 9 → 6, but 10 − 7 = 3 stays 3 (a ceiling, not a fixed score)
    rows = [("U1", "", 1), ("U1", "及格封顶", "是"), ("U2", "", 7), ("U2", "及格封顶", "是")]
    assert points("per_occurrence", "per=1; ceiling=6", 10, rows) == {"U1": 6, "U2": 3}


def test_a_measured_share_rounds_to_the_nearest_pico_point() -> None:
    # 2 of 3 → 10 × 2/3 = 6.666…: 6.666666666667 (nearest), not 6.666666666666
    assert points("imported", "scale=3", 10, [("U1", "", 2)]) == {"U1": Fraction(6666666666667, PICO)}


def test_half_even_rounds_a_tie_to_the_even_digit() -> None:
    # 0.025 at 2 places: 0.02 (2 is even); 0.035: 0.04
    catalogue = (section("A", 100), leaf("A1", "A", 100, "judgement"))
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = (("U1", "A1", "", "0.025"), ("U2", "A1", "", "0.035"))
    y = ExampleYear(catalogue, units, inputs, BASE + '[rounding]\nplaces = 2\nmode = "half_even"\n')
    assert {r["unit"]: r["total"] for r in y.result().units.to_dicts()} == {"U1": 0.02, "U2": 0.04}


def test_exact_rank_basis_separates_totals_less_than_a_pico_point_apart() -> None:
    # U1: A2 N/A, 2 of 3 → 66.666… (2/3 of a pico-point above U2); U2: 2 + 64.666666666666 = 66.666666666666
    catalogue = (section("A", 100), leaf("A1", "A", 3, "judgement"), leaf("A2", "A", 97, "judgement"))
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = (
        ("U1", "A1", "", 2),
        ("U1", "A2", "", "不适用"),
        ("U2", "A1", "", 2),
        ("U2", "A2", "", "64.666666666666"),
    )
    y = ExampleYear(catalogue, units, inputs, BASE + '[ranking]\nbasis = "exact"\n')
    assert {r["unit"]: r["rank"] for r in y.result().units.to_dicts()} == {"U1": 1, "U2": 2}


@pytest.mark.parametrize("method", ["mean", "weighted"])
def test_one_declared_period_keeps_its_points(method: str) -> None:
    # periods declared, but one only (a half-year assessed alone): the mean of one period is that period's
    # points, 7 (its integer weight 1 is the whole of the denominator, exactly)
    catalogue = (section("A", 100), leaf("A1", "A", 100, "judgement"))
    y = ExampleYear(
        catalogue,
        (("U1", "甲", "town"),),
        (("U1", "A1", "", 7, "", "", "H1"),),
        BASE + f'[periods]\nmethod = "{method}"\nweights = {{ H1 = 1 }}\n',
    )
    row = y.result().units.to_dicts()[0]
    assert Fraction(row["total_num"], row["total_den"]) == 7 * PICO


def test_rank_based_without_else_gives_nothing_past_the_listed_ranks() -> None:
    # points 5, 3 for ranks 1 and 2; the third has no else: 0 exactly
    rows = [("U1", "", 30), ("U2", "", 20), ("U3", "", 10)]
    assert points("rank_based", "points=5,3", 6, rows) == {"U1": 5, "U2": 3, "U3": 0}


def test_rate_linear_above_its_target_keeps_the_points() -> None:
    # target 90: 95 is above (no deduction, no bonus), 88 is 2 points below (−2)
    assert points("rate_linear", "target=90; per=1", 10, [("U1", "", 95), ("U2", "", 88)]) == {
        "U1": 10,
        "U2": 8,
    }


def test_deadline_early_before_without_early_deducts_nothing() -> None:
    # early_before without an early deduction: done early keeps the points, exactly
    got = points("deadline", "due=2021-06-30; early_before=2021-06-01", 10, [("U1", "", "2021-05-01")])
    assert got == {"U1": 10}


def test_deadline_late_by_less_than_the_first_step_deducts_nothing() -> None:
    # 3 days or more late: 2; one day late reaches no step: 10, exactly
    got = points("deadline", "due=2021-06-30; late_steps=3:2; missing=10", 10, [("U1", "", "2021-07-01")])
    assert got == {"U1": 10}


def test_deadline_without_a_row_under_no_finding_keeps_the_points() -> None:
    # missing = "no_finding": U2 has no row for the deadline leaf, so nothing was found late: 10, exactly
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 10, "deadline", "due=2021-06-30; late=3"),
        leaf("A2", "A", 90, "judgement"),
    )
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = (("U1", "A1", "", "2021-07-01"), ("U1", "A2", "", 50), ("U2", "A2", "", 50))
    y = ExampleYear(catalogue, units, inputs, BASE + '[inputs]\nmissing = "no_finding"\n')
    pts = y.result().indicator_points().filter(pl.col("indicator") == "A1").collect()
    assert {r["unit"]: Fraction(r["points"], PICO) for r in pts.to_dicts()} == {"U1": 7, "U2": 10}


def test_no_finding_fills_a_leaf_that_applies_to_the_units_class_only() -> None:
    # missing = "no_finding": A1 applies to towns only; T1 has no row for it, so nothing was found: 10; the
    # department D1 is not assessed on A1 at all (no row made for it; its total is out of 90, renormalised)
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 10, "per_occurrence", "per=1", applies_to="town"),
        leaf("A2", "A", 90, "judgement"),
    )
    units = (("T1", "甲镇", "town"), ("D1", "甲局", "dept"))
    inputs = (("T1", "A2", "", 50), ("D1", "A2", "", 45))
    settings = '[inputs]\nmissing = "no_finding"\n[not_applicable]\nmethod = "renormalise"\n'
    y = ExampleYear(catalogue, units, inputs, BASE + settings)
    pts = y.result().indicator_points().filter(pl.col("indicator") == "A1").collect()
    assert {r["unit"]: Fraction(r["points"], PICO) for r in pts.to_dicts()} == {"T1": 10}


@pytest.mark.parametrize(
    ("settings", "period", "channels"),
    [
        ('[channels]\nweights = { online = "2/3", onsite = "1/3" }\n', "", ("online", "onsite")),
        ('[periods]\nmethod = "mean"\nweights = { H1 = 1, H2 = 1 }\n', "H1", ("",)),
        ('[periods]\nmethod = "weighted"\nweights = { H1 = "1/4", H2 = "3/4" }\n', "H2", ("",)),
    ],
)
def test_no_finding_keeps_a_leaf_without_rows_whole_under_weighted_channels_or_periods(
    settings: str, period: str, channels: tuple[str, ...]
) -> None:
    # missing = "no_finding": U1 has no row for A1, so nothing was found in any channel or period: 10, as
    # without channels or periods (the empty observation once weighed nothing: 0); U2's 2 findings: 8
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 10, "per_occurrence", "per=1"),
        leaf("A2", "A", 90, "judgement"),
    )
    periods = (period, "H2" if period == "H1" else "H1") if period else ("",)
    inputs = tuple(
        (u, leaf_id, "", value, "", "", p, c)
        for p in periods
        for c in channels
        for u, leaf_id, value in (("U1", "A2", 50), ("U2", "A2", 50), ("U2", "A1", 2))
    )
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    y = ExampleYear(catalogue, units, inputs, BASE + '[inputs]\nmissing = "no_finding"\n' + settings)
    pts = y.result().indicator_points().filter(pl.col("indicator") == "A1").collect()
    assert {r["unit"]: Fraction(r["points"], PICO) for r in pts.to_dicts()} == {"U1": 10, "U2": 8}


def test_checklist_an_item_marked_no_adds_nothing() -> None:
    # a: 3 present, b: 4 marked 否: 3 exactly (an item not present counts 0, not a pico-point)
    rows = [("U1", "a", "是"), ("U1", "b", "否")]
    assert points("checklist", "items=a:3,b:4", 10, rows) == {"U1": 3}


def test_events_count_each_occurrence_at_its_level() -> None:
    # 国家 2 a time × 3 + 省 1 a time × 2 = 8 (each level counted once would give 3)
    rows = [("U1", "国家", 3), ("U1", "省", 2)]
    assert points("events", "levels=国家:2,省:1", 10, rows) == {"U1": 8}


def test_judgement_input_below_the_pico_point_rounds_to_the_nearest() -> None:
    # 0.7 of a pico-point rounds to 1 (truncation would give 0), 4.0000000000007 to 4.000000000001
    rows = [("U1", "", "0.0000000000007"), ("U2", "", "4.0000000000007")]
    got = points("judgement", "", 10, rows)
    assert got == {"U1": Fraction(1, PICO), "U2": 4 + Fraction(1, PICO)}


def test_a_grade_leaf_without_a_row_under_no_finding_gives_nothing() -> None:
    # missing = "no_finding": an awarding leaf without a row earns nothing (nothing was found to award): 0
    catalogue = (
        section("A", 100),
        leaf("A1", "A", 10, "grade_scale", "scale=优:10,良:8"),
        leaf("A2", "A", 90, "judgement"),
    )
    units = (("U1", "甲", "town"), ("U2", "乙", "town"))
    inputs = (("U1", "A1", "", "良"), ("U1", "A2", "", 50), ("U2", "A2", "", 50))
    y = ExampleYear(catalogue, units, inputs, BASE + '[inputs]\nmissing = "no_finding"\n')
    pts = y.result().indicator_points().filter(pl.col("indicator") == "A1").collect()
    assert {r["unit"]: Fraction(r["points"], PICO) for r in pts.to_dicts()} == {"U1": 8, "U2": 0}

"""Each rule kind's parameter checks, at their bounds: a leaf's parameters just past a bound are refused
with the check's code, and at the bound accepted (built in memory with ``scoring.testing``; issue #22)."""

from __future__ import annotations

import pytest

from scoring.errors import ValidationFailed
from scoring.testing import ExampleYear, leaf, section
from tests.engine.test_binding import BASE

NINE_TIERS = ",".join(f"{90 - 10 * i}:{(9 - i) / 10:g}" for i in range(9))
EIGHT_TIERS = ",".join(f"{90 - 10 * i}:{(9 - i) / 10:g}" for i in range(1, 9))
NINE_STEPS = ",".join(f"{i}0%:{i / 10:g}" for i in range(1, 10))
EIGHT_STEPS = ",".join(f"{i}0%:{i / 10:g}" for i in range(1, 9))
NINE_DAYS = ",".join(f"{i}:{i / 10:g}" for i in range(1, 10))
EIGHT_DAYS = ",".join(f"{i}:{i / 10:g}" for i in range(1, 9))


def problems(rule: str, params: str, points: int = 10) -> set[str]:
    """The codes of the problems of leaf A1 (worth ``points`` of 100) with this rule and parameters."""
    catalogue = (
        section("A", 100),
        leaf("A1", "A", points, rule, params),
        leaf("A2", "A", 100 - points, "judgement"),
    )
    try:
        ExampleYear(catalogue, (), (), BASE).catalogue()
    except ValidationFailed as e:
        return {i.code for i in e.errors}
    return set()


@pytest.mark.parametrize(
    ("rule", "params", "code"),
    [
        ("judgement", "lo=6; hi=4", "params_range"),
        ("judgement", "hi=11", "params_range"),
        ("grade_scale", "scale=优:11,良:8", "params_scale_exceeds_points"),
        ("tiered", "tiers=50:0.4,80:1", "params_tiers_descending"),
        ("tiered", "tiers=50:1,80:0.5", "params_tiers_descending"),  # the thresholds, not the shares
        ("tiered", "tiers=80:1.5", "params_tiers_share_range"),
        ("tiered", f"tiers={NINE_TIERS}", "params_tiers_count"),
        ("imported", "scale=0", "params_scale_positive"),
        ("rank_based", "points=11,5", "params_points_exceed"),
        ("checklist", "items=a:6,b:5", "params_items_exceed_points"),
        ("fractional", "criteria=a:0.6,b:0.5", "params_criteria_exceed_one"),
        ("accumulate", "", "params_per_or_classes"),
        ("accumulate", "per=1; classes=a:1", "params_per_or_classes"),
        ("over_quota_bonus", "quota=0; steps=10%:1", "params_quota_positive"),
        ("over_quota_bonus", "quota=town:10,dept:0; steps=10%:1", "params_quota_positive"),
        ("over_quota_bonus", f"quota=10; steps={NINE_STEPS}", "params_steps_count"),
        ("half_if_none", "fraction=0", "params_fraction_range"),
        ("deadline", "due=2021-06-30; late_steps=0:2", "params_late_steps_days"),
        ("deadline", "due=2021-06-30; late_steps=1.5:2", "params_late_steps_days"),
        ("deadline", f"due=2021-06-30; late_steps={NINE_DAYS}", "params_late_steps_count"),
        ("deadline", "due=2021-06-30; early=1", "params_early_before_missing"),
        ("rate_linear", "target=101; per=1", "params_target_range"),
    ],
)
def test_a_parameter_past_its_bound_is_refused(rule: str, params: str, code: str) -> None:
    assert f"A1|{code}" in problems(rule, params)


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        ("judgement", "lo=0; hi=10"),  # 0 ≤ lo ≤ hi ≤ the leaf's points, each at equality
        ("judgement", "hi=0"),  # lo left out is 0: 0 ≤ 0
        ("judgement", "lo=10"),
        ("grade_scale", "scale=优:10,良:8"),
        ("tiered", "tiers=80:1,50:0"),  # shares 1 and 0
        ("tiered", f"tiers={EIGHT_TIERS}"),
        ("imported", "scale=0.5"),
        ("rank_based", "points=10,5"),
        ("checklist", "items=a:6,b:4"),
        ("fractional", "criteria=a:0.5,b:0.5"),
        ("accumulate", "per=1"),
        ("accumulate", "classes=a:1"),
        ("over_quota_bonus", f"quota=1; steps={EIGHT_STEPS}"),
        ("half_if_none", "fraction=1"),
        ("half_if_none", ""),
        ("deadline", f"due=2021-06-30; late_steps={EIGHT_DAYS}; missing=10"),
        ("deadline", "due=2021-06-30; early_before=2021-06-01; early=1"),
        ("rate_linear", "target=0.5; per=1"),
        ("rate_linear", "target=100; per=1"),
    ],
)
def test_a_parameter_at_its_bound_is_accepted(rule: str, params: str) -> None:
    assert problems(rule, params) == set()


def ranges(rule: str, params: str, points: int = 10) -> tuple[float | None, ...]:
    """The range of a value leaf A1 accepts and the range it usually falls in (outside: noted)."""
    catalogue = (
        section("A", 100),
        leaf("A1", "A", points, rule, params),
        leaf("A2", "A", 100 - points, "judgement"),
    )
    frame = ExampleYear(catalogue, (), (), BASE).catalogue().leaf_frame()
    row = frame.filter(frame["indicator"] == "A1").to_dicts()[0]
    return row["lo"], row["hi"], row["usual_lo"], row["usual_hi"]


@pytest.mark.parametrize(
    ("rule", "params", "expected"),
    [
        # a judgement within 0 and the leaf's points unless the leaf says; an imported score within its scale
        ("judgement", "", (0, 10, None, None)),
        ("judgement", "lo=1; hi=4", (1, 4, None, None)),
        ("imported", "", (0, 100, None, None)),
        ("imported", "scale=5", (0, 5, None, None)),
        # tiers up to 1 measure a share, up to 100 a percentage, above 100 a count (no usual top)
        ("tiered", "tiers=0.9:1,0.5:0.4", (None, None, 0, 1)),
        ("tiered", "tiers=1:1", (None, None, 0, 1)),
        ("tiered", "tiers=1.5:1", (None, None, 0, 100)),
        ("tiered", "tiers=100:1,60:0.5", (None, None, 0, 100)),
        ("tiered", "tiers=101:1", (None, None, 0, None)),
    ],
)
def test_the_values_a_leaf_accepts_and_usually_takes(
    rule: str, params: str, expected: tuple[float | None, ...]
) -> None:
    assert ranges(rule, params) == expected


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        ("due=2021-06-30; late=1; missing=4", False),
        ("due=2021-06-30; late_steps=1:1; missing=4", False),
        ("due=2021-06-30; missing=4", True),  # what lateness costs is not said
        ("due=2021-06-30; late=1", True),  # what not doing it costs is not said
    ],
)
def test_a_deadline_without_points_says_what_lateness_and_not_doing_it_cost(
    params: str, refused: bool
) -> None:
    # in a pooled section a deducting leaf may have no points of its own: its deductions come from the
    # section's, so a deadline must declare them all
    catalogue = (
        section("A", 100),
        leaf("A1", "A", "", "deadline", params),
        leaf("A2", "A", 80, "judgement"),
    )
    try:
        ExampleYear(catalogue, (), (), BASE + '[caps]\nmode = "pooled"\n').catalogue()
    except ValidationFailed as e:
        assert refused and "A1|params_without_points" in {i.code for i in e.errors}
    else:
        assert not refused

"""A county's composite: 6:3:1 of its own score, its townships' average and its departments' average."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import ScoringError, composite_score
from tests.conftest import YearFactory, node

ONE = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]


def test_six_three_one(make_year: YearFactory) -> None:
    y = make_year(
        ONE,
        [("T1", "甲镇", "town"), ("T2", "乙镇", "town"), ("D1", "甲局", "dept")],
        [("T1", "A1", "", "90.5"), ("T2", "A1", "", "85.25"), ("D1", "A1", "", "77.77")],
    )
    r = y.compute()
    c = composite_score(r.units, {"own": 6, "town": 3, "dept": 1}, r.settings, own_total="88.88")
    # (6 × 88.88 + 3 × 87.875 + 1 × 77.77) / 10 = 874.675 / 10 = 87.4675 → 87.47
    assert c.exact == Fraction(874675, 10000)
    assert c.total == Decimal("87.47")
    assert c.components["town"] == Fraction(87875, 1000)


def test_half_up_tie_decided_on_the_exact_value(make_year: YearFactory) -> None:
    y = make_year(
        ONE,
        [("T1", "甲镇", "town"), ("D1", "甲局", "dept")],
        [("T1", "A1", "", "80.01"), ("D1", "A1", "", "80")],
    )
    r = y.compute()
    assert composite_score(r.units, {"town": 1, "dept": 1}, r.settings).total == Decimal(
        "80.01"
    )  # 80.005 → 80.01


def test_unknown_component_is_an_error(make_year: YearFactory) -> None:
    y = make_year(ONE, [("T1", "甲镇", "town")], [("T1", "A1", "", "80")])
    r = y.compute()
    with pytest.raises(ScoringError, match="dept"):
        composite_score(r.units, {"town": 1, "dept": 1}, r.settings)
    with pytest.raises(ScoringError, match="own"):
        composite_score(r.units, {"own": 1}, r.settings)

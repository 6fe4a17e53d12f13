"""Ranks with ties (competition and dense, printed or exact totals) and grades (bands, quotas)."""

from __future__ import annotations

import polars as pl
import pytest

from tests.conftest import YearFactory, node

ONE = [node("A", points=100), node("A1", "A", points=100, rule="judgement")]


def ranked(
    make_year: YearFactory, values: dict[str, str], settings: str = ""
) -> list[tuple[str, float, int, str]]:
    y = make_year(
        ONE,
        [(u, f"单位{u}", "town") for u in values],
        [(u, "A1", "", v) for u, v in values.items()],
        settings,
    )
    return [(r["unit"], r["total"], r["rank"], r["grade"]) for r in y.compute().units.to_dicts()]


def test_competition_ties_ordered_by_code(make_year: YearFactory) -> None:
    got = ranked(make_year, {"U4": "80", "U2": "90", "U1": "90", "U3": "70"})
    assert [(u, r) for u, _, r, _ in got] == [("U1", 1), ("U2", 1), ("U4", 3), ("U3", 4)]


def test_dense_ties(make_year: YearFactory) -> None:
    got = ranked(make_year, {"U4": "80", "U2": "90", "U1": "90", "U3": "70"}, '[ranking]\nties = "dense"\n')
    assert [(u, r) for u, _, r, _ in got] == [("U1", 1), ("U2", 1), ("U4", 2), ("U3", 3)]


@pytest.mark.parametrize(("basis", "ranks"), [("printed", [1, 1, 3]), ("exact", [1, 2, 3])])
def test_printed_or_exact_basis(make_year: YearFactory, basis: str, ranks: list[int]) -> None:
    got = ranked(make_year, {"U1": "90.004", "U2": "90.001", "U3": "89"}, f'[ranking]\nbasis = "{basis}"\n')
    assert [r for _, _, r, _ in got] == ranks
    assert [t for _, t, _, _ in got] == [90.0, 90.0, 89.0]


@pytest.mark.parametrize(
    ("ties", "grades"),
    [
        ("exclude", ["优秀", "良好", "良好", "良好", "良好"]),
        ("include", ["优秀", "优秀", "优秀", "良好", "良好"]),
    ],
)
def test_quota_with_ties_at_the_boundary(make_year: YearFactory, ties: str, grades: list[str]) -> None:
    # 优秀 for at most 40% of 5 = 2 units; U2 and U3 tie for seat 2–3
    settings = f'[grades]\nquotas = [{{ grade = "优秀", share = 0.4, ties = "{ties}" }}]\n'
    got = ranked(make_year, {"U1": "99", "U2": "95", "U3": "95", "U4": "91", "U5": "85"}, settings)
    assert [g for _, _, _, g in got] == grades


def test_bands_inclusive_lower_bounds(make_year: YearFactory) -> None:
    got = ranked(make_year, {"U1": "90", "U2": "89.99", "U3": "80", "U4": "60", "U5": "59.99"})
    assert [g for _, _, _, g in got] == ["优秀", "良好", "良好", "合格", "不合格"]


def test_ranks_per_class(make_year: YearFactory) -> None:
    y = make_year(
        ONE,
        [("T1", "甲镇", "town"), ("D1", "甲局", "dept"), ("D2", "乙局", "dept")],
        [("T1", "A1", "", 50), ("D1", "A1", "", 60), ("D2", "A1", "", 70)],
    )
    got = [(r["unit"], r["rank"]) for r in y.compute().units.to_dicts()]
    assert got == [("T1", 1), ("D2", 1), ("D1", 2)]


def _vetoed_year(placement: str, ties: str = "competition", tie: bool = False) -> list[tuple[object, ...]]:
    from scoring.testing import CATALOGUE, INPUTS, example_year, leaf, section

    rows = [*CATALOGUE, section("V", 1, "veto"), leaf("V1", "V", 1, "veto", rubric="发生泄密事件")]
    # T01 would be first (97) but is vetoed; T03 scores 75, or 68.75 to tie with T02
    t03 = "30" if not tie else "25"
    inputs = [*INPUTS, ("T01", "V1", "", "是"), ("T03", "A1", "", "0"), ("T03", "A2", "", t03)]
    inputs += [("T03", "B1", "", "否" if tie else "是")]
    units = [
        ("T01", "甲镇", "town"),
        ("T02", "乙镇", "town"),
        ("T03", "戊镇", "town"),
        ("D01", "丙局", "dept"),
        ("D02", "丁局", "dept"),
    ]
    settings = f'[veto]\nplacement = "{placement}"\n[ranking]\nties = "{ties}"\n'
    result = example_year(rows, units, inputs, settings).result()
    return result.units.filter(pl.col("class") == "town").select("unit", "rank", "grade").rows()


def test_vetoed_units_are_listed_after_the_ranked_without_a_rank_by_default() -> None:
    assert _vetoed_year("after") == [("T03", 1, "优秀"), ("T02", 2, "合格"), ("T01", None, "不合格")]


def test_vetoed_units_ranked_last() -> None:
    assert _vetoed_year("last") == [("T03", 1, "优秀"), ("T02", 2, "合格"), ("T01", 3, "不合格")]
    # after a tie: competition counts the tied units, dense counts distinct totals
    assert _vetoed_year("last", "competition", tie=True)[-1] == ("T01", 3, "不合格")
    assert _vetoed_year("last", "dense", tie=True)[-1] == ("T01", 2, "不合格")


def test_vetoed_units_ranked_in_place() -> None:
    assert _vetoed_year("in_place") == [("T03", 1, "优秀"), ("T01", 2, "不合格"), ("T02", 3, "合格")]

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


# bands as shares of the class maximum, in memory (scoring.testing): a 10-point rubric, one leaf
TEN = """[[classes]]
id = "town"
name = "乡镇"
max = 10
"""


def ten_point(values: dict[str, str], grades: str) -> list[tuple[str, float, str | None]]:
    from scoring.testing import ExampleYear, leaf, section

    settings = 'year = 2021\ntitle = "示例"\n' + TEN + grades
    year = ExampleYear(
        catalogue_rows=(section("A", 10), leaf("A1", "A", 10, "judgement")),
        units=tuple((u, f"单位{u}", "town") for u in values),
        inputs=tuple((u, "A1", "", v) for u, v in values.items()),
        settings_toml=settings,
    )
    return [(r["unit"], r["total"], r["grade"]) for r in year.result().units.to_dicts()]


SHARES = (
    '[grades]\nbands = [ { name = "优秀", share = 0.9 }, { name = "良好", share = 0.8 }, '
    '{ name = "合格", share = 0.6 } ]\n'
)


@pytest.mark.parametrize(
    ("basis", "grades"),
    [
        # 9 is on the line (0.9 × 10); 8.995 prints 9.00 under 四舍五入, so reaches it on the printed total
        # but not on the exact one; 8.994 prints 8.99; 6 is on the 合格 line, 5.999 prints 6.00
        ("printed", ["优秀", "优秀", "良好", "合格", "合格", "不合格"]),
        ("exact", ["优秀", "良好", "良好", "合格", "不合格", "不合格"]),
    ],
)
def test_share_bands_on_a_ten_point_rubric(basis: str, grades: list[str]) -> None:
    values = {"U1": "9", "U2": "8.995", "U3": "8.994", "U4": "6", "U5": "5.999", "U6": "5.994"}
    got = ten_point(values, SHARES + f'basis = "{basis}"\n')
    assert [t for _, t, _ in got] == [9.0, 9.0, 8.99, 6.0, 6.0, 5.99]
    assert [g for _, _, g in got] == grades


def test_a_share_whose_line_does_not_end_is_compared_exactly() -> None:
    # 2/3 × 10 = 6.666…: the printed 6.67 reaches it, 6.66 does not; exactly, 6.667 does and 6.6666 not
    bands = '[grades]\nbands = [ { name = "合格", share = "2/3" } ]\n'
    printed = ten_point({"U1": "6.67", "U2": "6.665", "U3": "6.664"}, bands)
    assert [g for _, _, g in printed] == ["合格", "合格", "不合格"]  # 6.665 prints 6.67
    exact = ten_point({"U1": "6.667", "U2": "6.6667", "U3": "6.6666"}, bands + 'basis = "exact"\n')
    assert [g for _, _, g in exact] == ["合格", "合格", "不合格"]


def test_min_bands_on_the_printed_total_are_the_lowest_printed_value_reaching_them() -> None:
    # a min with more places than are printed: 8.994 is reached by no printed 8.99, only by 9.00
    bands = '[grades]\nbands = [ { name = "优秀", min = 8.994 } ]\n'
    got = ten_point({"U1": "8.995", "U2": "8.99", "U3": "8.994"}, bands)
    assert [(t, g) for _, t, g in got] == [(9.0, "优秀"), (8.99, "不合格"), (8.99, "不合格")]


def test_each_class_has_its_own_share_lines() -> None:
    from scoring.testing import ExampleYear, leaf, section

    settings = (
        'year = 2021\ntitle = "示例"\n[[classes]]\nid = "town"\nname = "乡镇"\nmax = 10\n'
        '[[classes]]\nid = "dept"\nname = "部门"\nmax = 20\n' + SHARES
    )
    year = ExampleYear(
        catalogue_rows=(
            section("A", 10),
            leaf("A1", "A", 10, "judgement"),
            ("B", "", "依申请公开", "10", "", "", "", "dept", "", "", ""),
            leaf("B1", "B", 10, "judgement"),
        ),
        units=(("T1", "甲镇", "town"), ("D1", "甲局", "dept"), ("D2", "乙局", "dept")),
        inputs=(
            ("T1", "A1", "", "9"),
            ("D1", "A1", "", "9"),
            ("D1", "B1", "", "9"),
            ("D2", "A1", "", "8"),
            ("D2", "B1", "", "8"),
        ),
        settings_toml=settings,
    )
    units = year.result().units
    # 乡镇: 9 ≥ 0.9 × 10; 部门: 18 ≥ 0.9 × 20, 16 = 0.8 × 20
    assert dict(zip(units["unit"], units["grade"], strict=True)) == {"T1": "优秀", "D1": "优秀", "D2": "良好"}


def test_no_grades_leaves_grade_and_band_empty_whatever_the_veto() -> None:
    from scoring.testing import example_year, leaf, section

    rows = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto", rubric="发生泄密事件"),
    )
    year = example_year(
        catalogue=rows,
        units=(("T1", "甲镇", "town"), ("T2", "乙镇", "town")),
        inputs=(("T1", "A1", "", "95"), ("T1", "V1", "", "是"), ("T2", "A1", "", "80")),
        settings="[grades]\nnone = true\n",
    )
    units = year.result().units
    assert units["grade"].null_count() == units["band"].null_count() == 2
    # the veto still places the unit after the ranked (placement "after"), unranked
    assert units.select("unit", "rank", "veto").rows() == [("T2", 1, False), ("T1", None, True)]


def test_a_veto_that_would_do_nothing_without_grades_is_refused() -> None:
    from scoring.errors import ValidationFailed
    from scoring.testing import example_year, leaf, section

    rows = (
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto"),
    )
    year = example_year(catalogue=rows, settings='[grades]\nnone = true\n[veto]\nplacement = "in_place"\n')
    with pytest.raises(ValidationFailed) as caught:
        year.catalogue()
    [issue] = caught.value.errors
    assert issue.code == "settings|veto_without_grades" and "不评等次，此一票否决无效" in issue.expected
    assert "settings.toml 的 [veto] 改 action（fixed_score/stop）或 placement（after/last）" in issue.expected

"""The catalogue: a tree whose points add up, leaves with registered rules, every problem located by row."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.errors import ValidationFailed
from scoring.spec.catalogue import LEAF_SCHEMA
from scoring.testing import CATALOGUE, example_year, leaf, section


def test_the_example_catalogue_builds_its_tree() -> None:
    cat = example_year().catalogue()
    assert [n.id for n in cat.level1] == ["A", "B", "J"]
    assert [n.id for n in cat.leaves] == ["A1", "A2", "B1", "B2", "J1"]
    assert {n.id: n.rule for n in cat.leaves}["A1"] == "per_occurrence"


def test_the_leaf_frame_is_one_row_per_leaf_built_once() -> None:
    cat = example_year().catalogue()
    frame = cat.leaf_frame()
    assert frame is cat.leaf_frame()
    assert frame.schema == pl.Schema(LEAF_SCHEMA)
    assert frame["indicator"].to_list() == [n.id for n in cat.leaves]
    assert frame["l1"].to_list() == [0, 0, 1, 1, 2]
    assert frame["path"].to_list()[0] == "基础公开 / 指标A1"
    by_class = cat.leaf_frame(["town", "dept"])
    for c in ("town", "dept"):
        assert by_class[f"applies_{c}"].to_list() == [n.applies(c) for n in cat.leaves]
    assert by_class["applies_town"].to_list() == [True, True, True, False, True]


def test_children_must_add_up_to_their_parent() -> None:
    rows = [section("A", 100), leaf("A1", "A", 60, "judgement"), leaf("A2", "A", 30, "judgement")]
    with pytest.raises(ValidationFailed) as caught:
        example_year(catalogue=rows).catalogue()
    assert any(i.row is not None for i in caught.value.errors)


def test_an_unknown_rule_is_refused_on_its_row() -> None:
    rows = [*CATALOGUE[:1], leaf("A1", "A", 30, "no_such_rule"), *CATALOGUE[2:]]
    with pytest.raises(ValidationFailed) as caught:
        example_year(catalogue=rows).catalogue()
    bad = [i for i in caught.value.errors if i.column == "rule"]
    assert bad and bad[0].row == 3 and bad[0].value == "no_such_rule"


POOLED = '[caps]\nmode = "pooled"\n'


def _errors(rows: list[tuple[str, ...]], settings: str = "") -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationFailed) as caught:
        example_year(catalogue=rows, settings=settings).catalogue()
    return [(i.row, i.column, i.expected) for i in caught.value.errors]


def test_leaves_without_points_deduct_from_a_pooled_section() -> None:
    rows = [
        section("A", 60),
        leaf("A1", "A", "", "per_occurrence", "per=1"),
        leaf("A2", "A", 20, "judgement"),
        section("B", 40),
        leaf("B1", "B", 40, "binary"),
    ]
    cat = example_year(catalogue=rows, settings=POOLED).catalogue()
    a1 = cat.node("A1")
    assert not a1.has_points and a1.points == 0 and cat.node("A2").has_points
    # A keeps 40 of its 60 for A1's deductions: the class's applicable points are still 100
    assert cat.kept(cat.node("A"), "town") == 40 and cat.applicable_max("town") == 100


def test_blank_points_elsewhere_are_located_errors_saying_where_they_are_allowed() -> None:
    rows = [
        section("A", 60),
        leaf("A1", "A", "", "per_occurrence", "per=1"),
        leaf("A2", "A", 60, "judgement"),
    ]
    rows += [section("B", 40), leaf("B1", "B", 40, "binary")]
    # not pooled: a leaf needs points
    (row, column, expected), *_ = _errors(rows)
    assert (row, column) == (3, "points") and "pooled" in expected and "加分项" in expected
    # pooled, but an award rule: it has nothing to deduct from
    award = [*rows[:1], leaf("A1", "A", "", "binary"), *rows[2:]]
    assert any(r == 3 and c == "points" for r, c, _ in _errors(award, POOLED))
    # a base section needs its points
    section_blank = [section("A", ""), *rows[1:]]
    assert any(r == 2 and c == "points" for r, c, _ in _errors(section_blank, POOLED))
    # a deadline without points must say what lateness and not doing it cost
    late = [*rows[:1], leaf("A1", "A", "", "deadline", "due=2021-06-30"), *rows[2:]]
    assert any(r == 3 and c == "params" and "missing" in e for r, c, e in _errors(late, POOLED))
    # the declared leaves may not add up to more than their section
    over = [
        section("A", 60),
        leaf("A1", "A", "", "per_occurrence", "per=1"),
        leaf("A2", "A", 70, "judgement"),
    ]
    assert any(r == 2 and "不应超过" in e for r, _, e in _errors([*over, *rows[3:]], POOLED))


def test_a_bonus_section_may_leave_its_points_blank_and_is_then_not_capped() -> None:
    rows = [
        *CATALOGUE[:6],
        section("J", "", "bonus", name="加分项"),
        leaf("J1", "J", 5, "accumulate", "per=1"),
    ]
    cat = example_year(catalogue=rows).catalogue()
    assert not cat.node("J").has_points


def test_blocks_may_add_up_to_more_than_the_class_maximum_only_on_a_rate_sheet() -> None:
    rows = [
        section("A", 100),
        leaf("A1", "A", 100, "judgement"),
        section("B", 100),
        leaf("B1", "B", 100, "binary"),
    ]
    expected = [e for _, c, e in _errors(rows) if c == "points"]
    assert expected and all('method = "renormalise"' in e for e in expected)
    year = example_year(catalogue=rows, settings='[not_applicable]\nmethod = "renormalise"\n')
    assert year.catalogue().applicable_max("town") == 200


def test_an_unknown_rule_names_the_nearest_and_every_rule() -> None:
    rows = [*CATALOGUE[:1], leaf("A1", "A", 30, "binaryy"), *CATALOGUE[2:]]
    expected = [e for r, c, e in _errors(rows) if c == "rule"]
    assert expected and expected[0].startswith("未知的评分规则；是否应为 binary？可用：accumulate、")
    assert expected[0].endswith("、veto")

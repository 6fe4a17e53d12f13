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

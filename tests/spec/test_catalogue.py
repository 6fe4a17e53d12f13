"""The catalogue: a tree whose points add up, leaves with registered rules, every problem located by row."""

from __future__ import annotations

import pytest

from scoring.errors import ValidationFailed
from scoring.testing import CATALOGUE, example_year, leaf, section


def test_the_example_catalogue_builds_its_tree() -> None:
    cat = example_year().catalogue()
    assert [n.id for n in cat.level1] == ["A", "B", "J"]
    assert [n.id for n in cat.leaves] == ["A1", "A2", "B1", "B2", "J1"]
    assert {n.id: n.rule for n in cat.leaves}["A1"] == "per_occurrence"


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

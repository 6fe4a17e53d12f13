"""What-if changes (scoring.spec.changes): ``--set`` items parsed, applied to the rows and tables before
validation, described in a reader's words."""

from __future__ import annotations

import polars as pl

from scoring.spec.changes import apply_to_catalogue, apply_to_settings, describe, parse_changes

IDS = {"A", "A1", "C1", "C2.2"}


def test_an_indicator_cell_a_table_key_and_a_key_one_table_has() -> None:
    changes, issues = parse_changes(
        [
            "C1.points=6",
            "C2.2.params=lo=0; hi=2",
            "bonus.cap=3",
            "ties=dense",
            "grades.bands=优秀:92,良好:80",
        ],
        IDS,
    )
    assert not issues
    assert [(c.target, c.where, c.key, c.value) for c in changes] == [
        ("catalogue", "C1", "points", "6"),
        ("catalogue", "C2.2", "params", "lo=0; hi=2"),
        ("settings", "bonus", "cap", 3),
        ("settings", "ranking", "ties", "dense"),
        ("settings", "grades", "bands", [{"name": "优秀", "min": 92}, {"name": "良好", "min": 80}]),
    ]


def test_every_item_that_cannot_be_a_change_is_named() -> None:
    changes, issues = parse_changes(["C1", "X9.points=3", "tie=dense", "C1.id=Z", "ranking.order=1"], IDS)
    assert changes == []
    assert [i.value for i in issues] == ["C1", "X9.points=3", "tie=dense", "C1.id=Z", "ranking.order=1"]
    assert all(i.file == "--set" for i in issues)
    assert "是否应为 ties" in issues[2].expected
    assert issues[1].expected.startswith("X9 既不是指标编号")


def test_changes_are_made_to_copies_of_the_rows_and_tables() -> None:
    changes, _ = parse_changes(["A1.points=7", "ties=dense", "year=2022"], IDS)
    raw = {"year": 2021, "ranking": {"basis": "printed"}}
    assert apply_to_settings(raw, changes) == {"year": 2022, "ranking": {"basis": "printed", "ties": "dense"}}
    assert raw == {"year": 2021, "ranking": {"basis": "printed"}}
    rows = pl.DataFrame({"id": ["A", "A1"], "points": ["10", "10"], "__row__": [2, 3]})
    out = apply_to_catalogue(rows, changes)
    assert out["points"].to_list() == ["10", "7"] and out["__row__"].to_list() == [2, 3]


def test_changes_in_a_reader_s_words() -> None:
    changes, _ = parse_changes(["C1.points=6", "ties=dense", "grades.bands=优秀:92,良好:80"], IDS)
    assert describe(changes) == (
        "指标C1的分值改为6；并列名次改为1、2、2、3；等次分数线改为优秀92分及以上，良好80分及以上"
    )

"""The ledger and the per-indicator points: every point lost or credited, and why; they add up to the
totals."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

import scoring.engine.ledger as ledger_module
from scoring.engine.ledger import build_ledger, indicator_facts, indicator_points, pair_key
from scoring.spec.year import as_rows
from scoring.testing import ExampleYear, example_year, leaf, section

PICO = 10**12


def test_points_lost_add_up_to_what_the_unit_misses() -> None:
    result = example_year().result()
    points = result.indicator_points().collect()
    d01 = points.filter(pl.col("unit") == "D01")
    # D01: A1 three errors at 2 points (−6), B2 half of 20 (−10)
    assert dict(zip(d01["indicator"], d01["lost"], strict=True)) == {
        "A1": 6 * PICO,
        "A2": 0,
        "B1": 0,
        "B2": 10 * PICO,
        "J1": 0,
    }
    assert d01.filter(pl.col("indicator") == "J1")["status"].item() == "未评分"


def test_the_ledger_lists_losses_and_credits_only() -> None:
    ledger = example_year().result().ledger().collect()
    rows = {(r["unit"], r["indicator"]): r for r in ledger.to_dicts()}
    assert rows[("T01", "J1")]["kind"] == "加分" and rows[("T01", "J1")]["points"] == 2 * PICO
    assert rows[("T02", "B1")]["lost"] == 20 * PICO
    assert ("D02", "A1") not in rows  # nothing lost, nothing listed
    assert not ledger.filter(pl.col("indicator") == "B2", pl.col("class") == "town").height  # not applicable


def test_a_leaf_marked_not_applicable_has_its_status_and_loses_nothing() -> None:
    # A2 marked 不适用 by the unit (not by its class): status 不适用, nothing lost, no ledger line;
    # A1 scored, B1 without a row (未评分) lose their points
    rows = [
        section("A", 6, name="基础"),
        leaf("A1", "A", 3, "binary"),
        leaf("A2", "A", 3, "binary"),
        section("B", 4, name="其他"),
        leaf("B1", "B", 4, "binary"),
    ]
    inputs = [("T01", "A1", "", "否"), ("T01", "A2", "", "不适用")]
    settings = (
        'year = 2021\ntitle = "示例"\nissuer = "示例"\n[[classes]]\nid = "town"\nname = "乡镇"\nmax = 10\n'
        '[grades]\nbands = [{ name = "合格", min = 6 }]\n[inputs]\nmissing_units = "zero"\n'
    )
    year = dataclasses.replace(example_year(rows, [("T01", "甲镇", "town")], inputs), settings_toml=settings)
    points = year.result().indicator_points().collect()
    got = {r["indicator"]: (r["status"], r["lost"]) for r in points.to_dicts()}
    assert got == {"A1": ("已评分", 3 * PICO), "A2": ("不适用", 0), "B1": ("未评分", 4 * PICO)}
    ledger = year.result().ledger().collect()
    assert "A2" not in ledger["indicator"].to_list()


def test_pair_key_gives_each_unit_and_leaf_its_own_integer_and_none_to_the_unknown() -> None:
    units = pl.Series(["U2", "U1", "U3"])
    leaves = pl.Series(["A1", "A2"])
    rows = pl.DataFrame(
        {
            "unit": ["U2", "U2", "U1", "U1", "U3", "U3", "X9", "U1", None],
            "indicator": ["A1", "A2", "A1", "A2", "A1", "A2", "A1", "Z1", "A1"],
        }
    )
    got = rows.select(pair_key(units, leaves))["pair"].to_list()
    assert got == [0, 1, 2, 3, 4, 5, None, None, None]
    # the place is the roster's order, not a hash's: thirty codes in no sorted order (with three, a hash
    # order equals the roster's once in six runs)
    codes = pl.Series([f"U{(i * 7) % 30:02d}" for i in range(30)])
    every = pl.DataFrame({"unit": codes.to_list() * 2, "indicator": ["A1"] * 30 + ["A2"] * 30})
    assert every.select(pair_key(codes, leaves))["pair"].to_list() == [*range(0, 60, 2), *range(1, 60, 2)]


def test_indicator_points_cover_the_roster_and_the_applicable_leaves_only() -> None:
    # rows of a unit not on the roster or of an indicator not in the catalogue change nothing; a unit
    # without rows has every applicable leaf 未评分
    result = example_year().result()
    a = result.assessment
    observations = as_rows(a.observations).select("unit", "indicator", "value", "na")
    stray = pl.LazyFrame(
        {"unit": ["X99", "T01"], "indicator": ["A1", "Z9"], "value": [1.0, 1.0], "na": [True, True]}
    )
    units = a.units.lazy()
    key = ["unit", "indicator"]
    expected = indicator_points(observations, units, a.catalogue, a.settings).collect().sort(key)
    got = indicator_points(pl.concat([observations, stray]), units, a.catalogue, a.settings).collect()
    assert got.sort(key).equals(expected)
    codes = set(a.units["code"])
    assert set(got["unit"]) == codes
    assert got.height == got.select("unit", "indicator").unique().height
    fewer = observations.filter(pl.col("unit") != "T01")
    t01 = indicator_points(fewer, units, a.catalogue, a.settings).collect().filter(pl.col("unit") == "T01")
    assert t01.height > 0 and set(t01["status"]) == {"未评分"}
    assert (t01["lost"] == t01["M"]).filter(t01["role"] == "base").all()


def test_pair_key_takes_ids_given_as_an_enum() -> None:
    codes = ["U2", "U1", "U3"]
    units = pl.Series(codes, dtype=pl.Enum(codes))
    rows = pl.DataFrame({"unit": ["U1", "U3", "U9"], "indicator": ["A2", "A1", "A1"]})
    as_enum = rows.with_columns(pl.col("unit").cast(pl.Enum([*codes, "U9"])))
    roster = rows.filter(pl.col("unit") != "U9").with_columns(pl.col("unit").cast(pl.Enum(codes)))
    for frame in (rows, as_enum, roster):
        got = frame.select(pair_key(units, pl.Series(["A1", "A2"])))["pair"].to_list()
        assert got == [3, 4, None][: frame.height]
        # read by the Enum's physical index when the frame's schema is given: the roster's own, or another
        by_place = frame.select(pair_key(units, pl.Series(["A1", "A2"]), frame.schema))["pair"].to_list()
        assert by_place == got


def test_the_per_indicator_points_are_the_same_from_enum_ids_or_from_text() -> None:
    # a run reads the validated observations' and the leaves' points' Enum ids by place; given as text
    # (as a library caller may), the same rows come out
    rows = [section("A", 6), leaf("A1", "A", 3, "binary"), leaf("A2", "A", 3, "binary")]
    rows += [section("B", 4), leaf("B1", "B", 4, "binary")]
    inputs = [("T02", "A1", "", "否"), ("T02", "A2", "", "不适用")]
    inputs += [("T01", "A1", "", "是"), ("T01", "B1", "", "是")]
    units = [("T02", "乙镇", "town"), ("T01", "甲镇", "town"), ("T03", "丙镇", "town")]
    settings = (
        'year = 2021\ntitle = "示例"\nissuer = "示例"\n[[classes]]\nid = "town"\nname = "乡镇"\nmax = 10\n'
        '[grades]\nbands = [{ name = "合格", min = 6 }]\n[inputs]\nmissing_units = "zero"\n'
    )
    year = dataclasses.replace(example_year(rows, units, inputs), settings_toml=settings)
    result = year.result()
    a = result.assessment
    computed = result.computed_points()
    assert computed is not None and isinstance(a.observations.schema["unit"], pl.Enum)
    by_place = result.indicator_facts().collect()
    by_text = indicator_facts(
        as_rows(a.observations), a.units.lazy(), a.catalogue, a.settings, as_rows(computed)
    ).collect()
    assert by_place.equals(by_text)
    assert set(by_place["status"]) == {"已评分", "未评分", "不适用"}
    assert by_place.height == 9  # three units × three leaves, T03 without a row
    # and the ledger: each line's input read at its row's place, by Enum id or by text; the rows as text
    # keep their (empty) key column, so their lines take the path of keyed rows (grouped, then joined):
    # line for line the same, every time (that join once gave the lines in a different order each run)
    ledger = result.ledger().collect()
    for _ in range(5):
        from_text = build_ledger(
            as_rows(a.observations), a.units.lazy(), a.catalogue, a.settings, as_rows(computed)
        ).collect()
        # (the keyed path joins a line's notes and evidence: '' where it has none, null on the other)
        empty = pl.col("note", "evidence").replace("", None)
        assert ledger.with_columns(empty).equals(from_text.with_columns(empty))
    assert ledger.filter(pl.col("indicator") == "A1")["input"].to_list() == ["否", None]  # T03: no row


def test_the_units_crossed_with_the_leaves_in_parts_give_the_same_rows_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the grid of units × leaves streams in slices of units (ledger.GRID_ROWS // leaves units each): one
    # unit a part, two, three (a part ends inside a class, the last is shorter); the rows and their order
    # are those of the grid in one piece
    result = example_year().result()
    whole = result.indicator_facts().collect()
    leaves = len(result.catalogue.leaves)
    assert whole["unit"].n_unique() >= 4
    for units in (1, 2, 3):
        monkeypatch.setattr(ledger_module, "GRID_ROWS", units * leaves)
        assert result.indicator_facts().collect().equals(whole)


def test_the_account_lines_in_parts_of_units_give_the_same_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    # the account lines are built in parts of the roster (ledger.ACCOUNT_ROWS // leaves units each): one
    # unit a part, two, three (a part ends inside a class, the last is shorter); the same lines in the same
    # order as in one piece, from the points kept or computed again, of the whole roster or some units
    result = example_year().result()
    a = result.assessment
    leaves = len(a.catalogue.leaves)
    whole = result.ledger().collect()
    some = ["T02", "D01"]
    chosen = result.ledger(some).collect()
    from_text = build_ledger(as_rows(a.observations), a.units.lazy(), a.catalogue, a.settings).collect()
    assert whole.filter(pl.col("status") == "核算")["unit"].n_unique() >= 2
    for units in (1, 2, 3):
        monkeypatch.setattr(ledger_module, "ACCOUNT_ROWS", units * leaves)
        assert result.ledger().collect().equals(whole)
        assert result.ledger(some).collect().equals(chosen)
        again = build_ledger(as_rows(a.observations), a.units.lazy(), a.catalogue, a.settings).collect()
        assert again.equals(from_text)


def test_some_units_lines_are_chosen_without_a_warning(capfd: pytest.CaptureFixture[str]) -> None:
    # polars warns (on the terminal, not as a Python warning a test would catch) when a column is
    # compared with a Series of its own type by is_in: the workbook's ledger sheet of a big year asks so
    result = example_year().result()
    built = result.ledger(["T02"]).collect()
    result.keep_ledger(result.ledger().collect().lazy())
    kept = result.ledger(["T02"]).collect()
    assert built.height == kept.height > 0 and set(kept["unit"]) == {"T02"}
    assert "Warning" not in capfd.readouterr().err


def test_a_roster_given_as_an_enum_gives_the_same_ledger() -> None:
    # a library caller may key the roster and the rows by an Enum of its own codes (the benchmarks do):
    # the same lines as with text, the unit as that Enum
    result = example_year().result()
    a = result.assessment
    rows = as_rows(a.observations)
    codes = pl.Enum(a.units["code"])
    as_enum = rows.with_columns(pl.col("unit").cast(codes))
    roster = a.units.lazy().with_columns(pl.col("code").cast(codes))
    for points in (None, result.computed_points()):  # the leaves' points computed here, or given
        given = None if points is None else as_rows(points).with_columns(pl.col("unit").cast(codes))
        by_enum = build_ledger(as_enum, roster, a.catalogue, a.settings, given).collect()
        by_text = build_ledger(rows, a.units.lazy(), a.catalogue, a.settings).collect()
        assert by_enum.schema["unit"] == codes
        assert by_enum.with_columns(pl.col("unit").cast(pl.String)).equals(by_text)


def test_rows_of_a_unit_not_on_the_roster_change_no_line() -> None:
    # a library caller's rows may name a unit the roster lacks: its points join no unit, in the leaves'
    # lines as in the account lines (which aggregate by the roster's ids)
    result = example_year().result()
    a = result.assessment
    rows = as_rows(a.observations).select("unit", "indicator", "value", "na")
    stray = pl.LazyFrame(
        {"unit": ["X99", "X99"], "indicator": ["A1", "A2"], "value": [0.0, 0.0], "na": [False] * 2}
    )
    expected = build_ledger(rows, a.units.lazy(), a.catalogue, a.settings).collect()
    got = build_ledger(pl.concat([rows, stray]), a.units.lazy(), a.catalogue, a.settings).collect()
    assert got.equals(expected)
    assert "X99" not in got["unit"].to_list() and expected.filter(pl.col("kind") == "折算").height > 0


def test_each_ledger_line_carries_its_own_rows_input_note_and_evidence() -> None:
    # one row per unit and leaf (no key, period or channel): each line reads its row by the row's place;
    # a row of a unit not on the roster is nobody's line
    a = example_year().result().assessment
    rows = (
        as_rows(a.observations)
        .select("unit", "indicator", "value", "na", "text")
        .with_columns(
            pl.format("{}的{}：记录", "unit", "indicator").alias("note"),
            pl.format("https://example.cn/{}/{}", "unit", "indicator").alias("evidence"),
        )
    )
    stray = rows.head(1).with_columns(pl.lit("X99").alias("unit"))
    ledger = build_ledger(pl.concat([stray, rows]), a.units.lazy(), a.catalogue, a.settings).collect()
    lines = ledger.filter(pl.col("status") != "核算")
    assert lines.height > 0 and "X99" not in lines["unit"].to_list()
    expected = lines.select("unit", "indicator").join(
        rows.collect().select("unit", "indicator", pl.col("text").alias("input"), "note", "evidence"),
        on=["unit", "indicator"],
        how="left",
    )
    key = ["unit", "indicator"]
    assert lines.select(*key, "input", "note", "evidence").sort(key).equals(expected.sort(key))
    assert lines["note"].null_count() == 0


def _one_class_year(
    rows: list[tuple[str, ...]], max_points: int, inputs: list[tuple[str, ...]]
) -> ExampleYear:
    settings = (
        'year = 2021\ntitle = "示例"\nissuer = "示例"\n[[classes]]\nid = "town"\nname = "乡镇"\n'
        f"max = {max_points}\n"
        '[grades]\nbands = [{ name = "合格", min = 0 }]\n[inputs]\nmissing_units = "zero"\n'
    )
    units = [("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("T03", "丙镇", "town")]
    return dataclasses.replace(example_year(rows, units, inputs), settings_toml=settings)


def test_a_catalogue_of_one_leaf_has_each_units_points_at_its_own_place() -> None:
    year = _one_class_year(
        [section("A", 10, name="基础"), leaf("A1", "A", 10, "binary")],
        10,
        [("T01", "A1", "", "是"), ("T02", "A1", "", "否")],
    )
    result = year.result()
    points = result.indicator_points().collect().sort("unit")
    assert points.select("unit", "status", "lost").rows() == [
        ("T01", "已评分", 0),
        ("T02", "已评分", 10 * PICO),
        ("T03", "未评分", 10 * PICO),
    ]
    ledger = result.ledger().collect().filter(pl.col("status") != "核算").sort("unit")
    assert ledger.select("unit", "input").rows() == [("T02", "否"), ("T03", None)]


def test_rows_without_a_not_applicable_column_or_with_it_empty_are_not_not_applicable() -> None:
    # the engine takes rows without the column 不适用 comes in, or with it empty: such a row is scored,
    # as the totals score it, never marked 不适用
    a = example_year().result().assessment
    base = as_rows(a.observations).select("unit", "indicator", "value", "text")
    units = a.units.lazy()
    without = indicator_points(base, units, a.catalogue, a.settings).collect()
    empty = base.with_columns(pl.lit(None, pl.Boolean).alias("na"))
    with_empty = indicator_points(empty, units, a.catalogue, a.settings).collect()
    for frame in (without, with_empty):
        assert "不适用" not in frame["status"].to_list()
        assert frame.filter(pl.col("status") == "已评分").height == a.observations.height


def test_a_keyed_leaf_lists_each_of_its_rows_and_a_leaf_given_only_a_modifier_is_scored() -> None:
    # A1 is scored item by item (keys): its line lists each item as written, with every note; B1 has only
    # a 不得分 row for T01: scored, at 0 (not 未评分), its whole points lost
    year = _one_class_year(
        [
            section("A", 20, name="基础"),
            leaf("A1", "A", 10, "checklist", "items=甲:4,乙:6"),
            leaf("B1", "A", 10, "binary"),
        ],
        20,
        [
            ("T01", "A1", "甲", "是", "甲项齐全"),
            ("T01", "A1", "乙", "否", "乙项缺失"),
            ("T01", "B1", "不得分", "1", "弄虚作假"),
            ("T02", "A1", "甲", "是"),
            ("T02", "A1", "乙", "是"),
            ("T02", "B1", "", "是"),
        ],
    )
    result = year.result()
    points = {(r["unit"], r["indicator"]): r for r in result.indicator_points().collect().to_dicts()}
    assert (points[("T01", "B1")]["status"], points[("T01", "B1")]["lost"]) == ("已评分", 10 * PICO)
    assert points[("T03", "B1")]["status"] == "未评分"
    lines = {
        (r["unit"], r["indicator"]): r
        for r in result.ledger().collect().filter(pl.col("status") != "核算").to_dicts()
    }
    t01 = lines[("T01", "A1")]
    assert t01["input"] == "甲：是；乙：否"  # in the rows' order
    assert t01["note"] == "甲项齐全；乙项缺失"
    assert t01["lost"] == 6 * PICO
    assert lines[("T01", "B1")]["note"] == "弄虚作假"
    assert ("T02", "A1") not in lines and ("T02", "B1") not in lines


def test_a_veto_has_a_line_only_where_it_was_triggered() -> None:
    year = _one_class_year(
        [
            section("A", 10, name="基础"),
            leaf("A1", "A", 10, "binary"),
            section("V", 1, "veto", name="一票否决"),
            leaf("V1", "V", 1, "veto"),
        ],
        10,
        [
            ("T01", "A1", "", "是"),
            ("T01", "V1", "", "是", "发生泄密事件"),
            ("T02", "A1", "", "是"),
            ("T02", "V1", "", "否"),
            ("T03", "A1", "", "是"),
        ],
    )
    ledger = year.result().ledger().collect().filter(pl.col("kind") == "一票否决")
    assert ledger.select("unit", "indicator", "note").rows() == [("T01", "V1", "发生泄密事件")]


def test_an_uncapped_deduction_in_a_bonus_section_counts_beside_its_points() -> None:
    # J1 deducts 2 per finding from its 5 points without a floor (不设上限): 4 findings are 3 below 0, a
    # major deduction that counts against the total whatever the section; the lines still add up
    year = _one_class_year(
        [
            section("A", 10, name="基础"),
            leaf("A1", "A", 10, "binary"),
            section("J", 5, "bonus", name="加分项"),
            leaf("J1", "J", 5, "per_occurrence", "per=2", uncapped="是"),
        ],
        10,
        [("T01", "A1", "", "是"), ("T01", "J1", "", "4"), ("T02", "A1", "", "是"), ("T02", "J1", "", "1")],
    )
    result = year.result()
    ledger = result.ledger().collect()
    j1 = {r["unit"]: (r["kind"], r["change"]) for r in ledger.filter(pl.col("indicator") == "J1").to_dicts()}
    assert j1 == {"T01": ("重大扣分", -3 * PICO), "T02": ("加分", 3 * PICO)}
    changes = dict(ledger.group_by("unit").agg(pl.col("change").sum()).iter_rows())
    for unit, total, most in result.units.select("unit", "total", "max").iter_rows():
        assert abs(most + changes.get(unit, 0) / PICO - total) < 1e-9, unit


def test_the_ledger_of_rows_without_a_not_applicable_column_is_that_of_rows_marked_none() -> None:
    # renormalised, a leaf marked 不适用 would change the towns' 折算 lines (B2 is for departments only)
    year = example_year().with_settings('[not_applicable]\nmethod = "renormalise"\n')
    a = year.result().assessment
    base = as_rows(a.observations).select("unit", "indicator", "value", "text")
    units = a.units.lazy()
    key = ["unit", "indicator", "kind"]
    without = build_ledger(base, units, a.catalogue, a.settings).collect().sort(key, nulls_last=True)
    none = base.with_columns(pl.lit(False).alias("na"))
    marked = build_ledger(none, units, a.catalogue, a.settings).collect().sort(key, nulls_last=True)
    assert without.height > 0 and without.equals(marked)
    # an account line other than a cap's loses what it changes, and credits nothing
    converted = without.filter(pl.col("kind") == "折算")
    assert converted.height == 2
    assert (converted["points"] == 0).all() and (converted["lost"] == -converted["change"]).all()


CAPPED = [  # a base leaf, a bonus leaf and a penalty leaf, each part capped in the tests' settings
    section("A", 10, name="基础"),
    leaf("A1", "A", 10, "binary"),
    section("J", 5, "bonus", name="加分项"),
    leaf("J1", "J", 5, "accumulate", "per=1"),
    section("P", 10, "penalty", name="扣分项"),
    leaf("P1", "P", 10, "per_occurrence", "per=1"),
]


def test_the_cap_lines_show_what_they_take_or_give_back_as_points_not_as_points_lost() -> None:
    # 4 awards against a bonus cap of 2 (加分封顶 takes 2 back), 5 findings against a penalty cap of 2
    # (扣分封顶 gives 3 back): each cap line's points are what it moves, nothing lost
    year = _one_class_year(
        CAPPED,
        10,
        [("T01", "A1", "", "是"), ("T01", "J1", "", "4"), ("T01", "P1", "", "5")],
    ).with_settings("[bonus]\ncap = 2\n[penalty]\ncap = 2\n")
    ledger = year.result().ledger().collect().filter(pl.col("unit") == "T01", pl.col("status") == "核算")
    lines = {r["kind"]: (r["points"], r["lost"], r["change"]) for r in ledger.to_dicts()}
    assert lines["加分封顶"] == (-2 * PICO, 0, -2 * PICO)
    assert lines["扣分封顶"] == (-3 * PICO, 0, 3 * PICO)


def test_an_uncapped_base_leaf_loses_its_points_and_its_major_deduction() -> None:
    # A1 deducts 2 per finding from its 10 points without a floor: 7 findings lose its 10 points and a
    # major deduction of 4 more
    year = _one_class_year(
        [section("A", 10, name="基础"), leaf("A1", "A", 10, "per_occurrence", "per=2", uncapped="是")],
        10,
        [("T01", "A1", "", "7"), ("T02", "A1", "", "1")],
    )
    result = year.result()
    points = result.indicator_points().collect().sort("unit")
    assert points.select("unit", "points", "major", "lost").rows() == [
        ("T01", 0, -4 * PICO, 14 * PICO),
        ("T02", 8 * PICO, 0, 2 * PICO),
        ("T03", 0, 0, 10 * PICO),
    ]
    # the facts keep each figure in the leaves' points' own type (their tables of places hold it in the
    # narrowest that fits: a byte for the section, a major deduction of 0; Int64 for −4 points)
    computed = result.computed_points()
    assert computed is not None
    facts, given = result.indicator_facts().collect_schema(), computed.collect_schema()
    assert {c: facts[c] for c in ("l1", "veto_bit", "points", "major")} == {
        c: given[c] for c in ("l1", "veto_bit", "points", "major")
    }
    assert given["l1"] == pl.UInt16 and given["major"] == pl.Int64 and given["veto_bit"] == pl.Int64


def test_a_result_without_its_leaves_points_gives_the_same_ledger_and_points() -> None:
    # a run lets the leaves' points go once its files are written: what asks after that recomputes them
    result = example_year().result()
    points, ledger = result.indicator_points().collect(), result.ledger().collect()
    assert result.points is not None
    result.release_points()
    assert result.points is None
    assert result.indicator_points().collect().equals(points)
    assert result.ledger().collect().equals(ledger)


def test_the_account_lines_come_in_the_rosters_order_then_by_part_and_kind() -> None:
    # eight towns, listed neither alphabetically nor in the order of their rows, each over both caps: the
    # same inputs give the same ledger file, line for line (the lines came out in a hash order before)
    codes = ["T05", "T02", "T08", "T01", "T07", "T03", "T06", "T04"]
    inputs: list[tuple[str, ...]] = [
        (c, i, "", v)
        for c in sorted(codes, reverse=True)
        for i, v in (("P1", "5"), ("J1", "4"), ("A1", "是"))
    ]
    year = dataclasses.replace(
        _one_class_year(CAPPED, 10, inputs), units=tuple((c, f"{c}镇", "town") for c in codes)
    ).with_settings("[bonus]\ncap = 2\n[penalty]\ncap = 2\n")
    ledger = year.result().ledger().collect()
    accounts = ledger.filter(pl.col("status") == "核算").select("unit", "indicator", "kind").rows()
    assert accounts == [(c, None, k) for c in codes for k in ("加分封顶", "扣分封顶")]
    assert ledger.tail(len(accounts))["status"].to_list() == ["核算"] * len(accounts)  # after the leaves'

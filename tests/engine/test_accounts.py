"""The ledger is a complete account: for every unit, its maximum plus the signed changes of all its ledger
lines is its total, in every cap mode, not-applicable method and veto action; bonus and penalty lines add up
to what counted. Random catalogues (nested sections, unbounded and major-deduction leaves, bonus and
penalty nodes with and without caps and gate) built in memory."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scoring.engine.accounts import amount_text
from scoring.testing import example_year, leaf, section

PICO = 10**12


def half_up(num: int, den: int) -> int:
    """num/den rounded half up (away from zero for the non-negative totals here)."""
    q, r = divmod(num, den)
    return q + (1 if 2 * r >= den else 0)


@st.composite
def years(draw: st.DrawFn) -> tuple[object, str]:
    rows: list[tuple[object, ...]] = []
    leaves: list[tuple[str, str, Fraction, str]] = []  # (id, rule, points, applies_to)
    class_max = Fraction(0)
    for i in range(draw(st.integers(1, 3))):
        sid = f"C{i}"
        nested = draw(st.booleans())
        kids = draw(st.lists(st.integers(1, 8), min_size=1, max_size=3))
        points = sum((Fraction(k, 2) for k in kids), Fraction(0))
        class_max += points
        rows.append(section(sid, float(points)))
        parent = sid
        if nested:
            rows.append((f"{sid}x", sid, f"分项{sid}", float(points), "", "", "", "", "", "", ""))
            parent = f"{sid}x"
        for j, k in enumerate(kids):
            rule = draw(st.sampled_from(["per_occurrence", "judgement", "binary", "count_capped", "ratio"]))
            params = {"per_occurrence": "per=1", "count_capped": "per=1"}.get(rule, "")
            applies = draw(st.sampled_from(["", "", "town", "dept"]))
            uncapped = "是" if rule == "per_occurrence" and draw(st.integers(0, 4)) == 0 else ""
            lid = f"{sid}{j}"
            rows.append(leaf(lid, parent, float(Fraction(k, 2)), rule, params, applies, uncapped=uncapped))
            leaves.append((lid, rule, Fraction(k, 2), applies))
    bonus_node = draw(st.sampled_from([2, 5]))
    rows += [
        section("J", bonus_node, "bonus", name="加分项"),
        leaf("J1", "J", 3, "accumulate", "per=1"),
        leaf("J2", "J", 3, "count_capped", "per=1; cap=3"),
        section("P", 4, "penalty", name="扣分项"),
        leaf("P1", "P", 4, "per_occurrence", "per=1; cap=6", uncapped=draw(st.sampled_from(["", "是"]))),
        section("V", 1, "veto", name="一票否决"),
        leaf("V1", "V", 1, "veto"),
    ]
    na_method = draw(st.sampled_from(["renormalise", "scale", "redistribute", "reduce_max"]))
    veto = draw(st.sampled_from(["grade_only", "fixed_score", "stop"]))
    toml = f"""year = 2021
title = "示例"
issuer = "示例"
[[classes]]
id = "town"
name = "乡镇"
max = {float(class_max):g}
scale = "4/3"
[[classes]]
id = "dept"
name = "部门"
max = {float(class_max):g}
scale = "5/4"
[caps]
mode = "{draw(st.sampled_from(["node", "pooled"]))}"
[not_applicable]
method = "{na_method}"
[veto]
action = "{veto}"
score = 0.5
[inputs]
missing_units = "zero"
[grades]
bands = [{{ name = "合格", min = 0.5 }}]
"""
    if draw(st.booleans()):
        toml += f"[bonus]\ncap = {draw(st.sampled_from([1, 4, 8]))}\n"
        if draw(st.booleans()):
            toml += f"gate = {float(class_max) * 0.6:g}\n"
    if draw(st.booleans()):
        toml += "[penalty]\ncap = 2\n"
    units = [
        (f"U{k}", f"单位{k}", draw(st.sampled_from(["town", "dept"]))) for k in range(draw(st.integers(1, 5)))
    ]
    inputs: list[tuple[str, str, str, str]] = []
    for u, _, cls in units:
        for lid, rule, pts, applies in leaves:
            if applies and applies != cls:
                continue
            what = draw(st.sampled_from(["value", "value", "value", "missing", "na"]))
            if what == "missing":
                continue
            if what == "na":
                value = "不适用"
            elif rule in ("per_occurrence", "count_capped"):
                value = str(draw(st.integers(0, 12)))
            elif rule == "binary":
                value = draw(st.sampled_from(["是", "否"]))
            elif rule == "ratio":
                value = f"{draw(st.integers(0, 100))}%"
            else:
                value = f"{draw(st.integers(0, int(pts * 4))) / 4:g}"
            inputs.append((u, lid, "", value))
        inputs.append((u, "J1", "", str(draw(st.integers(0, 6)))))
        inputs.append((u, "J2", "", str(draw(st.integers(0, 6)))))
        inputs.append((u, "P1", "", str(draw(st.integers(0, 8)))))
        inputs.append((u, "V1", "", draw(st.sampled_from(["否", "否", "是"]))))
    year = dataclasses.replace(example_year(rows, units, inputs), settings_toml=toml)
    return year, veto


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=years())
def test_the_ledger_adds_up_to_every_total(drawn: tuple[object, str]) -> None:
    year, veto = drawn
    result = year.result()  # type: ignore[attr-defined]
    ledger = result.ledger().collect()
    sums = ledger.group_by("unit").agg(
        pl.col("change").sum().alias("all"),
        pl.col("change").filter(pl.col("kind").is_in(["加分", "加分封顶", "加分门槛"])).sum().alias("bonus"),
        pl.col("change").filter(pl.col("kind").is_in(["扣分项", "扣分封顶"])).sum().alias("penalty"),
    )
    by_unit = {r["unit"]: r for r in sums.to_dicts()}
    # an uncapped penalty leaf's deduction beyond its points is a major deduction, on its own line
    points = result.indicator_points().filter(pl.col("role") == "penalty").collect()
    penalty_major = dict(points.group_by("unit").agg(pl.col("major").sum()).iter_rows())
    for r in result.units.to_dicts():
        line = by_unit.get(r["unit"], {"all": 0, "bonus": 0, "penalty": 0})
        if r["total_num"] is None:
            assert veto == "stop" and r["veto"]
            continue
        max_pico = round(r["max"] * PICO)
        total = half_up(int(r["total_num"]), int(r["total_den"]))
        assert max_pico + (line["all"] or 0) == total, (r["unit"], r)
        assert (line["bonus"] or 0) == round(r["bonus"] * PICO)
        assert (line["penalty"] or 0) == -round(r["penalty"] * PICO) + penalty_major.get(r["unit"], 0)


TEN_POINTS = """year = 2021
title = "示例"
issuer = "示例"
[[classes]]
id = "town"
name = "乡镇"
max = 10
[grades]
bands = [{ name = "合格", min = 6 }]
"""


def _lines(year: object, unit: str) -> list[tuple[str, str, int]]:
    ledger = year.result().ledger().filter(pl.col("unit") == unit).collect()  # type: ignore[attr-defined]
    return sorted(
        (r["indicator"] or "", r["kind"], r["change"]) for r in ledger.to_dicts() if r["change"] is not None
    )


def test_a_pooled_section_floored_at_zero_has_its_line() -> None:
    # the case: a 5-point section pooled, two 每例扣1分 leaves, 8 occurrences: it loses 5, not 8
    year = dataclasses.replace(
        example_year(
            [
                section("A", 5, name="重点领域信息公开"),
                leaf("A1", "A", 2.5, "per_occurrence", "per=1"),
                leaf("A2", "A", 2.5, "per_occurrence", "per=1"),
                section("B", 5, name="其他"),
                leaf("B1", "B", 5, "binary"),
            ],
            [("T01", "甲镇", "town")],
            [("T01", "A1", "", "5"), ("T01", "A2", "", "3"), ("T01", "B1", "", "是")],
        ),
        settings_toml=TEN_POINTS + '[caps]\nmode = "pooled"\n',
    )
    assert year.result().units["total"].item() == 5.0
    assert _lines(year, "T01") == [
        ("A", "扣完为止", 3 * PICO),
        ("A1", "失分", -5 * PICO),
        ("A2", "失分", -3 * PICO),
    ]
    rubric = year.result().ledger().filter(pl.col("kind") == "扣完为止").collect()["rubric"].item()
    assert rubric == "重点领域信息公开（5分）扣分以本项分值为限，扣完为止"


def test_conversion_caps_gate_floor_and_fixed_score_lines() -> None:
    rows = [
        section("A", 10, name="基础"),
        leaf("A1", "A", 6, "per_occurrence", "per=1"),
        leaf("A2", "A", 4, "binary"),
        section("J", 3, "bonus", name="加分项"),
        leaf("J1", "J", 3, "accumulate", "per=1"),
        section("P", 20, "penalty", name="扣分项"),
        leaf("P1", "P", 20, "per_occurrence", "per=4"),
        section("V", 1, "veto", name="否决"),
        leaf("V1", "V", 1, "veto"),
    ]
    units = [("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("T03", "丙镇", "town")]
    inputs = [
        # T01: A2 not applicable → 得分率 5/6 × 10 = 8.333…; bonus 5 held to 3 by the node, 2 by the cap
        ("T01", "A1", "", "1"),
        ("T01", "A2", "", "不适用"),
        ("T01", "J1", "", "5"),
        # T02: loses everything and more through the penalty: the total is floored at 0
        ("T02", "A1", "", "6"),
        ("T02", "A2", "", "否"),
        ("T02", "P1", "", "3"),
        # T03: vetoed: the total is the fixed score
        ("T03", "A1", "", "0"),
        ("T03", "A2", "", "是"),
        ("T03", "V1", "", "是"),
    ]
    settings = (
        TEN_POINTS + '[bonus]\ncap = 2\n[penalty]\ncap = 8\n[veto]\naction = "fixed_score"\nscore = 5\n'
    )
    year = dataclasses.replace(example_year(rows, units, inputs), settings_toml=settings)
    totals = dict(zip(year.result().units["unit"], year.result().units["total"], strict=True))
    assert totals == {"T01": 10.33, "T02": 0.0, "T03": 5.0}
    assert _lines(year, "T01") == [
        ("", "加分封顶", -1 * PICO),  # the settings' cap: 3 → 2
        ("", "折算", 8_333_333_333_333 - 5 * PICO - 4 * PICO),  # 5 of 6 → 8.333…: 10 − 6 less
        ("A1", "失分", -1 * PICO),
        ("J", "加分封顶", -2 * PICO),  # the node's points: 5 → 3
        ("J1", "加分", 5 * PICO),
    ]
    assert _lines(year, "T02") == [
        ("", "总分保底", 8 * PICO),  # 0 earned, −8 penalty (cap 8 of 12): floored at 0
        ("", "扣分封顶", 4 * PICO),
        ("A1", "失分", -6 * PICO),
        ("A2", "失分", -4 * PICO),
        ("P1", "扣分项", -12 * PICO),
    ]
    assert _lines(year, "T03") == [("", "否决定分", -5 * PICO)]


def test_a_gate_not_passed_takes_the_bonus_back() -> None:
    rows = [
        section("A", 10, name="基础"),
        leaf("A1", "A", 10, "per_occurrence", "per=1"),
        section("J", 3, "bonus", name="加分项"),
        leaf("J1", "J", 3, "accumulate", "per=1"),
    ]
    settings = TEN_POINTS + "[bonus]\ngate = 8\n"
    year = dataclasses.replace(
        example_year(rows, [("T01", "甲镇", "town")], [("T01", "A1", "", "3"), ("T01", "J1", "", "2")]),
        settings_toml=settings,
    )
    assert year.result().units["total"].item() == 7.0
    assert _lines(year, "T01") == [
        ("", "加分门槛", -2 * PICO),
        ("A1", "失分", -3 * PICO),
        ("J1", "加分", 2 * PICO),
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=years(), limit=st.integers(1, 40), pick=st.integers(0, 2**16))
def test_the_ledger_of_some_units_and_the_first_lines_are_those_of_the_whole(
    drawn: tuple[object, str], limit: int, pick: int
) -> None:
    """A unit's lines built from its own rows are the lines of the whole ledger; the workbook's first
    ``limit`` lines, taken from the first units only, are the first of the whole ledger in reading order."""
    from scoring.output.ledger_sheet import ledger_frame, reading_order

    year, _ = drawn
    result = year.result()  # type: ignore[attr-defined]
    whole = result.ledger().collect()
    codes = result.units["unit"].to_list()
    chosen = [c for i, c in enumerate(codes) if pick >> (i % 16) & 1]
    key = ["unit", "indicator", "kind", "change"]
    some = result.ledger(chosen).collect()
    assert some.sort(key, nulls_last=True).equals(
        whole.filter(pl.col("unit").is_in(chosen)).sort(key, nulls_last=True)
    )
    first = ledger_frame(result, limit)
    expected = (
        whole.join(pl.DataFrame({"unit": codes}).with_row_index("_u"), on="unit", how="left")
        .with_columns(reading_order(result.catalogue).alias("_i"))
        .sort("_u", "_i", "unit", "indicator", nulls_last=True)
        .head(limit)
    )
    assert first.select(expected.columns).equals(expected)
    counts = whole.group_by("unit").agg(pl.len().alias("n"))
    assert first.join(counts, on="unit").select((pl.col("_n") == pl.col("n")).all()).item()


def test_a_part_held_at_its_points_from_above_has_a_cap_line() -> None:
    # redistribute: A4's 0.5 shared by A1–A3 (0.5 each of 1.5 applicable): each 0.5 × 2 / 1.5 = 0.666…67
    # rounded half up, three of them 2 + 1 pico: the part is held at its 2 points (封顶 −1 pico) and the
    # conversion line gives the pico back (the total is the class's 10)
    rows = [
        section("A", 2, name="基础"),
        *(leaf(f"A{i}", "A", 0.5, "binary") for i in range(1, 5)),
        section("B", 8, name="其他"),
        leaf("B1", "B", 8, "binary"),
    ]
    inputs = [("T01", f"A{i}", "", "是") for i in range(1, 4)]
    inputs += [("T01", "A4", "", "不适用"), ("T01", "B1", "", "是")]
    year = dataclasses.replace(
        example_year(rows, [("T01", "甲镇", "town")], inputs),
        settings_toml=TEN_POINTS + '[not_applicable]\nmethod = "redistribute"\n',
    )
    assert year.result().units["total"].item() == 10.0
    assert _lines(year, "T01") == [("", "折算", 1), ("A", "封顶", -1)]
    rubric = year.result().ledger().filter(pl.col("kind") == "封顶").collect()["rubric"].item()
    assert rubric == "基础得分以本项分值（2分）为限"


def test_amounts_are_written_as_the_rubric_writes_them() -> None:
    picos = [0, 5 * PICO, 2_500_000_000_000, 75_000_000_000, -3 * PICO, -500_000_000_000, 1]
    got = pl.select(amount_text(pl.lit(pl.Series(picos, dtype=pl.Int64))))
    assert got.to_series().to_list() == ["0", "5", "2.5", "0.075", "-3", "-0.5", "0.000000000001"]


@pytest.mark.parametrize(
    ("method", "name", "rubric"),
    [
        ("renormalise", "按得分率折算", "适用指标满分8分，得分按得分率折算为10分制"),
        ("scale", "按系数折算", "基础得分按本类单位的折算系数折算"),
        (
            "redistribute",
            "不适用指标分值调剂",
            "不适用指标的分值由同一一级指标下的适用指标分担，按得分率折算",
        ),
    ],
)
def test_the_conversion_line_says_how_the_base_was_converted(method: str, name: str, rubric: str) -> None:
    rows = [
        section("A", 10, name="基础"),
        leaf("A1", "A", 6, "per_occurrence", "per=1"),
        leaf("A2", "A", 2, "binary"),
        leaf("A3", "A", 2, "binary"),
    ]
    inputs = [("T01", "A1", "", "1"), ("T01", "A2", "", "是"), ("T01", "A3", "", "不适用")]
    scale = 'scale = "5/4"\n' if method == "scale" else ""
    settings = (
        TEN_POINTS.replace("max = 10\n", "max = 10\n" + scale) + f'[not_applicable]\nmethod = "{method}"\n'
    )
    year = dataclasses.replace(example_year(rows, [("T01", "甲镇", "town")], inputs), settings_toml=settings)
    line = year.result().ledger().filter(pl.col("kind") == "折算").collect()
    assert line.select("name", "rubric").rows() == [(name, rubric)]

"""Year over year (``engine.year_over_year``) against a plain reference: the matching, arrows and notes made
one unit at a time, as they were first written, for any years and alias tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from hypothesis import given, settings, strategies as st
from polars.testing import assert_frame_equal

from scoring.engine.year_over_year import MERGED, NEW, NONE, UNIT_COLUMNS, rank_arrow, year_over_year
from scoring.spec.year import Alias

SCHEMA = {"unit": pl.String, "name": pl.String, "class": pl.String, "total": pl.Float64, "rank": pl.Int64}


def plain_rows(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    aliases: Sequence[Alias],
    places: int,
    names: dict[str, str],
) -> tuple[pl.DataFrame, list[str]]:
    """The comparison's rows and last year's codes with no successor, one unit at a time."""
    prev = {r["unit"]: r for r in previous.to_dicts()}
    renamed = {a.old_code for a in aliases}
    pairs = [
        (r["unit"], r["unit"], "")
        for r in current.to_dicts()
        if r["unit"] in prev and r["unit"] not in renamed
    ]
    pairs += [(a.new_code, a.old_code, a.note) for a in aliases if a.old_code in prev]
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for unit, old, note in sorted(pairs, key=lambda p: p[1]):
        by_unit.setdefault(unit, []).append((old, note))
    rows: list[dict[str, Any]] = []
    for r in current.to_dicts():
        preds = by_unit.get(r["unit"], [])
        out = {**r, "prev_unit": None, "prev_name": None, "prev_total": None, "prev_rank": None}
        notes: list[str] = []
        if len(preds) == 1:
            old, note = preds[0]
            p = prev[old]
            out |= {
                "prev_unit": old,
                "prev_name": p["name"],
                "prev_total": p["total"],
                "prev_rank": p["rank"],
            }
            if old != r["unit"]:
                notes.append(f"上年代码 {old}")
            if p["name"] != r["name"]:
                notes.append(f"上年名称：{p['name']}")
            if p["class"] != r["class"]:
                notes.append(f"上年类别：{names.get(p['class'], p['class'])}，名次不可比")
            arrow = NONE if p["class"] != r["class"] else None
            notes += [note] if note else []
        elif preds:
            arrow = MERGED
            out["prev_unit"] = "、".join(old for old, _ in preds)
            told = [
                f"{prev[old]['name']}（{old}，上年"
                + (f"第{prev[old]['rank']}名，" if prev[old]["rank"] is not None else "")
                + ("—" if prev[old]["total"] is None else f"{prev[old]['total']:.{places}f}")
                + "分）"
                for old, _ in preds
            ]
            notes = ["由" + "、".join(told) + "合并", *(note for _, note in preds if note)]
        else:
            arrow = NEW
        rows.append(out | {"arrow": arrow, "note": "；".join(dict.fromkeys(notes))})
    used = {old for _, old, _ in pairs}
    schema = {**SCHEMA, "prev_unit": pl.String, "prev_name": pl.String, "prev_total": pl.Float64}
    schema |= {"prev_rank": pl.Int64, "arrow": pl.String, "note": pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.coalesce(pl.col("arrow"), rank_arrow(pl.col("prev_rank"), pl.col("rank"))).alias("arrow"),
        (pl.col("total") - pl.col("prev_total")).round(places).alias("total_change"),
        pl.when(pl.col("arrow").is_null())
        .then(pl.col("prev_rank") - pl.col("rank"))
        .cast(pl.Int64)
        .alias("rank_change"),
    )
    return table, [u for u in previous["unit"] if u not in used]


CODES = st.sampled_from(["D1", "D2", "D3", "D4", "D5", "T1", "T2"])
NAMES = st.sampled_from(["甲局", "乙局", "上年代码 D1", "丙", "a；b"])


@st.composite
def year(draw: st.DrawFn) -> pl.DataFrame:
    codes = draw(st.lists(CODES, max_size=7, unique=True))
    n = len(codes)
    return pl.DataFrame(
        {
            "unit": codes,
            "name": draw(st.lists(NAMES, min_size=n, max_size=n)),
            "class": draw(st.lists(st.sampled_from(["town", "dept"]), min_size=n, max_size=n)),
            "total": draw(
                st.lists(st.none() | st.sampled_from([80.0, 85.125, 90.5, 100.0]), min_size=n, max_size=n)
            ),
            "rank": draw(st.lists(st.none() | st.integers(1, 7), min_size=n, max_size=n)),
        },
        schema=SCHEMA,
    )


# notes as an office writes them, and ones equal to a note the comparison makes itself (said once)
ALIASES = st.lists(
    st.builds(
        Alias,
        CODES,
        CODES,
        st.sampled_from(["", "机构改革更名", "上年代码 D1", "上年名称：甲局"]),
        st.just(2),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(current=year(), previous=year(), aliases=ALIASES, places=st.sampled_from([0, 2]))
def test_the_comparison_equals_the_one_made_unit_by_unit(
    current: pl.DataFrame, previous: pl.DataFrame, aliases: list[Alias], places: int
) -> None:
    names = {"dept": "部门"}
    got = year_over_year(current, previous, aliases, places=places, class_names=names)
    rows, gone = plain_rows(current, previous, aliases, places, names)
    assert_frame_equal(got.rows, rows)
    assert got.gone.columns == list(UNIT_COLUMNS)
    assert got.gone["unit"].to_list() == gone

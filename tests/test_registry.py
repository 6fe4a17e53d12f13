"""The registry of rule kinds: what one registration declares, checked against the engine's two paths
(the single-row pass and the group-by) on random rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import given, settings, strategies as st
from polars.testing import assert_frame_equal

from scoring.engine.points import leaf_table, rule_points, single_row_points
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.params import split_params
from scoring.spec.rules import GROUP, REGISTRY, RuleKind

LEAF_POINTS = Decimal(5)
SINGLE_ROW_PARAMS = {
    "binary": [""],
    "veto": [""],
    "per_occurrence": ["per=0.5", "per=0.5; cap=2"],
    "half_if_none": ["", "fraction=0.3"],
    "count_capped": ["per=2", "per=0.7; cap=3"],
    "judgement": ["", "lo=1; hi=4"],
    "ratio": [""],
    "tiered": ["tiers=90:1,60:0.6,40:0.3", "tiers=50:0.5"],
    "over_quota_bonus": ["quota=10; steps=10%:1,20%:2"],
    "deadline": [
        "due=2021-10-20",
        "due=2021-10-20; late_steps=1:1,8:2; missing=4; early_before=2021-10-01; early=1",
    ],
    "rate_linear": ["target=95; per=0.1"],
    "imported": ["", "scale=80"],
}
"""Parameters of leaves of every single-row kind: more than one where an optional parameter changes the
expressions."""
DUE = 18920  # 2021-10-20 in days since 1970-01-01


def parsed(kind: RuleKind, text: str) -> dict[str, Any]:
    raw, bad = split_params(text)
    assert not bad
    out = {name: spec.default for name, spec in kind.params.items() if spec.default is not None}
    return out | {name: kind.params[name].parse(value) for name, value in raw.items()}


def single_row_catalogue() -> Catalogue:
    root = Node("A", None, "A", Decimal(100), "base", None, {}, "", (), (), "", False, 1, ("A",), 1, False)
    leaves = [
        Node(
            f"{name}{i}",
            "A",
            f"{name}{i}",
            LEAF_POINTS,
            "base",
            name,
            parsed(REGISTRY[name], text),
            text,
            (),
            (),
            "",
            False,
            2,
            ("A", f"{name}{i}"),
            2,
            True,
        )
        for name, texts in SINGLE_ROW_PARAMS.items()
        for i, text in enumerate(texts)
    ]
    return Catalogue(2021, (root, *leaves))


CATALOGUE = single_row_catalogue()


def values(domain: str) -> st.SearchStrategy[float | None]:
    """Values of one input row as validation leaves them, or None (blank, not done)."""
    number = {
        "bool": st.sampled_from([0.0, 1.0]),
        "count": st.integers(0, 25).map(float),
        "number": st.one_of(st.integers(0, 120).map(float), st.floats(0, 120)),
        "ratio": st.floats(0, 1),
        "percent": st.floats(0, 100),
        "points": st.floats(0, float(LEAF_POINTS)),
        "date": st.integers(DUE - 30, DUE + 30).map(float),
    }[domain]
    return st.one_of(st.none(), number)


@st.composite
def observations(draw: st.DrawFn) -> pl.DataFrame:
    """At most one row per (unit, leaf, period, channel), as for every kind without keys."""
    units = [f"U{i}" for i in range(draw(st.integers(1, 4)))]
    cells = draw(
        st.lists(st.sampled_from([(None, None), ("Q1", None), ("Q2", "online")]), min_size=1, unique=True)
    )
    rows = []
    for u in units:
        for leaf in CATALOGUE.leaves:
            for period, channel in cells:
                kind = leaf.kind
                assert kind is not None
                v = draw(values(kind.domain))
                synthetic = v is None and draw(st.booleans())
                rows.append((u, leaf.id, period, channel, v, synthetic))
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "period": pl.String,
            "channel": pl.String,
            "value": pl.Float64,
            "synthetic": pl.Boolean,
        },
        orient="row",
    ).with_columns(
        pl.lit("town").alias("class"),
        pl.lit(None, pl.String).alias("key"),
        pl.lit(None, pl.String).alias("text"),
    )


def test_every_single_row_kind_has_leaves_here() -> None:
    assert set(SINGLE_ROW_PARAMS) == {name for name, kind in REGISTRY.items() if kind.single_row}


@settings(max_examples=40, deadline=None)
@given(obs=observations())
def test_single_row_pass_equals_group_by(obs: pl.DataFrame) -> None:
    """Every single-row kind scores the same in the one-pass path as in the general group-by path."""
    table = leaf_table(CATALOGUE)
    rows = obs.lazy().join(table.lazy(), on="indicator", how="inner")
    kinds = sorted(SINGLE_ROW_PARAMS)
    fast = single_row_points(rows, kinds, table.columns).select(*GROUP, "points").collect()
    slow = pl.concat(
        [
            rule_points(
                rows.filter(pl.col("rule") == name).select(pl.exclude("^p_.*$")),
                REGISTRY[name],
                [n for n in CATALOGUE.leaves if n.rule == name],
            )
            for name in kinds
        ]
    ).collect()
    assert fast.height == obs.height
    assert_frame_equal(fast.sort(GROUP), slow.sort(GROUP))

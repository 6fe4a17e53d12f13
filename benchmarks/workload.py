"""The reference workload (``benchmarks/WORKLOAD.md`` of the shared bench, copied here as gen.py/common.py)
expressed through the engine's public API: a catalogue built from indicators.csv-shaped rows, settings
from a TOML-shaped dict, and observations/units as LazyFrames.

Mapping (workload → engine):

- categories C1..C6 → ``base`` level-1 nodes (15, 20, 20, 15, 15, 15 points), indicators → leaves;
- rules: check → ``binary``; ratio → ``ratio``; deduct → ``per_occurrence`` (``per=param1``, no cap);
  tiered → ``tiered`` (``tiers=param1:1,param2:0.6,param3:0.3``); per_item → ``count_capped``
  (``per=param1``, cap defaults to the leaf's points);
- B1, B2 → leaves of a ``bonus`` level-1 node (cap 5), ``count_capped per=1``;
- P1, P2 → leaves of a ``penalty`` level-1 node (cap 10), ``count_capped per=2``;
- V1 → leaf of a ``veto`` level-1 node, rule ``veto``;
- applies_to ``all`` → every class; ``town`` / ``dept`` → that class.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from scoring import Catalogue, Settings, build_catalogue, parse_settings
from scoring.spec.catalogue import CATALOGUE_COLUMNS

CATEGORY_POINTS = {"C1": 15, "C2": 20, "C3": 20, "C4": 15, "C5": 15, "C6": 15}
# the workload's output orders units by unit_class as text: dept before town
CLASSES = ("dept", "town")
ADJUSTMENT_NODES = {  # category → (level-1 node id, role, points = cap)
    "bonus": ("BONUS", "bonus", 5),
    "penalty": ("PENALTY", "penalty", 10),
    "veto": ("VETO", "veto", 1),
}

SETTINGS: dict[str, Any] = {
    "year": 2021,
    "title": "政务公开参考工作负载（benchmarks/WORKLOAD）",
    "issuer": "benchmarks",
    "classes": [{"id": "dept", "name": "部门", "max": 100}, {"id": "town", "name": "乡镇", "max": 100}],
    "rounding": {"places": 2, "mode": "half_even"},
    "ranking": {"ties": "competition", "basis": "printed"},
    "caps": {"mode": "node"},
    "not_applicable": {"method": "renormalise"},
    "bonus": {"cap": 5},
    "penalty": {"cap": 10},
    # WORKLOAD.md: a veto changes neither total nor rank
    "veto": {"action": "grade_only", "placement": "in_place"},
    "grades": {
        "bands": [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80}, {"name": "合格", "min": 60}],
        "fail": "不合格",
        "basis": "printed",
    },
    "inputs": {"missing": "zero"},
}


@dataclass(frozen=True)
class Workload:
    """The engine's inputs for one generated folder."""

    observations: pl.LazyFrame  # unit, class, indicator, value
    units: pl.LazyFrame  # code, name, class
    catalogue: Catalogue
    settings: Settings


def _num(x: float) -> str:
    """A float parameter as the shortest decimal text (0.25, 0.125, 75)."""
    d = Decimal(repr(float(x))).normalize()
    return format(d, "f")


def _params(rule: str, p1: float | None, p2: float | None, p3: float | None) -> tuple[str, str]:
    """(engine rule, params text) for a workload rule."""
    if rule == "check":
        return "binary", ""
    if rule == "ratio":
        return "ratio", ""
    if rule == "deduct":
        assert p1 is not None
        return "per_occurrence", f"per={_num(p1)}"
    if rule == "tiered":
        assert p1 is not None and p2 is not None and p3 is not None
        return "tiered", f"tiers={_num(p1)}:1,{_num(p2)}:0.6,{_num(p3)}:0.3"
    if rule == "per_item":
        assert p1 is not None
        return "count_capped", f"per={_num(p1)}"
    raise ValueError(f"unknown workload rule {rule!r}")


def catalogue_rows(indicators: pl.DataFrame) -> pl.DataFrame:
    """indicators.parquet of the workload as the rows of an ``indicators.csv`` (text, with ``__row__``)."""
    rows: list[dict[str, str]] = []

    def add(**kw: str) -> None:
        rows.append({c: kw.get(c, "") for c in CATALOGUE_COLUMNS})

    for cat, pts in CATEGORY_POINTS.items():
        add(id=cat, name=f"类别{cat}", points=str(pts), role="base")
    for cat, (nid, role, pts) in ADJUSTMENT_NODES.items():
        add(id=nid, name=cat, points=str(pts), role=role)
    for r in indicators.iter_rows(named=True):
        cat, iid = r["category"], r["indicator_id"]
        applies = "" if r["applies_to"] == "all" else str(r["applies_to"])
        if cat in CATEGORY_POINTS:
            rule, params = _params(r["rule"], r["param1"], r["param2"], r["param3"])
            parent = cat
        elif cat == "veto":
            rule, params, parent = "veto", "", ADJUSTMENT_NODES[cat][0]
        else:  # bonus / penalty: per_item, capped at the item's max_points (the count_capped default)
            rule, params = "count_capped", f"per={_num(r['param1'])}"
            parent = ADJUSTMENT_NODES[cat][0]
        add(
            id=iid,
            parent=parent,
            name=iid,
            points=_num(r["max_points"]),
            rule=rule,
            params=params,
            applies_to=applies,
            rubric=f"{r['rule']} {params}".strip(),
        )
    df = pl.DataFrame(rows, schema=dict.fromkeys(CATALOGUE_COLUMNS, pl.String))
    return df.with_row_index("__row__", offset=2)


def build(indicators: pl.DataFrame) -> tuple[Catalogue, Settings]:
    """Catalogue and settings of the workload; raises ValueError on any definition issue."""
    settings, issues = parse_settings(SETTINGS, "workload")
    if settings is None or issues:
        raise ValueError("workload settings: " + "; ".join(map(str, issues)))
    catalogue, issues = build_catalogue(catalogue_rows(indicators), settings, plan_items={}, file="workload")
    if catalogue is None or issues:
        raise ValueError("workload catalogue: " + "; ".join(map(str, issues)))
    return catalogue, settings


def load(in_dir: str | Path, *, categorical: bool = True, materialize: bool = False) -> Workload:
    """The engine's inputs for a generated folder (units/indicators/observations parquet).

    ``categorical``: unit ids become an Enum whose categories are the roster in file order, so the
    engine's group-bys and joins on units work on integers, and each observation's class (an Enum too)
    is a gather by the unit's physical index instead of a join. The indicator id stays a String: the
    engine joins it with its own String-keyed tables (an Enum/Categorical there is a join-key error).

    ``materialize``: read the observations into memory first instead of passing the lazy Parquet scan.
    The engine's plan reads its observations input about 14 times (once per rule kind and for the
    modifiers, all of that twice), yet measured whole-process the lazy scan is as fast at 100 000 units
    and faster and smaller at 1 000 000 (68 s / 6.5 GB against 96 s / 9.4 GB), so it is the default.
    """
    d = Path(in_dir)
    units_df = pl.read_parquet(d / "units.parquet", columns=["unit_id", "unit_class"])
    catalogue, settings = build(pl.read_parquet(d / "indicators.parquet"))
    obs = pl.scan_parquet(d / "observations.parquet")
    if categorical:
        unit_t = pl.Enum(units_df["unit_id"])
        class_t = pl.Enum(CLASSES)
        classes = units_df["unit_class"].cast(class_t)
        units = units_df.lazy().select(
            pl.col("unit_id").cast(unit_t).alias("code"),
            pl.col("unit_id").alias("name"),
            pl.col("unit_class").alias("class"),
        )
        unit = pl.col("unit_id").cast(unit_t)
        observations = obs.select(
            unit.alias("unit"),
            pl.lit(classes).gather(unit.to_physical()).alias("class"),
            pl.col("indicator_id").alias("indicator"),
            "value",
        )
    else:
        units = units_df.lazy().select(
            pl.col("unit_id").alias("code"),
            pl.col("unit_id").alias("name"),
            pl.col("unit_class").alias("class"),
        )
        # the engine needs no class per observation (only rank_based rules would, and it joins the roster)
        observations = obs.select(
            pl.col("unit_id").alias("unit"), pl.col("indicator_id").alias("indicator"), "value"
        )
    if materialize:
        observations = observations.collect().lazy()
        units = units.collect().lazy()
    return Workload(observations, units, catalogue, settings)

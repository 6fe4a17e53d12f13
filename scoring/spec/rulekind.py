"""A rule kind, the registry it is registered in, and the expression helpers the registrations share.

A rule kind turns the observations of one leaf for one unit into the leaf's points. Every kind is
computed for all units and all leaves of that kind at once: rows are joined with the leaves' parameter
columns (``p_<name>``) and, for keyed rules, with a (leaf, key) table of amounts; a per-row contribution
is aggregated per (unit, leaf, period, channel) and finished into pico-points. Nothing loops over units.

The kinds themselves are registered by family in :mod:`scoring.spec.kinds`; import the full registry from
:mod:`scoring.spec.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import polars as pl

from scoring.spec.params import ParamSpec

Params = Mapping[str, Any]
MAX_STEPS = 8
"""Rules whose parameters come in steps (tiers, late steps) have at most this many."""
M = pl.col("M")
"""The leaf's points, in pico-points."""
NO_CAP = 2**62


def met() -> pl.Expr:
    """An observation that holds (是, 1, a count of at least one)."""
    return pl.col("value") >= 1


def frac_float(f: Fraction) -> float:
    return f.numerator / f.denominator


def sum_of(name: str, expr: pl.Expr) -> pl.Expr:
    return expr.sum().alias(name)


def cap_or_points(p: Params, m: int, name: str = "cap") -> int:
    """The ``cap`` parameter, or the leaf's points when there is none."""
    cap = p.get(name)
    return int(cap) if cap is not None else m


Sense = Literal["award", "deduct"]
Lookup = Literal["key", "text", "rank"]


@dataclass(frozen=True, kw_only=True, eq=False)
class RuleKind:
    """A registered rule kind."""

    name: str
    # "award": points are what the unit earns; "deduct": points are M minus a deduction. In a penalty
    # section the penalty is the points of an award rule, or the deduction of a deduct rule.
    sense: Sense
    domain: str  # bool | count | number | ratio | percent | points | date | category
    summary: str
    params: dict[str, ParamSpec] = field(default_factory=dict)
    keyed: bool = False
    bounded: bool = True  # points stay within [0, M] when caps are per node
    # parameter checks beyond parsing: (params, M in pico) -> list of (code, message)
    check: Callable[[Params, int], list[tuple[str, str]]] = lambda p, m: []
    # allowed keys of input rows (None: any / not keyed)
    keys: Callable[[Params], tuple[str, ...] | None] = lambda p: None
    # scalar parameter columns for one leaf
    columns: Callable[[Params, int], dict[str, Any]] = lambda p, m: {}
    # (key, amount pico, share) rows of the leaf's key table
    key_rows: Callable[[Params], list[tuple[str, int | None, float | None]]] = lambda p: []
    # how the key table meets the rows: "key" joins it on the row's key (giving ``amount`` and ``share``)
    # before ``row``; "text" joins it on the entered text, a grade (giving ``amount``); "rank" joins it
    # after the group-by on the unit's rank by ``rank_by`` within its class (giving ``rank_points``)
    lookup: Lookup = "key"
    # for a "rank" lookup: the measure ranked, highest first, per (leaf, class, period, channel)
    rank_by: pl.Expr | None = None
    row: Callable[[], dict[str, pl.Expr]] = lambda: {}
    aggs: Callable[[], list[pl.Expr]] = lambda: []
    finish: Callable[[], pl.Expr] = lambda: pl.lit(0, pl.Int64)
    # rules whose parameters come in steps (p_s0, p_s1, …): the finish for the steps a catalogue uses
    finish_steps: Callable[[int], pl.Expr] | None = None

    def finish_for(self, columns: Collection[str]) -> pl.Expr:
        """The finish for a parameter table with these columns: only the steps it has."""
        if self.finish_steps is None:
            return self.finish()
        return self.finish_steps(sum(1 for i in range(MAX_STEPS) if f"p_s{i}" in columns))


REGISTRY: dict[str, RuleKind] = {}
"""Every registered kind by name; filled by :mod:`scoring.spec.rules` importing the family modules."""


def register(kind: RuleKind) -> RuleKind:
    if kind.name in REGISTRY:
        raise ValueError(f"rule kind {kind.name} registered twice")
    REGISTRY[kind.name] = kind
    return kind

"""A rule kind: everything one registration declares about it, and the expression helpers the
registrations share.

A rule kind turns the observations of one leaf for one unit into the leaf's points. Every kind is
computed for all units and all leaves of that kind at once: rows are joined with the leaves' parameter
columns (``p_<name>``) and, for keyed rules, with a (leaf, key) table of amounts; a per-row contribution
is aggregated per (unit, leaf, period, channel) and finished into pico-points. Nothing loops over units.

The kinds are registered by family in :mod:`scoring.spec.kinds`, each checked by
:func:`scoring.spec.registry.register`; import the full registry from :mod:`scoring.spec.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import polars as pl

from scoring.spec.params import ParamSpec
from scoring.spec.rubric import ValueText, render

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


def cap_or_points(p: Params, m: int, name: str = "cap") -> int:
    """The ``cap`` parameter, or the leaf's points when there is none."""
    cap = p.get(name)
    return int(cap) if cap is not None else m


DOMAINS = ("bool", "count", "number", "ratio", "percent", "points", "date", "category")
"""What an input value can be: validation parses and checks it, the template offers it, by this name."""


@dataclass(frozen=True, eq=False)
class InputDomain:
    """What an assessor enters for a leaf of a kind, as validation checks it and the assessors' template
    offers it: a domain (one of ``DOMAINS``) and what the leaf's parameters say about it."""

    name: str
    # what an entered number is, for the template's messages
    what: str = ""
    # a category's values (the grades a leaf accepts)
    choices: Callable[[Params], tuple[str, ...]] | None = None
    # the range of an entered number, from the leaf's parameters and points (pico): a value outside it is
    # refused by validation (the domains themselves bound the rest: a ratio within 0–1, a percent within
    # 0–100, a count whole and ≥ 0, a date within the assessment year's window)
    bounds: Callable[[Params, int], tuple[Decimal | None, Decimal | None]] | None = None
    # the range a value usually falls in: one outside it is legal but noted, naming the cell
    usual: Callable[[Params, int], tuple[Decimal | None, Decimal | None]] | None = None

    def choices_for(self, params: Params) -> tuple[str, ...]:
        return () if self.choices is None else self.choices(params)

    def bounds_for(self, params: Params, m: int) -> tuple[Decimal | None, Decimal | None]:
        return (None, None) if self.bounds is None else self.bounds(params, m)

    def usual_for(self, params: Params, m: int) -> tuple[Decimal | None, Decimal | None]:
        return (None, None) if self.usual is None else self.usual(params, m)


BOOL = InputDomain("bool")
COUNT = InputDomain("count")
NUMBER = InputDomain("number")
RATIO = InputDomain("ratio")
PERCENT = InputDomain("percent")
DATE = InputDomain("date")

Sense = Literal["award", "deduct"]
Lookup = Literal["key", "text", "rank", "class"]
Reduction = Literal["sum", "any", "all", "max"]

REDUCTIONS: dict[str, tuple[Callable[[pl.Expr], pl.Expr], Callable[[pl.Expr], pl.Expr]]] = {
    "sum": (lambda e: e.sum(), lambda e: e.fill_null(0)),
    "any": (lambda e: e.any(), lambda e: e.fill_null(False)),
    "all": (lambda e: e.all(), lambda e: e.fill_null(True)),
    "max": (lambda e: e.max(), lambda e: e),
}
"""Each reduction over a group's rows, and what it is on a group of one row (polars skips nulls: the sum
of a null is 0, ``any`` of a null false, ``all`` of a null true, the max of a null null)."""


@dataclass(frozen=True, eq=False)
class Agg:
    """One aggregation of a kind's rows per (unit, leaf, period, channel): the ``how`` of ``expr``, as
    the column ``name`` the finish reads. The one declaration gives both the group-by form and the
    per-row form of a group of one row, so the two paths of the engine cannot drift apart."""

    name: str
    how: Reduction
    expr: pl.Expr

    def grouped(self) -> pl.Expr:
        """The aggregation over a group's rows (in a group-by)."""
        return REDUCTIONS[self.how][0](self.expr).alias(self.name)

    def one_row(self) -> pl.Expr:
        """The same aggregation when the group is one row: a per-row expression, no group-by."""
        return REDUCTIONS[self.how][1](self.expr).alias(self.name)


@dataclass(frozen=True, kw_only=True, eq=False)
class RuleKind:
    """A rule kind, as one registration declares it: what it is called and says (label, summary, rubric),
    whether it deducts, its parameters and what a leaf's parameters make of it (checks, keys, parameter
    columns, key table), what an assessor enters (input), and how its rows become points (lookup, row,
    aggs, finish). :func:`scoring.spec.registry.register` checks that these hold together."""

    name: str
    # "award": points are what the unit earns; "deduct": points are M minus a deduction. In a penalty
    # section the penalty is the points of an award rule, or the deduction of a deduct rule.
    sense: Sense
    label: str  # the kind's name in Chinese, as the assessors call it (定额扣分)
    summary: str
    # the rubric sentence, filled from a leaf's parameters by ``sentence`` (see scoring.spec.rubric)
    rubric: str
    # how a parameter's value is written in the sentence, where its type's way does not read well
    formats: Mapping[str, ValueText] = field(default_factory=dict)
    input: InputDomain
    params: dict[str, ParamSpec] = field(default_factory=dict)
    keyed: bool = False
    bounded: bool = True  # points stay within [0, M] when caps are per node
    # parameter checks beyond parsing: (params, M in pico) -> list of (code, message)
    check: Callable[[Params, int], list[tuple[str, str]]] = lambda p, m: []
    # allowed keys of input rows (None: not keyed, or keyed only when the leaf lists keys)
    keys: Callable[[Params], tuple[str, ...] | None] = lambda p: None
    # the leaf's parameter columns, each named p_<name>: all the parameters its expressions read
    columns: Callable[[Params, int], dict[str, Any]] = lambda p, m: {}
    # (key, amount pico, share) rows of the leaf's key table
    key_rows: Callable[[Params], list[tuple[str, int | None, float | None]]] = lambda p: []
    # how the key table meets the rows: "key" joins it on the row's key (giving ``amount`` and ``share``)
    # before ``row``; "text" joins it on the entered text, a grade (giving ``amount``); "rank" joins it
    # after the group-by on the unit's rank by ``rank_by`` within its class (giving ``rank_points``);
    # "class" joins it after the group-by on the unit's class id (giving ``class_amount``: the class's
    # value of a parameter given per class, null for a class the table does not name)
    lookup: Lookup = "key"
    # for a "rank" lookup: the measure ranked, highest first, per (leaf, class, period, channel)
    rank_by: pl.Expr | None = None
    # keys a leaf takes beside its rows without a key, each one row of the kind's input domain whose value
    # is at least 1 (a unit's own quota, 定额): key → whether every unit with a row must give it
    extra_keys: Callable[[Params], Mapping[str, bool]] = lambda p: {}
    # per-row contributions (after the lookup), then the aggregations per (unit, leaf, period, channel)
    # and the finish of the aggregated row into pico-points
    row: Mapping[str, pl.Expr] = field(default_factory=dict)
    aggs: tuple[Agg, ...]
    finish: pl.Expr
    # a single-row kind takes one row per (unit, leaf, period, channel) — validation refuses a second
    # for a kind without keys — so the engine scores it in one pass with every other single-row kind,
    # from the aggregations' one-row forms, without a group-by
    single_row: bool = False
    # rules whose parameters come in steps (p_s0, p_s1, …): the finish for the steps a catalogue uses
    finish_steps: Callable[[int], pl.Expr] | None = None
    # whether a leaf may carry no points of its own in a pooled section (重点领域 5分：每月少于6条扣1分…),
    # its deductions taken from the section's points: None when it may not; else what its parameters lack
    # for that (a message), or None when they are enough. Only deducting kinds may allow it.
    without_points: Callable[[Params], str | None] | None = None

    @property
    def domain(self) -> str:
        """The name of the kind's input domain (recorded in the template, matched when it is read)."""
        return self.input.name

    def sentence(self, params: Params, class_names: Mapping[str, str] | None = None) -> str:
        """The rubric sentence of a leaf with these parameters: 每发现一例扣0.5分，最多扣2分 (a count per
        unit class names the classes by ``class_names``, id → name)."""
        return render(self.rubric, params, self.params, self.formats, class_names)

    def finish_for(self, columns: Collection[str]) -> pl.Expr:
        """The finish for a parameter table with these columns: only the steps it has."""
        if self.finish_steps is None:
            return self.finish
        return self.finish_steps(sum(1 for i in range(MAX_STEPS) if f"p_s{i}" in columns))

"""The registry of rule kinds, and what a registration is checked for before it is accepted.

A kind is refused, at import, when its declaration does not hold together:

- every parameter column its expressions read (``p_<name>``) is one its ``columns`` make, and its
  functions (columns, keys, key rows, checks, input domain) read only the parameters it declares — each is
  run on sample parameters that refuse any other name;
- its rubric sentence names declared parameters, and a part that is always printed names only parameters
  a leaf always has (required, or with a default);
- its finish reads only its aggregations, its parameter columns and what its lookup gives;
- a single-row kind has no keys, no lookup, no per-row contributions, and an aggregation of a name it
  shares with another single-row kind is the same aggregation (the engine computes each name once);
- its input domain, lookup and keys are consistent (a category lists its values, points have bounds,
  a rank lookup says what it ranks, a keyed kind lists its keys).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from scoring.exact import SCALE
from scoring.spec.params import ParamSpec
from scoring.spec.rubric import template_fields
from scoring.spec.rulekind import DOMAINS, MAX_STEPS, REDUCTIONS, RuleKind

REGISTRY: dict[str, RuleKind] = {}
"""Every registered kind by name; complete once :mod:`scoring.spec.rules` is imported."""

SAMPLE_POINTS = 10 * SCALE
SAMPLES: dict[str, Any] = {
    "amount": SCALE,
    "amounts": (SCALE,),
    "share": Fraction(1, 2),
    "number": Decimal(1),
    "count": 1,
    "date": dt.date(2021, 1, 1),
    "mapping": {"甲": SCALE},
    "share_mapping": {"甲": Fraction(1, 2)},
    "names": ("甲",),
    "steps": ((Fraction(1), Fraction(1)),),
    "periods": ("2021-01",),
    "class_counts": {"甲": 1},
}
"""A value of each parameter type (``ParamSpec.kind``; a choice takes its first choice)."""
ROW_INPUTS = frozenset(
    {"unit", "indicator", "period", "channel", "class", "key", "text", "value", "synthetic", "M"}
)
"""What a kind's per-row expressions may read besides its parameter columns and its lookup's columns."""
LOOKUP_ROW = {"key": {"amount", "share"}, "text": {"amount"}, "rank": set(), "class": set()}
LOOKUP_FINISH = {"key": set(), "text": set(), "rank": {"rank_points"}, "class": {"class_amount"}}


class RegistrationError(ValueError):
    """A rule kind whose declaration does not hold together; the message lists every problem."""


class UndeclaredParameter(Exception):
    """A kind's function read a parameter its registration does not declare (not a KeyError, so that
    ``params.get`` does not hide it)."""


class _Declared(Mapping[str, Any]):
    """Sample parameters that refuse to be read by a name the kind does not declare."""

    def __init__(self, values: Mapping[str, Any], declared: Collection[str]) -> None:
        self._values = dict(values)
        self._declared = declared

    def __getitem__(self, name: str) -> Any:
        if name not in self._declared:
            raise UndeclaredParameter(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _sample(spec: ParamSpec) -> Any:
    if spec.kind == "choice":
        return spec.default if spec.default is not None else spec.choices[0]
    return SAMPLES[spec.kind]


def _samples(kind: RuleKind) -> list[_Declared]:
    """All parameters given, and only the required ones (with the defaults a catalogue fills in)."""
    full = {name: _sample(spec) for name, spec in kind.params.items()}
    least = {
        name: spec.default if spec.default is not None else _sample(spec)
        for name, spec in kind.params.items()
        if spec.required or spec.default is not None
    }
    return [_Declared(full, kind.params), _Declared(least, kind.params)]


def _run(problems: list[str], what: str, function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except UndeclaredParameter as e:
        problems.append(f"{what} reads parameter {e.args[0]!r}, which the kind does not declare")
    except Exception as e:  # a function that fails on sample parameters of the declared types
        problems.append(f"{what} fails on sample parameters: {type(e).__name__}: {e}")
    return None


def _names(exprs: Collection[pl.Expr]) -> set[str]:
    return {name for e in exprs for name in e.meta.root_names()}


def _check_params(kind: RuleKind, problems: list[str], sentence: bool) -> set[str] | None:
    """Run the kind's functions on sample parameters; the parameter columns it makes (None when its
    ``columns`` fail)."""
    unknown = sorted(n for n, s in kind.params.items() if s.kind != "choice" and s.kind not in SAMPLES)
    if unknown:
        problems.append(f"parameters of unknown type: {', '.join(unknown)}")
        return None
    made: list[set[str]] = []
    for i, p in enumerate(_samples(kind)):
        cols = _run(problems, "columns", kind.columns, p, SAMPLE_POINTS)
        if cols is not None:
            made.append(set(cols))
        keys = _run(problems, "keys", kind.keys, p)
        _run(problems, "key_rows", kind.key_rows, p)
        extra = _run(problems, "extra_keys", kind.extra_keys, p)
        if extra and (kind.keyed or kind.single_row):
            problems.append(
                "a kind with extra keys is neither keyed nor single-row (it groups a unit's rows)"
            )
        _run(problems, "check", kind.check, p, SAMPLE_POINTS)
        _run(problems, "input choices", kind.input.choices_for, p)
        _run(problems, "input bounds", kind.input.bounds_for, p, SAMPLE_POINTS)
        if sentence:
            _run(problems, "sentence", kind.sentence, p)
        if i == 0 and kind.keyed != (keys is not None):
            problems.append("keyed, but keys gives none" if kind.keyed else "keys given, but not keyed")
    if len(made) < 2:
        return None
    if made[0] != made[1]:
        problems.append(f"columns depend on which parameters are given: {sorted(made[0] ^ made[1])}")
    columns = set().union(*made)
    unnamed = sorted(c for c in columns if not c.startswith("p_"))
    if unnamed:
        problems.append(f"parameter columns not named p_<name>: {', '.join(unnamed)}")
    return columns


def _check_rubric(kind: RuleKind, problems: list[str]) -> bool:
    required, optional, syntax = template_fields(kind.rubric)
    problems += [f"rubric: {s}" for s in syntax]
    undeclared = sorted({n for n in required + optional if n not in kind.params})
    if undeclared:
        problems.append(f"rubric names undeclared parameters: {', '.join(undeclared)}")
    maybe = sorted(
        n
        for n in set(required)
        if n in kind.params and not kind.params[n].required and kind.params[n].default is None
    )
    if maybe:
        problems.append(f"rubric prints optional parameters outside [ ]: {', '.join(maybe)}")
    if not set(kind.formats) <= set(kind.params):
        problems.append(f"formats for undeclared parameters: {sorted(set(kind.formats) - set(kind.params))}")
    return not (syntax or undeclared or maybe)


def _check_expressions(kind: RuleKind, columns: set[str] | None, problems: list[str]) -> None:
    finish = [kind.finish_for([f"p_s{i}" for i in range(MAX_STEPS)])]
    if kind.rank_by is not None:
        finish.append(kind.rank_by)
    row, aggs = list(kind.row.values()), [a.expr for a in kind.aggs]
    used = _names(row) | _names(aggs) | _names(finish)
    missing = sorted(n for n in used if n.startswith("p_") and columns is not None and n not in columns)
    if missing:
        problems.append(f"expressions read parameter columns its columns do not make: {', '.join(missing)}")
    row_inputs = ROW_INPUTS | LOOKUP_ROW.get(kind.lookup, set())
    stray = sorted(n for n in _names(row) if not n.startswith("p_") and n not in row_inputs)
    stray += sorted(n for n in _names(aggs) if not n.startswith("p_") and n not in row_inputs | set(kind.row))
    after = {"M"} | {a.name for a in kind.aggs} | LOOKUP_FINISH.get(kind.lookup, set())
    stray += sorted(n for n in _names(finish) if not n.startswith("p_") and n not in after)
    if stray:
        problems.append(f"expressions read columns nothing gives them: {', '.join(stray)}")
    names = [a.name for a in kind.aggs]
    if not names or len(set(names)) != len(names):
        problems.append("aggregations should be given, each under its own name")
    bad = sorted(a.name for a in kind.aggs if a.how not in REDUCTIONS)
    if bad:
        problems.append(f"aggregations with an unknown reduction: {', '.join(bad)}")


def _check_single_row(kind: RuleKind, registry: Mapping[str, RuleKind], problems: list[str]) -> None:
    if not kind.single_row:
        return
    if kind.keyed or kind.lookup != "key" or kind.row:
        problems.append("a single-row kind has no keys, no lookup and no per-row contributions")
    if _run(problems, "key_rows", kind.key_rows, _samples(kind)[0]):
        problems.append("a single-row kind has no key table")
    for other in registry.values():
        if not other.single_row:
            continue
        theirs = {a.name: a.one_row() for a in other.aggs}
        for a in kind.aggs:
            if a.name in theirs and not a.one_row().meta.eq(theirs[a.name]):
                problems.append(
                    f"aggregation {a.name!r} differs from {other.name}'s; single-row kinds share each name"
                )


def _check_input(kind: RuleKind, problems: list[str]) -> None:
    domain = kind.input
    if domain.name not in DOMAINS:
        problems.append(f"input domain {domain.name!r} is not one of {', '.join(DOMAINS)}")
    if (domain.name == "category") != (domain.choices is not None):
        problems.append("a category input lists its values (choices), and only a category does")
    if domain.name == "points" and domain.bounds is None:
        problems.append("a points input has bounds")
    if kind.lookup not in LOOKUP_ROW:
        problems.append(f"lookup {kind.lookup!r} is not one of {', '.join(LOOKUP_ROW)}")
    if (kind.lookup == "rank") != (kind.rank_by is not None):
        problems.append("a rank lookup says what it ranks (rank_by), and only a rank lookup does")
    if kind.keyed and kind.lookup != "key":
        problems.append("a keyed kind looks its rows up by key")


def registration_problems(kind: RuleKind, registry: Mapping[str, RuleKind]) -> list[str]:
    """What is wrong with a kind's declaration, registered beside ``registry``'s kinds."""
    problems: list[str] = []
    if kind.name in registry:
        problems.append("registered twice")
    if not kind.label or any(k.label == kind.label for k in registry.values()):
        problems.append(f"its Chinese name {kind.label!r} is empty or another kind's")
    rubric_ok = _check_rubric(kind, problems)
    columns = _check_params(kind, problems, sentence=rubric_ok)
    _check_expressions(kind, columns, problems)
    _check_single_row(kind, registry, problems)
    _check_input(kind, problems)
    if kind.without_points is not None and kind.sense != "deduct":
        problems.append("only a deducting kind can score a leaf without points (without_points)")
    return list(dict.fromkeys(problems))


def register(kind: RuleKind, registry: dict[str, RuleKind] | None = None) -> RuleKind:
    """Add a kind to the registry (``REGISTRY`` unless another is given), or raise if it does not hold
    together."""
    into = REGISTRY if registry is None else registry
    problems = registration_problems(kind, into)
    if problems:
        raise RegistrationError(f"rule kind {kind.name}: " + "; ".join(problems))
    into[kind.name] = kind
    return kind

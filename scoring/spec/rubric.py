"""A rule kind's rubric sentence: a template such as ``每发现一例扣{per}分[，最多扣{cap}分]`` filled from a
leaf's parameters, so a workbook can print 每发现一例扣0.5分，最多扣2分 instead of ``per=0.5; cap=2``.

``{name}`` is a parameter's value in words; a ``[…]`` part is left out when a parameter it names has no
value (an optional parameter the leaf does not give). Values are written by their parameter type
(amounts as points, shares as percentages, dates as 2021年10月20日, lists with 、), or by a kind's own
format for a parameter (steps, choices).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoring.exact import from_fixed
from scoring.spec.params import ParamSpec

ValueText = Callable[[Any], str]

_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_FIELD = re.compile(r"\{([^{}]*)\}")


def decimal_text(d: Decimal) -> str:
    """100, 2.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def amount_text(fixed: int) -> str:
    """An amount of points in pico-points, as written: 0.5."""
    return decimal_text(from_fixed(fixed))


def fraction_text(f: Fraction) -> str:
    """A fraction as a decimal: exact when it ends (0.125), else to two places (0.33)."""
    den = f.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    q = Decimal(f.numerator) / Decimal(f.denominator)
    return decimal_text(q if den == 1 else q.quantize(Decimal("0.01")))


def share_text(f: Fraction) -> str:
    """A share as a percentage: 1/2 → 50%."""
    return f"{fraction_text(f * 100)}%"


def date_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def periods_text(periods: tuple[str, ...]) -> str:
    """A few periods listed; a run of many as its first and last (2021-01至2021-12共12期)."""
    if len(periods) <= 3:
        return "、".join(periods)
    return f"{periods[0]}至{periods[-1]}共{len(periods)}期"


VALUE_TEXT: dict[str, ValueText] = {
    "amount": amount_text,
    "amounts": lambda v: "、".join(amount_text(a) for a in v),
    "share": share_text,
    "number": decimal_text,
    "count": str,
    "date": date_text,
    "mapping": lambda v: "、".join(f"{k}{amount_text(a)}分" for k, a in v.items()),
    "share_mapping": lambda v: "、".join(f"{k}{share_text(s)}" for k, s in v.items()),
    "names": "、".join,
    "steps": lambda v: "、".join(f"{fraction_text(t)}:{fraction_text(s)}" for t, s in v),
    "choice": str,
    "periods": periods_text,
    "class_counts": lambda v: "、".join(f"{k}{n}" for k, n in v.items()) if isinstance(v, dict) else str(v),
}
"""How a value of each parameter type is written in a sentence (keys: ``ParamSpec.kind``)."""


def template_fields(template: str) -> tuple[list[str], list[str], list[str]]:
    """The parameters a template names outside ``[…]`` and inside, and what is wrong with its syntax."""
    problems = []
    optional = [name for part in _OPTIONAL.findall(template) for name in _FIELD.findall(part)]
    rest = _OPTIONAL.sub("", template)
    if "[" in rest or "]" in rest:
        problems.append("unbalanced or nested [ ]")
    required = _FIELD.findall(rest)
    if "{" in _FIELD.sub("", template) or "}" in _FIELD.sub("", template):
        problems.append("unbalanced { }")
    return required, optional, problems


def render(
    template: str,
    params: Mapping[str, Any],
    specs: Mapping[str, ParamSpec],
    formats: Mapping[str, ValueText],
    class_names: Mapping[str, str] | None = None,
) -> str:
    """The template filled from ``params`` (a parameter missing there takes its declared default); a
    count per unit class is written with the classes' names (``class_names``: id → name)."""
    values = {name: params.get(name, spec.default) for name, spec in specs.items()}
    for name, spec in specs.items():
        value = values[name]
        if spec.kind == "class_counts" and isinstance(value, dict):
            values[name] = {(class_names or {}).get(k, k): n for k, n in value.items()}

    def text(name: str) -> str:
        write = formats.get(name) or VALUE_TEXT[specs[name].kind]
        return write(values[name])

    def fill(part: str) -> str:
        return _FIELD.sub(lambda m: text(m[1]), part)

    def optional(m: re.Match[str]) -> str:
        part = m[1]
        return fill(part) if all(values.get(n) is not None for n in _FIELD.findall(part)) else ""

    missing = [n for n in _FIELD.findall(_OPTIONAL.sub("", template)) if values.get(n) is None]
    if missing:
        raise ValueError(f"parameter {'、'.join(missing)} has no value")
    out, pos = [], 0
    for m in _OPTIONAL.finditer(template):  # one pass: a value's own text is never read as a template
        out += [fill(template[pos : m.start()]), optional(m)]
        pos = m.end()
    return "".join([*out, fill(template[pos:])])

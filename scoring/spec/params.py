"""Typed rule parameters: the text an office writes in ``params`` (``per=0.5; cap=2``) parsed into values,
with a precise message for every problem."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoring.exact import parse_decimal, parse_fraction, to_fixed

ParamValue = Any


class ParamError(ValueError):
    """A parameter's text does not parse; the message says what was expected."""


@dataclass(frozen=True)
class ParamSpec:
    """One named, typed parameter of a rule kind."""

    # amount, share, number, count, date, mapping, share_mapping, names, steps, amounts, choice, periods,
    # class_counts
    kind: str
    required: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> ParamValue:
        return PARSERS[self.kind](text.strip(), self)


def _decimal(text: str, what: str = "数") -> Decimal:
    d = parse_decimal(text.rstrip("分").strip())
    if d is None:
        raise ParamError(f"应为{what}")
    return d


def _amount(text: str, _: ParamSpec | None = None) -> int:
    d = _decimal(text, "分值（如 0.5）")
    if d < 0:
        raise ParamError("分值不能为负")
    try:
        return to_fixed(d)
    except ValueError as e:
        raise ParamError("小数位数过多") from e


def _share(text: str, _: ParamSpec | None = None) -> Fraction:
    t = text.strip()
    pct = t.endswith("%")
    f = parse_fraction(t.rstrip("%"))
    if f is None:
        raise ParamError("应为比例（如 0.5 或 50%）")
    if pct:
        f /= 100
    if not 0 <= f <= 1:
        raise ParamError("比例应在0到1之间")
    return f


def _number(text: str, _: ParamSpec | None = None) -> Decimal:
    return _decimal(text.rstrip("%"))


def _count(text: str, _: ParamSpec | None = None) -> int:
    d = _decimal(text, "非负整数")
    if d < 0 or d != d.to_integral_value():
        raise ParamError("应为非负整数")
    return int(d)


PER_UNIT = "各单位"
"""A ``class_counts`` parameter written 各单位: no count in the catalogue, each unit enters its own."""


def _class_counts(text: str, _: ParamSpec | None = None) -> int | dict[str, int] | str:
    """A count for every unit (``20``), one per unit class (``town:20,dept:10``, class ids), or 各单位
    (each unit's own, entered as an input row)."""
    t = text.strip()
    if t in (PER_UNIT, "unit"):
        return PER_UNIT
    if not re.search(r"[:：]", t):
        return _count(t)
    counts = {}
    for name, value in _pairs(t):
        try:
            counts[name] = _count(value)
        except ParamError as e:
            raise ParamError(f"{name} 的数量{e}") from e
    return counts


def _date(text: str, _: ParamSpec | None = None) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as e:
        raise ParamError("应为日期（如 2021-10-20）") from e


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in re.split(r"[,，、]", text):
        if not part.strip():
            continue
        name, sep, value = part.rpartition(":") if ":" in part else part.rpartition("：")
        if not sep or not name.strip():
            raise ParamError("应为 名称:分值 的列表（如 一般:1,严重:2）")
        pairs.append((name.strip(), value.strip()))
    if not pairs:
        raise ParamError("列表为空")
    names = [n for n, _ in pairs]
    if len(set(names)) != len(names):
        raise ParamError("名称重复")
    return pairs


def _mapping(text: str, _: ParamSpec | None = None) -> dict[str, int]:
    return {n: _amount(v) for n, v in _pairs(text)}


def _share_mapping(text: str, _: ParamSpec | None = None) -> dict[str, Fraction]:
    return {n: _share(v) for n, v in _pairs(text)}


def _names(text: str, _: ParamSpec | None = None) -> tuple[str, ...]:
    names = tuple(n.strip() for n in re.split(r"[,，、]", text) if n.strip())
    if not names:
        raise ParamError("列表为空")
    if len(set(names)) != len(names):
        raise ParamError("名称重复")
    return names


def _steps(text: str, _: ParamSpec | None = None) -> tuple[tuple[Fraction, Fraction], ...]:
    steps = []
    for name, value in _pairs(text):
        pct = name.endswith("%")
        t = parse_fraction(name.rstrip("%"))
        v = parse_fraction(value.rstrip("分"))
        if t is None or v is None or v < 0:
            raise ParamError("应为 阈值:数值 的列表（如 80:1,60:0.6）")
        steps.append((t / 100 if pct else t, v))
    return tuple(steps)


def _amounts(text: str, _: ParamSpec | None = None) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[,，、]", text) if p.strip()]
    if not parts:
        raise ParamError("列表为空")
    return tuple(_amount(p) for p in parts)


def _choice(text: str, spec: ParamSpec) -> str:
    if text not in spec.choices:
        raise ParamError(f"应为 {' / '.join(spec.choices)} 之一")
    return text


_MONTH_RUN = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")
_QUARTER_RUN = re.compile(r"^(\d{4})Q([1-4])\.\.(\d{4})Q([1-4])$")


def _periods(text: str, _: ParamSpec | None = None) -> tuple[str, ...]:
    t = text.strip()
    if m := _MONTH_RUN.match(t):
        a, b = int(m[1]) * 12 + int(m[2]) - 1, int(m[3]) * 12 + int(m[4]) - 1
        if b < a or not (1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12):
            raise ParamError("月份区间无效")
        return tuple(f"{k // 12}-{k % 12 + 1:02d}" for k in range(a, b + 1))
    if m := _QUARTER_RUN.match(t):
        a, b = int(m[1]) * 4 + int(m[2]) - 1, int(m[3]) * 4 + int(m[4]) - 1
        if b < a:
            raise ParamError("季度区间无效")
        return tuple(f"{k // 4}Q{k % 4 + 1}" for k in range(a, b + 1))
    return _names(t)


PARSERS: dict[str, Any] = {
    "amount": _amount,
    "share": _share,
    "number": _number,
    "count": _count,
    "date": _date,
    "mapping": _mapping,
    "share_mapping": _share_mapping,
    "names": _names,
    "steps": _steps,
    "amounts": _amounts,
    "choice": _choice,
    "periods": _periods,
    "class_counts": _class_counts,
}


def split_params(text: str) -> tuple[dict[str, str], list[str]]:
    """``per=0.5; cap=2`` into ``{"per": "0.5", "cap": "2"}``, with the fragments that do not parse."""
    out: dict[str, str] = {}
    bad: list[str] = []
    for part in re.split(r"[;；\n]", text or ""):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            name, sep, value = part.partition("＝")
        if not sep or not name.strip():
            bad.append(part.strip())
            continue
        out[name.strip()] = value.strip()
    return out, bad

"""Exact fixed-point arithmetic and rounding for points: the one place a printed value, an exact ranking
key and the Decimal twin of a rounding are made.

Every amount of points inside the engine is an integer count of *pico-points* (10⁻¹² of a point):
catalogue points and rule parameters are parsed from their decimal text into these integers, so sums,
caps and comparisons are exact. Per-unit totals that need a division (得分率 renormalisation, a scale
factor) are kept as an exact rational ``num / den`` and rounded once, from the rational, to the printed
places — never from a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

ROUNDING = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "截尾"}
"""The rounding modes settings may declare, with their words on a printed page."""
ROUNDING_MODES = tuple(ROUNDING)

PLACES = 12
SCALE = 10**PLACES
DEN_UNIT = 10**8
"""Denominators are expressed in 10⁻⁴ points (catalogue points have at most 4 places)."""


def to_fixed(value: Decimal | str | int | float) -> int:
    """Parse a decimal amount of points into pico-points; exact for at most 12 places."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    scaled = d.scaleb(PLACES)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {PLACES} decimal places")
    return int(scaled)


def parse_decimal(text: str) -> Decimal | None:
    """A finite decimal from its text, or None."""
    try:
        d = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return d if d.is_finite() else None


def parse_fraction(text: str) -> Fraction | None:
    """`4/3`, `1.25` or `0.8` as an exact fraction, or None."""
    try:
        if "/" in text:
            a, b = text.split("/", 1)
            return Fraction(Decimal(a.strip())) / Fraction(Decimal(b.strip()))
        return Fraction(Decimal(text.strip()))
    except (InvalidOperation, ZeroDivisionError, ValueError):
        return None


def from_fixed(value: int) -> Decimal:
    return Decimal(value).scaleb(-PLACES)


def fixed_times_float(fixed: pl.Expr, factor: pl.Expr) -> pl.Expr:
    """`fixed · factor` rounded to the nearest pico-point.

    Used where an input is a measurement (a ratio, a rate): the float product is within far less than
    half a pico-point of the exact decimal product for inputs with up to 12 decimals, so rounding to the
    nearest integer recovers it exactly.
    """
    return (fixed.cast(pl.Float64) * factor).round(0).cast(pl.Int64)


def _rounds_up(q: int, twice_r: int, den: int, mode: str, non_negative: bool) -> bool:
    if mode == "down":
        return False
    if mode == "half_even":
        return twice_r > den or (twice_r == den and q % 2 != 0)
    if mode == "half_up":
        return twice_r > den or (twice_r == den and non_negative)
    raise ValueError(mode)  # pragma: no cover - settings validation rejects other modes


def round_fraction(value: Fraction, places: int, mode: str) -> Decimal:
    """An exact fraction at ``places`` decimals by ``mode``: the Decimal twin of :func:`div_round`, decided
    on the exact fraction (never on a Decimal context's precision)."""
    q, r = divmod(value.numerator * 10**places, value.denominator)  # floor: 0 <= r < den
    up = _rounds_up(q, 2 * r, value.denominator, mode, value >= 0)
    return Decimal(q + int(up)).scaleb(-places)


def div_round(num: pl.Expr, den: pl.Expr, mode: str) -> pl.Expr:
    """Integer ``num / den`` (den > 0) rounded by ``mode``: half_up (四舍五入), half_even or down.

    Exact for any sign of ``num``; half_up rounds ties away from zero, as a person does by hand.
    """
    q = num // den
    r = num - q * den  # 0 <= r < den
    twice = r * 2
    if mode == "down":
        return q
    if mode == "half_even":
        up = (twice > den) | ((twice == den) & (q % 2 != 0))
    elif mode == "half_up":
        up = (twice > den) | ((twice == den) & (num >= 0))
        # for negative num, a tie rounds away from zero (down), which floor division already did
    else:  # pragma: no cover - settings validation rejects other modes
        raise ValueError(mode)
    return q + up.cast(pl.Int64)


def round_fixed_to_places(num: pl.Expr, den: pl.Expr, places: int, mode: str) -> pl.Expr:
    """The printed amount ``num/den`` pico-points at ``places`` decimals, as an integer of 10⁻places."""
    shift = 10 ** (PLACES - places)
    return div_round(num.cast(pl.Int128), den.cast(pl.Int128) * shift, mode)


def scaled_to_float(value: pl.Expr, places: int) -> pl.Expr:
    """An integer count of 10⁻places as the nearest float, for display and Excel.

    Dividing a float column by a scalar in polars multiplies by the reciprocal (114 → 1.1400000000000001);
    going through an exact decimal gives the float nearest the decimal value (1.14).
    """
    exact: pl.Expr = value.cast(pl.Decimal(38, 0)).cast(pl.Decimal(38, places)) / 10**places
    return exact.cast(pl.Float64)


def printed(num: pl.Expr, den: pl.Expr, places: int, mode: str) -> pl.Expr:
    """The printed amount (an integer count of 10^-places) of an exact ``num/den`` pico-points."""
    return round_fixed_to_places(num, den, places, mode)


def exact_key(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """An integer that orders exact totals: equal rationals give equal keys, distinct ones distinct keys
    (denominators are at most 10⁶ in 10⁻⁴ points, so 10⁻¹³ pico-point steps separate them)."""
    return (num.cast(pl.Int128) * 10**13) // den.cast(pl.Int128)


def to_points(fixed: pl.Expr) -> pl.Expr:
    """Pico-points as a float of points, for display only (never for a decision)."""
    return scaled_to_float(fixed, PLACES)

"""Grades as ``settings.toml``'s ``[grades]`` declares them: bands in points or as shares of each class's
maximum, quotas, or none at all (``none = true``); parsed with every problem reported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, Protocol

from scoring.exact import parse_fraction


class Reader(Protocol):
    """What parsing the bands needs of the settings reader (``scoring.spec.settings``)."""

    def fail(self, column: str, value: object, expected: str, code: str) -> None: ...

    def decimal(
        self, table: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> Decimal | None: ...

    def entries(self, value: object, name: str) -> Sequence[Mapping[str, Any] | None]: ...


class UnitClassLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def max_points(self) -> Decimal: ...


@dataclass(frozen=True)
class GradeBand:
    """A grade and its inclusive lower bound: ``min_points`` (points, the same for every class) or
    ``share`` (of each class's maximum total: 0.9 × 10 = 9 on a 10-point rubric). Exactly one is set."""

    name: str
    min_points: Decimal | None = None
    share: Fraction | None = None

    def threshold(self, max_total: Fraction) -> Fraction:
        """The lowest total that reaches the band, for a class whose totals go up to ``max_total``."""
        if self.share is not None:
            return self.share * max_total
        assert self.min_points is not None
        return Fraction(self.min_points)

    @property
    def words(self) -> str:
        """The bound as readers read it: 90分 or 满分的90%."""
        if self.share is not None:
            return f"满分的{percent_text(self.share)}"
        return f"{self.min_points}分"


def points_text(f: Fraction) -> str:
    """Points as written: 9, 8.5, or to four places with 约 when the decimal does not end (6.6667)."""
    d = Decimal(f.numerator) / Decimal(f.denominator)
    if Fraction(d) == f:
        return format(d.normalize(), "f")
    return "约" + format(d.quantize(Decimal("0.0001")).normalize(), "f")


def percent_text(f: Fraction) -> str:
    """A share as a percentage, exact when it ends within two decimals (0.9 → 90%, 0.875 → 87.5%)."""
    d = Decimal(f.numerator * 100) / Decimal(f.denominator)
    return f"{format(d.quantize(Decimal('0.01')).normalize(), 'f')}%"


DEFAULT_BANDS = (
    GradeBand("优秀", Decimal(90)),
    GradeBand("良好", Decimal(80)),
    GradeBand("合格", Decimal(60)),
)
"""The bands when ``[grades]`` gives none: points on a 100-point total, so only for classes whose totals go
up to 100 (validation asks for bands otherwise)."""


@dataclass(frozen=True)
class GradeQuota:
    grade: str
    share: Fraction
    ties: str = "exclude"


NO_GRADES_EXCLUDES = ("bands", "fail", "basis", "section_fail_share", "quotas")
"""What ``[grades]`` may not say beside ``none = true``: each is about a grade."""
BAND_EXAMPLE = '{ name = "优秀", share = 0.9 }'


def parse_bands(
    r: Reader, grades: Mapping[str, Any], classes: Sequence[UnitClassLike]
) -> tuple[list[GradeBand], bool]:
    """The bands of ``[grades]`` and whether the year is graded at all, each problem reported: ``none =
    true`` with anything about grades, an empty list, ``min`` and ``share`` mixed, bands not descending,
    and no bands for a class whose totals do not go up to 100 (the default 90/80/60 would grade every
    unit of a 10-point rubric 不合格)."""
    none = grades.get("none", False)
    if not isinstance(none, bool):
        r.fail("grades.none", none, "应为 true 或 false（true：本年度不评等次）", "grades_none")
        none = False
    if none:
        for key in NO_GRADES_EXCLUDES:
            if key in grades:
                r.fail(
                    f"grades.{key}",
                    None if isinstance(grades[key], (dict, list)) else grades[key],
                    f"已写 none = true（本年度不评等次），不应再写 {key}；如要评等次，请删去 none = true",
                    "grades_none_with",
                )
        return [], False
    if "bands" not in grades:
        for c in classes:
            top = Fraction(c.max_points)
            if top != 100:
                shown = points_text(top)
                r.fail(
                    "grades.bands",
                    f"{c.name}满分{shown}分",
                    f"默认等次只适用于百分制：请在 [grades] 写 bands（如 {BAND_EXAMPLE}，"
                    "占满分比例）或 none = true",
                    "grades_bands_needed",
                )
                break
        return list(DEFAULT_BANDS), True
    raw_bands = grades["bands"]
    if not isinstance(raw_bands, list):
        r.fail("grades.bands", raw_bands, "应为等次列表", "bands")
        return [], True
    if not raw_bands:
        r.fail("grades.bands", "[]", "bands 为空；如本年度不评等次，请写 none = true", "bands_empty")
        return [], True
    bands: list[GradeBand] = []
    for i, b in enumerate(r.entries(raw_bands, "grades.bands")):
        path = f"grades.bands[{i + 1}]"
        if b is None or not str(b.get("name", "")).strip():
            r.fail(path, raw_bands[i], "等次应有 name，和 min（分数）或 share（占满分的比例）之一", "band")
            continue
        name = str(b["name"]).strip()
        if "share" in b and "min" in b:
            r.fail(path, None, "min 与 share 只能写一个", "band_min_or_share")
        elif "share" in b:
            share = _share(r, b["share"], f"{path}.share")
            if share is not None:
                bands.append(GradeBand(name, share=share))
        else:
            m = r.decimal(b, "min", f"{path}.min", required=True)
            if m is not None:
                bands.append(GradeBand(name, m))
    if len({b.share is None for b in bands}) > 1:
        r.fail(
            "grades.bands",
            ", ".join(f"{b.name}≥{b.words}" for b in bands),
            "同一等次列表中 min（分数）与 share（占满分的比例）不能混用",
            "bands_min_and_share",
        )
    elif any(a.threshold(Fraction(100)) <= b.threshold(Fraction(100)) for a, b in pairwise(bands)):
        r.fail(
            "grades.bands",
            ", ".join(f"{b.name}≥{b.words}" for b in bands),
            "等次下限应从高到低严格递减",
            "bands_descending",
        )
    return bands, True


def _share(r: Reader, value: object, path: str) -> Fraction | None:
    """A share of the maximum: 0.9, "9/10" or "90%", above 0 and at most 1."""
    text = str(value).strip()
    pct = text.endswith("%")
    f = None if isinstance(value, bool) else parse_fraction(text.removesuffix("%"))
    if f is not None and pct:
        f /= 100
    if f is None or not 0 < f <= 1:
        r.fail(path, value, "应为0到1之间的比例（如 0.9、9/10 或 90%）", "band_share")
        return None
    return f

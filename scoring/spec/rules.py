"""The registry of rule kinds: name → typed parameters → a polars expression.

A rule kind turns the observations of one leaf for one unit into the leaf's points. Every kind is
computed for all units and all leaves of that kind at once: rows are joined with the leaves' parameter
columns (``p_<name>``) and, for keyed rules, with a (leaf, key) table of amounts; a per-row contribution
is aggregated per (unit, leaf, period, channel) and finished into pico-points. Nothing loops over units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any

import polars as pl

from scoring.exact import SCALE, fixed_times_float, to_fixed
from scoring.spec.expr import first_match
from scoring.spec.params import ParamSpec

GROUP = ["unit", "indicator", "period", "channel"]
MODIFIER_KEYS = ("不得分", "及格封顶")
"""Keys any leaf accepts: 不得分 zeroes the leaf, 及格封顶 caps it at its ``ceiling``."""
EPOCH = dt.date(1970, 1, 1)

Params = Mapping[str, Any]


def _met() -> pl.Expr:
    return pl.col("value") >= 1


def _clip0(e: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(e, pl.lit(0, pl.Int64))


def _min(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.min_horizontal(a, b)


def _frac_float(f: Fraction) -> float:
    return f.numerator / f.denominator


@dataclass(frozen=True)
class RuleKind:
    """A registered rule kind."""

    name: str
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
    # (key, amount pico, share) rows for keyed lookups
    key_rows: Callable[[Params], list[tuple[str, int | None, float | None]]] = lambda p: []
    row: Callable[[], dict[str, pl.Expr]] = lambda: {}
    aggs: Callable[[], list[pl.Expr]] = lambda: []
    finish: Callable[[], pl.Expr] = lambda: pl.lit(0, pl.Int64)
    needs_class_rank: bool = False
    # rules whose parameters come in steps (p_s0, p_s1, …): the finish for the steps a catalogue uses
    finish_steps: Callable[[int], pl.Expr] | None = None
    # "award": points are what the unit earns; "deduct": points are M minus a deduction. In a penalty
    # section the penalty is the points of an award rule, or the deduction of a deduct rule.
    sense: str = "award"

    def finish_for(self, columns: Collection[str]) -> pl.Expr:
        """The finish for a parameter table with these columns: only the steps it has."""
        if self.finish_steps is None:
            return self.finish()
        return self.finish_steps(sum(1 for i in range(MAX_STEPS) if f"p_s{i}" in columns))


REGISTRY: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    if kind.name in REGISTRY:
        raise ValueError(f"rule kind {kind.name} registered twice")
    REGISTRY[kind.name] = kind
    return kind


M = pl.col("M")
NO_CAP = 2**62


def _sum(name: str, expr: pl.Expr) -> pl.Expr:
    return expr.sum().alias(name)


def _cap_default(p: Params, m: int, name: str = "cap") -> int:
    cap = p.get(name)
    return int(cap) if cap is not None else m


# -- award / deduction rules ------------------------------------------------------------------------

register(
    RuleKind(
        "binary",
        "bool",
        "达到要求得满分，否则不得分",
        aggs=lambda: [_met().any().alias("met")],
        finish=lambda: pl.when(pl.col("met")).then(M).otherwise(0),
    )
)

register(
    RuleKind(
        "deductions",
        "bool",
        "每项情形扣相应分值",
        params={"items": ParamSpec("mapping", required=True, help="情形:扣分")},
        keyed=True,
        keys=lambda p: tuple(p["items"]),
        key_rows=lambda p: [(k, v, None) for k, v in p["items"].items()],
        row=lambda: {"c": pl.when(_met()).then(pl.col("amount")).otherwise(0)},
        aggs=lambda: [_sum("d", pl.col("c"))],
        finish=lambda: M - pl.col("d"),
    )
)

register(
    RuleKind(
        "per_occurrence",
        "count",
        "每发现一例扣X分（可设最高扣分）",
        params={"per": ParamSpec("amount", required=True), "cap": ParamSpec("amount")},
        columns=lambda p, m: {"p_per": p["per"], "p_cap": p.get("cap")},
        aggs=lambda: [_sum("n", pl.col("value"))],
        finish=lambda: (
            M
            - pl.min_horizontal(
                pl.col("p_per") * pl.col("n").cast(pl.Int64), pl.col("p_cap").fill_null(NO_CAP)
            )
        ),
    )
)

register(
    RuleKind(
        "severity",
        "count",
        "按严重程度分类，每类每例扣相应分值",
        params={"classes": ParamSpec("mapping", required=True), "cap": ParamSpec("amount")},
        keyed=True,
        keys=lambda p: tuple(p["classes"]),
        columns=lambda p, m: {"p_cap": p.get("cap")},
        key_rows=lambda p: [(k, v, None) for k, v in p["classes"].items()],
        row=lambda: {"c": pl.col("amount") * pl.col("value").cast(pl.Int64)},
        aggs=lambda: [_sum("d", pl.col("c"))],
        finish=lambda: M - pl.min_horizontal(pl.col("d"), pl.col("p_cap").fill_null(NO_CAP)),
    )
)

register(
    RuleKind(
        "missing_elements",
        "bool",
        "列明的要素每缺一项扣X分",
        params={"elements": ParamSpec("names", required=True), "per": ParamSpec("amount", required=True)},
        keyed=True,
        keys=lambda p: tuple(p["elements"]),
        columns=lambda p, m: {"p_per": p["per"], "p_n": len(p["elements"])},
        key_rows=lambda p: [(k, None, None) for k in p["elements"]],
        row=lambda: {"c": _met().cast(pl.Int64)},
        aggs=lambda: [_sum("present", pl.col("c"))],
        finish=lambda: M - pl.col("p_per") * (pl.col("p_n") - pl.col("present")),
    )
)

register(
    RuleKind(
        "any_of",
        "bool",
        "存在所列任一情形扣X分（只扣一次）",
        params={
            "conditions": ParamSpec("names", required=True),
            "amount": ParamSpec("amount", required=True),
        },
        keyed=True,
        keys=lambda p: tuple(p["conditions"]),
        columns=lambda p, m: {"p_amount": p["amount"]},
        key_rows=lambda p: [(k, None, None) for k in p["conditions"]],
        aggs=lambda: [_met().any().alias("any")],
        finish=lambda: pl.when(pl.col("any")).then(M - pl.col("p_amount")).otherwise(M),
    )
)


def _check_fraction(p: Params, m: int) -> list[tuple[str, str]]:
    f = p.get("fraction", Fraction(1, 2))
    return [] if 0 < f <= 1 else [("fraction_range", "fraction 应在0到1之间")]


register(
    RuleKind(
        "half_if_none",
        "count",
        "全部不符合的扣一定比例（默认一半），有一例符合即不扣",
        params={"fraction": ParamSpec("share", default=Fraction(1, 2))},
        check=_check_fraction,
        columns=lambda p, m: {"p_keep": m - int(Fraction(m) * p.get("fraction", Fraction(1, 2)))},
        aggs=lambda: [_sum("n", pl.col("value"))],
        finish=lambda: pl.when(pl.col("n") > 0).then(M).otherwise(pl.col("p_keep")),
    )
)


def _checklist_check(p: Params, m: int) -> list[tuple[str, str]]:
    total = sum(p["items"].values())
    return [] if total <= m else [("items_exceed_points", f"各项分值之和 {total / SCALE:g} 超过本指标分值")]


register(
    RuleKind(
        "checklist",
        "bool",
        "每具备一项得相应分值（累加）",
        params={"items": ParamSpec("mapping", required=True)},
        keyed=True,
        check=_checklist_check,
        keys=lambda p: tuple(p["items"]),
        key_rows=lambda p: [(k, v, None) for k, v in p["items"].items()],
        row=lambda: {"c": pl.when(_met()).then(pl.col("amount")).otherwise(0)},
        aggs=lambda: [_sum("s", pl.col("c"))],
        finish=lambda: pl.col("s"),
    )
)


def _fractional_check(p: Params, m: int) -> list[tuple[str, str]]:
    total = sum(p["criteria"].values())
    return [] if total <= 1 else [("criteria_exceed_one", f"各项比例之和 {float(total):g} 超过1")]


register(
    RuleKind(
        "fractional",
        "bool",
        "满足各子项得本指标分值的相应比例",
        params={"criteria": ParamSpec("share_mapping", required=True)},
        keyed=True,
        check=_fractional_check,
        keys=lambda p: tuple(p["criteria"]),
        key_rows=lambda p: [(k, None, _frac_float(v)) for k, v in p["criteria"].items()],
        row=lambda: {"c": pl.when(_met()).then(pl.col("share")).otherwise(0.0)},
        aggs=lambda: [_sum("s", pl.col("c"))],
        finish=lambda: fixed_times_float(M, pl.col("s")),
    )
)

register(
    RuleKind(
        "count_capped",
        "count",
        "每项得X分，最高不超过C分",
        params={"per": ParamSpec("amount", required=True), "cap": ParamSpec("amount")},
        columns=lambda p, m: {"p_per": p["per"], "p_cap": _cap_default(p, m)},
        aggs=lambda: [_sum("n", pl.col("value"))],
        finish=lambda: pl.min_horizontal(pl.col("p_per") * pl.col("n").cast(pl.Int64), pl.col("p_cap")),
    )
)


def _accumulate_check(p: Params, m: int) -> list[tuple[str, str]]:
    if (p.get("per") is None) == (p.get("classes") is None):
        return [("per_or_classes", "应且只应给出 per 或 classes 之一")]
    return []


register(
    RuleKind(
        "accumulate",
        "count",
        "积分制：每条计X分，不设上限",
        params={"per": ParamSpec("amount"), "classes": ParamSpec("mapping")},
        keyed=True,
        bounded=False,
        check=_accumulate_check,
        keys=lambda p: tuple(p["classes"]) if p.get("classes") else None,
        columns=lambda p, m: {"p_per": p.get("per")},
        key_rows=lambda p: [(k, v, None) for k, v in (p.get("classes") or {}).items()],
        row=lambda: {"c": pl.coalesce(pl.col("amount"), pl.col("p_per")) * pl.col("value").cast(pl.Int64)},
        aggs=lambda: [_sum("s", pl.col("c"))],
        finish=lambda: pl.col("s"),
    )
)

register(
    RuleKind(
        "events",
        "count",
        "按发文层级每次加（减）相应分值",
        params={"levels": ParamSpec("mapping", required=True), "cap": ParamSpec("amount")},
        keyed=True,
        keys=lambda p: tuple(p["levels"]),
        columns=lambda p, m: {"p_cap": _cap_default(p, m)},
        key_rows=lambda p: [(k, v, None) for k, v in p["levels"].items()],
        row=lambda: {"c": pl.col("amount") * pl.col("value").cast(pl.Int64)},
        aggs=lambda: [_sum("s", pl.col("c"))],
        finish=lambda: pl.min_horizontal(pl.col("s"), pl.col("p_cap")),
    )
)


def _judgement_check(p: Params, m: int) -> list[tuple[str, str]]:
    lo, hi = p.get("lo", 0), p.get("hi", m)
    if not 0 <= lo <= hi <= m:
        return [("range", "应满足 0 ≤ lo ≤ hi ≤ 本指标分值")]
    return []


register(
    RuleKind(
        "judgement",
        "points",
        "评估人根据实际情况在区间内评分（直接填写分数）",
        params={"lo": ParamSpec("amount"), "hi": ParamSpec("amount")},
        check=_judgement_check,
        columns=lambda p, m: {"p_lo": p.get("lo", 0), "p_hi": p.get("hi", m)},
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=lambda: (pl.col("v") * SCALE).round(0).cast(pl.Int64),
    )
)


def _scale_rows(p: Params) -> list[tuple[str, int | None, float | None]]:
    return [(k, v, None) for k, v in p["scale"].items()]


def _grade_scale_check(p: Params, m: int) -> list[tuple[str, str]]:
    if any(v > m for v in p["scale"].values()):
        return [("scale_exceeds_points", "等级分值不能超过本指标分值")]
    return []


register(
    RuleKind(
        "grade_scale",
        "category",
        "按评定等级给分（如 优10 良8 一般6 差0）",
        params={"scale": ParamSpec("mapping", required=True)},
        check=_grade_scale_check,
        key_rows=_scale_rows,
        aggs=lambda: [pl.col("grade_points").max().alias("g")],
        finish=lambda: pl.col("g").fill_null(0),
    )
)

register(
    RuleKind(
        "ratio",
        "ratio",
        "按完成比例得分：分值 × 比例（0–1）",
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=lambda: fixed_times_float(M, pl.col("v").clip(0.0, 1.0)),
    )
)


def _tiers_check(p: Params, m: int) -> list[tuple[str, str]]:
    tiers = p["tiers"]
    out = []
    if any(a[0] <= b[0] for a, b in pairwise(tiers)):
        out.append(("tiers_descending", "档次阈值应从高到低严格递减"))
    if any(not 0 <= s <= 1 for _, s in tiers):
        out.append(("tiers_share_range", "各档得分比例应在0到1之间"))
    return out


MAX_STEPS = 8


def _tier_columns(p: Params, m: int) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    for i in range(MAX_STEPS):
        t = p["tiers"][i] if i < len(p["tiers"]) else None
        cols[f"p_t{i}"] = None if t is None else _frac_float(t[0])
        cols[f"p_s{i}"] = None if t is None else int(Fraction(m) * t[1])
    return cols


def _tier_finish(steps: int = MAX_STEPS) -> pl.Expr:
    # a leaf with fewer tiers has null thresholds beyond them: ``v >= null`` is null, and a null condition
    # falls through to the next tier, so no separate is_not_null test is needed on every row
    return first_match(
        [(pl.col("v") >= pl.col(f"p_t{i}"), pl.col(f"p_s{i}")) for i in range(steps)],
        pl.lit(0, pl.Int64),
    )


register(
    RuleKind(
        "tiered",
        "number",
        "按达到的档次得分值的相应比例",
        params={"tiers": ParamSpec("steps", required=True, help="阈值:比例，从高到低")},
        check=lambda p, m: (
            _tiers_check(p, m)
            + ([("tiers_count", f"最多 {MAX_STEPS} 档")] if len(p["tiers"]) > MAX_STEPS else [])
        ),
        columns=_tier_columns,
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=_tier_finish,
        finish_steps=_tier_finish,
    )
)


def _quota_check(p: Params, m: int) -> list[tuple[str, str]]:
    return [] if p.get("periods") else [("periods_missing", "应给出 periods（如 2021-01..2021-12）")]


register(
    RuleKind(
        "quota_per_period",
        "count",
        "每期不低于定额，低于的每期扣X分；空白期扣更多",
        params={
            "quota": ParamSpec("count", required=True),
            "per": ParamSpec("amount", required=True),
            "empty": ParamSpec("amount"),
            "periods": ParamSpec("periods", required=True),
        },
        keyed=True,
        check=_quota_check,
        keys=lambda p: tuple(p["periods"]),
        columns=lambda p, m: {
            "p_quota": p["quota"],
            "p_per": p["per"],
            "p_empty": p.get("empty", p["per"]),
            "p_nper": len(p["periods"]),
        },
        key_rows=lambda p: [(k, None, None) for k in p["periods"]],
        row=lambda: {
            "c": pl.when(pl.col("value") <= 0)
            .then(pl.col("p_empty"))
            .when(pl.col("value") < pl.col("p_quota"))
            .then(pl.col("p_per"))
            .otherwise(0),
            "k": pl.col("key").is_not_null().cast(pl.Int64),
        },
        aggs=lambda: [_sum("d", pl.col("c")), _sum("seen", pl.col("k"))],
        finish=lambda: M - pl.col("d") - (pl.col("p_nper") - pl.col("seen")) * pl.col("p_empty"),
    )
)


def _over_quota_columns(p: Params, m: int) -> dict[str, Any]:
    cols: dict[str, Any] = {"p_quota": p["quota"]}
    steps = sorted(p["steps"], reverse=True)
    for i in range(MAX_STEPS):
        s = steps[i] if i < len(steps) else None
        cols[f"p_tn{i}"] = None if s is None else s[0].numerator
        cols[f"p_td{i}"] = None if s is None else s[0].denominator
        cols[f"p_s{i}"] = None if s is None else to_fixed(str(s[1].numerator / s[1].denominator))
    return cols


def _over_quota_finish(steps: int = MAX_STEPS) -> pl.Expr:
    # (n - quota) / quota >= tn / td  <=>  (n - quota) * td >= tn * quota, in integers
    def reached(i: int) -> pl.Expr:
        n = pl.col("n").cast(pl.Int64)
        return pl.col(f"p_tn{i}").is_not_null() & (
            (n - pl.col("p_quota")) * pl.col(f"p_td{i}") >= pl.col(f"p_tn{i}") * pl.col("p_quota")
        )

    return first_match([(reached(i), pl.col(f"p_s{i}")) for i in range(steps)], pl.lit(0, pl.Int64))


def _over_quota_check(p: Params, m: int) -> list[tuple[str, str]]:
    out = []
    if p["quota"] <= 0:
        out.append(("quota_positive", "quota 应为正整数"))
    if len(p["steps"]) > MAX_STEPS:
        out.append(("steps_count", f"最多 {MAX_STEPS} 档"))
    for _, v in p["steps"]:
        try:
            to_fixed(str(v.numerator / v.denominator))
        except ValueError:
            out.append(("steps_points", "加分值小数位数过多"))
    return out


register(
    RuleKind(
        "over_quota_bonus",
        "count",
        "超过规定数量一定比例的加相应分值",
        params={"quota": ParamSpec("count", required=True), "steps": ParamSpec("steps", required=True)},
        check=_over_quota_check,
        columns=_over_quota_columns,
        aggs=lambda: [_sum("n", pl.col("value"))],
        finish=_over_quota_finish,
        finish_steps=_over_quota_finish,
    )
)


def _days(d: dt.date | None) -> int | None:
    return None if d is None else (d - EPOCH).days


def _deadline_columns(p: Params, m: int) -> dict[str, Any]:
    cols: dict[str, Any] = {
        "p_due": _days(p["due"]),
        "p_late": p.get("late", m),
        "p_missing": p.get("missing", m),
        "p_early_before": _days(p.get("early_before")),
        "p_early": p.get("early", 0),
    }
    steps = sorted(p.get("late_steps") or (), reverse=True)
    for i in range(MAX_STEPS):
        s = steps[i] if i < len(steps) else None
        cols[f"p_t{i}"] = None if s is None else int(s[0])
        cols[f"p_s{i}"] = None if s is None else to_fixed(str(s[1].numerator / s[1].denominator))
    return cols


def _deadline_finish(steps: int = MAX_STEPS) -> pl.Expr:
    late = pl.col("date") - pl.col("p_due")
    by_days = first_match(
        [
            (pl.col(f"p_t{i}").is_not_null() & (late >= pl.col(f"p_t{i}")), pl.col(f"p_s{i}"))
            for i in range(steps)
        ],
        pl.lit(0, pl.Int64),
    )
    late_deduction = pl.when(pl.col("p_t0").is_null()).then(pl.col("p_late")).otherwise(by_days)
    deduction = (
        pl.when(pl.col("synthetic"))
        .then(0)
        .when(pl.col("date").is_null())
        .then(pl.col("p_missing"))
        .when(late > 0)
        .then(late_deduction)
        .when(pl.col("p_early_before").is_not_null() & (pl.col("date") < pl.col("p_early_before")))
        .then(pl.col("p_early"))
        .otherwise(0)
    )
    return M - deduction


def _deadline_check(p: Params, m: int) -> list[tuple[str, str]]:
    out = []
    steps = p.get("late_steps") or ()
    if any(t < 1 or t.denominator != 1 for t, _ in steps):
        out.append(("late_steps_days", "late_steps 的阈值应为逾期天数（正整数）"))
    if len(steps) > MAX_STEPS:
        out.append(("late_steps_count", f"最多 {MAX_STEPS} 档"))
    if p.get("early") is not None and p.get("early_before") is None:
        out.append(("early_before_missing", "给出 early 时应同时给出 early_before"))
    return out


register(
    RuleKind(
        "deadline",
        "date",
        "在规定时限内完成得满分；逾期、未完成（或过早）扣分",
        params={
            "due": ParamSpec("date", required=True),
            "late": ParamSpec("amount"),
            "late_steps": ParamSpec("steps"),
            "missing": ParamSpec("amount"),
            "early_before": ParamSpec("date"),
            "early": ParamSpec("amount"),
        },
        check=_deadline_check,
        columns=_deadline_columns,
        aggs=lambda: [pl.col("value").max().alias("date"), pl.col("synthetic").all().alias("synthetic")],
        finish=_deadline_finish,
        finish_steps=_deadline_finish,
    )
)

register(
    RuleKind(
        "rate_linear",
        "percent",
        "比率每低于目标1个百分点扣X分",
        params={"target": ParamSpec("number", required=True), "per": ParamSpec("amount", required=True)},
        check=lambda p, m: [] if 0 <= p["target"] <= 100 else [("target_range", "target 应在0到100之间")],
        columns=lambda p, m: {"p_target": float(p["target"]), "p_per": p["per"]},
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=lambda: (
            M - fixed_times_float(pl.col("p_per"), (pl.col("p_target") - pl.col("v")).clip(0.0, None))
        ),
    )
)

register(
    RuleKind(
        "imported",
        "number",
        "采用其他机构的评价结果，按满分折算",
        params={"scale": ParamSpec("number", default=None)},
        check=lambda p, m: (
            [] if p.get("scale") is None or p["scale"] > 0 else [("scale_positive", "scale 应为正数")]
        ),
        columns=lambda p, m: {"p_scale": float(p.get("scale") or 100)},
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=lambda: fixed_times_float(M, (pl.col("v") / pl.col("p_scale")).clip(0.0, 1.0)),
    )
)


def _rank_rows(p: Params) -> list[tuple[str, int | None, float | None]]:
    return [(str(i + 1), v, None) for i, v in enumerate(p["points"])]


register(
    RuleKind(
        "rank_based",
        "number",
        "按本类单位中的名次赋分",
        params={
            "points": ParamSpec("amounts", required=True),
            "else": ParamSpec("amount"),
            "order": ParamSpec("choice", default="desc", choices=("desc", "asc")),
        },
        check=lambda p, m: [] if max(p["points"]) <= m else [("points_exceed", "名次分值不能超过本指标分值")],
        columns=lambda p, m: {"p_else": p.get("else", 0), "p_asc": p.get("order", "desc") == "asc"},
        key_rows=_rank_rows,
        aggs=lambda: [pl.col("value").sum().alias("v")],
        finish=lambda: pl.coalesce(pl.col("rank_points"), pl.col("p_else")),
        needs_class_rank=True,
    )
)

register(
    RuleKind(
        "veto",
        "bool",
        "发生所述情形的，一票否决",
        aggs=lambda: [_met().any().alias("met")],
        finish=lambda: pl.when(pl.col("met")).then(M).otherwise(0),
    )
)


DEDUCTING = (
    "deductions",
    "per_occurrence",
    "severity",
    "missing_elements",
    "any_of",
    "half_if_none",
    "quota_per_period",
    "deadline",
    "rate_linear",
)
for _name in DEDUCTING:
    REGISTRY[_name] = RuleKind(**{**REGISTRY[_name].__dict__, "sense": "deduct"})


def rule_names() -> list[str]:
    return sorted(REGISTRY)

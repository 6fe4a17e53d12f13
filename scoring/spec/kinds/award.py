"""The awarding rule kinds: a leaf's points are what the observations earn (met, items present, counts,
events, an excess over a quota), and the veto."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from scoring.exact import SCALE, fixed_times_float, to_fixed
from scoring.spec.expr import first_match
from scoring.spec.params import PER_UNIT, ParamSpec
from scoring.spec.registry import register
from scoring.spec.rubric import fraction_text, share_text
from scoring.spec.rulekind import (
    BOOL,
    COUNT,
    MAX_STEPS,
    Agg,
    M,
    Params,
    RuleKind,
    cap_or_points,
    frac_float,
    met,
)

register(
    RuleKind(
        name="binary",
        label="达标得分",
        sense="award",
        input=BOOL,
        summary="达到要求得满分，否则不得分",
        rubric="达到要求的得满分，未达到的不得分",
        single_row=True,
        aggs=(Agg("met", "any", met()),),
        finish=pl.when(pl.col("met")).then(M).otherwise(0),
    )
)


def _checklist_check(p: Params, m: int) -> list[tuple[str, str]]:
    total = sum(p["items"].values())
    return [] if total <= m else [("items_exceed_points", f"各项分值之和 {total / SCALE:g} 超过本指标分值")]


register(
    RuleKind(
        name="checklist",
        label="逐项得分",
        sense="award",
        input=BOOL,
        summary="每具备一项得相应分值（累加）",
        rubric="每具备一项得相应分值：{items}",
        params={"items": ParamSpec("mapping", required=True)},
        keyed=True,
        check=_checklist_check,
        keys=lambda p: tuple(p["items"]),
        key_rows=lambda p: [(k, v, None) for k, v in p["items"].items()],
        row={"c": pl.when(met()).then(pl.col("amount")).otherwise(0)},
        aggs=(Agg("s", "sum", pl.col("c")),),
        finish=pl.col("s"),
    )
)


def _fractional_check(p: Params, m: int) -> list[tuple[str, str]]:
    total = sum(p["criteria"].values())
    return [] if total <= 1 else [("criteria_exceed_one", f"各项比例之和 {float(total):g} 超过1")]


register(
    RuleKind(
        name="fractional",
        label="分项比例",
        sense="award",
        input=BOOL,
        summary="满足各子项得本指标分值的相应比例",
        rubric="满足各子项得本项分值的相应比例：{criteria}",
        params={"criteria": ParamSpec("share_mapping", required=True)},
        keyed=True,
        check=_fractional_check,
        keys=lambda p: tuple(p["criteria"]),
        key_rows=lambda p: [(k, None, frac_float(v)) for k, v in p["criteria"].items()],
        row={"c": pl.when(met()).then(pl.col("share")).otherwise(0.0)},
        aggs=(Agg("s", "sum", pl.col("c")),),
        finish=fixed_times_float(M, pl.col("s")),
    )
)

register(
    RuleKind(
        name="count_capped",
        label="计数得分",
        sense="award",
        input=COUNT,
        summary="每项得X分，最高不超过C分",
        rubric="每项得{per}分[，最高{cap}分]",
        params={"per": ParamSpec("amount", required=True), "cap": ParamSpec("amount")},
        columns=lambda p, m: {"p_per": p["per"], "p_cap": cap_or_points(p, m)},
        single_row=True,
        aggs=(Agg("n", "sum", pl.col("value")),),
        finish=pl.min_horizontal(pl.col("p_per") * pl.col("n").cast(pl.Int64), pl.col("p_cap")),
    )
)


def _accumulate_check(p: Params, m: int) -> list[tuple[str, str]]:
    if (p.get("per") is None) == (p.get("classes") is None):
        return [("per_or_classes", "应且只应给出 per 或 classes 之一")]
    return []


register(
    RuleKind(
        name="accumulate",
        label="累计积分",
        sense="award",
        input=COUNT,
        summary="积分制：每条计X分，不设上限",
        rubric="[每条计{per}分][按类别每条计分：{classes}]，不设上限",
        params={"per": ParamSpec("amount"), "classes": ParamSpec("mapping")},
        keyed=True,
        bounded=False,
        check=_accumulate_check,
        keys=lambda p: tuple(p["classes"]) if p.get("classes") else None,
        columns=lambda p, m: {"p_per": p.get("per")},
        key_rows=lambda p: [(k, v, None) for k, v in (p.get("classes") or {}).items()],
        row={"c": pl.coalesce(pl.col("amount"), pl.col("p_per")) * pl.col("value").cast(pl.Int64)},
        aggs=(Agg("s", "sum", pl.col("c")),),
        finish=pl.col("s"),
    )
)

register(
    RuleKind(
        name="events",
        label="分级计分",
        sense="award",
        input=COUNT,
        summary="按发文层级每次加（减）相应分值",
        rubric="按发文层级每次计分：{levels}[，最多{cap}分]",
        params={"levels": ParamSpec("mapping", required=True), "cap": ParamSpec("amount")},
        keyed=True,
        keys=lambda p: tuple(p["levels"]),
        columns=lambda p, m: {"p_cap": cap_or_points(p, m)},
        key_rows=lambda p: [(k, v, None) for k, v in p["levels"].items()],
        row={"c": pl.col("amount") * pl.col("value").cast(pl.Int64)},
        aggs=(Agg("s", "sum", pl.col("c")),),
        finish=pl.min_horizontal(pl.col("s"), pl.col("p_cap")),
    )
)


QUOTA_KEY = "定额"
"""The key of a unit's own quota row (over_quota_bonus): it overrides the leaf's quota for that unit."""


def _over_quota_columns(p: Params, m: int) -> dict[str, Any]:
    quota = p["quota"]
    cols: dict[str, Any] = {"p_quota": quota if isinstance(quota, int) else None}
    steps = sorted(p["steps"], reverse=True)
    for i in range(MAX_STEPS):
        s = steps[i] if i < len(steps) else None
        cols[f"p_tn{i}"] = None if s is None else s[0].numerator
        cols[f"p_td{i}"] = None if s is None else s[0].denominator
        cols[f"p_s{i}"] = None if s is None else to_fixed(str(s[1].numerator / s[1].denominator))
    return cols


def _over_quota_finish(steps: int = MAX_STEPS) -> pl.Expr:
    # the unit's own quota (its 定额 row), else its class's, else the leaf's;
    # (n - quota) / quota >= tn / td  <=>  (n - quota) * td >= tn * quota, in integers
    quota = pl.coalesce(pl.col("own_quota"), pl.col("class_amount"), pl.col("p_quota")).cast(pl.Int64)

    def reached(i: int) -> pl.Expr:
        n = pl.col("n").cast(pl.Int64)
        return pl.col(f"p_tn{i}").is_not_null() & (
            (n - quota) * pl.col(f"p_td{i}") >= pl.col(f"p_tn{i}") * quota
        )

    return first_match([(reached(i), pl.col(f"p_s{i}")) for i in range(steps)], pl.lit(0, pl.Int64))


def _over_quota_text(steps: tuple[tuple[Fraction, Fraction], ...]) -> str:
    return "、".join(f"超出{share_text(t)}加{fraction_text(s)}分" for t, s in sorted(steps))


def _quota_text(quota: int | dict[str, int] | str) -> str:
    """The quota as the rubric reads it: 规定数量20; 本类规定数量（乡镇20、部门10）; 本单位定额."""
    if isinstance(quota, dict):
        return f"本类规定数量（{'、'.join(f'{k}{n}' for k, n in quota.items())}）"
    if quota == PER_UNIT:
        return "本单位定额"
    return f"规定数量{quota}"


def _over_quota_check(p: Params, m: int) -> list[tuple[str, str]]:
    out = []
    quota = p["quota"]
    counts = quota.values() if isinstance(quota, dict) else [quota] if isinstance(quota, int) else []
    if any(q <= 0 for q in counts):
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
        name="over_quota_bonus",
        label="超额加分",
        sense="award",
        input=COUNT,
        summary="超过规定数量一定比例的加相应分值",
        rubric="超过{quota}的，按超出比例加分：{steps}",
        formats={"quota": _quota_text, "steps": _over_quota_text},
        params={
            "quota": ParamSpec("class_counts", required=True),
            "steps": ParamSpec("steps", required=True),
        },
        check=_over_quota_check,
        columns=_over_quota_columns,
        # a quota per class: the class table, joined on the unit's class
        key_rows=lambda p: (
            [(c, n, None) for c, n in p["quota"].items()] if isinstance(p["quota"], dict) else []
        ),
        lookup="class",
        extra_keys=lambda p: {QUOTA_KEY: p["quota"] == PER_UNIT},
        aggs=(
            Agg("n", "sum", pl.when(pl.col("key").is_null()).then(pl.col("value"))),
            Agg("own_quota", "max", pl.when(pl.col("key") == QUOTA_KEY).then(pl.col("value"))),
        ),
        finish=_over_quota_finish(),
        finish_steps=_over_quota_finish,
    )
)

register(
    RuleKind(
        name="veto",
        label="一票否决",
        sense="award",
        input=BOOL,
        summary="发生所述情形的，一票否决",
        rubric="发生所述情形的，一票否决",
        single_row=True,
        aggs=(Agg("met", "any", met()),),
        finish=pl.when(pl.col("met")).then(M).otherwise(0),
    )
)

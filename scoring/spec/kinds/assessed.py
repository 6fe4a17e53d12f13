"""The assessed rule kinds: a leaf's points from what an assessor or another body gives (points, a
grade, a score), or from a measure (a ratio, a tier reached, a rank among the unit's class)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import polars as pl

from scoring.exact import SCALE, fixed_times_float, from_fixed
from scoring.spec.expr import first_match
from scoring.spec.params import ParamSpec
from scoring.spec.registry import register
from scoring.spec.rubric import fraction_text, share_text
from scoring.spec.rulekind import (
    MAX_STEPS,
    RATIO,
    Agg,
    InputDomain,
    M,
    Params,
    RuleKind,
    frac_float,
)


def _judgement_check(p: Params, m: int) -> list[tuple[str, str]]:
    lo, hi = p.get("lo", 0), p.get("hi", m)
    if not 0 <= lo <= hi <= m:
        return [("range", "应满足 0 ≤ lo ≤ hi ≤ 本指标分值")]
    return []


def _judgement_bounds(p: Params, m: int) -> tuple[Decimal | None, Decimal | None]:
    return from_fixed(p.get("lo", 0)), from_fixed(p.get("hi", m))


register(
    RuleKind(
        name="judgement",
        label="区间评分",
        sense="award",
        input=InputDomain("points", bounds=_judgement_bounds),
        summary="评估人根据实际情况在区间内评分（直接填写分数）",
        rubric="评估人根据实际情况评分[，不低于{lo}分][，不高于{hi}分]",
        params={"lo": ParamSpec("amount"), "hi": ParamSpec("amount")},
        check=_judgement_check,
        columns=lambda p, m: {"p_lo": p.get("lo", 0), "p_hi": p.get("hi", m)},
        single_row=True,
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=(pl.col("v") * SCALE).round(0).cast(pl.Int64),
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
        name="grade_scale",
        label="等级评分",
        sense="award",
        input=InputDomain("category", choices=lambda p: tuple(p["scale"])),
        summary="按评定等级给分（如 优10 良8 一般6 差0）",
        rubric="按评定等级给分：{scale}",
        params={"scale": ParamSpec("mapping", required=True)},
        check=_grade_scale_check,
        key_rows=_scale_rows,
        lookup="text",
        aggs=(Agg("g", "max", pl.col("amount")),),
        finish=pl.col("g").fill_null(0),
    )
)

register(
    RuleKind(
        name="ratio",
        label="比例折算",
        sense="award",
        input=RATIO,
        summary="按完成比例得分：分值 × 比例（0–1）",
        rubric="按完成比例得分（本项分值×完成比例）",
        single_row=True,
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=fixed_times_float(M, pl.col("v").clip(0.0, 1.0)),
    )
)


def _tiers_check(p: Params, m: int) -> list[tuple[str, str]]:
    tiers = p["tiers"]
    out = []
    if any(a[0] <= b[0] for a, b in pairwise(tiers)):
        out.append(("tiers_descending", "档次阈值应从高到低严格递减"))
    if any(not 0 <= s <= 1 for _, s in tiers):
        out.append(("tiers_share_range", "各档得分比例应在0到1之间"))
    if len(tiers) > MAX_STEPS:
        out.append(("tiers_count", f"最多 {MAX_STEPS} 档"))
    return out


def _tier_usual(p: Params, m: int) -> tuple[Decimal | None, Decimal | None]:
    """Tiers up to 100 measure a rate or a percentage (达到95%): a value above 100 (or above 1 for tiers
    up to 1) or below 0 is most likely mistyped, and noted."""
    top = max(t for t, _ in p["tiers"])
    if top <= 1:
        return Decimal(0), Decimal(1)
    return Decimal(0), (Decimal(100) if top <= 100 else None)


def _tiers_text(tiers: tuple[tuple[Fraction, Fraction], ...]) -> str:
    return "、".join(f"达到{fraction_text(t)}得{share_text(s)}" for t, s in tiers)


def _tier_columns(p: Params, m: int) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    for i in range(MAX_STEPS):
        t = p["tiers"][i] if i < len(p["tiers"]) else None
        cols[f"p_t{i}"] = None if t is None else frac_float(t[0])
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
        name="tiered",
        label="分档得分",
        sense="award",
        input=InputDomain("number", usual=_tier_usual),
        summary="按达到的档次得分值的相应比例",
        rubric="按达到的档次得本项分值的相应比例：{tiers}",
        formats={"tiers": _tiers_text},
        params={"tiers": ParamSpec("steps", required=True, help="阈值:比例，从高到低")},
        check=_tiers_check,
        columns=_tier_columns,
        single_row=True,
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=_tier_finish(),
        finish_steps=_tier_finish,
    )
)


def _imported_scale(p: Params) -> Decimal:
    """The other body's maximum score (100 unless the leaf says)."""
    scale = p.get("scale")
    return Decimal(100) if scale is None else Decimal(scale)


register(
    RuleKind(
        name="imported",
        label="评价折算",
        sense="award",
        input=InputDomain(
            "number", what="其他机构的评价得分", bounds=lambda p, m: (Decimal(0), _imported_scale(p))
        ),
        summary="采用其他机构的评价结果，按满分折算",
        rubric="采用其他机构的评价结果[（满分{scale}分）]，按本项分值折算",
        params={"scale": ParamSpec("number", default=None)},
        check=lambda p, m: (
            [] if p.get("scale") is None or p["scale"] > 0 else [("scale_positive", "scale 应为正数")]
        ),
        columns=lambda p, m: {"p_scale": float(_imported_scale(p))},
        single_row=True,
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=fixed_times_float(M, (pl.col("v") / pl.col("p_scale")).clip(0.0, 1.0)),
    )
)


def _rank_rows(p: Params) -> list[tuple[str, int | None, float | None]]:
    return [(str(i + 1), v, None) for i, v in enumerate(p["points"])]


register(
    RuleKind(
        name="rank_based",
        label="名次赋分",
        sense="award",
        input=InputDomain("number", what="用于排名的数值（本类单位中按此排名赋分）"),
        summary="按本类单位中的名次赋分",
        rubric="按本类单位中的名次（{order}）依次得{points}分[，其余得{else}分]",
        formats={"order": lambda v: {"desc": "数值从高到低", "asc": "数值从低到高"}[v]},
        params={
            "points": ParamSpec("amounts", required=True),
            "else": ParamSpec("amount"),
            "order": ParamSpec("choice", default="desc", choices=("desc", "asc")),
        },
        check=lambda p, m: [] if max(p["points"]) <= m else [("points_exceed", "名次分值不能超过本指标分值")],
        columns=lambda p, m: {"p_else": p.get("else", 0), "p_asc": p.get("order", "desc") == "asc"},
        key_rows=_rank_rows,
        lookup="rank",
        rank_by=pl.when(pl.col("p_asc")).then(-pl.col("v")).otherwise(pl.col("v")),
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=pl.coalesce(pl.col("rank_points"), pl.col("p_else")),
    )
)

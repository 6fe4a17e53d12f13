"""The deducting rule kinds: a leaf's points are its points less what the observations deduct."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl

from scoring.exact import fixed_times_float, to_fixed
from scoring.spec.expr import first_match
from scoring.spec.params import ParamSpec
from scoring.spec.registry import register
from scoring.spec.rubric import fraction_text
from scoring.spec.rulekind import (
    BOOL,
    COUNT,
    DATE,
    MAX_STEPS,
    NO_CAP,
    PERCENT,
    Agg,
    M,
    Params,
    RuleKind,
    met,
)

EPOCH = dt.date(1970, 1, 1)


def _enough(p: Params) -> str | None:
    """Every deduction is declared in the parameters: the leaf needs no points of its own."""
    return None


def _deadline_without_points(p: Params) -> str | None:
    if p.get("missing") is None or (p.get("late") is None and not p.get("late_steps")):
        return "不设分值时须写明逾期和未完成各扣多少分（late 或 late_steps，以及 missing）"
    return None

register(
    RuleKind(
        name="deductions",
        label="情形扣分",
        sense="deduct",
        input=BOOL,
        summary="每项情形扣相应分值",
        rubric="存在下列情形的分别扣分：{items}",
        params={"items": ParamSpec("mapping", required=True, help="情形:扣分")},
        keyed=True,
        keys=lambda p: tuple(p["items"]),
        key_rows=lambda p: [(k, v, None) for k, v in p["items"].items()],
        row={"c": pl.when(met()).then(pl.col("amount")).otherwise(0)},
        aggs=(Agg("d", "sum", pl.col("c")),),
        finish=M - pl.col("d"),
        without_points=_enough,
    )
)

register(
    RuleKind(
        name="per_occurrence",
        label="定额扣分",
        sense="deduct",
        input=COUNT,
        summary="每发现一例扣X分（可设最高扣分）",
        rubric="每发现一例扣{per}分[，最多扣{cap}分]",
        params={"per": ParamSpec("amount", required=True), "cap": ParamSpec("amount")},
        columns=lambda p, m: {"p_per": p["per"], "p_cap": p.get("cap")},
        single_row=True,
        aggs=(Agg("n", "sum", pl.col("value")),),
        finish=(
            M
            - pl.min_horizontal(
                pl.col("p_per") * pl.col("n").cast(pl.Int64), pl.col("p_cap").fill_null(NO_CAP)
            )
        ),
        without_points=_enough,
    )
)

register(
    RuleKind(
        name="severity",
        label="分类扣分",
        sense="deduct",
        input=COUNT,
        summary="按严重程度分类，每类每例扣相应分值",
        rubric="按问题类别每例扣分：{classes}[，最多扣{cap}分]",
        params={"classes": ParamSpec("mapping", required=True), "cap": ParamSpec("amount")},
        keyed=True,
        keys=lambda p: tuple(p["classes"]),
        columns=lambda p, m: {"p_cap": p.get("cap")},
        key_rows=lambda p: [(k, v, None) for k, v in p["classes"].items()],
        row={"c": pl.col("amount") * pl.col("value").cast(pl.Int64)},
        aggs=(Agg("d", "sum", pl.col("c")),),
        finish=M - pl.min_horizontal(pl.col("d"), pl.col("p_cap").fill_null(NO_CAP)),
        without_points=_enough,
    )
)

register(
    RuleKind(
        name="missing_elements",
        label="缺项扣分",
        sense="deduct",
        input=BOOL,
        summary="列明的要素每缺一项扣X分",
        rubric="应具备{elements}，每缺一项扣{per}分",
        params={"elements": ParamSpec("names", required=True), "per": ParamSpec("amount", required=True)},
        keyed=True,
        keys=lambda p: tuple(p["elements"]),
        columns=lambda p, m: {"p_per": p["per"], "p_n": len(p["elements"])},
        key_rows=lambda p: [(k, None, None) for k in p["elements"]],
        row={"c": met().cast(pl.Int64)},
        aggs=(Agg("present", "sum", pl.col("c")),),
        finish=M - pl.col("p_per") * (pl.col("p_n") - pl.col("present")),
        without_points=_enough,
    )
)

register(
    RuleKind(
        name="any_of",
        label="任一扣分",
        sense="deduct",
        input=BOOL,
        summary="存在所列任一情形扣X分（只扣一次）",
        rubric="存在{conditions}任一情形的扣{amount}分（只扣一次）",
        params={
            "conditions": ParamSpec("names", required=True),
            "amount": ParamSpec("amount", required=True),
        },
        keyed=True,
        keys=lambda p: tuple(p["conditions"]),
        columns=lambda p, m: {"p_amount": p["amount"]},
        key_rows=lambda p: [(k, None, None) for k in p["conditions"]],
        aggs=(Agg("any", "any", met()),),
        finish=pl.when(pl.col("any")).then(M - pl.col("p_amount")).otherwise(M),
        without_points=_enough,
    )
)


def _check_fraction(p: Params, m: int) -> list[tuple[str, str]]:
    f = p.get("fraction", Fraction(1, 2))
    return [] if 0 < f <= 1 else [("fraction_range", "fraction 应在0到1之间")]


register(
    RuleKind(
        name="half_if_none",
        label="全无扣减",
        sense="deduct",
        input=COUNT,
        summary="全部不符合的扣一定比例（默认一半），有一例符合即不扣",
        rubric="全部不符合要求的扣本项分值的{fraction}，有一例符合即不扣",
        params={"fraction": ParamSpec("share", default=Fraction(1, 2))},
        check=_check_fraction,
        columns=lambda p, m: {"p_keep": m - int(Fraction(m) * p.get("fraction", Fraction(1, 2)))},
        single_row=True,
        aggs=(Agg("n", "sum", pl.col("value")),),
        finish=pl.when(pl.col("n") > 0).then(M).otherwise(pl.col("p_keep")),
    )
)


def _quota_check(p: Params, m: int) -> list[tuple[str, str]]:
    return [] if p.get("periods") else [("periods_missing", "应给出 periods（如 2021-01..2021-12）")]


register(
    RuleKind(
        name="quota_per_period",
        label="分期定额",
        sense="deduct",
        input=COUNT,
        summary="每期不低于定额，低于的每期扣X分；空白期扣更多",
        rubric="每期应不少于{quota}条，低于的每期扣{per}分[，空白期扣{empty}分]（考核期：{periods}）",
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
        row={
            "c": pl.when(pl.col("value") <= 0)
            .then(pl.col("p_empty"))
            .when(pl.col("value") < pl.col("p_quota"))
            .then(pl.col("p_per"))
            .otherwise(0),
            "k": pl.col("key").is_not_null().cast(pl.Int64),
        },
        aggs=(Agg("d", "sum", pl.col("c")), Agg("seen", "sum", pl.col("k"))),
        finish=M - pl.col("d") - (pl.col("p_nper") - pl.col("seen")) * pl.col("p_empty"),
        without_points=_enough,
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


def _late_steps_text(steps: tuple[tuple[Fraction, Fraction], ...]) -> str:
    return "、".join(f"{fraction_text(t)}天及以上扣{fraction_text(s)}分" for t, s in sorted(steps))


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
        name="deadline",
        label="时限扣分",
        sense="deduct",
        input=DATE,
        summary="在规定时限内完成得满分；逾期、未完成（或过早）扣分",
        rubric=(
            "应于{due}前（含当日）完成[；逾期扣{late}分][；逾期按天数扣分：{late_steps}]"
            "[；未完成扣{missing}分][；早于{early_before}完成的扣{early}分]"
        ),
        formats={"late_steps": _late_steps_text},
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
        single_row=True,
        aggs=(Agg("date", "max", pl.col("value")), Agg("synthetic", "all", pl.col("synthetic"))),
        finish=_deadline_finish(),
        finish_steps=_deadline_finish,
        without_points=_deadline_without_points,
    )
)

register(
    RuleKind(
        name="rate_linear",
        label="比率扣分",
        sense="deduct",
        input=PERCENT,
        summary="比率每低于目标1个百分点扣X分",
        rubric="比率低于{target}%的，每低1个百分点扣{per}分",
        params={"target": ParamSpec("number", required=True), "per": ParamSpec("amount", required=True)},
        check=lambda p, m: [] if 0 <= p["target"] <= 100 else [("target_range", "target 应在0到100之间")],
        columns=lambda p, m: {"p_target": float(p["target"]), "p_per": p["per"]},
        single_row=True,
        aggs=(Agg("v", "sum", pl.col("value")),),
        finish=(M - fixed_times_float(pl.col("p_per"), (pl.col("p_target") - pl.col("v")).clip(0.0, None))),
        without_points=_enough,
    )
)

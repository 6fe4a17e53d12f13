"""What goes into each input cell of the assessors' template: the short 填写要求 shown under the
headers, the sentence used in messages, and the Excel data validation (drop-down, whole number, range,
date) with an input message carrying the rubric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.exact import from_fixed
from scoring.reading.template.layout import CEILING_KEY, NA, NOT_DONE, InputColumn, clip, dec, extra_keys


def _pts(fixed: int) -> str:
    return dec(from_fixed(fixed))


@dataclass(frozen=True)
class InputSpec:
    short: str  # the 填写要求 row
    long: str  # the sentence in messages
    options: dict[str, Any]  # xlsxwriter data_validation options (without ranges)
    num_format: str | None = None


def _or_na(ref: str, cond: str, *extra: str) -> str:
    alts = "".join(f',{ref}="{e}"' for e in (NA, *extra))
    return f"=OR({alts[1:]},{cond})"


def _range(ref: str, lo: str | None, hi: str | None) -> str:
    parts = [f"ISNUMBER({ref})"]
    if lo is not None:
        parts.append(f"{ref}>={lo}")
    if hi is not None:
        parts.append(f"{ref}<={hi}")
    return f"AND({','.join(parts)})"


def input_spec(col: InputColumn, ref: str, years: tuple[int, int] = (1990, 2999)) -> InputSpec:
    leaf, domain = col.leaf, col.domain
    entry = leaf.kind.input if leaf.kind else None  # what the rule kind takes, as it declares it
    what = entry.what if entry else ""
    lo, hi = entry.bounds_for(leaf.params, leaf.points_fixed) if entry else (None, None)
    if col.key == CEILING_KEY:
        ceiling = leaf.params.get("ceiling")
        text = f"是：本项得分不高于{_pts(ceiling)}分（及格封顶）；否或留空：不封顶" if ceiling else "是/否"
        return InputSpec("是/否", text, {"validate": "list", "source": ["是", "否"]})
    if col.key in extra_keys(leaf):  # the unit's own quota (定额)
        cond = f"AND(ISNUMBER({ref}),{ref}>=1,{ref}=INT({ref}))"
        blank = "必填" if extra_keys(leaf)[col.key] else "留空：按指标规定的数量"
        return InputSpec("整数≥1", f"本单位的规定数量（{col.key}），不小于1的整数；{blank}", _custom(cond))
    if domain == "bool":
        return InputSpec(
            "是/否", "是 或 否（从下拉列表选择）", {"validate": "list", "source": ["是", "否", NA]}
        )
    if domain == "category":
        grades = list(entry.choices_for(leaf.params)) if entry else []
        return InputSpec(
            "/".join(grades),
            f"以下等级之一：{'、'.join(grades)}（从下拉列表选择）",
            {"validate": "list", "source": [*grades, NA]},
        )
    if domain == "count":
        cond = f"AND(ISNUMBER({ref}),{ref}>=0,{ref}=INT({ref}))"
        return InputSpec("整数≥0", "不小于0的整数（次数、条数）", _custom(_or_na(ref, cond)))
    if domain == "ratio":
        return InputSpec(
            "比例0–100%",
            "0–1之间的比例，或百分数（如 92%）",
            _custom(_or_na(ref, _range(ref, "0", "1"))),
            "0.00%",
        )
    if domain == "percent":
        return InputSpec(
            "0–100", "0–100之间的数（百分数，不带%）", _custom(_or_na(ref, _range(ref, "0", "100")))
        )
    if domain == "points" and lo is not None and hi is not None:
        a, b = dec(lo), dec(hi)
        return InputSpec(
            f"{a}–{b}分", f"{a}到{b}之间的分数（直接填写得分）", _custom(_or_na(ref, _range(ref, a, b)))
        )
    if domain == "date":
        first, last = years  # the settings' date window around the assessment year, as validation has it
        cond = f"AND(ISNUMBER({ref}),{ref}>=DATE({first},1,1),{ref}<=DATE({last},12,31))"
        return InputSpec(
            "日期",
            f"完成日期（如 2021-10-18）；未完成的填“{NOT_DONE}”",
            _custom(_or_na(ref, cond, NOT_DONE)),
            "yyyy-mm-dd",
        )
    if lo is not None and hi is not None:
        a, b = dec(lo), dec(hi)
        return InputSpec(
            f"{a}–{b}", f"{a}到{b}之间的数（{what or '数值'}）", _custom(_or_na(ref, _range(ref, a, b)))
        )
    return InputSpec("数值", what or "数值", _custom(_or_na(ref, _range(ref, None, None))))


def _custom(formula: str) -> dict[str, Any]:
    return {"validate": "custom", "value": formula}


def input_validation(
    col: InputColumn, ref: str, years: tuple[int, int] = (1990, 2999)
) -> tuple[InputSpec, dict[str, Any]]:
    """The spec and the complete data validation options for a column whose first cell is ``ref``."""
    spec = input_spec(col, ref, years)
    leaf = col.leaf
    title = f"{leaf.id} {col.key or leaf.name}"
    na = "" if col.key == CEILING_KEY or col.key in extra_keys(leaf) else f"不适用的填“{NA}”。"
    message = f"填写：{spec.long}。{na}\n评分标准：{leaf.rubric.strip()}"
    options = {
        **spec.options,
        "ignore_blank": True,
        "input_title": clip(title, 32),
        "input_message": clip(message, 255),
        "error_title": "输入有误",
        "error_message": clip(f"{leaf.id} {col.key or leaf.name}：应填写{spec.long}。{na}", 255),
    }
    return spec, options

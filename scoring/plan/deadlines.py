"""Deadlines in an item's text: absolute ones as ISO dates, relative ones as written.

``2020年底前`` → 2020-12-31, ``2020 年 11 月底前`` → 2020-11-30, ``于2020年10月25日前`` → 2020-10-25,
``2021年第三季度末`` → 2021-09-30, ``2021年上半年`` → 2021-06-30; without a year (``12月底前``,
``年底前``) the plan's year is used when known; ``3个工作日内`` is kept as written.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_BEFORE = r"(?:之前|以前|前|为止|止)"
_DEADLINE_RE = re.compile(
    r"(?P<ymd>(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]\s*" + _BEFORE + ")"
    r"|(?P<ym>(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?:份\s*)?(?:底|末))"
    r"|(?P<ymb>\d{4}\s*年\s*\d{1,2}\s*月\s*(?:份\s*)?" + _BEFORE + ")"
    r"|(?P<yq>(?P<y3>\d{4})\s*年\s*(?:第\s*)?(?P<q>[一二三四1-4])\s*季度\s*(?:末|底|结束前))"
    r"|(?P<yh>(?P<y4>\d{4})\s*年\s*(?P<h>上|下)半年)"
    r"|(?P<ye>(?P<y5>\d{4})\s*年\s*(?:年\s*)?(?:底|末|内))"
    r"|(?P<md>(?<![\d年])(?P<m6>\d{1,2})\s*月\s*(?P<d6>\d{1,2})\s*[日号]\s*" + _BEFORE + ")"
    r"|(?P<me>(?<![\d年])(?P<m7>\d{1,2})\s*月\s*(?:份\s*)?(?:底|末))"
    r"|(?P<e>(?:今年|本年度?|当年|(?<![\d年])年)\s*(?:底|末)\s*" + _BEFORE + ")"
    r"|(?P<rel>(?:\d+|[一二两三四五六七八九十百半]+)\s*个?\s*(?:工作日|自然日|日|天|周|星期|月|年|小时)\s*(?:以内|之内|内))"
)
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def find_deadlines(text: str, year: int | None = None) -> tuple[list[str], list[str]]:
    """Deadlines in order of appearance (duplicates once), and problems (impossible dates)."""
    out: list[str] = []
    problems: list[str] = []

    def add(v: str) -> None:
        if v not in out:
            out.append(v)

    for m in _DEADLINE_RE.finditer(text):
        written = re.sub(r"\s+", "", m.group(0))
        g = m.groupdict()
        try:
            if g["ymd"]:
                add(date(int(g["y1"]), int(g["m1"]), int(g["d1"])).isoformat())
            elif g["ym"]:
                add(_month_end(int(g["y2"]), int(g["m2"])).isoformat())
            elif g["yq"]:
                add(_month_end(int(g["y3"]), _QUARTER[g["q"]] * 3).isoformat())
            elif g["yh"]:
                add(date(int(g["y4"]), 6 if g["h"] == "上" else 12, 30 if g["h"] == "上" else 31).isoformat())
            elif g["ye"]:
                add(date(int(g["y5"]), 12, 31).isoformat())
            elif g["md"] and year is not None:
                add(date(year, int(g["m6"]), int(g["d6"])).isoformat())
            elif g["me"] and year is not None:
                add(_month_end(year, int(g["m7"])).isoformat())
            elif g["e"] and year is not None:
                add(date(year, 12, 31).isoformat())
            else:  # relative, or no year to complete the date with
                add(written)
        except ValueError:
            problems.append(f"无效日期：{written}")
            add(written)
    return out, problems


# ------------------------------------------------------------------------------ durations, recurrences

_CN_NUM = "一二两三四五六七八九十百"
_DURATION_RE = re.compile(
    r"(?P<min>不少于|不低于|至少|不短于)?\s*(?P<n>\d+|[" + _CN_NUM + r"]+|半)\s*(?P<ge>个)?\s*"
    r"(?P<unit>工作日|自然日|日|天|周|星期|月|年|小时)\s*(?P<within>以内|之内|内)?"
)
_ISO_UNIT = {"自然日": "D", "日": "D", "天": "D", "周": "W", "星期": "W", "月": "M", "年": "Y", "小时": "H"}
_RECURRENCE_RE = re.compile(
    r"(?:每|按)\s*(?P<n>\d+|["
    + _CN_NUM
    + r"])?\s*个?\s*(?P<unit>半年|年度|年|季度|季|月度|月|周|星期|工作日|日|天)"
)
_RECUR_PERIOD = {
    "半年": "P6M",
    "年度": "P1Y",
    "年": "P1Y",
    "季度": "P3M",
    "季": "P3M",
    "月度": "P1M",
    "月": "P1M",
    "周": "P1W",
    "星期": "P1W",
    "日": "P1D",
    "天": "P1D",
}


def _count(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    from .text import cn_number

    return cn_number(s)


def find_durations(text: str) -> tuple[list[str], list[str]]:
    """Time limits written as durations, as ISO 8601 durations: ``2周内`` → ``P2W``, ``6个月内`` → ``P6M``,
    ``24小时内`` → ``PT24H``, ``半年内`` → ``P6M``, ``不少于1个月`` → ``P1M`` (a minimum, noted). A duration
    counts only with 内/以内 after it or 不少于/至少 before it, so ``近3年`` is not one. Working days have
    no ISO 8601 form: ``2个工作日内`` stays in the deadlines as written, with a note."""
    out: list[str] = []
    notes: list[str] = []
    for m in _DURATION_RE.finditer(text):
        if not (m.group("within") or m.group("min")):
            continue
        written = re.sub(r"\s+", "", m.group(0))
        start = m.start()
        if start > 0 and text[start - 1].isdigit():
            continue
        unit, raw = m.group("unit"), m.group("n")
        if unit == "月" and not m.group("ge") and raw != "半":
            continue  # 6月内 is a month of the year, not six months
        if unit == "工作日":
            notes.append(f"“{written}”按工作日计，没有对应的 ISO 8601 写法，时限保留原文")
            continue
        if raw == "半":
            iso = {"年": "P6M", "月": "P15D", "天": "PT12H", "日": "PT12H"}.get(unit)
            if iso is None:
                continue
        else:
            n = _count(raw)
            if n is None or n == 0:
                continue
            iso = f"PT{n}H" if unit == "小时" else f"P{n}{_ISO_UNIT[unit]}"
        if iso not in out:
            out.append(iso)
        if m.group("min"):
            notes.append(f"“{written}”是最短期限（{iso}）")
    return out, notes


def find_recurrences(text: str) -> list[str]:
    """Recurring time limits as ISO 8601 repeating intervals: ``每季度`` → ``R/P3M``, ``每月`` → ``R/P1M``,
    ``每半年`` → ``R/P6M``, ``每2个月`` → ``R/P2M``, ``每年`` → ``R/P1Y``, ``每周`` → ``R/P1W``."""
    out: list[str] = []
    for m in _RECURRENCE_RE.finditer(text):
        unit, raw = m.group("unit"), m.group("n")
        if m.group(0).startswith("按") and raw:
            continue
        iso = "R/P1D" if unit == "工作日" else "R/" + _RECUR_PERIOD[unit]
        if raw:
            n = _count(raw)
            if n is None or n == 0:
                continue
            if n > 1:
                period = _RECUR_PERIOD.get(unit, "P1D")
                num, letter = int(re.sub(r"\D", "", period)), period[-1]
                iso = f"R/P{num * n}{letter}"
        if iso not in out:
            out.append(iso)
    return out

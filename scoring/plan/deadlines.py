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

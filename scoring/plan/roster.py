"""The roster (``data/<year>/units.csv``: ``code, name[, class][, short_names]``) as a map from the names a
plan uses to the units' codes.

A plan writes ``县发改委`` where the roster has ``轮台县发展和改革委员会``. Both are reduced to one key: the
place name (``轮台县``, taken from the roster itself) and a level word (县/市/区/省…) are dropped and the
long forms of common agency names are replaced by their usual short forms (``发展和改革委员会`` → ``发改委``,
``人民政府办公室`` → ``政府办``); names with the same key are the same unit. A ``short_names`` column (names
separated by 、 or ；) adds any other names an office uses. A key two units share maps to neither, and a
collective name (各乡镇人民政府, 县直各部门) is never one unit: both are listed as not mapped, with why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .units import normalise_unit

# Long forms of agency names → the short forms plans use; longest first when applied.
SHORT_FORMS = {
    "人民政府办公室": "政府办",
    "政府办公室": "政府办",
    "人民政府办公厅": "政府办公厅",
    "发展和改革委员会": "发改委",
    "发展改革委员会": "发改委",
    "发展改革委": "发改委",
    "住房和城乡建设局": "住建局",
    "住房城乡建设局": "住建局",
    "住房和城乡建设厅": "住建厅",
    "市场监督管理局": "市监局",
    "市场监管局": "市监局",
    "卫生健康委员会": "卫健委",
    "卫生和健康委员会": "卫健委",
    "林业和草原局": "林草局",
    "人力资源和社会保障局": "人社局",
    "人力资源社会保障局": "人社局",
    "人力资源和社会保障厅": "人社厅",
    "工业和信息化局": "工信局",
    "工业和信息化厅": "工信厅",
    "交通运输局": "交通局",
    "医疗保障局": "医保局",
    "应急管理局": "应急局",
    "退役军人事务局": "退役军人局",
    "机构编制委员会办公室": "编办",
    "文化体育广播电视和旅游局": "文旅局",
    "文化和旅游局": "文旅局",
    "政务服务管理局": "政务服务局",
    "政务服务和公共资源交易中心": "政务服务中心",
    "教育和科学技术局": "教科局",
    "生态环境局": "环境局",
    "自然资源和规划局": "自然资源局",
    "农业农村局": "农业农村局",
    "公共资源交易中心": "公共资源交易中心",
}
_SHORT_RE = re.compile("|".join(sorted(map(re.escape, SHORT_FORMS), key=len, reverse=True)))
_LEVEL = re.compile(r"^(?:自治区|省|市(?!场|监)|县|区(?!域)|州|旗|盟)(?=.{2})")
_PLACE = re.compile(r"^(.{1,8}?(?:自治州|自治县|地区|县|市|区|州|旗|盟))(?=.{2,})")
_TAX = re.compile(r"^国家税务总局")
_COLLECTIVE = re.compile(r"^(?:各|全|有关|相关|其他|其它|所属)|各|有关|相关|所属|成员单位")


@dataclass(frozen=True)
class Found:
    code: str | None
    reason: str = ""  # why not, in the reader's words


class Roster:
    """Names and short names of the roster's units, to codes."""

    def __init__(self, units: list[tuple[str, str, list[str]]], display: str = "名册") -> None:
        """``units``: (code, name, other names) in roster order."""
        self.display = display
        names = [n for _, n, _ in units]
        places = Counter(m.group(1) for n in names if (m := _PLACE.match(_TAX.sub("", normalise_unit(n)))))
        # a place is a prefix several units share (轮台县); one unit's own first word is not
        self.places = sorted((p for p, c in places.items() if c >= 2), key=len, reverse=True)
        self.exact: dict[str, str] = {}
        keys: dict[str, set[str]] = {}
        for code, name, others in units:
            for n in [name, *others]:
                self.exact.setdefault(normalise_unit(n), code)
                keys.setdefault(self.key(n), set()).add(code)
        self.keys = keys

    def key(self, name: str) -> str:
        """The name reduced for matching: no place, no level word, short agency forms."""
        s = _TAX.sub("", normalise_unit(name))
        for p in self.places:
            if s.startswith(p) and len(s) > len(p) + 1:
                s = s[len(p) :]
                break
        s = _LEVEL.sub("", s)
        return _SHORT_RE.sub(lambda m: SHORT_FORMS[m.group(0)], s)

    def code(self, name: str) -> Found:
        """The code of the unit a plan calls ``name``."""
        n = normalise_unit(name)
        if n in self.exact:
            return Found(self.exact[n])
        if _COLLECTIVE.search(n):
            return Found(None, "泛指多个单位，未对应名册中的某一个单位")
        codes = self.keys.get(self.key(n), set())
        if len(codes) == 1:
            return Found(next(iter(codes)))
        if len(codes) > 1:
            return Found(None, f"可对应名册中多个单位（{'、'.join(sorted(codes))}），未对应")
        return Found(None, f"在{self.display}中找不到")


_SHORT_HEADERS = ("short_names", "aliases", "简称", "别名", "其他名称")


def read_roster(path: Path) -> Roster:
    """The roster file (.csv, .xlsx or .parquet with ``code`` and ``name``; the Chinese headers 单位代码 /
    单位名称 work too). Raises :class:`scoring.errors.InputError` or ``ValidationFailed`` with the file,
    row and column of each problem."""
    from scoring.errors import Issue, ValidationFailed
    from scoring.reading.files import read_table
    from scoring.reading.validate import canonical_columns

    display = path.name
    df, _ = read_table(path, display)
    df = canonical_columns(df)
    missing = [c for c in ("code", "name") if c not in df.columns]
    if missing:
        raise ValidationFailed(
            [
                Issue(display, 1, c, None, "缺少这一列（单位代码 code、单位名称 name）", "roster|column")
                for c in missing
            ]
        )
    short = next((c for c in _SHORT_HEADERS if c in df.columns), None)
    issues: list[Issue] = []
    units: list[tuple[str, str, list[str]]] = []
    for r in df.to_dicts():
        code, name = r.get("code") or "", r.get("name") or ""
        if not code or not name:
            column = "code" if not code else "name"
            issues.append(Issue(display, int(r["__row__"]), column, None, "不能为空", "roster|required"))
            continue
        others = (
            [s.strip() for s in re.split(r"[、；;,，]", r.get(short) or "") if s.strip()] if short else []
        )
        units.append((code, name, others))
    if issues:
        raise ValidationFailed(issues)
    return Roster(units, display)

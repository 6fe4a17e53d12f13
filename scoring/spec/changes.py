"""What-if changes (``score whatif --set KEY=VALUE``): single changes to a year's catalogue or settings,
applied to the rows of ``indicators.csv`` and the tables of ``settings.toml`` *before* they are validated,
so an altered year passes the same checks as a file (points moved between siblings must keep the sums,
a judgement range must stay within the leaf's points, a band list must descend).

- ``<indicator>.<column>=<value>``: a cell of ``indicators.csv`` (``C1.points=6``,
  ``C2.2.params=lo=0; hi=2``);
- ``<table>.<key>=<value>``: a key of ``settings.toml`` (``ranking.ties=dense``, ``bonus.cap=3``); the value
  is TOML, or plain text when it is not (``dense``);
- ``<key>=<value>``: a key that only one table has (``ties=dense`` is ``ranking.ties``);
- ``grades.bands=优秀:92,良好:80,合格:60``: the bands as name:min pairs (or TOML).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from typing import Any

import polars as pl

from scoring.errors import Issue
from scoring.spec.catalogue import CATALOGUE_COLUMNS
from scoring.spec.settings import KEYS

SOURCE = "--set"


@dataclass(frozen=True)
class Change:
    """One ``--set``: ``target`` is ``"catalogue"`` (``where`` an indicator id, ``key`` a column) or
    ``"settings"`` (``where`` a table, ``key`` a key of it); ``text`` is what was typed."""

    target: str
    where: str
    key: str
    value: Any
    text: str


def _fail(text: str, expected: str, code: str, column: str | None = None) -> Issue:
    return Issue(SOURCE, None, column, text, expected, f"whatif|{code}", family="definition")


def _value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _bands(raw: str) -> Any:
    """``优秀:92,良好:80`` as the bands' TOML, or the TOML itself."""
    if raw.lstrip().startswith("["):
        return _value(raw)
    out: list[dict[str, Any]] = []
    for part in raw.replace("，", ",").split(","):
        name, sep, low = part.partition(":")
        if not sep:
            name, sep, low = part.partition("：")
        out.append({"name": name.strip(), "min": _value(low.strip()) if sep else None})
    return out


def parse_changes(items: list[str], indicator_ids: set[str]) -> tuple[list[Change], list[Issue]]:
    """The ``--set`` items as changes, with every item that cannot be one (located by the item itself)."""
    changes: list[Change] = []
    issues: list[Issue] = []
    tables = [t for t in KEYS if t and "." not in t and t != "classes"]
    for text in items:
        key, sep, raw = text.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            issues.append(_fail(text, "应写成 项=值（如 C1.points=6、ties=dense）", "syntax"))
            continue
        where, dot, name = key.rpartition(".")
        if dot and where in indicator_ids:
            if name not in CATALOGUE_COLUMNS or name == "id":
                cols = "、".join(c for c in CATALOGUE_COLUMNS if c != "id")
                issues.append(_fail(text, f"指标可修改的列：{cols}", "column", name))
                continue
            changes.append(Change("catalogue", where, name, raw, text))
        elif dot and where in tables:
            if name not in KEYS[where]:
                issues.append(_fail(text, f"[{where}] 表可用的设置项：{'、'.join(KEYS[where])}", "key", key))
                continue
            value = _bands(raw) if (where, name) == ("grades", "bands") else _value(raw)
            changes.append(Change("settings", where, name, value, text))
        elif not dot:
            homes = [t for t in tables if key in KEYS[t]]
            if key in KEYS[""] and key not in tables:
                changes.append(Change("settings", "", key, _value(raw), text))
            elif len(homes) == 1:
                changes.append(Change("settings", homes[0], key, _value(raw), text))
            elif homes:
                listed = "、".join(f"{t}.{key}" for t in homes)
                issues.append(_fail(text, f"{key} 出现在多个表中，请写明：{listed}", "ambiguous", key))
            else:
                known = sorted({k for t in tables for k in KEYS[t]} | set(indicator_ids))
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"；是否应为 {close[0]}？" if close else ""
                issues.append(_fail(text, f"不是已知的设置项，也不是“指标编号.列”{hint}", "unknown", key))
        else:
            issues.append(_fail(text, f"{where} 既不是指标编号，也不是 settings.toml 的表", "unknown", key))
    return changes, issues


def apply_to_settings(raw: dict[str, Any], changes: list[Change]) -> dict[str, Any]:
    """The parsed ``settings.toml`` with the settings changes made (a copy)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for c in changes:
        if c.target != "settings":
            continue
        if not c.where:
            out[c.key] = c.value
        else:
            table = out.get(c.where)
            table = dict(table) if isinstance(table, dict) else {}
            table[c.key] = c.value
            out[c.where] = table
    return out


def apply_to_catalogue(frame: pl.DataFrame, changes: list[Change]) -> pl.DataFrame:
    """The rows of ``indicators.csv`` (all text) with the catalogue changes made; the rows keep their
    numbers, so a problem is located on the row the change altered."""
    for c in changes:
        if c.target != "catalogue":
            continue
        if c.key not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(c.key))
        frame = frame.with_columns(
            pl.when(pl.col("id") == c.where)
            .then(pl.lit(c.value or None, pl.String))
            .otherwise(pl.col(c.key))
            .alias(c.key)
        )
    return frame


COLUMN_WORDS = {
    "points": "分值",
    "params": "评分参数",
    "rule": "评分规则",
    "applies_to": "适用类别",
    "name": "名称",
    "parent": "上级指标",
    "role": "类型",
    "uncapped": "不设上限",
    "rubric": "评分细则",
    "plan_items": "工作要点条目",
}
SETTING_WORDS = {
    ("ranking", "ties"): "并列名次",
    ("ranking", "basis"): "排名依据",
    ("rounding", "places"): "保留小数位数",
    ("rounding", "mode"): "舍入方式",
    ("caps", "mode"): "扣分上限方式",
    ("not_applicable", "method"): "不适用指标的处理",
    ("bonus", "cap"): "加分上限",
    ("bonus", "gate"): "加分门槛",
    ("penalty", "cap"): "扣分上限",
    ("veto", "action"): "一票否决的处理",
    ("grades", "bands"): "等次分数线",
    ("grades", "section_fail_share"): "一级指标不合格比例",
    ("grades", "basis"): "等次依据",
}
VALUE_WORDS = {
    "competition": "1、2、2、4",
    "dense": "1、2、2、3",
    "printed": "公布的总分",
    "exact": "精确总分",
}


def _shown(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "，".join(f"{v.get('name')}{v.get('min')}分及以上" for v in value)
    return VALUE_WORDS.get(str(value), str(value))


def describe(changes: list[Change]) -> str:
    """The changes in a reader's words (指标C1的分值改为6；并列名次改为1、2、2、3)."""
    out = []
    for c in changes:
        if c.target == "catalogue":
            out.append(f"指标{c.where}的{COLUMN_WORDS.get(c.key, c.key)}改为{c.value or '空'}")
        else:
            what = SETTING_WORDS.get((c.where, c.key), f"{c.where}.{c.key}" if c.where else c.key)
            out.append(f"{what}改为{_shown(c.value)}")
    return "；".join(out)

"""The year's alias table ``data/<year>/aliases.csv`` (``old_code, new_code, note``): how a unit whose code
changed (a department renamed or merged in an institutional reform) is matched with last year's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scoring.errors import Issue, ValidationFailed
from scoring.reading.files import read_table
from scoring.reading.validate import check_columns
from scoring.spec.year import Alias

ALIASES_FILE = "aliases.csv"
ALIAS_COLUMNS = {"old_code": True, "new_code": True, "note": False}
ALIAS_HEADERS = {
    "原代码": "old_code",
    "上年代码": "old_code",
    "旧代码": "old_code",
    "新代码": "new_code",
    "本年代码": "new_code",
    "说明": "note",
    "备注": "note",
}


def read_aliases(path: Path, display: str) -> list[Alias]:
    """The alias table; raises :class:`ValidationFailed` with every problem (file, row, column)."""
    df, _ = read_table(path, display)
    df = df.rename(
        {c: ALIAS_HEADERS[c] for c in df.columns if c in ALIAS_HEADERS and ALIAS_HEADERS[c] not in df.columns}
    )
    issues = check_columns(df, ALIAS_COLUMNS, display)
    if issues:
        raise ValidationFailed(issues)
    aliases: list[Alias] = []
    seen: dict[tuple[str, str], int] = {}
    for r in df.to_dicts():
        row = int(r["__row__"])
        old, new, note = (r.get(c) or "" for c in ("old_code", "new_code", "note"))
        for column, value in (("old_code", old), ("new_code", new)):
            if not value:
                issues.append(Issue(display, row, column, None, "不能为空", "aliases|required"))
        if not old or not new:
            continue
        if old == new:
            issues.append(Issue(display, row, "new_code", new, "新旧代码相同，无需登记", "aliases|same_code"))
        elif (old, new) in seen:
            issues.append(
                Issue(display, row, "new_code", new, f"与第{seen[old, new]}行重复", "aliases|duplicate")
            )
        else:
            seen[old, new] = row
            aliases.append(Alias(old, new, note, row))
    if issues:
        raise ValidationFailed(issues)
    return aliases


def check_aliases(
    aliases: Sequence[Alias],
    previous: Sequence[str],
    current: Sequence[str],
    display: str,
    previous_label: str,
) -> list[Issue]:
    """Every alias must name a unit of last year's results and one of this year's roster."""
    prev, cur = set(previous), set(current)
    issues = []
    for a in aliases:
        if a.old_code not in prev:
            issues.append(
                Issue(
                    display,
                    a.row,
                    "old_code",
                    a.old_code,
                    f"{previous_label}中没有此单位代码",
                    "aliases|old_known",
                )
            )
        if a.new_code not in cur:
            issues.append(
                Issue(
                    display, a.row, "new_code", a.new_code, "本年度名单中没有此单位代码", "aliases|new_known"
                )
            )
    return issues

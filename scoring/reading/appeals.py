"""Appeals (申诉): a decision on a unit's appeal is an input change, recorded with its reason and who
decided, in ``data/<year>/appeals.csv``:

``unit, indicator, key, old_value, new_value, reason, decided_by, decision_date`` (optionally ``period``
and ``channel`` in a year assessed by period or channel).

Applying the file replaces the assessors' value of each (unit, indicator, key) by the decided one. The old
value must be what the inputs say (compared after the same normalisation as the inputs: ``√`` is ``是``),
else the decision is refused with its row; an empty old value adds a row the inputs did not have. The new
value is validated exactly as an assessor's value. Every problem is reported together, located in
appeals.csv.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scoring.errors import Issue, ValidationFailed
from scoring.reading.files import read_table, sha256
from scoring.reading.validate import check_columns, normalise_inputs
from scoring.spec.year import ID_COLUMNS, Assessment, SourceFile, source_files, source_type, written_text

__all__ = ["APPEALS_FILE", "AppliedAppeals", "apply_appeals"]

APPEALS_FILE = "appeals.csv"
APPEAL_COLUMNS = {
    "unit": True,
    "indicator": True,
    "key": False,
    "old_value": True,
    "new_value": True,
    "reason": True,
    "decided_by": True,
    "decision_date": True,
    "period": False,
    "channel": False,
}
REQUIRED_VALUES = ("unit", "indicator", "reason", "decided_by", "decision_date")
APPEAL_HEADERS = {
    "单位": "unit",
    "指标": "indicator",
    "指标编号": "indicator",
    "子项": "key",
    "原值": "old_value",
    "新值": "new_value",
    "理由": "reason",
    "决定理由": "reason",
    "申诉理由": "reason",
    "决定人": "decided_by",
    "决定日期": "decision_date",
    "考核期": "period",
    "渠道": "channel",
}
WHAT = {"reason": "申诉决定的理由", "decided_by": "作出决定的人或机构", "decision_date": "决定日期"}
MATCH = ["unit", "indicator", "key", "period", "channel"]


@dataclass(frozen=True)
class AppliedAppeals:
    """The decisions applied to a year's inputs: ``changes`` has one row per decision (row, unit,
    unit_name, class, indicator, indicator_name, key, old_value, new_value, reason, decided_by,
    decision_date, was — where the old value stood)."""

    file: str
    changes: pl.DataFrame


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def _date(text: str) -> dt.date | None:
    t = (
        text.strip()
        .replace("年", "-")
        .replace("月", "-")
        .replace("日", "")
        .replace("/", "-")
        .replace(".", "-")
    )
    try:
        y, m, d = (int(p) for p in t.strip("-").split("-"))
        return dt.date(y, m, d)
    except ValueError:
        return None


def read_appeals(path: Path, display: str) -> tuple[pl.DataFrame, str | None, list[Issue]]:
    """The decisions as text columns with their row numbers (dates as ISO text, or null when unreadable),
    the file's encoding, and every missing reason, decider or date and unreadable date. A file whose
    columns are wrong raises :class:`ValidationFailed`."""
    df, encoding = read_table(path, display)
    df = df.rename(
        {
            c: APPEAL_HEADERS[c]
            for c in df.columns
            if c in APPEAL_HEADERS and APPEAL_HEADERS[c] not in df.columns
        }
    )
    issues = check_columns(df, APPEAL_COLUMNS, display)
    if issues:
        raise ValidationFailed(issues)
    df = df.with_columns(pl.lit(None, pl.String).alias(c) for c in APPEAL_COLUMNS if c not in df.columns)
    for r in df.to_dicts():
        row = int(r["__row__"])
        for c in REQUIRED_VALUES:
            if not r[c]:
                what = WHAT.get(c)
                expected = f"不能为空（{what}）" if what else "不能为空"
                issues.append(Issue(display, row, c, None, expected, "appeals|required"))
        if r["decision_date"] and _date(r["decision_date"]) is None:
            issues.append(
                Issue(
                    display,
                    row,
                    "decision_date",
                    r["decision_date"],
                    "应为日期（如 2022-01-20）",
                    "appeals|date",
                )
            )
    dates = [None if d is None else d.isoformat() for d in (_date(t or "") for t in df["decision_date"])]
    return df.with_columns(pl.Series("decision_date", dates, pl.String)), encoding, issues


def _as_inputs(df: pl.DataFrame, value: str) -> pl.DataFrame:
    """The decisions shaped as an assessors' file whose value is ``value`` (old_value or new_value)."""
    return df.select(
        "unit",
        "indicator",
        "key",
        pl.col(value).alias("value"),
        "period",
        "channel",
        pl.lit(None, pl.String).alias("note"),
        pl.lit(None, pl.String).alias("evidence"),
        "__row__",
    )


def apply_appeals(
    assessment: Assessment, path: Path, root: Path | None = None
) -> tuple[Assessment, AppliedAppeals | None]:
    """The assessment with the decided values in place of the assessors' (and appeals.csv among its
    sources, role ``appeals``), and what was applied; ``None`` when the file lists no decision. Raises
    :class:`ValidationFailed` with every problem, located in appeals.csv."""
    display = _display(path, root)
    df, encoding, issues = read_appeals(path, display)
    if df.is_empty():
        return assessment, None
    a = assessment
    settings = dataclasses.replace(a.settings, missing="zero")  # only these rows: nothing else is missing

    def located(issues: list[Issue], column: str) -> list[Issue]:
        return [
            dataclasses.replace(i, column=column if i.column == "value" else i.column)
            for i in issues
            if i.severity == "error"
        ]

    new, problems = normalise_inputs([(display, _as_inputs(df, "new_value"))], a.catalogue, settings, a.units)
    issues += located(problems, "new_value")
    has_old = df.filter(pl.col("old_value").is_not_null())
    old, problems = normalise_inputs(
        [(display, _as_inputs(has_old, "old_value"))], a.catalogue, settings, a.units
    )
    # unit, indicator, key and duplicates are reported once, by the pass over the new values
    old_problems = [
        i for i in located(problems, "old_value") if i.column == "old_value" and "duplicate" not in i.code
    ]
    issues += old_problems
    unreadable_old = {i.row for i in old_problems}

    obs = a.observations.with_row_index("_obs")
    old_typed = old.select(
        pl.col("row").alias("_arow"),
        written_text().alias("_old_text"),
        pl.col("value").alias("_old_value"),
        pl.col("na").alias("_old_na"),
    )
    found = (
        new.rename({"row": "_arow"})
        .join(
            obs.select(
                *MATCH,
                "_obs",
                written_text().alias("_text"),
                pl.col("value").alias("_value"),
                pl.col("na").alias("_na"),
                pl.col("source").alias("_source"),
                pl.col("row").alias("_row"),
                pl.col("note").alias("_note"),
                pl.col("evidence").alias("_evidence"),
            ),
            on=MATCH,
            how="left",
            nulls_equal=True,
        )
        .join(old_typed, on="_arow", how="left")
        .join(
            df.select(
                pl.col("__row__").cast(pl.Int64).alias("_arow"),
                "old_value",
                "new_value",
                "reason",
                "decided_by",
                "decision_date",
            ),
            on="_arow",
            how="left",
        )
        .sort("_arow")
    )
    for r in found.filter(~pl.col("_arow").is_in(list(unreadable_old))).to_dicts():
        where = f"{r['_source']} 第{r['_row']}行" if r["_obs"] is not None else ""
        if r["old_value"] is None:
            if r["_obs"] is not None and r["_text"] is not None:
                issues.append(
                    Issue(
                        display,
                        r["_arow"],
                        "old_value",
                        None,
                        f"原值为空，但评分数据（{where}）为“{r['_text']}”",
                        f"{r['indicator']}|appeals_old_value",
                    )
                )
        elif r["_obs"] is None:
            issues.append(
                Issue(
                    display,
                    r["_arow"],
                    "old_value",
                    r["old_value"],
                    "评分数据中没有此单位此指标（子项）的记录；新增记录时原值应留空",
                    f"{r['indicator']}|appeals_no_row",
                )
            )
        else:
            same = (
                r["_text"] == r["_old_text"]
                or (r["_value"] is not None and r["_value"] == r["_old_value"])
                or (bool(r["_na"]) and bool(r["_old_na"]))
            )
            if not same:
                issues.append(
                    Issue(
                        display,
                        r["_arow"],
                        "old_value",
                        r["old_value"],
                        f"与评分数据不一致：{where}为“{r['_text'] or ''}”",
                        f"{r['indicator']}|appeals_old_value",
                    )
                )
    if issues:
        raise ValidationFailed(sorted(issues, key=lambda i: i.row or 0))

    decision = pl.format(
        "申诉决定：{}（{}，{}）", pl.col("reason"), pl.col("decided_by"), pl.col("decision_date")
    )
    replacement = found.select(
        "unit",
        "class",
        "indicator",
        "key",
        "value",
        "na",
        "period",
        "channel",
        pl.concat_str(pl.col("_note"), decision, separator="；", ignore_nulls=True).alias("note"),
        pl.col("_evidence").alias("evidence"),
        "source",
        pl.col("_arow").alias("row"),
        "text",
    )
    replaced = found["_obs"].drop_nulls().to_list()
    # a decided row's file is the decisions' file: the files' Enum takes its name beside the inputs'
    files = source_type([*source_files(a.observations), display])
    schema = pl.Schema({**a.observations.schema, "source": files})
    observations = pl.concat(
        [
            obs.filter(~pl.col("_obs").is_in(replaced)).drop("_obs").cast(schema),
            replacement.with_columns(pl.col("source").cast(pl.String)).cast(schema),
        ],
        how="vertical",
    )
    source = SourceFile(display, sha256(path), encoding, "appeals")
    names = dict(zip(a.units["code"].to_list(), a.units["name"].to_list(), strict=True))
    leaf_names = {n.id: n.name for n in a.catalogue.nodes}
    changes = found.with_columns(pl.col(c).cast(pl.String) for c in ID_COLUMNS).select(  # a report: text
        pl.col("_arow").alias("row"),
        "unit",
        pl.col("unit").replace_strict(names, default=None).alias("unit_name"),
        "class",
        "indicator",
        pl.col("indicator").replace_strict(leaf_names, default=None).alias("indicator_name"),
        "key",
        "old_value",
        "new_value",
        "reason",
        "decided_by",
        "decision_date",
        pl.when(pl.col("_obs").is_not_null())
        .then(pl.format("{} 第{}行", pl.col("_source"), pl.col("_row")))
        .otherwise(pl.lit("新增"))
        .alias("was"),
    )
    return (
        dataclasses.replace(a, observations=observations, sources=(*a.sources, source)),
        AppliedAppeals(display, changes),
    )

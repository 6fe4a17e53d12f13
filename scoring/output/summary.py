"""What the 通报 says in words and figures before its tables, from one source for every output that says
it: the workbook's 封面 and the published page. The method sentences themselves come from
:meth:`scoring.spec.settings.Settings.method_statement`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from scoring.output.kit import finite_number

if TYPE_CHECKING:
    from scoring.engine.compute import Result
    from scoring.spec.settings import Settings, UnitClass

__all__ = ["ClassSummary", "class_summaries", "date_text", "grade_order", "method_lines", "scope_text"]


def date_text(day: dt.date) -> str:
    """2022年1月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def grade_order(settings: Settings) -> list[str]:
    """The grades as published: the bands from the highest, then the fail grade; none in a year without
    grades."""
    return list(settings.grade_names)


def method_lines(result: Result) -> list[str]:
    """The method in plain words, only what applies this year (the level-1 sections the catalogue has)."""
    roles = {n.role for n in result.catalogue.level1}
    return result.settings.method_statement(roles)


def scope_text(result: Result) -> str:
    """乡镇10个、县直部门20个，共30个单位."""
    counts = result.units.group_by("class").len()
    by_class = dict(zip(counts["class"].to_list(), counts["len"].to_list(), strict=True))
    scope = "、".join(f"{uc.name}{by_class.get(uc.id, 0)}个" for uc in result.settings.classes)
    return f"{scope}，共{result.units.height}个单位"


@dataclass(frozen=True)
class ClassSummary:
    """The results at a glance for one class: units, average, highest and lowest total (None without a
    total), and how many units have each grade (in :func:`grade_order`)."""

    unit_class: UnitClass
    units: int
    mean: float | None
    highest: float | None
    lowest: float | None
    grades: tuple[tuple[str, int], ...]


def class_summaries(result: Result) -> list[ClassSummary]:
    out = []
    order = grade_order(result.settings)
    for uc in result.settings.classes:
        frame = result.units.filter(pl.col("class") == uc.id)
        totals = frame["total"].drop_nulls()
        mean, highest, lowest = (
            None if totals.is_empty() else finite_number(v)
            for v in (totals.mean(), totals.max(), totals.min())
        )
        counts = frame["grade"].value_counts()
        by = dict(zip(counts["grade"].to_list(), counts["count"].to_list(), strict=True))
        out.append(
            ClassSummary(
                uc, frame.height, mean, highest, lowest, grades=tuple((g, int(by.get(g, 0))) for g in order)
            )
        )
    return out

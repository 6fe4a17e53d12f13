"""What a workbook shows besides the run itself: the 同比 columns against last year's archived run, and
the 申诉处理 report against the run the decisions supersede (or the same inputs without them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from scoring.archive.store import Archive, RunInfo
from scoring.engine.appeals import AppealsReport, appeals_report
from scoring.engine.compute import Result, compute
from scoring.engine.year_over_year import year_over_year, yoy_columns
from scoring.errors import ValidationFailed
from scoring.reading.aliases import check_aliases
from scoring.reading.appeals import AppliedAppeals
from scoring.spec.year import Alias, Assessment


@dataclass(frozen=True)
class Extras:
    """What a workbook shows besides the run itself: the 同比 columns and the 申诉处理 sheet."""

    yoy: pl.DataFrame | None = None
    appeals: AppealsReport | None = None
    compared: int = 0  # units matched with last year


def workbook_extras(
    archive: Archive | None,
    result: Result,
    *,
    previous: RunInfo | None = None,
    aliases: Sequence[Alias] = (),
    aliases_file: str = "aliases.csv",
    applied: AppliedAppeals | None = None,
    before: Assessment | None = None,
    base: RunInfo | None = None,
) -> Extras:
    """The 同比 columns against ``previous`` (an archived run of last year, units matched through
    ``aliases``), and the 申诉处理 report against ``base`` (the superseded run) or, without one, against
    ``before`` (the same inputs without the decisions)."""

    yoy = None
    compared = 0
    if previous is not None and archive is not None:
        prev = archive.unit_results(previous.run_id)
        issues = check_aliases(
            aliases,
            prev["unit"].to_list(),
            result.units["unit"].to_list(),
            aliases_file,
            f"{previous.year}年度的运行 {previous.run_id}",
        )
        if issues:
            raise ValidationFailed(issues)
        cmp = year_over_year(
            result.units, prev, aliases, places=result.settings.places, class_names=previous.class_names
        )
        yoy = yoy_columns(cmp)
        compared = cmp.rows.filter(
            pl.col("prev_rank").is_not_null() | pl.col("prev_total").is_not_null()
        ).height
    report = None
    if applied is not None:
        points = result.indicator_points().collect()
        if base is not None and archive is not None:
            report = appeals_report(
                applied.changes,
                result.units,
                points,
                archive.unit_results(base.run_id),
                archive.indicator_points(base.run_id),
                f"运行 {base.run_id}（被本次运行取代）",
            )
        elif before is not None:
            baseline = compute(before)
            report = appeals_report(
                applied.changes,
                result.units,
                points,
                baseline.units,
                baseline.indicator_points().collect(),
                "不含申诉决定的计算结果",
            )
    return Extras(yoy, report, compared)

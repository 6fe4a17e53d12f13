"""The ranked workbook an office prints and circulates as its 通报.

It is written atomically: to a temporary file in the target folder, then moved into place, so a failure
never leaves a half-written file and never touches an existing one.

The workbook (xlsxwriter) holds: a cover (封面: title, issuer, date, method, grade distribution, run
manifest); one ranking sheet per unit class; a 图表 sheet with native charts; 扣分明细 (every credit and
deduction); 指标体系 (the catalogue); and 校验说明 when there are validation notes. With an archive, the
ranking sheets add the 同比 columns (上年总分, 上年排名, 名次变化) and a run with appeal decisions adds
申诉处理. Numbers are written as numbers with number formats, strings always with ``write_string`` (a name
like ``=SUM(A1)`` stays text), and every sheet is set up to print on A4 landscape, one page wide, with
repeated title rows.

This module puts the book together; each sheet has its own module (:mod:`scoring.output.cover`,
:mod:`~scoring.output.ranking`, :mod:`~scoring.output.charts`, :mod:`~scoring.output.appeals_sheet`,
:mod:`~scoring.output.self_review`, :mod:`~scoring.output.ledger_sheet`,
:mod:`~scoring.output.catalogue_sheet`, :mod:`~scoring.output.notes`) over the shared book kit
(:mod:`scoring.output.kit`). The Parquet copies of the results are written by :mod:`scoring.output.results`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.atomic import atomic_write
from scoring.errors import Issue
from scoring.output.appeals_sheet import write_appeals
from scoring.output.catalogue_sheet import write_catalogue
from scoring.output.charts import write_charts
from scoring.output.cover import write_cover, write_run_record
from scoring.output.kit import Styles, sanitise_sheet_name, write_book
from scoring.output.ledger_sheet import write_ledger_sheets
from scoring.output.notes import write_notes
from scoring.output.ranking import write_class_sheet
from scoring.output.self_review import write_discrepancies
from scoring.output.stability_sheet import SHEET_STABILITY, write_stability_sheet
from scoring.spec.manifest import beijing_today
from scoring.spec.settings import Settings

if TYPE_CHECKING:
    from scoring.engine.appeals import AppealsReport
    from scoring.engine.compute import Result

__all__ = ["with_yoy", "workbook_title", "write_workbook"]

SHEET_COVER = "封面"
SHEET_CHARTS = "图表"
SHEET_LEDGER = "扣分明细"
SHEET_CATALOGUE = "指标体系"
SHEET_NOTES = "校验说明"
SHEET_APPEALS = "申诉处理"
SHEET_DISCREPANCIES = "自评复核差异"
SHEET_RUN = "运行信息"


def workbook_title(settings: Settings) -> str:
    """The printed title: the assessment's title, with 结果 appended when it ends with 考核."""
    title = settings.title.strip()
    return f"{title}结果" if title.endswith("考核") else title


def with_yoy(result: Result, yoy: pl.DataFrame | None) -> Result:
    """``result`` with the 同比 columns (yoy_total, yoy_rank, yoy_change; see ``yoy_columns``) joined to
    its units, as the ranking tables show them; unchanged without ``yoy``."""
    if yoy is None:
        return result
    units = result.units.join(
        yoy.select("unit", "yoy_total", "yoy_rank", "yoy_change"),
        on="unit",
        how="left",
        maintain_order="left",
    )
    return result.with_units(units)


def write_workbook(
    result: Result,
    path: Path,
    *,
    notes: list[Issue] | None = None,
    generated: dt.date | None = None,
    yoy: pl.DataFrame | None = None,
    appeals: AppealsReport | None = None,
    run_label: str | None = None,
    ledger_rows: int | None = None,
    stability: tuple[pl.DataFrame, str] | None = None,
) -> Path:
    """Write the ranked workbook (通报) for ``result`` to ``path`` atomically; returns ``path``.

    ``ledger_rows`` limits 扣分明细 (default :data:`scoring.output.ledger_sheet.LEDGER_WORKBOOK_MAX`).
    ``yoy`` (unit, yoy_total, yoy_rank, yoy_change; see ``yoy_columns``) adds the 同比
    columns to the ranking sheets, ``appeals`` the 申诉处理 sheet, ``run_label`` the archive's run on the
    cover, ``stability`` (the per-unit summary of ``score stability`` and its description) the 排名稳定性
    sheet."""
    generated = generated or beijing_today()
    result = with_yoy(result, yoy)
    settings = result.settings
    title = workbook_title(settings)

    def fill(wb: Any) -> None:
        wb.set_properties(
            {
                "title": title,
                "author": settings.issuer,
                "company": settings.issuer,
                "created": dt.datetime(generated.year, generated.month, generated.day),
            }
        )
        styles = Styles(wb, settings.places)
        used = {
            n.casefold()
            for n in (
                SHEET_COVER,
                SHEET_CHARTS,
                SHEET_LEDGER,
                SHEET_CATALOGUE,
                SHEET_NOTES,
                SHEET_APPEALS,
                SHEET_DISCREPANCIES,
                SHEET_RUN,
                SHEET_STABILITY,
            )
        }
        write_cover(wb, styles, result, title, generated, SHEET_COVER)
        class_sheets = [
            write_class_sheet(wb, styles, result, uc, sanitise_sheet_name(uc.name, used), title)
            for uc in settings.classes
        ]
        if any(cs.ranked for cs in class_sheets):
            write_charts(wb, styles, class_sheets, title, SHEET_CHARTS)
        if appeals is not None:
            write_appeals(wb, styles, result, appeals, title, SHEET_APPEALS)
        diff = result.discrepancies()
        if not diff.is_empty():
            write_discrepancies(wb, styles, diff, title, SHEET_DISCREPANCIES)
        limit = None if ledger_rows is None else max(ledger_rows, 0)
        if stability is not None:
            write_stability_sheet(wb, styles, stability[0], settings, title, stability[1])
        write_ledger_sheets(wb, styles, result, title, SHEET_LEDGER, limit)
        write_catalogue(wb, styles, result, title, SHEET_CATALOGUE)
        if notes:
            write_notes(wb, styles, notes, title, SHEET_NOTES)
        write_run_record(wb, styles, result, title, SHEET_RUN, run_label)
        wb.worksheets()[0].activate()

    atomic_write(path, lambda tmp: write_book(tmp, fill))
    return path

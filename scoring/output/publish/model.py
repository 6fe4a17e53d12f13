"""What the published page, the PDF and the data files show, built once from a run's result: every figure
is text at the places the workbook prints it, so the page, the CSV and the JSON cannot disagree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import polars as pl

from scoring.exact import round_fraction
from scoring.output.kit import safe_url
from scoring.output.ledger_sheet import LEDGER_WORKBOOK_MAX, ledger_frame, with_subtotals
from scoring.output.ranking import class_columns, class_frame, formula
from scoring.output.summary import class_summaries, date_text, grade_order, method_lines, scope_text
from scoring.output.workbook import with_yoy, workbook_title

if TYPE_CHECKING:
    from scoring.engine.compute import Result
    from scoring.spec.settings import Settings

__all__ = ["Cell", "ClassTable", "LedgerLine", "Report", "UnitSection", "build_report"]

CHANGE_WORDS = {"→": "名次不变", "新增": "新增单位", "合并": "合并单位", "—": "无上年名次"}


@dataclass(frozen=True)
class Cell:
    """One cell of a table: ``text`` as printed; ``kind`` says how it is set (rank, text, number, grade,
    int, change); ``value`` is the figure for the data files (None when blank); ``spoken`` what a screen
    reader says instead of the text (an arrow), ``tone`` the grade's colour (first, second, fail)."""

    text: str
    kind: str
    value: float | int | str | bool | None = None
    spoken: str | None = None
    tone: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class ClassTable:
    number: int
    name: str
    anchor: str
    note: str
    headers: tuple[str, ...]
    keys: tuple[str, ...]  # what each column holds, in the data files' words
    rows: tuple[tuple[Cell, ...], ...]
    units: tuple[str, ...]  # the unit code of each row


@dataclass(frozen=True)
class Evidence:
    text: str
    href: str | None  # only for an http(s) link


@dataclass(frozen=True)
class LedgerLine:
    indicator: str
    name: str
    kind: str
    amount: str  # signed, at the declared places or as many as the rubric's amount has
    rubric: str
    given: str
    reason: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class UnitSection:
    anchor: str
    unit: str
    name: str
    class_name: str
    headline: str
    lines: tuple[LedgerLine, ...]
    subtotal: str
    complete: bool  # every line of the unit is shown


@dataclass(frozen=True)
class Report:
    title: str
    issuer: str
    year: int
    date: str
    scope: str
    method: tuple[str, ...]
    summary_caption: str
    summary_headers: tuple[str, ...]
    summary_rows: tuple[tuple[str, ...], ...]
    tables: tuple[ClassTable, ...]
    units: tuple[tuple[str, tuple[UnitSection, ...]], ...]  # by class
    ledger_note: str | None
    yoy_note: str | None
    places: int
    run: int | None
    results_sha256: str
    generated: dt.date


def points_text(value: float | None, places: int) -> str:
    return "" if value is None else f"{value + 0.0:.{places}f}"


def amount_text(pico: int | None, places: int, exact: bool = False) -> str:
    """A ledger amount in pico-points, signed: the declared places, more (up to 6) where the rubric's amount
    has more (a 0.075 deduction stays 0.075); ``exact``: an exact fraction (a 折算 line), at the declared
    places, rounded half up as the workbook prints it."""
    if pico is None:
        return ""
    shown = places
    if exact:
        return f"{round_fraction(Fraction(pico, 10**12), places, 'half_up'):+}"
    while shown < 6 and pico % 10 ** (12 - shown):
        shown += 1
    return f"{Decimal(pico).scaleb(-12):+.{shown}f}"


def evidence_parts(text: str | None) -> tuple[Evidence, ...]:
    """The evidence as written, each http(s) link a link and everything else plain text."""
    if not text or not text.strip():
        return ()
    return tuple(Evidence(part, part if safe_url(part) else None) for part in text.split())


def _tone(settings: Settings, grade: str | None) -> str | None:
    names = [b.name for b in settings.bands]
    if grade is None:
        return None
    if grade == settings.fail_grade:
        return "fail"
    return "first" if grade in names[:1] else "second" if grade in names[1:2] else None


def _spoken_change(text: str) -> str | None:
    m = re.fullmatch(r"([↑↓])(\d+)", text)
    if m:
        return f"{'上升' if m[1] == '↑' else '下降'}{m[2]}名"
    return CHANGE_WORDS.get(text)


def _cell(kind: str, v: object, tied: bool, places: int, settings: Settings) -> Cell:
    if kind == "number":
        f = None if v is None else float(v)  # type: ignore[arg-type]
        return Cell(points_text(f, places), kind, None if f is None else round(f, places))
    if kind in ("rank", "int"):
        if v is None:
            return Cell("—", kind, None, "不参与排名" if kind == "rank" else "无")
        n = int(v)  # type: ignore[call-overload]
        return Cell(f"{n}（并列）" if kind == "rank" and tied else str(n), kind, n)
    if kind == "grade":
        g = None if v is None else str(v)
        return Cell(g or "", kind, g, tone=_tone(settings, g))
    text = "" if v is None else str(v)
    if kind == "change":
        return Cell(text, kind, text or None, _spoken_change(text))
    return Cell(text, kind, text or None)


FIRST = ("rank", "name", "total", "grade")


def _table(result: Result, number: int, anchors: dict[str, str]) -> ClassTable:
    uc = result.settings.classes[number - 1]
    frame = class_frame(result, uc)
    # the workbook's columns, with the total and the grade brought next to the unit: on a phone they are
    # what the reader looks for, before the parts scroll into view
    cols = class_columns(result, uc, frame)
    first = [c for c in cols if c.source in FIRST]
    cols = sorted(first, key=lambda c: FIRST.index(c.source)) + [c for c in cols if c.source not in FIRST]
    s = result.settings
    rows = []
    for values in frame.select(*(c.source for c in cols), "tied", "unit").iter_rows():
        tied, unit = bool(values[-2]), str(values[-1])
        cells = []
        for c, v in zip(cols, values, strict=False):
            cell = _cell(c.kind, v, tied, s.places, s)
            if c.source == "name":
                cell = Cell(cell.text, "name", cell.value, anchor=anchors.get(unit))
            cells.append(cell)
        rows.append(tuple(cells))
    return ClassTable(
        number,
        uc.name,
        f"c{number}",
        formula(result, uc, frame),
        tuple(c.header for c in cols),
        tuple(c.source for c in cols),
        tuple(rows),
        tuple(frame["unit"].to_list()),
    )


def _headline(row: dict[str, object], places: int) -> str:
    total = row.get("total")
    parts = [f"总分 {points_text(float(total), places)}" if total is not None else "无总分"]  # type: ignore[arg-type]
    if row.get("rank") is not None:
        parts.append(f"第{row['rank']}名" + ("（并列）" if row.get("tied") else ""))
    else:
        parts.append("不参与排名")
    if row.get("grade"):
        parts.append(f"等次 {row['grade']}")
    return "，".join(parts)


def _unit_sections(
    result: Result, limit: int
) -> tuple[tuple[tuple[str, tuple[UnitSection, ...]], ...], str | None]:
    places = result.settings.places
    total = result.ledger().select(pl.len()).collect().item()
    led = with_subtotals(result, ledger_frame(result, limit))
    by_unit: dict[str, list[dict[str, object]]] = {}
    for row in led.iter_rows(named=True):
        by_unit.setdefault(str(row["unit"]), []).append(row)
    out = []
    for number, uc in enumerate(result.settings.classes, start=1):
        sections = []
        frame = result.units.filter(pl.col("class") == uc.id)
        for i, row in enumerate(frame.iter_rows(named=True), start=1):
            rows = by_unit.get(str(row["unit"]), [])
            lines = tuple(
                LedgerLine(
                    str(r["indicator"] or ""),
                    str(r["path"] or ""),
                    str(r["kind"] or ""),
                    amount_text(r["change"], places, r["kind"] == "折算"),  # type: ignore[arg-type]
                    str(r["rubric"] or ""),
                    str(r["input"] or ""),
                    str(r["note"] or ""),
                    evidence_parts(r["evidence"]),  # type: ignore[arg-type]
                )
                for r in rows
                if not r["subtotal"]
            )
            subtotal = next((str(r["rubric"]) for r in rows if r["subtotal"]), "")
            complete = bool(subtotal) or total <= limit
            sections.append(
                UnitSection(
                    f"u{number}-{i}",
                    str(row["unit"]),
                    str(row["name"]),
                    uc.name,
                    _headline(row, places),
                    lines,
                    subtotal,
                    complete,
                )
            )
        out.append((uc.name, tuple(sections)))
    note = None
    if total > limit:
        note = (
            f"共 {total} 条扣分、加分记录，此处按排名顺序列出前 {limit} 条；完整明细见工作簿与明细数据文件。"
        )
    return tuple(out), note


def build_report(
    result: Result,
    generated: dt.date,
    *,
    yoy: pl.DataFrame | None = None,
    run: int | None = None,
    ledger_rows: int = LEDGER_WORKBOOK_MAX,
) -> Report:
    """What the page, the PDF and the data files show for ``result`` dated ``generated``, with the 同比
    columns when ``yoy`` is given (``run``: the archive's run it was made from)."""
    result = with_yoy(result, yoy)
    s = result.settings
    units, note = _unit_sections(result, ledger_rows)
    anchors = {sec.unit: sec.anchor for _, secs in units for sec in secs}
    tables = tuple(_table(result, n, anchors) for n in range(1, len(s.classes) + 1))
    grades = grade_order(s)
    summary_rows = tuple(
        (
            c.unit_class.name,
            str(c.units),
            points_text(c.mean, s.places),
            points_text(c.highest, s.places),
            points_text(c.lowest, s.places),
            *(str(n) for _, n in c.grades),
        )
        for c in class_summaries(result)
    )
    return Report(
        title=workbook_title(s),
        issuer=s.issuer,
        year=s.year,
        date=date_text(generated),
        scope=scope_text(result),
        method=tuple(method_lines(result)),
        summary_caption="各类单位得分与等次分布" if grades else "各类单位得分概况",
        summary_headers=("类别", "单位数", "平均分", "最高分", "最低分", *grades),
        summary_rows=summary_rows,
        tables=tables,
        units=units,
        ledger_note=note,
        yoy_note="上年总分、上年排名和名次变化与上一年度的考核结果比较。" if yoy is not None else None,
        places=s.places,
        run=run,
        results_sha256=result.manifest.results_sha256,
        generated=generated,
    )

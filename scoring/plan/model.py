"""What a plan is once read: its items (:class:`PlanItem`), the document facts, the warnings, and the
report of what was found — whatever the file's format (text, Word, a decomposition table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class PlanWarning:
    """Something the parser could not read with confidence; shown to the user, never fatal."""

    message: str
    item: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"第{self.line}行")
        if self.item is not None:
            where.append(f"事项 {self.item}")
        return ("，".join(where) + "：" if where else "") + self.message


@dataclass
class PlanItem:
    """One work item of the plan.

    ``lead_units`` and ``responsible_units`` are the names as written; ``lead_full`` and
    ``responsible_full`` the same names with an elided prefix restored (``财政厅`` after ``省工信厅`` is
    ``省财政厅``; each restoration is in ``notes``); ``unit_codes`` the roster's codes of the units it
    could map. ``deadlines`` are dates (ISO) or limits as written, ``durations`` the limits as ISO 8601
    durations (``P2W``), ``recurrences`` the repeating ones as ISO 8601 repeating intervals (``R/P3M``)."""

    label: str
    kind: str  # "item" (numbered), "subsection" (a （一） sub-section) or "section" (a 一、 section)
    number: int | None
    section: str | None
    section_no: int | None
    heading: str | None
    heading_no: int | None
    text: str
    units_text: str | None
    lead_units: list[str]
    responsible_units: list[str]
    deadlines: list[str]
    line: int
    durations: list[str] = field(default_factory=list)
    recurrences: list[str] = field(default_factory=list)
    lead_full: list[str] = field(default_factory=list)
    responsible_full: list[str] = field(default_factory=list)
    unit_codes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        """Every unit named, lead first, once each."""
        return [*self.lead_units, *(u for u in self.responsible_units if u not in self.lead_units)]

    @property
    def has_time(self) -> bool:
        """Whether the item states a deadline, a duration or a recurrence."""
        return bool(self.deadlines or self.durations or self.recurrences)


@dataclass(frozen=True)
class Unplaced:
    """Text the reader could not place in any item: its line (a row of a table) and the text."""

    line: int
    text: str


@dataclass
class Plan:
    """A parsed plan document."""

    title: str | None
    issuer: str | None
    doc_number: str | None
    year: int | None
    items: list[PlanItem]
    warnings: list[PlanWarning] = field(default_factory=list)
    source: str | None = None
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the document was read (a table, lost breaks…)
    unmapped: list[str] = field(default_factory=list)  # unit names the roster could not map, once each
    mapped: int = 0  # unit names the roster mapped to a code
    form: str = "text"  # "text", "word", "table"

    def item(self, label: str) -> PlanItem:
        return next(i for i in self.items if i.label == label)


COLUMNS = (
    "item",
    "section",
    "heading",
    "text",
    "lead_units",
    "responsible_units",
    "deadlines",
    "units_text",
    "line",
    "issuer",
    "doc_number",
    "year",
    "durations",
    "recurrences",
    "lead_full",
    "responsible_full",
    "unit_codes",
    "notes",
)
LIST_COLUMNS = (
    "lead_units",
    "responsible_units",
    "deadlines",
    "durations",
    "recurrences",
    "lead_full",
    "responsible_full",
    "unit_codes",
    "notes",
)


def item_rows(plan: Plan) -> list[dict[str, object]]:
    """One dict per item with the columns of :data:`COLUMNS` (lists as lists)."""
    return [
        {
            "item": it.label,
            "section": it.section,
            "heading": it.heading,
            "text": it.text,
            "lead_units": list(it.lead_units),
            "responsible_units": list(it.responsible_units),
            "deadlines": list(it.deadlines),
            "units_text": it.units_text,
            "line": it.line,
            "issuer": plan.issuer,
            "doc_number": plan.doc_number,
            "year": plan.year,
            "durations": list(it.durations),
            "recurrences": list(it.recurrences),
            "lead_full": list(it.lead_full),
            "responsible_full": list(it.responsible_full),
            "unit_codes": list(it.unit_codes),
            "notes": list(it.notes),
        }
        for it in plan.items
    ]


def items_frame(plan: Plan) -> pl.DataFrame:
    """The items as a polars DataFrame (list columns for units, deadlines, durations, codes and notes)."""
    import polars as pl

    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        c: pl.List(pl.String) if c in LIST_COLUMNS else pl.Int64 if c in ("line", "year") else pl.String
        for c in COLUMNS
    }
    if not plan.items:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(item_rows(plan), schema=schema, orient="row")


def flat_rows(plan: Plan, sep: str = "、") -> list[list[str]]:
    """The items as text rows (lists joined with ``sep``, notes with ``；``), header first, for CSV and
    Excel."""
    out: list[list[str]] = [list(COLUMNS)]
    for row in item_rows(plan):
        cells: list[str] = []
        for c in COLUMNS:
            v = row[c]
            if isinstance(v, list):
                cells.append(("；" if c == "notes" else sep).join(str(x) for x in v))
            else:
                cells.append("" if v is None else str(v))
        out.append(cells)
    return out


def summary_lines(plan: Plan) -> Sequence[str]:
    """The document facts, for printing."""
    return [
        f"标题：{plan.title or '（未识别）'}",
        f"发文机关：{plan.issuer or '（未识别）'}",
        f"文号：{plan.doc_number or '（未识别）'}",
        f"年度：{plan.year or '（未识别）'}",
    ]


FORMS = {"text": "文本", "word": "Word 文档", "table": "任务分解表"}


def report_lines(plan: Plan) -> list[str]:
    """What was found in the file, in the reader's words: items, how many name units and a time limit,
    how it was read, every piece of text it could not place, and the roster's misses."""
    n = len(plan.items)
    with_units = sum(1 for it in plan.items if it.units)
    with_time = sum(1 for it in plan.items if it.has_time)
    name = plan.source or "文件"
    lines = [
        f"{name}（{FORMS.get(plan.form, plan.form)}）：找到 {n} 个事项，"
        f"写明责任单位的 {with_units} 个，写明时限的 {with_time} 个"
    ]
    lines += [f"  说明：{note}" for note in plan.notes]
    if plan.unplaced:
        lines.append(f"  未能归入事项的文字（{len(plan.unplaced)} 处）：")
        lines += [f"    第{u.line}行：{u.text}" for u in plan.unplaced]
    else:
        lines.append("  事项之外没有遗留的文字（开头和落款按文件信息读取）")
    if plan.mapped or plan.unmapped:
        lines.append(f"  名册：{plan.mapped} 个单位名称已对应代码，未能对应 {len(plan.unmapped)} 个")
        if plan.unmapped:
            lines.append(f"    未能对应：{'、'.join(plan.unmapped)}")
    return lines

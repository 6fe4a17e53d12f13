"""From the text of a plan (工作要点) to its work items: label, section, sub-heading, text, lead and
responsible units, deadlines; plus the document's title, issuer, number (文号) and year.

The parser reads the document's structure rather than one layout: sections ``一、``, sub-headings
``（一）`` / ``(一)``, numbered items ``1.`` / ``1．`` / ``1、``. Markers are accepted in sequence (a wrapped
line that happens to start with ``3.`` is not an item unless 3 is the next number), gaps are accepted and
reported. When a document has no numbered items, its sub-sections are the items (``一（三）``), and when it
has neither, its sections are. Nothing is dropped silently: every problem is a :class:`PlanWarning`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .deadlines import find_deadlines
from .text import (
    Line,
    cn_number,
    ends_paragraph,
    ends_sentence,
    is_full,
    join_text,
    normalise_town_marks,
    paragraphs,
    read_plan_text,
    split_lines,
    wrap_width,
)
from .units import UnitsNote, find_note

if TYPE_CHECKING:
    import polars as pl

_SECTION_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.*)$")
_SUB_RE = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(.*)$")
# ``3.`` / ``3．`` / ``3、``, but not a decimal (``2.5亿``) or ``1.1``; ``3.2020 年底前`` is item 3.
_ITEM_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?:(?!\d)|(?=\d{4}\s*年))(.*)$")
_TERMINATOR_RE = re.compile(
    r"^(?:抄送|抄报|主送\s*[：:]|附件\s*[：:\d１-９]|附件下载|附\s*[：:]|附表|主题词|相关链接|扫一扫|打印本页"
    r"|关闭窗口|【打印】|【关闭】|责任编辑|（此件公开发布）|\(此件公开发布\))"
)
_DATE_LINE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_PRINTED_RE = re.compile(r"^(?P<org>.*?)\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")
_ORG_RE = re.compile(
    r"^[\u4e00-\u9fff（）()]{4,40}(?:政府|办公室|办公厅|委员会|局|委|办|厅|中心|公开办|领导小组|[）)])$"
)
_DOC_NUMBER_RE = re.compile(
    r"^\s*([\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号)\s*$"
)
_TITLE_WORDS = re.compile(r"工作要点|要点|工作安排|任务分工|重点任务|实施方案|工作方案|工作计划")
_NOTICE_TITLE_RE = re.compile(r"关于印发\s*《?(.+?)》?\s*的通知")
_NON_TASK_TITLES = re.compile(
    r"^(?:总体要求|指导思想|基本原则|工作目标|主要目标|目标任务|工作要求|有关要求|其他要求|保障措施|组织保障"
    r"|工作保障|组织实施|工作措施)$"
)


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
    """One work item of the plan."""

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

    @property
    def units(self) -> list[str]:
        """Every unit named, lead first, once each."""
        return [*self.lead_units, *(u for u in self.responsible_units if u not in self.lead_units)]


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

    def item(self, label: str) -> PlanItem:
        return next(i for i in self.items if i.label == label)


# --------------------------------------------------------------------------------------------- scanning


@dataclass
class _Block:
    kind: str  # "section" | "sub" | "item"
    n: int
    numeral: str
    lines: list[Line]  # the first line holds the text after the marker
    marker: str  # the marker as written, e.g. "一、", "（一）", "21."


@dataclass
class _Scan:
    preamble: list[Line] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    tail: list[Line] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)


def _scan(lines: list[Line], wrap: int | None) -> _Scan:
    sc = _Scan()
    last_sec = last_sub = last_item = 0
    last_kind: str | None = None
    cur: _Block | None = None

    def open_block(kind: str, n: int, numeral: str, rest: str, ln: Line, marker: str) -> _Block:
        b = _Block(kind, n, numeral, [Line(ln.no, rest, ln.width)], marker)
        sc.blocks.append(b)
        return b

    for i, ln in enumerate(lines):
        prev = lines[i - 1] if i > 0 else None
        prev_end = prev is None or ends_paragraph(prev, wrap) or ends_sentence(prev)
        if sc.blocks and (
            _TERMINATOR_RE.match(ln.text) or _DATE_LINE_RE.match(ln.text) or _PRINTED_RE.match(ln.text)
        ):
            tail = lines[i:]
            if (
                cur is not None
                and len(cur.lines) > 1
                and _DATE_LINE_RE.match(ln.text)
                and _ORG_RE.match(cur.lines[-1].text)
            ):
                tail = [cur.lines.pop(), *tail]  # the signature above the date
            sc.tail = tail
            break
        text = ln.text
        m = _SECTION_RE.match(text)
        if m and (n := cn_number(m.group(1))) is not None:
            if n == last_sec + 1 and (last_sec > 0 or prev_end):
                cur = open_block("section", n, m.group(1), m.group(2), ln, text[: m.start(2)].strip())
                last_sec, last_sub, last_kind = n, 0, "section"
                continue
            if last_sec + 1 < n <= last_sec + 3 and prev_end and last_sec > 0:
                sc.warnings.append(
                    PlanWarning(f"部分编号不连续：{_cn(last_sec)}之后是{m.group(1)}", line=ln.no)
                )
                cur = open_block("section", n, m.group(1), m.group(2), ln, text[: m.start(2)].strip())
                last_sec, last_sub, last_kind = n, 0, "section"
                continue
        m = _SUB_RE.match(text)
        if m and (n := cn_number(m.group(1))) is not None:
            if n == last_sub + 1 and (last_sub > 0 or last_sec > 0 or prev_end):
                cur = open_block("sub", n, m.group(1), m.group(2), ln, text[: m.start(2)].strip())
                last_sub, last_kind = n, "sub"
                continue
            if last_sub + 1 < n <= last_sub + 3 and prev_end and (last_sub > 0 or last_sec > 0):
                sc.warnings.append(
                    PlanWarning(
                        f"小标题编号不连续：（{_cn(last_sub)}）之后是（{m.group(1)}）"
                        if last_sub
                        else f"小标题从（{m.group(1)}）开始",
                        line=ln.no,
                    )
                )
                cur = open_block("sub", n, m.group(1), m.group(2), ln, text[: m.start(2)].strip())
                last_sub, last_kind = n, "sub"
                continue
        m = _ITEM_RE.match(text)
        if m:
            n = int(m.group(1))
            marker = text[: m.start(2)].strip()
            accept = False
            if n == last_item + 1 and (last_item > 0 or prev_end):
                accept = True
            elif n == 1 and last_item > 0 and last_kind in ("section", "sub"):
                accept = True  # numbering restarts under each heading
            elif last_item == 0 and n > 1 and prev_end and (last_sec or last_sub):
                sc.warnings.append(PlanWarning(f"事项编号从 {n} 开始", line=ln.no))
                accept = True
            elif last_item + 1 < n <= last_item + 10 and prev_end:
                gap = "、".join(str(k) for k in range(last_item + 1, n))
                sc.warnings.append(
                    PlanWarning(f"事项编号不连续：{last_item} 之后是 {n}（缺 {gap}）", line=ln.no)
                )
                accept = True
            elif prev_end and last_item > 0:
                sc.warnings.append(
                    PlanWarning(
                        f"“{marker}”看似事项编号，但与前面的编号 {last_item} 不衔接，已并入上一段文字",
                        line=ln.no,
                    )
                )
            if accept:
                cur = open_block("item", n, m.group(1), m.group(2), ln, marker)
                last_item, last_kind = n, "item"
                continue
        if cur is None:
            sc.preamble.append(ln)
        else:
            cur.lines.append(ln)
    return sc


_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")


# ------------------------------------------------------------------------------------------- structure


@dataclass
class _Heading:
    block: _Block
    title: str  # as written, with the marker, without a unit note, cut at the first 。
    full: str  # heading paragraph, without marker
    body: list[Line]
    note: UnitsNote | None


@dataclass
class _Sub:
    head: _Heading
    items: list[_Block] = field(default_factory=list)


@dataclass
class _Section:
    head: _Heading | None  # None: items before any section heading
    direct: list[_Block] = field(default_factory=list)  # items before the first sub-heading
    subs: list[_Sub] = field(default_factory=list)


def _heading(block: _Block, wrap: int | None) -> _Heading:
    lines = block.lines
    j = 0
    while j + 1 < len(lines) and is_full(lines[j], wrap) and not ends_sentence(lines[j]):
        j += 1
    full = normalise_town_marks(join_text([ln.text for ln in lines[: j + 1]]))
    note = find_note(full)
    bare = note.before.strip() if note is not None else full
    title = bare.split("。", 1)[0].strip() or bare
    sep = "" if block.marker.endswith(("、", "）", ")", ".", "．")) else " "
    return _Heading(block, f"{block.marker}{sep}{title}".strip(), bare, lines[j + 1 :], note)


def _structure(blocks: list[_Block], wrap: int | None) -> list[_Section]:
    sections: list[_Section] = []
    for b in blocks:
        if b.kind == "section":
            sections.append(_Section(_heading(b, wrap)))
            continue
        if not sections:
            sections.append(_Section(None))
        sec = sections[-1]
        if b.kind == "sub":
            sec.subs.append(_Sub(_heading(b, wrap)))
        elif sec.subs:
            sec.subs[-1].items.append(b)
        else:
            sec.direct.append(b)
    return sections


# ------------------------------------------------------------------------------------------------ items


def _text_and_note(
    lines: list[Line], keep_first_paragraph: bool, wrap: int | None
) -> tuple[str, UnitsNote | None, list[Line]]:
    """An item's text, its unit note and the lines after the note that belong to no item."""
    texts = [normalise_town_marks(ln.text) for ln in lines]
    for k in range(len(lines) - 1, -1, -1):
        note = find_note(join_text(texts[: k + 1]))
        if note is not None:
            body = note.before
            after = note.after.strip(" 。．.；;，,")
            if after:
                body = body.rstrip() + note.after.strip()
            return join_text([body]), note, lines[k + 1 :]
    if keep_first_paragraph:
        paras = paragraphs(lines, wrap)
        n = len(paras[0]) if paras else len(lines)
        return join_text(texts[:n]), None, lines[n:]
    return join_text(texts), None, []


def _snippet(lines: list[Line], limit: int = 30) -> str:
    s = join_text([ln.text for ln in lines])
    return s if len(s) <= limit else s[:limit] + "…"


def _build_items(
    sections: list[_Section], wrap: int | None, year: int | None, warnings: list[PlanWarning]
) -> list[PlanItem]:
    blocks = [b for s in sections for b in [*s.direct, *(b for sub in s.subs for b in sub.items)]]
    has_numbered = bool(blocks)
    has_subs = any(s.subs for s in sections)
    last_item_block = blocks[-1] if blocks else None
    numbers = [b.n for b in blocks]
    restarts = len(numbers) != len(set(numbers))  # numbering restarts under headings: qualify the labels
    if restarts:
        warnings.append(
            PlanWarning("事项编号在各部分重新从 1 开始，编号前加上了部分和小标题的序号（如 一（二）.3）")
        )

    def item_label(sec: _Section, sub: _Sub | None, b: _Block) -> str:
        if not restarts:
            return str(b.n)
        prefix = sec.head.block.numeral if sec.head else ""
        prefix += f"（{sub.head.block.numeral}）" if sub else ""
        return f"{prefix}.{b.n}" if prefix else str(b.n)

    items: list[PlanItem] = []

    def make(
        kind: str,
        label: str,
        number: int | None,
        lines: list[Line],
        sec: _Section,
        sub: _Sub | None,
        keep_first: bool,
    ) -> None:
        text, note, rest = _text_and_note(lines, keep_first, wrap)
        if rest:
            warnings.append(PlanWarning(f"其后的文字未归入任何事项：“{_snippet(rest)}”", label, rest[0].no))
        if note is not None and not note.complete:
            warnings.append(PlanWarning(f"责任单位的括号不完整，已按“{note.note}”读取", label, lines[0].no))
        inherited = None
        if note is None:
            for h in (sub.head if sub else None, sec.head):
                if h is not None and h.note is not None:
                    inherited = h.note
                    break
        used = note or inherited
        lead = list(used.units.lead) if used else []
        resp = list(used.units.responsible) if used else []
        if used is not None and used.units.doubtful:
            warnings.append(
                PlanWarning(
                    f"这些名称不像单位名称，请核对：{'、'.join(used.units.doubtful)}", label, lines[0].no
                )
            )
        dl, problems = find_deadlines(text + (f"（{note.note}）" if note else ""), year)
        for p in problems:
            warnings.append(PlanWarning(p, label, lines[0].no))
        if not text:
            warnings.append(PlanWarning("事项没有正文", label, lines[0].no))
        items.append(
            PlanItem(
                label=label,
                kind=kind,
                number=number,
                section=sec.head.title if sec.head else None,
                section_no=sec.head.block.n if sec.head else None,
                heading=sub.head.title if sub else None,
                heading_no=sub.head.block.n if sub else None,
                text=text,
                units_text=note.note.strip() if note else (inherited.note.strip() if inherited else None),
                lead_units=lead,
                responsible_units=resp,
                deadlines=dl,
                line=lines[0].no,
            )
        )

    for sec in sections:
        sec_num = sec.head.block.numeral if sec.head else ""
        for b in sec.direct:
            make("item", item_label(sec, None, b), b.n, b.lines, sec, None, b is last_item_block)
        for sub in sec.subs:
            for b in sub.items:
                make("item", item_label(sec, sub, b), b.n, b.lines, sec, sub, b is last_item_block)
            if sub.items:
                continue
            label = f"{sec_num}（{sub.head.block.numeral}）"
            bare_title = sub.head.full.split("。", 1)[0]
            if has_numbered and sub.head.note is None and not sub.head.body:
                warnings.append(
                    PlanWarning(
                        "小标题下没有编号事项，已把小标题作为一个事项", label, sub.head.block.lines[0].no
                    )
                )
            elif has_numbered:
                warnings.append(
                    PlanWarning(
                        "小标题下没有编号事项，已把整个小节作为一个事项", label, sub.head.block.lines[0].no
                    )
                )
            elif (
                sec.head is not None
                and sub.head.note is None
                and _NON_TASK_TITLES.match(_bare(sec.head.full))
            ):
                warnings.append(
                    PlanWarning(
                        f"“{sec.head.title}”视为说明性内容，其小节未作为事项（{bare_title}）",
                        label,
                        sub.head.block.lines[0].no,
                    )
                )
                continue
            make("subsection", label, None, sub.head.block.lines, sec, sub, False)
        if sec.head is None or sec.direct or sec.subs:
            continue
        head = sec.head
        if (not has_numbered and not has_subs and not _NON_TASK_TITLES.match(_bare(head.full))) or find_note(
            join_text([ln.text for ln in head.block.lines])
        ) is not None:
            make("section", sec_num, None, head.block.lines, sec, None, False)
        else:
            warnings.append(PlanWarning(f"“{head.title}”下没有工作事项，未提取", line=head.block.lines[0].no))
    return items


def _bare(s: str) -> str:
    return re.sub(r"[。：:，,\s]+$", "", s.split("。", 1)[0])


def _unique_labels(items: list[PlanItem], warnings: list[PlanWarning]) -> None:
    """Labels are unique in a document; a label seen twice (a repeated number) gets a suffix."""
    seen: dict[str, int] = {}
    for it in items:
        if it.label in seen:
            seen[it.label] += 1
            new = f"{it.label}#{seen[it.label]}"
            warnings.append(PlanWarning(f"编号重复，改记为 {new}", it.label, it.line))
            it.label = new
        else:
            seen[it.label] = 1


# --------------------------------------------------------------------------------------------- metadata


def _metadata(head: list[Line], tail: list[Line]) -> tuple[str | None, str | None, str | None, int | None]:
    """Title, issuer, document number and year from the lines before the first heading (and the tail)."""
    texts = [join_text([ln.text]) for ln in head]
    doc_number = None
    for t in texts:
        m = _DOC_NUMBER_RE.match(t)
        if m:
            doc_number = re.sub(r"\s+", "", m.group(1))
            break
    title = None
    for t in texts:
        if (
            _TITLE_WORDS.search(t)
            and "关于" not in t
            and not t.endswith("通知")
            and len(t) <= 50
            and not re.search(r"[《》。，,：:]", t)
        ):
            title = t
            break
    if title is None:
        joined = join_text([ln.text for ln in head[:12]])
        m = _NOTICE_TITLE_RE.search(joined)
        if m:
            title = m.group(1).strip("《》 ")
    issuer = None
    all_lines = texts + [join_text([ln.text]) for ln in tail]
    for i, t in enumerate(all_lines):
        if _DATE_LINE_RE.match(t):
            for j in range(i - 1, max(-1, i - 3), -1):
                if _ORG_RE.match(all_lines[j]) and not all_lines[j].endswith("文件"):
                    issuer = all_lines[j]
                    break
            if issuer:
                break
    if issuer is None:
        for i, t in enumerate(all_lines):
            m = re.match(r"^(?:来源|发布机构|发文机关)\s*[：:]\s*(.*)$", t)
            if m:
                cand = m.group(1).strip() or (all_lines[i + 1] if i + 1 < len(all_lines) else "")
                if cand and _ORG_RE.match(cand):
                    issuer = cand
                    break
    if issuer is None:
        for t in all_lines:
            m = _PRINTED_RE.match(t)
            if m and _ORG_RE.match(m.group("org")):
                issuer = m.group("org")
                break
    if issuer is None:
        joined = "".join(texts[:3])
        m = re.match(r"^(.{4,40}?)文件", joined)
        if m and _ORG_RE.match(m.group(1)):
            issuer = m.group(1)
    year = None
    for src in (title, doc_number):
        m = re.search(r"((?:19|20)\d{2})", src or "")
        if m:
            year = int(m.group(1))
            break
    if year is None:
        for t in all_lines:
            if _DATE_LINE_RE.match(t):
                year = int(t[:4])
                break
    return title, issuer, doc_number, year


# ------------------------------------------------------------------------------------------------- API


def parse_plan(text: str, source: str | None = None) -> Plan:
    """Parse the text of a plan document."""
    lines = split_lines(text)
    wrap = wrap_width(lines)
    sc = _scan(lines, wrap)
    warnings = list(sc.warnings)
    title, issuer, doc_number, year = _metadata(sc.preamble, sc.tail)
    sections = _structure(sc.blocks, wrap)
    items = _build_items(sections, wrap, year, warnings)
    _unique_labels(items, warnings)
    if items and not any(it.units for it in items):
        warnings.append(PlanWarning("全文没有写明责任单位（牵头单位、责任单位）"))
    else:
        for it in items:
            if not it.units:
                warnings.append(PlanWarning("没有写明责任单位", it.label, it.line))
    if not items:
        warnings.append(
            PlanWarning("没有找到工作事项（未识别出“1.”编号事项、“（一）”小标题或“一、”部分标题）")
        )
    warnings.sort(key=lambda w: (w.line is None, w.line or 0))
    return Plan(title, issuer, doc_number, year, items, warnings, source)


def read_plan(path: Path) -> Plan:
    """Read and parse a plan file (.txt, .md or .docx; UTF-8 or GB18030)."""
    return parse_plan(read_plan_text(path), source=path.name)


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
)
LIST_COLUMNS = ("lead_units", "responsible_units", "deadlines")


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
        }
        for it in plan.items
    ]


def items_frame(plan: Plan) -> pl.DataFrame:
    """The items as a polars DataFrame (list columns for units and deadlines)."""
    import polars as pl

    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "item": pl.String,
        "section": pl.String,
        "heading": pl.String,
        "text": pl.String,
        "lead_units": pl.List(pl.String),
        "responsible_units": pl.List(pl.String),
        "deadlines": pl.List(pl.String),
        "units_text": pl.String,
        "line": pl.Int64,
        "issuer": pl.String,
        "doc_number": pl.String,
        "year": pl.Int64,
    }
    if not plan.items:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(item_rows(plan), schema=schema, orient="row")


def flat_rows(plan: Plan, sep: str = "、") -> list[list[str]]:
    """The items as text rows (lists joined with ``sep``), header first, for CSV and Excel."""
    out: list[list[str]] = [list(COLUMNS)]
    for row in item_rows(plan):
        cells: list[str] = []
        for c in COLUMNS:
            v = row[c]
            if isinstance(v, list):
                cells.append(sep.join(str(x) for x in v))
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

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .deadlines import find_deadlines
from .enrich import finish
from .facts import DATE_LINE_RE, ORG_RE, PRINTED_RE, TERMINATOR_RE, cut_head, cut_tail, document_facts
from .model import (
    COLUMNS,
    LIST_COLUMNS,
    Plan,
    PlanItem,
    PlanWarning,
    Unplaced,
    flat_rows,
    item_rows,
    items_frame,
    summary_lines,
)
from .table import Grid, header_row, join_tables, read_table
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
    split_run_on,
    wrap_width,
)
from .units import UnitsNote, find_note

if TYPE_CHECKING:
    from .roster import Roster

__all__ = [
    "COLUMNS",
    "LIST_COLUMNS",
    "Plan",
    "PlanItem",
    "PlanWarning",
    "flat_rows",
    "item_rows",
    "items_frame",
    "parse_plan",
    "read_plan",
    "summary_lines",
]

_SECTION_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.*)$")
_SUB_RE = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(.*)$")
# ``3.`` / ``3．`` / ``3、``, but not a decimal (``2.5亿``) or ``1.1``; ``3.2020 年底前`` is item 3.
_ITEM_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?:(?!\d)|(?=\d{4}\s*年))(.*)$")
_NON_TASK_TITLES = re.compile(
    r"^(?:总体要求|指导思想|基本原则|工作目标|主要目标|目标任务|工作要求|有关要求|其他要求|保障措施|组织保障"
    r"|工作保障|组织实施|工作措施)$"
)


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
            TERMINATOR_RE.match(ln.text) or DATE_LINE_RE.match(ln.text) or PRINTED_RE.match(ln.text)
        ):
            tail = lines[i:]
            if (
                cur is not None
                and len(cur.lines) > 1
                and DATE_LINE_RE.match(ln.text)
                and ORG_RE.match(cur.lines[-1].text)
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
    sections: list[_Section],
    wrap: int | None,
    year: int | None,
    warnings: list[PlanWarning],
    unplaced: list[Unplaced],
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
            unplaced.append(Unplaced(rest[0].no, join_text([ln.text for ln in rest])))
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
                unplaced.append(_unplaced(sub.head.block))
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
            unplaced.append(_unplaced(head.block))
    return items


def _unplaced(block: _Block) -> Unplaced:
    """A heading and its text that were not made an item, as written, for the report."""
    return Unplaced(block.lines[0].no, block.marker + join_text([ln.text for ln in block.lines]))


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


# ------------------------------------------------------------------------------------------------- API


def parse_plan(text: str, source: str | None = None) -> Plan:
    """Parse the text of a plan document."""
    lines, cut, last = split_run_on(split_lines(text))
    if last is not None:
        lines[last : last + 1] = cut_tail(lines[last])
        first = next((i for i, ln in enumerate(lines) if ln.no == lines[last].no), None)
        if first is not None and not _SECTION_RE.match(lines[first].text):
            lines[first : first + 1] = cut_head(lines[first])
    wrap = None if cut else wrap_width(lines)  # pieces of a line cut by its numbering are paragraphs
    sc = _scan(lines, wrap)
    warnings = list(sc.warnings)
    title, issuer, doc_number, year = document_facts(sc.preamble, sc.tail)
    sections = _structure(sc.blocks, wrap)
    unplaced: list[Unplaced] = []
    items = _build_items(sections, wrap, year, warnings, unplaced)
    _unique_labels(items, warnings)
    _unit_warnings(items, warnings)
    if not items:
        warnings.append(
            PlanWarning("没有找到工作事项（未识别出“1.”编号事项、“（一）”小标题或“一、”部分标题）")
        )
    warnings.sort(key=lambda w: (w.line is None, w.line or 0))
    plan = Plan(title, issuer, doc_number, year, items, warnings, source, unplaced)
    if cut:
        plan.notes.append(f"有 {cut} 行原文没有换行（如从网页复制），已按“一、”“（一）”“1.”等编号分段")
    return finish(plan)


def _unit_warnings(items: list[PlanItem], warnings: list[PlanWarning]) -> None:
    if items and not any(it.units for it in items):
        warnings.append(PlanWarning("全文没有写明责任单位（牵头单位、责任单位）"))
    else:
        for it in items:
            if not it.units:
                warnings.append(PlanWarning("没有写明责任单位", it.label, it.line))


REFUSED = {".doc": ".docx", ".wps": ".docx", ".pdf": ".txt 或 .docx", ".xls": ".xlsx", ".et": ".xlsx"}


def read_plan(path: Path, roster: Roster | None = None) -> Plan:
    """Read and parse a plan file: text (.txt, .md, UTF-8 or GB18030), Word (.docx: paragraphs with their
    automatic numbers, and tables) or an Excel decomposition table (.xlsx); then the durations,
    recurrences, full unit names and, with a roster, the units' codes (:func:`enrich.finish`).

    Raises FileNotFoundError, IsADirectoryError or ValueError (with a Chinese message) for the CLI."""
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        raise ValueError(f"{path.name}：不支持 {suffix} 文件，请先另存为 {REFUSED[suffix]}")
    if suffix in (".docx", ".xlsx", ".xlsm"):
        if not path.exists():
            raise FileNotFoundError(f"找不到文件：{path}")
        if path.is_dir():
            raise IsADirectoryError(f"{path} 是目录，不是文件")
    if suffix in (".xlsx", ".xlsm"):
        from .sheet import read_xlsx

        plan = plan_from_tables(read_xlsx(path), None, path.name)
    elif suffix == ".docx":
        from .word import read_word

        doc = read_word(path)
        tables = join_tables(doc.grids)
        if tables:
            plan = plan_from_tables(tables, doc.text(tables=False), path.name)
        else:
            plan = parse_plan(doc.text(), source=path.name)
        plan.form = "word" if not tables else "table"
    else:
        plan = parse_plan(read_plan_text(path), source=path.name)
    return finish(plan, roster)


def plan_from_tables(grids: list[Grid], text: str | None, source: str | None = None) -> Plan:
    """A plan from decomposition tables: the items of every grid with a header row, the document facts
    from ``text`` (a Word file's paragraphs) or from the rows above the first header (a sheet's title)."""
    found = [(g, h) for g in join_tables(grids) if (h := header_row(g)) is not None]
    if text is None:
        text = "\n".join(
            " ".join(dict.fromkeys(c.text.strip() for c in row if c.text.strip()))
            for g, h in found[:1]
            for row in g.rows[:h]
        )
    head = parse_plan(text)
    plan = Plan(head.title, head.issuer, head.doc_number, head.year, [], [], source, form="table")
    if head.items:
        plan.notes.append(f"正文中另有 {len(head.items)} 个编号事项，以任务分解表为准")
    for g, h in found:
        got = read_table(g, plan.year)
        plan.items += got.items
        plan.warnings += got.warnings
        plan.unplaced += got.unplaced
        plan.notes.append(f"{g.name or '表格'}：表头在第{g.lines[h]}行，{got.columns}")
    _unique_labels(plan.items, plan.warnings)
    _unit_warnings(plan.items, plan.warnings)
    if not found:
        plan.warnings.append(
            PlanWarning(
                "没有找到任务分解表的表头（应有“工作任务”或“工作要求”列，以及序号、牵头单位、责任单位等列）"
            )
        )
    elif not plan.items:
        plan.warnings.append(PlanWarning("任务分解表中没有找到工作事项"))
    plan.warnings.sort(key=lambda w: (w.line is None, w.line or 0))
    return finish(plan)

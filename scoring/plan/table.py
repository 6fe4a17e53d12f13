"""Task decomposition tables (任务分解表): the form in which most offices hand out the plan.

A table has a header row somewhere near its top (序号 | 工作任务 | 工作要求 | 牵头单位 | 配合单位 | 完成时限,
in any order and wording, sometimes over two rows); sections as rows merged across the table (or a 类别
column merged down); items numbered in the source, continuously or restarting under each section. The
header row is found, each column mapped by its name, merged cells carried down, and the source's numbers
kept: a gap is a warning, never renumbered. Rows that are neither a heading nor an item are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .deadlines import find_deadlines, find_durations, find_recurrences
from .model import PlanItem, PlanWarning, Unplaced
from .text import clean_line, cn_number, join_text, normalise_town_marks
from .units import cell_units

ROLES = ("number", "lead", "responsible", "deadline", "requirement", "task", "section", "remark")
_ROLE_RES = (
    ("remark", re.compile(r"备注|说明|领导")),
    ("number", re.compile(r"^(?:序号|编号|序|项次|No\.?|NO\.?|任务编号|事项编号)$")),
    ("lead", re.compile(r"牵头|主责|主办")),
    ("responsible", re.compile(r"责任|配合|协办|参与|落实单位|实施单位|承办|责任主体|^(?:单位|部门)$")),
    ("deadline", re.compile(r"时限|时间|期限|进度|节点|完成时")),
    ("requirement", re.compile(r"要求|内容|措施|举措|目标|标准|具体")),
    ("task", re.compile(r"任务|事项|工作|项目|名称")),
    ("section", re.compile(r"类别|分类|板块|领域|方面|类型|专项")),
)
_SECTION_RE = re.compile(r"^(?:第\s*)?([一二三四五六七八九十]{1,3})\s*(?:、|\.|．|部分)\s*(.*)$")
_SUB_RE = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(.*)$")
_CN_NUMBER = re.compile(r"^[（(]?\s*([一二三四五六七八九十]{1,3})\s*[）)、.．]?$")
_ARABIC = re.compile(r"^[（(]?\s*(\d{1,3})(?:\.0+)?\s*[）)]?\s*[.．、]?$")
_DOTTED = re.compile(r"^\d{1,3}(?:\s*[.．-]\s*\d{1,3})+$")  # 1.1, 2-3: kept as written
_LEADING_NUMBER = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?!\d)")


@dataclass(frozen=True)
class Cell:
    """A cell's text and the top-left cell of the merged range it belongs to (itself when not merged)."""

    text: str
    origin: tuple[int, int]


@dataclass
class Grid:
    """A table as read: rows of cells, each row's line (its Excel row, or its line in a Word document)."""

    rows: list[list[Cell]]
    lines: list[int]
    name: str = ""


def grid_from_values(values: list[list[str]], lines: list[int] | None = None, name: str = "") -> Grid:
    """A grid without merged cells."""
    rows = [[Cell(v, (r, c)) for c, v in enumerate(row)] for r, row in enumerate(values)]
    return Grid(rows, lines or list(range(1, len(values) + 1)), name)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _cell_text(s: str) -> str:
    """A cell's text: lines stripped (kept apart by newlines: a unit a line is common), blank lines
    dropped, full-width digits as ASCII; a lone number stays (it is the item's number)."""
    lines = (x.replace("\u3000", " ").replace("\xa0", " ").strip() for x in s.splitlines())
    return "\n".join(x for x in lines if x).translate(_FULLWIDTH_DIGITS)


def _flat(s: str) -> str:
    return join_text([clean_line(x) or x for x in s.split("\n")])


def _role(header: str) -> str | None:
    h = re.sub(r"\s+", "", header)
    if not h or len(h) > 16:
        return None
    for role, rx in _ROLE_RES:
        if rx.search(h):
            return role
    return None


def _roles(row: list[Cell]) -> list[str | None]:
    return [_role(c.text) for c in row]


def header_row(grid: Grid, scan: int = 15) -> int | None:
    """The index of the header row: the first near the top naming at least two kinds of column, one of
    them the task or its requirement."""
    for r, row in enumerate(grid.rows[:scan]):
        roles = {x for x in _roles(row) if x not in (None, "remark")}
        if len(roles) >= 2 and roles & {"task", "requirement"}:
            return r
    return None


@dataclass
class TableRead:
    items: list[PlanItem] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    columns: str = ""  # how the columns were read, for the report


ROLE_NAMES = {
    "number": "序号",
    "lead": "牵头单位",
    "responsible": "责任单位",
    "deadline": "时限",
    "requirement": "要求",
    "task": "任务",
    "section": "部分",
    "remark": "不使用",
}


@dataclass
class _Head:
    title: str
    no: int | None
    numeral: str


def _column_roles(grid: Grid, h: int) -> tuple[list[str | None], int]:
    """Each column's role, and the first data row (after a second header row, if any)."""
    roles = _roles(grid.rows[h])
    start = h + 1
    if start < len(grid.rows):
        below = grid.rows[start]
        sub = _roles(below)
        own = [c.origin[0] == start for c in below]
        if any(
            x in ("lead", "responsible", "deadline", "requirement", "task") and o
            for x, o in zip(sub, own, strict=True)
        ) and not any(_ARABIC.match(c.text.strip()) for c in below):
            roles = [s if s is not None and o else r for r, s, o in zip(roles, sub, own, strict=True)]
            start += 1
    return roles, start


def read_table(grid: Grid, year: int | None) -> TableRead:
    """The items of a decomposition table whose header row is ``header_row(grid)``."""
    out = TableRead()
    h = header_row(grid)
    if h is None:
        return out
    roles, start = _column_roles(grid, h)
    cols = {role: [c for c, x in enumerate(roles) if x == role] for role in ROLES}
    headers = [_cell_text(c.text) for c in grid.rows[h]]
    names = [_flat(_cell_text(grid.rows[start - 1][c].text) or headers[c]) for c in range(len(headers))]
    shown = [
        f"“{names[c]}”作{ROLE_NAMES[x] if x else '（未用）'}" for c, x in enumerate(roles) if names[c] or x
    ]
    out.columns = "列：" + "，".join(dict.fromkeys(shown))
    section: _Head | None = None
    heading: _Head | None = None
    sections_seen = 0
    last_n = 0
    restarted = False
    no_numbers = not cols["number"]
    sequence = 0
    last_origin: tuple[int, int] | None = None
    last_item: PlanItem | None = None
    heads_since_item = False

    def texts(row: list[Cell], role: str) -> list[str]:
        seen: set[tuple[int, int]] = set()
        got: list[str] = []
        for c in cols[role]:
            cell = row[c] if c < len(row) else None
            if cell is None or cell.origin in seen:
                continue
            seen.add(cell.origin)
            t = _cell_text(cell.text)
            if t and t not in got:
                got.append(t)
        return got

    for r in range(start, len(grid.rows)):
        row = grid.rows[r]
        line = grid.lines[r]
        filled = {c.origin: _cell_text(c.text) for c in row if _cell_text(c.text)}
        if not filled:
            continue
        number_cell = row[cols["number"][0]] if cols["number"] and cols["number"][0] < len(row) else None
        number_text = _cell_text(number_cell.text) if number_cell else ""
        # a heading: 一 / （一） in the number column, or one text across the row
        head_kind, head_numeral, head_title = None, "", ""
        m = _CN_NUMBER.match(number_text)
        if m:
            others = [t for o, t in filled.items() if number_cell is None or o != number_cell.origin]
            head_kind = "sub" if number_text.startswith(("（", "(")) else "section"
            head_numeral, head_title = m.group(1), _flat("\n".join(others))
            head_title = f"{number_text}{'' if number_text.endswith(('、', '）', ')')) else '、'}{head_title}"
        elif len(filled) == 1 and not _ARABIC.match(next(iter(filled.values()))):
            ((origin, t),) = filled.items()
            t = _flat(t)
            span = sum(1 for c in row if c.origin == origin)
            ms, mu = _SECTION_RE.match(t), _SUB_RE.match(t)
            if mu:
                head_kind, head_numeral, head_title = "sub", mu.group(1), t
            elif ms:
                head_kind, head_numeral, head_title = "section", ms.group(1), t
            elif span >= 2 or (cols["section"] and origin[1] in cols["section"]):
                head_kind, head_title = "section", t
        if head_kind == "section":
            sections_seen += 1
            section = _Head(
                head_title, cn_number(head_numeral) if head_numeral else sections_seen, head_numeral
            )
            heading, heads_since_item = None, True
            continue
        if head_kind == "sub":
            heading = _Head(head_title, cn_number(head_numeral), head_numeral)
            heads_since_item = True
            continue
        if cols["section"]:
            sec_text = _flat("\n".join(texts(row, "section")))
            if sec_text and (section is None or section.title != sec_text):
                sections_seen += 1
                ms = _SECTION_RE.match(sec_text)
                section = _Head(sec_text, sections_seen, ms.group(1) if ms else "")
                heading, heads_since_item = None, True
        task, requirement = texts(row, "task"), texts(row, "requirement")
        lead_raw, resp_raw, when = texts(row, "lead"), texts(row, "responsible"), texts(row, "deadline")
        n: int | None = None
        if number_text and (ma := _ARABIC.match(number_text)):
            n = int(ma.group(1))
        elif task and (ml := _LEADING_NUMBER.match(task[0])):
            n = int(ml.group(1))
            task[0] = task[0][ml.end() :]
        elif requirement and not task and (ml := _LEADING_NUMBER.match(requirement[0])):
            n = int(ml.group(1))
            requirement[0] = requirement[0][ml.end() :]
        if not (task or requirement or lead_raw or resp_raw):
            out.unplaced.append(Unplaced(line, "　".join(map(_flat, filled.values()))))
            continue
        # a row under a number merged down from the row above continues that item
        if (
            last_item is not None
            and number_cell is not None
            and number_cell.origin == last_origin
            and number_cell.origin[0] != r
        ):
            _extend(last_item, task, requirement, lead_raw, resp_raw, when, year, out.warnings)
            continue
        if n is None and _DOTTED.match(number_text):
            label = re.sub(r"\s+", "", number_text)  # a numbering of its own (1.1, 1.2): as written
        elif n is None and not no_numbers:
            if last_item is not None and not task and number_cell is not None and not number_text:
                out.unplaced.append(Unplaced(line, "　".join(map(_flat, filled.values()))))
                continue
            label = f"行{line}"
            out.warnings.append(PlanWarning(f"这一行没有序号，记为“{label}”", label, line))
        elif n is None:
            sequence += 1
            label = str(sequence)
        else:
            label = str(n)
            if n > last_n + 1 and last_n > 0:
                gap = (
                    "、".join(str(k) for k in range(last_n + 1, n))
                    if n <= last_n + 10
                    else f"{last_n + 1}–{n - 1}"
                )
                out.warnings.append(
                    PlanWarning(f"事项编号不连续：{last_n} 之后是 {n}（缺 {gap}）", label, line)
                )
            elif last_n == 0 and n > 1:
                out.warnings.append(PlanWarning(f"事项编号从 {n} 开始", label, line))
            elif n <= last_n and n == 1 and heads_since_item:
                restarted = True
            elif n <= last_n:
                out.warnings.append(
                    PlanWarning(f"事项编号 {n} 不在 {last_n} 之后，按原编号保留", label, line)
                )
            last_n = n
        item = PlanItem(
            label=label,
            kind="item",
            number=n,
            section=section.title if section else None,
            section_no=section.no if section else None,
            heading=heading.title if heading else None,
            heading_no=heading.no if heading else None,
            text="",
            units_text=None,
            lead_units=[],
            responsible_units=[],
            deadlines=[],
            line=line,
        )
        _extend(item, task, requirement, lead_raw, resp_raw, when, year, out.warnings)
        item.units_text = (
            "；".join(
                f"{names[cols[role][0]] or ROLE_NAMES[role]}：{'、'.join(raw)}"
                for role, raw in (("lead", lead_raw), ("responsible", resp_raw))
                if raw
            )
            or None
        )
        if not item.text:
            out.warnings.append(PlanWarning("事项没有正文", label, line))
        out.items.append(item)
        last_item, last_origin = item, number_cell.origin if number_cell else None
        heads_since_item = False
    if no_numbers and out.items:
        out.warnings.append(
            PlanWarning(f"表格没有序号列，事项按表中顺序记为 1–{len(out.items)}", line=out.items[0].line)
        )
    if restarted:
        out.warnings.append(PlanWarning("事项编号在各部分重新从 1 开始，编号前加上了部分的序号（如 二.3）"))
        for it in out.items:
            prefix = _numeral(it.section, it.section_no)
            if prefix:
                it.label = f"{prefix}.{it.label}"
    return out


def _numeral(section: str | None, no: int | None) -> str:
    if section and (m := _SECTION_RE.match(section)):
        return m.group(1)
    return str(no) if no else ""


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        p = normalise_town_marks(p.strip())
        if not p:
            continue
        if out and out[-1] not in "。！？!?；;：:":
            out += "。"
        out += p
    return join_text([out]) if out else ""


def _extend(
    item: PlanItem,
    task: list[str],
    requirement: list[str],
    lead_raw: list[str],
    resp_raw: list[str],
    when: list[str],
    year: int | None,
    warnings: list[PlanWarning],
) -> None:
    """Add a row's task, requirement, units and time limit to an item (a first row or a continuation)."""
    parts = [item.text] if item.text else []
    parts += [t for t in (_flat(x) for x in [*task, *requirement]) if t not in item.text]
    item.text = _join(parts)
    for raw in lead_raw:
        u = cell_units(raw, "lead")
        _add(item.lead_units, u.lead)
        _add(item.responsible_units, u.responsible)
    for raw in resp_raw:
        u = cell_units(raw, "responsible")
        _add(item.lead_units, u.lead)
        _add(item.responsible_units, u.responsible)
    item.responsible_units[:] = [u for u in item.responsible_units if u not in item.lead_units]
    when = [_flat(w) for w in when]
    found, problems = find_deadlines("；".join([*when, item.text]), year)
    for p in problems:
        warnings.append(PlanWarning(p, item.label, item.line))
    _add(item.deadlines, found)
    for w in when:
        durations, _ = find_durations(w)
        recurrences = find_recurrences(w)
        _add(item.durations, durations)
        _add(item.recurrences, recurrences)
        if not find_deadlines(w, year)[0] and not durations and not recurrences:
            _add(item.deadlines, [w])  # 长期坚持, 持续推进: as written


def _add(target: list[str], values: list[str]) -> None:
    for v in values:
        if v and v not in target:
            target.append(v)


def join_tables(grids: list[Grid]) -> list[Grid]:
    """The decomposition tables among ``grids``, a table broken over pages put back together: a grid of
    the same width right after a decomposition table continues it when it has no header row (a Word
    table split at a page) or repeats the same header (printed on each page)."""
    out: list[tuple[Grid, list[str]]] = []
    for g in grids:
        h = header_row(g)
        width = max((len(r) for r in g.rows), default=0)
        prev = out[-1] if out else None
        if prev is not None and width == max((len(r) for r in prev[0].rows), default=0):
            skip = 0
            if h is not None:
                names = [_cell_text(c.text) for c in g.rows[h]]
                if names != prev[1]:
                    out.append((g, names))
                    continue
                skip = _column_roles(g, h)[1]
            base = prev[0]
            offset = len(base.rows) - skip
            rows = [[Cell(c.text, (c.origin[0] + offset, c.origin[1])) for c in row] for row in g.rows[skip:]]
            out[-1] = (Grid([*base.rows, *rows], [*base.lines, *g.lines[skip:]], base.name), prev[1])
        elif h is not None:
            out.append((g, [_cell_text(c.text) for c in g.rows[h]]))
    return [g for g, _ in out]

"""Reading a Word plan (.docx) with python-docx: the paragraphs in order with the numbers Word draws for
them (automatic numbering: ``一、``, ``（一）``, ``1.`` are often not in the text), and the tables as grids
with their merged cells. Each paragraph is one line and each table row one line, in document order, so
warnings name a line a reader can find."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .table import Cell, Grid
from .text import docx_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (Word's chineseCounting)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, s in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= v:
            out, n = out + s, n - v
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's number formats (decimal when the format is unknown)."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "ideographTraditional",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "japaneseCounting",
    ):
        return cn_numeral(n)
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class Numbering:
    """Word's list definitions and the counters while the document is walked."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> Numbering:
        out = cls()
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return out
        abstract: dict[str, dict[int, _Level]] = {}
        for a in root.iter(f"{_W}abstractNum"):
            lv: dict[int, _Level] = {}
            for lvl in a.iter(f"{_W}lvl"):
                level = _Level()
                for tag, attr in (("start", "start"), ("numFmt", "fmt"), ("lvlText", "text")):
                    el = lvl.find(f"{_W}{tag}")
                    if el is not None and el.get(f"{_W}val") is not None:
                        v = el.get(f"{_W}val")
                        setattr(level, attr, int(v) if attr == "start" else v)
                lv[int(lvl.get(f"{_W}ilvl", "0"))] = level
            abstract[a.get(f"{_W}abstractNumId", "")] = lv
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            levels = {
                k: _Level(v.start, v.fmt, v.text)
                for k, v in abstract.get(ref.get(f"{_W}val", ""), {}).items()
            }
            for over in num.iter(f"{_W}lvlOverride"):
                st = over.find(f"{_W}startOverride")
                k = int(over.get(f"{_W}ilvl", "0"))
                if st is not None and k in levels:
                    levels[k].start = int(st.get(f"{_W}val", "1"))
            out.levels[num.get(f"{_W}numId", "")] = levels
        return out

    def label(self, num_id: str, ilvl: int) -> str:
        """The number Word draws for the next paragraph of list ``num_id`` at level ``ilvl``."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels or levels[ilvl].fmt in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it

        def value(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            level = levels.get(k)
            n = counters.get(k, level.start if level else 1)
            return format_number(n, level.fmt if level else "decimal")

        return re.sub(r"%(\d)", value, levels[ilvl].text)


def _num_pr(p: Any, styles: dict[str, Any]) -> tuple[str, int] | None:
    """The list a paragraph belongs to: its own numPr, or its style's (following basedOn)."""
    ppr = p.find(f"{_W}pPr")
    num = ppr.find(f"{_W}numPr") if ppr is not None else None
    style_id = None
    if ppr is not None and (ps := ppr.find(f"{_W}pStyle")) is not None:
        style_id = ps.get(f"{_W}val")
    seen: set[str] = set()
    while num is None and style_id and style_id not in seen:
        seen.add(style_id)
        st = styles.get(style_id)
        if st is None:
            break
        sppr = st.find(f"{_W}pPr")
        num = sppr.find(f"{_W}numPr") if sppr is not None else None
        based = st.find(f"{_W}basedOn")
        style_id = based.get(f"{_W}val") if based is not None else None
    if num is None:
        return None
    nid = num.find(f"{_W}numId")
    lvl = num.find(f"{_W}ilvl")
    if nid is None or nid.get(f"{_W}val") in (None, "0"):
        return None
    return nid.get(f"{_W}val", ""), int(lvl.get(f"{_W}val", "0")) if lvl is not None else 0


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter():
        if el.tag == f"{_W}t" and el.text:
            parts.append(el.text)
        elif el.tag == f"{_W}tab" or el.tag in (f"{_W}br", f"{_W}cr"):
            parts.append(" ")
    return "".join(parts)


@dataclass
class WordDocument:
    """A Word file's content in document order: paragraphs (str) and tables (Grid), one line each
    paragraph and one line each table row."""

    blocks: Sequence[str | Grid]

    def text(self, tables: bool = True) -> str:
        """The paragraphs, one a line, with table rows as lines (cells once each, separated by spaces) or,
        with ``tables=False``, as blank lines, so the line numbers stay those of the document."""
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, str):
                lines.append(b)
                continue
            for row in b.rows:
                seen: list[tuple[int, int]] = []
                cells = []
                for c in row:
                    if c.origin not in seen and c.text.strip():
                        seen.append(c.origin)
                        cells.append(c.text.replace("\n", " ").strip())
                lines.append(" ".join(cells) if tables else "")
        return "\n".join(lines)

    @property
    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]


def _grid(tbl: Any, first_line: int, name: str) -> Grid:
    from docx.table import Table

    table = Table(tbl, None)  # type: ignore[arg-type]  # the parent is only needed to write
    rows: list[list[Cell]] = []
    where: dict[Any, tuple[int, int]] = {}  # keyed by the cell element itself: ids of lxml proxies are reused
    for r, row in enumerate(table.rows):
        cells: list[Cell] = []
        for c, cell in enumerate(row.cells):
            origin = where.setdefault(cell._tc, (r, c))
            text = "\n".join(p.text for p in cell.paragraphs)
            cells.append(Cell(text, origin))
        rows.append(cells)
    return Grid(rows, list(range(first_line, first_line + len(rows))), name)


def read_word(path: Path) -> WordDocument:
    """The paragraphs (numbered as Word shows them) and tables of a .docx file. A file python-docx
    cannot open as a package but holding ``word/document.xml`` is read as plain paragraphs; anything
    else is a ValueError in Chinese."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        try:
            return WordDocument(list(docx_text(path).split("\n")))  # a bare document.xml in a zip
        except (zipfile.BadZipFile, KeyError, OSError, SyntaxError) as inner:
            raise ValueError(f"{path.name}：不是有效的 .docx 文件（{inner or e}）") from inner
    numbering = Numbering.of(document)
    styles: dict[str, Any] = {}
    try:
        for st in document.styles.element.iter(f"{_W}style"):
            styles[st.get(f"{_W}styleId", "")] = st
    except (NotImplementedError, KeyError, AttributeError):
        pass
    blocks: list[str | Grid] = []
    line = 1
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            text = _paragraph_text(child)
            num = _num_pr(child, styles)
            if num is not None and text.strip():
                label = numbering.label(*num)
                if label:
                    text = label + text
            blocks.append(text)
            line += 1
        elif child.tag == f"{_W}tbl":
            grid = _grid(child, line, f"表{sum(isinstance(b, Grid) for b in blocks) + 1}")
            blocks.append(grid)
            line += len(grid.rows)
    return WordDocument(blocks)

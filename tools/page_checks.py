"""The print check's pure part: printed pages and sheets as plain data, and the checks on them.

:mod:`tools.print_check` reads the PDF (pdfminer.six) and the workbook (openpyxl) into these types and
renders; everything here works on plain values, so it is tested without LibreOffice or a PDF.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_RANKING_PT = 9.0  # smallest font allowed on a ranking page
MIN_FILL = 1 / 3  # smallest share of the printable area a page must cover
RUNNING_BAND = 0.15  # running header/footer lines sit in this share of the page at its top or bottom
POINTS_PER_INCH = 72.0
EXCEL_DEFAULT_MARGINS = (0.7, 0.7, 0.75, 0.75)  # left, right, top, bottom (inches)
EXCEL_DEFAULT_WIDTH = 8.43  # a column's width when the sheet sets none
INDENT_WIDTH = 2.0  # display width of one indent level (about one CJK character)
TABLE_WIDTH = 80
HEADER_ROWS = 6  # a ranking sheet's header row (排名, 单位, ...) is within its first rows
NO_WRAP_ALIGN = {"general", "left", "right", "center", "centerContinuous"}  # others wrap, fill or spread


# ------------------------------------------------------------------------------------------ plain data


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin at the bottom left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return max(self.x1 - self.x0, 0.0) * max(self.y1 - self.y0, 0.0)

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1)
        )

    def intersect(self, other: Box) -> Box | None:
        b = Box(
            max(self.x0, other.x0), max(self.y0, other.y0), min(self.x1, other.x1), min(self.y1, other.y1)
        )
        return b if b.x0 <= b.x1 and b.y0 <= b.y1 else None


@dataclass(frozen=True)
class TextLine:
    """One line of text as the PDF draws it, with the smallest font size among its characters."""

    text: str
    box: Box
    size: float


@dataclass(frozen=True)
class PageContent:
    """What one printed page holds: its text lines and its visible drawn shapes (lines, rectangles)."""

    number: int  # 1-based
    width: float
    height: float
    lines: tuple[TextLine, ...]
    shapes: tuple[Box, ...]


@dataclass(frozen=True)
class Cell:
    """A text cell of a sheet (1-based row and column), with what decides how it is drawn."""

    row: int
    col: int
    text: str
    size: float = 11.0
    wrap: bool = False
    align: str = "general"
    indent: int = 0
    rotation: int = 0
    shrink: bool = False


@dataclass(frozen=True)
class SheetCells:
    """A sheet's text cells and what their text may run into."""

    name: str
    cells: tuple[Cell, ...]
    occupied: frozenset[tuple[int, int]]  # (row, col) holding any value, or inside a merged range
    widths: Mapping[int, float]  # column → Excel width (a column not listed has default_width)
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first row, first col, last row, last col)
    last_col: int = 0  # the last used column: the print range ends there
    default_width: float = EXCEL_DEFAULT_WIDTH


@dataclass(frozen=True)
class Clip:
    """A text cell that prints cut off."""

    sheet: str
    ref: str
    text: str
    need: float  # estimated display width of the text (Excel width units)
    room: float  # width it can use: its column(s) and the empty neighbours it may run into


@dataclass(frozen=True)
class SheetInfo:
    """What the page checks need from a workbook's sheet."""

    name: str
    ranking: bool
    margins: tuple[float, float, float, float]  # left, right, top, bottom (inches)
    running: tuple[str, ...]  # header/footer sections, in Excel's code (&P, &A, ...)


@dataclass
class PageReport:
    book: str
    page: int
    sheet: str | None
    ranking: bool
    smallest: float | None
    fill: float
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ text


def display_width(s: str) -> int:
    """Display width: East Asian wide and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def squash(s: str) -> str:
    """Text with all whitespace removed (the PDF's spacing between characters is not the cell's)."""
    return "".join(s.split())


def col_letter(col: int) -> str:
    letters = ""
    while col > 0:
        col, r = divmod(col - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_CODE = re.compile(r'&(&|"[^"]*"|\d+|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|[A-Za-z])')


def running_pattern(section: str, sheet_names: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern that a printed header/footer section matches (whitespace removed): ``&P``/``&N`` are
    numbers, ``&A`` one of the sheet names, ``&D``/``&T``/``&F``/``&Z`` any text, ``&&`` an ampersand;
    font, size, colour and style codes print nothing. None for a section that prints nothing."""
    out: list[str] = []
    pos = 0
    names = sorted({squash(n) for n in sheet_names if squash(n)}, key=len, reverse=True)
    for m in _CODE.finditer(section):
        out.append(re.escape(squash(section[pos : m.start()])))
        code = m.group(1)
        if code == "&":
            out.append("&")
        elif code.upper() in {"P", "N"}:
            out.append(r"\d+")
        elif code.upper() == "A" and names:
            out.append("(?:" + "|".join(map(re.escape, names)) + ")")
        elif code.upper() in {"A", "D", "T", "F", "Z"}:
            out.append(".+?")
        pos = m.end()
    out.append(re.escape(squash(section[pos:])))
    body = "".join(out)
    return re.compile(body) if body else None


def is_running(line: TextLine, page_height: float, patterns: Sequence[re.Pattern[str]]) -> bool:
    """Whether a line is the running header or footer: near the top or bottom edge and printing one of
    the sheet's header/footer sections."""
    middle = (line.box.y0 + line.box.y1) / 2
    band = RUNNING_BAND * page_height
    if band < middle < page_height - band:
        return False
    text = squash(line.text)
    return bool(text) and any(p.fullmatch(text) for p in patterns)


def page_sheets(running_texts: Sequence[Sequence[str]], sheet_names: Sequence[str]) -> list[str | None]:
    """The sheet of each page, from its running header/footer texts (the sheet's name, printed by ``&A``);
    a page that prints no sheet name follows the page before it (pages come in sheet order)."""
    by_text = {squash(n): n for n in sheet_names}
    out: list[str | None] = []
    current: str | None = None
    for texts in running_texts:
        found = [by_text[squash(t)] for t in texts if squash(t) in by_text]
        current = found[0] if found else current
        out.append(current)
    return out


# ------------------------------------------------------------------------------------------ page checks


def smallest_size(lines: Iterable[TextLine]) -> float | None:
    """The smallest font size of any visible text (None on a page without text)."""
    sizes = [ln.size for ln in lines if ln.text.strip()]
    return min(sizes) if sizes else None


_HASHES = re.compile(r"#{3,}")


def narrow_marks(lines: Iterable[TextLine]) -> list[str]:
    """Excel's and LibreOffice's marks for a number too wide for its column: a run of three or more ``#``,
    or a word of only ``#`` (a very narrow column prints fewer)."""
    marks: list[str] = []
    for ln in lines:
        words = ln.text.split()
        marks += [w for w in words if set(w) == {"#"} or _HASHES.search(w)]
    return marks


def printable_box(width: float, height: float, margins: tuple[float, float, float, float]) -> Box:
    """The page less its margins (left, right, top, bottom, in inches)."""
    left, right, top, bottom = (m * POINTS_PER_INCH for m in margins)
    return Box(left, bottom, width - right, height - top)


def content_box(lines: Iterable[TextLine], shapes: Iterable[Box]) -> Box | None:
    """The bounding box of the given text lines and shapes (None when there are none)."""
    box: Box | None = None
    for b in [ln.box for ln in lines if ln.text.strip()] + list(shapes):
        box = b if box is None else box.union(b)
    return box


def fill_fraction(content: Box | None, printable: Box, page: Box | None = None) -> float:
    """The share of the printable area that the content's bounding box covers, at most 1. The content is
    cut to the ``page`` only, not to the printable area: LibreOffice starts the body a little inside the
    sheet's top margin (it turns Excel's header margin into its own page margin)."""
    if content is None or printable.area <= 0:
        return 0.0
    inside = content if page is None else content.intersect(page)
    return 0.0 if inside is None else min(inside.area / printable.area, 1.0)


def check_page(
    book: str,
    page: PageContent,
    sheet: SheetInfo | None,
    patterns: Sequence[re.Pattern[str]],
) -> PageReport:
    """The checks of one printed page (clipped cells are added by the caller, from the workbook)."""
    body = [ln for ln in page.lines if not is_running(ln, page.height, patterns)]
    ranking = sheet is not None and sheet.ranking
    smallest = smallest_size(page.lines)
    margins = sheet.margins if sheet is not None else EXCEL_DEFAULT_MARGINS
    printable = printable_box(page.width, page.height, margins)
    fill = fill_fraction(content_box(body, page.shapes), printable, Box(0, 0, page.width, page.height))
    report = PageReport(book, page.number, sheet.name if sheet else None, ranking, smallest, fill)
    # sizes are compared as reported, to 0.1 pt: 11 pt at LibreOffice's 82% prints as 9.02, at 81.8% as 8.998
    if ranking and (smallest is None or round(smallest, 1) < MIN_RANKING_PT):
        shown = "无文字" if smallest is None else f"{smallest:.1f}pt"
        report.problems.append(f"排名页字号{shown}<{MIN_RANKING_PT:g}pt")
    if fill < MIN_FILL:
        report.problems.append(f"填充{fill:.0%}<{MIN_FILL:.0%}")
    marks = narrow_marks(page.lines)
    if marks:
        report.problems.append(f"###×{len(marks)}")
    return report


# ------------------------------------------------------------------------------------------ clipped cells


def clipped_cells(sheet: SheetCells) -> list[Clip]:
    """Text cells that do not wrap and are wider than the room they have: their column (or merged range),
    plus, outside a merged range, the empty neighbours they run into (to the right for left/general
    alignment, to the left for right, half each way for centred), within the sheet's used columns."""

    def width(c: int) -> float:
        return sheet.widths.get(c, sheet.default_width)

    merged_at = {(r0, c0): (r0, c0, r1, c1) for r0, c0, r1, c1 in sheet.merged}
    inside_merge = {
        (r, c)
        for r0, c0, r1, c1 in sheet.merged
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    last = max(sheet.last_col, *(c.col for c in sheet.cells)) if sheet.cells else sheet.last_col

    def run(row: int, col: int, step: int, wanted: float) -> float:
        """Width of the empty neighbours from ``col`` in direction ``step``, up to ``wanted``."""
        got, c = 0.0, col + step
        while got < wanted and 1 <= c <= last and (row, c) not in sheet.occupied:
            got += width(c)
            c += step
        return got

    clips: list[Clip] = []
    for cell in sheet.cells:
        align = cell.align or "general"
        if cell.wrap or cell.shrink or cell.rotation or align not in NO_WRAP_ALIGN:
            continue
        if (cell.row, cell.col) in inside_merge or not cell.text.strip():
            continue
        longest = max(display_width(line) for line in cell.text.split("\n"))
        need = longest * cell.size / 11.0 + INDENT_WIDTH * cell.indent
        span = merged_at.get((cell.row, cell.col))
        if span is not None:
            room = sum(width(c) for c in range(span[1], span[3] + 1))
        else:
            room = width(cell.col)
            extra = need - room
            if extra > 0:
                if align in {"center", "centerContinuous"}:
                    side = min(run(cell.row, cell.col, -1, extra / 2), run(cell.row, cell.col, 1, extra / 2))
                    room += 2 * side
                elif align == "right":
                    room += run(cell.row, cell.col, -1, extra)
                else:
                    room += run(cell.row, cell.col, 1, extra)
        if need > room + 1e-9:
            shown = cell.text if len(cell.text) <= 24 else cell.text[:23] + "…"
            ref = f"{col_letter(cell.col)}{cell.row}"
            clips.append(Clip(sheet.name, ref, shown.replace("\n", " "), round(need, 1), round(room, 1)))
    return clips


def locate(text: str, page_texts: Mapping[int, str], window: int = 4) -> int | None:
    """The first page (of those given, page number → its text) that prints a piece of ``text``: any
    ``window`` characters of it in a row (a clipped cell may print only part of its text)."""
    key = squash(text)
    pieces = {key[i : i + window] for i in range(max(len(key) - window + 1, 1))} - {""}
    for number in sorted(page_texts):
        printed = squash(page_texts[number])
        if any(piece in printed for piece in pieces):
            return number
    return None


# ------------------------------------------------------------------------------------------ the report


def _pad(s: str, width: int) -> str:
    return s + " " * max(width - display_width(s), 0)


def _cut(s: str, width: int) -> str:
    if display_width(s) <= width:
        return s
    out = ""
    for ch in s:
        if display_width(out + ch + "…") > width:
            break
        out += ch
    return out + "…"


def _wrap(items: Sequence[str], width: int) -> list[str]:
    """Items joined by ``；`` into lines of at most ``width`` display columns (an item too long is cut)."""
    lines: list[str] = []
    current = ""
    for item in (_cut(i, width) for i in items):
        joined = f"{current}；{item}" if current else item
        if display_width(joined) <= width:
            current = joined
        else:
            lines.append(current)
            current = item
    lines.append(current)
    return lines


COLUMNS = (("工作簿", 9), ("页", 4), ("工作表", 14), ("最小字号", 8), ("填充", 5))


def format_table(reports: Sequence[PageReport], width: int = TABLE_WIDTH) -> str:
    """The per-page table, every line at most ``width`` display columns; ``*`` marks a ranking page."""
    rest = width - sum(w for _, w in COLUMNS) - len(COLUMNS)
    head = " ".join(_pad(h, w) for h, w in COLUMNS) + " 问题"
    lines = [head, "-" * width]
    for r in reports:
        size = "—" if r.smallest is None else f"{r.smallest:.1f}"
        sheet = _cut(r.sheet or "?", COLUMNS[2][1] - 1) + ("*" if r.ranking else "")
        cells = [_cut(r.book, COLUMNS[0][1]), str(r.page), sheet, size, f"{r.fill:.0%}"]
        first = " ".join(_pad(c, w) for c, (_, w) in zip(cells, COLUMNS, strict=True))
        wrapped = _wrap(r.problems or ["—"], rest)
        lines.append(f"{first} {wrapped[0]}".rstrip())
        indent = " " * (width - rest)
        lines += [f"{indent}{w}" for w in wrapped[1:]]
    return "\n".join(lines)


def page_ranges(pages: Sequence[int]) -> str:
    """Page numbers as ranges: 2,3,4,7 → 2-4,7."""
    runs: list[list[int]] = []
    for n in sorted(set(pages)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def fold(text: str, width: int = TABLE_WIDTH, indent: str = "    ") -> list[str]:
    """A line folded at ``width`` display columns, the continuation lines indented."""
    lines, current = [], ""
    for ch in text:
        if display_width(current + ch) > width:
            lines.append(current)
            current = indent
        current += ch
    return [*lines, current]


def continuation_tails(reports: Sequence[PageReport]) -> list[int]:
    """The ids of the reports that are the last page of a sheet printed over two or more pages: such a page
    holds what is left of a long table, and its fill says nothing about the layout."""
    tails: list[int] = []
    for i, r in enumerate(reports):
        nxt = reports[i + 1] if i + 1 < len(reports) else None
        prev = reports[i - 1] if i > 0 else None
        last = nxt is None or nxt.book != r.book or nxt.sheet != r.sheet
        continued = prev is not None and prev.book == r.book and prev.sheet == r.sheet
        if r.sheet is not None and last and continued:
            tails.append(id(r))
    return tails


def summary(reports: Sequence[PageReport], clips: Sequence[tuple[str, Clip, int | None]]) -> tuple[str, bool]:
    """The closing lines (clipped cells, pages failing each check; at most 80 columns) and whether
    everything passed."""
    small = [r for r in reports if any(p.startswith("排名页字号") for p in r.problems)]
    tails = set(continuation_tails(reports))
    for r in reports:  # the last page of a table that runs over several pages ends where the table ends
        if id(r) in tails:
            r.problems = [p if not p.startswith("填充") else f"{p}（续页末页，不计）" for p in r.problems]
    empty = [r for r in reports if r.fill < MIN_FILL and id(r) not in tails]
    hashes = [r for r in reports if any(p.startswith("###") for p in r.problems)]

    def pages(rs: Sequence[PageReport]) -> str:
        by: dict[str, list[int]] = {}
        for r in rs:
            by.setdefault(r.book, []).append(r.page)
        return "；".join(f"{b} 第{page_ranges(ps)}页" for b, ps in by.items()) or "无"

    out = [f"截断的文字（单元格，估计宽度 > 可用宽度）：{len(clips)} 处"]
    for book, c, p in clips:
        where = "" if p is None else f"（第{p}页）"
        out.append(f"  {book} {c.sheet}!{c.ref}{where} “{_cut(c.text, 24)}” {c.need:g} > {c.room:g}")
    out += [
        f"排名页字号小于 {MIN_RANKING_PT:g} pt：{len(small)} 页（{pages(small)}）",
        f"填充不足 {MIN_FILL:.0%}：{len(empty)} 页（{pages(empty)}）",
        f"### 标记（数字列太窄）：{len(hashes)} 页（{pages(hashes)}）",
    ]
    ok = not (small or empty or hashes or clips)
    out.append("结论：通过" if ok else "结论：未通过")
    return "\n".join(folded for line in out for folded in fold(line)), ok


def is_ranking_sheet(first_column: Sequence[object]) -> bool:
    """Whether a sheet is a class's ranking sheet: its table's header (in the first rows, under the title
    and any note) starts with 排名."""
    return any(str(v or "").strip() == "排名" for v in first_column[:HEADER_ROWS])

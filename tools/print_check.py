"""Render the 通报 workbooks with LibreOffice and check them as printed pages.

    python -m tools.print_check [--out DIR] [WORKBOOK.xlsx ...]

Without workbooks it makes its own, from the repository root: ``score compute --year 2021`` and
``--year 2020`` (the shipped years) and a generated year (the reference workload at 200 units, seed 42, its
categories split into 12 level-1 parts by ``benchmarks.year --parts 12``), each with ``--no-archive
--force --out DIR/<name>.xlsx``. Each workbook is converted to PDF by LibreOffice headless (a private user
profile per run, so parallel runs do not clash) into ``DIR/pdf``, and every page to a PNG at 60 dpi
(``pdftoppm``) into ``DIR/png/<name>/``.

Checks, per printed page (the PDF read with pdfminer.six):

- the smallest font size on the page, as printed (LibreOffice prints with the sheet's fit-to-page scale,
  and the PDF's text matrix carries it); on the ranking pages (sheets whose second row starts with 排名,
  one per unit class) it must be at least 9 pt;
- no ``###`` (or a cell of only ``#``): Excel's and LibreOffice's mark for a number too wide for its column;
- the page is at least a third full: the bounding box of its text and drawn lines/rectangles (running
  header and footer left out) against the printable area (the page less the sheet's margins);
- no clipped text: a text cell that does not wrap and is wider than its column plus the empty neighbours
  it may run into (LibreOffice cuts it at the first non-empty one). Widths are estimated from the
  workbook (CJK characters count 2, others 1, times font size / 11, against Excel's column widths).

A table at 80 columns lists every page (workbook, page, sheet, smallest font, fill, problems), then the
clipped cells and a summary. Exit status: 0 when every check passes, 1 when any fails, 2 when the
workbooks could not be made or rendered.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MIN_RANKING_PT = 9.0  # smallest font allowed on a ranking page
MIN_FILL = 1 / 3  # smallest share of the printable area a page must cover
RUNNING_BAND = 0.15  # running header/footer lines sit in this share of the page at its top or bottom
POINTS_PER_INCH = 72.0
EXCEL_DEFAULT_MARGINS = (0.7, 0.7, 0.75, 0.75)  # left, right, top, bottom (inches)
EXCEL_DEFAULT_WIDTH = 8.43  # a column's width when the sheet sets none
INDENT_WIDTH = 2.0  # display width of one indent level (about one CJK character)
TABLE_WIDTH = 80
SHIPPED_YEARS = (2021, 2020)
GENERATED_UNITS, GENERATED_PARTS, GENERATED_SEED = 200, 12, 42
NO_WRAP_ALIGN = {"general", "left", "right", "center", "centerContinuous"}  # others wrap, fill or spread


class ToolError(RuntimeError):
    """A workbook could not be made or rendered (exit status 2)."""


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


def fill_fraction(content: Box | None, printable: Box) -> float:
    """The share of the printable area that the content's bounding box covers (0 to 1)."""
    if content is None or printable.area <= 0:
        return 0.0
    inside = content.intersect(printable)
    return 0.0 if inside is None else inside.area / printable.area


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
    fill = fill_fraction(content_box(body, page.shapes), printable_box(page.width, page.height, margins))
    report = PageReport(book, page.number, sheet.name if sheet else None, ranking, smallest, fill)
    if ranking and (smallest is None or smallest < MIN_RANKING_PT):
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


def locate(text: str, page_texts: Mapping[int, str]) -> int | None:
    """The first page (of those given, page number → its text) whose text holds the start of ``text``."""
    key = squash(text)[:8]
    if not key:
        return None
    for number in sorted(page_texts):
        if key in squash(page_texts[number]):
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


COLUMNS = (("工作簿", 10), ("页", 4), ("工作表", 10), ("最小字号", 8), ("填充", 5))


def format_table(reports: Sequence[PageReport], width: int = TABLE_WIDTH) -> str:
    """The per-page table, every line at most ``width`` display columns; ``*`` marks a ranking page."""
    rest = width - sum(w for _, w in COLUMNS) - len(COLUMNS)
    head = " ".join(_pad(h, w) for h, w in COLUMNS) + " 问题"
    lines = [head, "-" * width]
    for r in reports:
        size = "—" if r.smallest is None else f"{r.smallest:.1f}"
        sheet = (r.sheet or "?") + ("*" if r.ranking else "")
        cells = [_cut(r.book, 10), str(r.page), _cut(sheet, 10), size, f"{r.fill:.0%}"]
        first = " ".join(_pad(c, w) for c, (_, w) in zip(cells, COLUMNS, strict=True))
        wrapped = _wrap(r.problems or ["—"], rest)
        lines.append(f"{first} {wrapped[0]}".rstrip())
        indent = " " * (width - rest)
        lines += [f"{indent}{w}" for w in wrapped[1:]]
    return "\n".join(lines)


def summary(reports: Sequence[PageReport], clips: Sequence[tuple[str, Clip, int | None]]) -> tuple[str, bool]:
    """The closing lines (clipped cells, pages failing each check) and whether everything passed."""
    small = [r for r in reports if any(p.startswith("排名页字号") for p in r.problems)]
    empty = [r for r in reports if r.fill < MIN_FILL]
    hashes = [r for r in reports if any(p.startswith("###") for p in r.problems)]

    def pages(rs: Sequence[PageReport]) -> str:
        by: dict[str, list[str]] = {}
        for r in rs:
            by.setdefault(r.book, []).append(str(r.page))
        return "；".join(f"{b} 第{','.join(ps)}页" for b, ps in by.items()) or "无"

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
    return "\n".join(out), ok


# ------------------------------------------------------------------------------------------ reading files


def _visible(shape: Any) -> bool:
    """Whether a drawn shape shows: stroked, or filled with a colour other than white."""
    if shape.stroke:
        return True
    white = shape.non_stroking_color in (1, 1.0, (1.0,), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0))
    return bool(shape.fill) and not white


def _collect(item: Any, lines: list[TextLine], shapes: list[Box]) -> None:
    """Text lines and visible shapes of a pdfminer layout item and its children."""
    from pdfminer.layout import LTChar, LTCurve, LTTextLine

    if isinstance(item, LTTextLine):
        sizes = [c.size for c in item if isinstance(c, LTChar) and c.get_text().strip()]
        if sizes:
            lines.append(TextLine(item.get_text().strip(), Box(*item.bbox), min(sizes)))
    elif isinstance(item, LTCurve):  # LTLine and LTRect are curves too
        if _visible(item):
            shapes.append(Box(*item.bbox))
    elif isinstance(item, LTChar):  # a character outside any line
        if item.get_text().strip():
            lines.append(TextLine(item.get_text(), Box(*item.bbox), item.size))
    elif hasattr(item, "__iter__"):
        for child in item:
            _collect(child, lines, shapes)


def read_pdf(path: Path) -> list[PageContent]:
    """Every page's text lines (smallest character size each) and visible shapes, with pdfminer.six."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages: list[PageContent] = []
    for number, page in enumerate(extract_pages(str(path), laparams=LAParams()), start=1):
        lines: list[TextLine] = []
        shapes: list[Box] = []
        _collect(page, lines, shapes)
        pages.append(PageContent(number, page.width, page.height, tuple(lines), tuple(shapes)))
    return pages


def _load(path: Path) -> Any:
    import openpyxl

    with warnings.catch_warnings():  # data bars and other extensions openpyxl does not keep
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def read_workbook(path: Path) -> tuple[list[SheetInfo], list[SheetCells]]:
    """Each sheet's page set-up (ranking sheet or not, margins, header/footer) and text cells."""
    wb = _load(path)
    infos: list[SheetInfo] = []
    cells: list[SheetCells] = []
    for ws in wb.worksheets:
        m = ws.page_margins
        margins = tuple(float(x) for x in (m.left, m.right, m.top, m.bottom))
        running = tuple(
            part.text
            for hf in (
                ws.oddHeader,
                ws.oddFooter,
                ws.evenHeader,
                ws.evenFooter,
                ws.firstHeader,
                ws.firstFooter,
            )
            for part in (hf.left, hf.center, hf.right)
            if part.text
        )
        ranking = ws.max_row >= 2 and str(ws.cell(2, 1).value or "").strip() == "排名"
        infos.append(SheetInfo(ws.title, ranking, margins, running))  # type: ignore[arg-type]
        cells.append(sheet_cells(ws))
    return infos, cells


def sheet_cells(ws: Any) -> SheetCells:
    """A worksheet (openpyxl) as :class:`SheetCells`."""
    merged = tuple((r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges)
    occupied: set[tuple[int, int]] = set()
    text: list[Cell] = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or c.value == "" or not hasattr(c, "column"):
                continue
            occupied.add((c.row, c.column))
            if isinstance(c.value, str):
                a = c.alignment
                text.append(
                    Cell(
                        c.row,
                        c.column,
                        c.value,
                        float(c.font.sz or 11),
                        bool(a.wrap_text),
                        a.horizontal or "general",
                        int(a.indent or 0),
                        int(a.textRotation or 0),
                        bool(a.shrink_to_fit),
                    )
                )
    for r0, c0, r1, c1 in merged:
        occupied.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.min is None:
            continue
        w = 0.0 if dim.hidden else float(dim.width) if dim.customWidth else None
        if w is not None:
            widths.update(dict.fromkeys(range(dim.min, dim.max + 1), w))
    default = ws.sheet_format.defaultColWidth
    return SheetCells(
        ws.title,
        tuple(text),
        frozenset(occupied),
        widths,
        merged,
        ws.max_column,
        float(default) if default else EXCEL_DEFAULT_WIDTH,
    )


# ---------------------------------------------------------------------------------- making and rendering


def _run(args: Sequence[str], cwd: Path, what: str, timeout: float = 900) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ToolError(f"{what}: {e}") from None
    if done.returncode != 0:
        raise ToolError(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def _compute(year: int, out: Path, cwd: Path, extra: Sequence[str] = ()) -> Path:
    args = [sys.executable, "-m", "scoring.cli.main", "compute", "--year", str(year), *extra]
    _run([*args, "--no-archive", "--force", "--out", str(out)], cwd, f"score compute --year {year}")
    return out


def make_workbooks(out: Path, units: int = GENERATED_UNITS, parts: int = GENERATED_PARTS) -> list[Path]:
    """The shipped years' workbooks and the generated year's, written under ``out``."""
    books = [_compute(y, out / f"{y}.xlsx", ROOT) for y in SHIPPED_YEARS]
    gen = out / f"gen-u{units}"
    workload, year_root = gen / "workload", gen / "year"
    for d in (workload, year_root):
        shutil.rmtree(d, ignore_errors=True)
    gen_args = ["--units", str(units), "--seed", str(GENERATED_SEED), "--out", str(workload)]
    _run([sys.executable, str(ROOT / "benchmarks" / "gen.py"), *gen_args], ROOT, "benchmarks/gen.py")
    year_args = ["--in", str(workload), "--out", str(year_root), "--parts", str(parts)]
    _run([sys.executable, "-m", "benchmarks.year", *year_args], ROOT, "benchmarks.year")
    books.append(_compute(2021, out / f"gen-u{units}.xlsx", year_root))
    return books


def render(books: Sequence[Path], out: Path) -> list[tuple[Path, Path, Path]]:
    """Each workbook as a PDF (LibreOffice headless) in ``out/pdf`` and PNG pages in ``out/png/<name>``;
    returns (workbook, pdf, png folder) for each."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        raise ToolError(
            "LibreOffice or poppler is missing: "
            "apt-get install -y libreoffice-calc fonts-noto-cjk poppler-utils"
        )
    pdf_dir = out / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    stage = out / "xlsx"  # unique names, since LibreOffice names each PDF after its workbook
    stage.mkdir(parents=True, exist_ok=True)
    for i, b in enumerate(books):
        name = b.stem if sum(x.stem == b.stem for x in books) == 1 else f"{b.stem}-{i + 1}"
        target = stage / f"{name}.xlsx"
        if b.resolve() != target.resolve():
            shutil.copyfile(b, target)
        staged.append(target)
    for old in staged:
        (pdf_dir / f"{old.stem}.pdf").unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        _run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdf_dir),
                *map(str, staged),
            ],
            out,
            "LibreOffice",
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    done = []
    for b in staged:
        pdf = pdf_dir / f"{b.stem}.pdf"
        if not pdf.exists():
            raise ToolError(f"LibreOffice wrote no PDF for {b}")
        png = out / "png" / b.stem
        shutil.rmtree(png, ignore_errors=True)
        png.mkdir(parents=True)
        _run(["pdftoppm", "-png", "-r", "60", str(pdf), str(png / "page")], out, "pdftoppm")
        done.append((b, pdf, png))
    return done


def check_book(
    name: str, book: Path, pdf: Path
) -> tuple[list[PageReport], list[tuple[str, Clip, int | None]]]:
    """Every page of one rendered workbook, and its clipped cells (with the page they print on)."""
    infos, sheets = read_workbook(book)
    by_name = {s.name: s for s in infos}
    names = [s.name for s in infos]
    patterns = [p for s in infos for sec in s.running if (p := running_pattern(sec, names)) is not None]
    pages = read_pdf(pdf)
    running = [[ln.text for ln in p.lines if is_running(ln, p.height, patterns)] for p in pages]
    sheet_of = page_sheets(running, names)
    reports = [
        check_page(name, p, by_name.get(s) if s else None, patterns)
        for p, s in zip(pages, sheet_of, strict=True)
    ]
    clips: list[tuple[str, Clip, int | None]] = []
    for sheet in sheets:
        texts = {
            p.number: " ".join(ln.text for ln in p.lines)
            for p, s in zip(pages, sheet_of, strict=True)
            if s == sheet.name
        }
        for clip in clipped_cells(sheet):
            page = locate(clip.text.rstrip("…"), texts) or (min(texts) if texts else None)
            clips.append((name, clip, page))
            for r in reports:
                if r.page == page:
                    r.problems.append(f"截断{clip.ref}")
    return reports, clips


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.print_check", description=(__doc__ or "").splitlines()[0]
    )
    ap.add_argument(
        "workbooks", nargs="*", type=Path, help="workbooks to check (default: 2021, 2020, generated)"
    )
    ap.add_argument(
        "--out", type=Path, help="folder for the workbooks, PDFs and PNGs (default: a new temp folder)"
    )
    ap.add_argument("--units", type=int, default=GENERATED_UNITS, help="units of the generated year")
    ap.add_argument("--parts", type=int, default=GENERATED_PARTS, help="level-1 parts of the generated year")
    a = ap.parse_args(argv)
    out: Path = (a.out or Path(tempfile.mkdtemp(prefix="print-check-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        books = [b.resolve() for b in a.workbooks] or make_workbooks(out, a.units, a.parts)
        missing = [str(b) for b in books if not b.is_file()]
        if missing:
            raise ToolError(f"no such workbook: {', '.join(missing)}")
        rendered = render(books, out)
    except ToolError as e:
        print(f"print_check: {e}", file=sys.stderr)
        return 2
    reports: list[PageReport] = []
    clips: list[tuple[str, Clip, int | None]] = []
    for book, pdf, _ in rendered:
        r, c = check_book(book.stem, book, pdf)
        reports += r
        clips += c
    print(format_table(reports))
    print()
    print(f"PDF：{out / 'pdf'}")
    print(f"PNG：{out / 'png'}/<工作簿>/page-NN.png")
    print("* 排名页（字号须 ≥ 9 pt）；填充 = 正文（不含页眉页脚）外接矩形 ÷ 可打印区域，须 ≥ 33%")
    text, ok = summary(reports, clips)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Render the 通报 workbooks with LibreOffice and check them as printed pages.

    python -m tools.print_check [--out DIR] [WORKBOOK.xlsx ...]

Without workbooks it makes its own, from the repository root: ``score compute --year 2021`` and
``--year 2020`` (the shipped years) and a generated year (the reference workload at 200 units, seed 42, its
categories split into 12 level-1 parts by ``benchmarks.year --parts 12``), each with ``--no-archive
--force --out DIR/<name>.xlsx``. Each workbook is converted to PDF by LibreOffice headless (a private user
profile per run, so parallel runs do not clash) into ``DIR/pdf``, and every page to a PNG at 60 dpi
(``pdftoppm``) into ``DIR/png/<name>/``.

Checks, per printed page (the PDF read with pdfminer.six; the checks themselves, on plain data, are in
:mod:`tools.page_checks`):

- the smallest font size on the page, as printed (LibreOffice prints with the sheet's fit-to-page scale,
  and the PDF's text matrix carries it); on the ranking pages (sheets whose table header, in the first
  rows of column A, is 排名: one per unit class) it must be at least 9 pt (to 0.1 pt, as reported);
- no ``###`` (or a cell of only ``#``): Excel's and LibreOffice's mark for a number too wide for its column;
- the page is at least a third full: the bounding box of its text and drawn lines/rectangles (running
  header and footer left out) against the printable area (the page less the sheet's margins), at most 1;
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
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools.page_checks import (
    EXCEL_DEFAULT_WIDTH,
    HEADER_ROWS,
    Box,
    Cell,
    Clip,
    PageContent,
    PageReport,
    SheetCells,
    SheetInfo,
    TextLine,
    check_page,
    clipped_cells,
    format_table,
    is_ranking_sheet,
    is_running,
    locate,
    page_sheets,
    running_pattern,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_YEARS = (2021, 2020)
GENERATED_UNITS, GENERATED_PARTS, GENERATED_SEED = 200, 12, 42


class ToolError(RuntimeError):
    """A workbook could not be made or rendered (exit status 2)."""


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
        ranking = is_ranking_sheet([ws.cell(r, 1).value for r in range(1, min(ws.max_row, HEADER_ROWS) + 1)])
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
    for i, b in enumerate(books):  # LibreOffice names each PDF after its workbook: copy a repeated name
        if sum(x.stem == b.stem for x in books) == 1:
            staged.append(b)
            continue
        target = out / "xlsx" / f"{b.stem}-{i + 1}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
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
    text, ok = summary(reports, clips)  # marks a long table's last page before the table is printed
    print(format_table(reports))
    print()
    print(f"PDF：{out / 'pdf'}")
    print(f"PNG：{out / 'png'}/<工作簿>/page-<页码>.png（60 dpi）")
    print("* 排名页：字号须 ≥ 9 pt（精确到 0.1 pt）")
    print("填充 = 正文（不含页眉页脚）外接矩形 ÷ 可打印区域（纸面减页边距），须 ≥ 33%；")
    print("       一张跨多页的表的最后一页只承接剩余的行，不计")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

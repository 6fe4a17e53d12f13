"""The book kit: what every workbook the package writes shares.

Cell formats (:class:`Styles`), column widths and row heights that account for wide (CJK) characters,
text that stays text (:func:`write_text`, :data:`WORKBOOK_OPTIONS`), numbers written as numbers with
number formats, A4-landscape print set-up (:func:`page_setup`), the title and header rows, valid sheet
names, and :func:`write_book`, which fills an xlsxwriter workbook on the temporary path that
:func:`scoring.atomic.atomic_write` moves into place, so a failure never leaves a half-written file and
never touches an existing one.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError

from scoring.atomic import os_error_in
from scoring.output import zipped
from scoring.output.bulk import MAX_CELL, BulkSheet, cell_text, utf16_len
from scoring.output.strings import Packager

__all__ = [
    "BAD_SHEET_CHARS",
    "FONT",
    "LINE_HEIGHT",
    "MAX_CELL",
    "MAX_LINKS",
    "MAX_URL",
    "MIN_PRINT_SCALE",
    "PICO",
    "SAFE_URL",
    "TITLE_FONT",
    "WORKBOOK_OPTIONS",
    "Styles",
    "cell_text",
    "decimal_places",
    "decimal_text",
    "decimal_text_expr",
    "finite_number",
    "fit_width",
    "number_format",
    "page_setup",
    "per_line",
    "places_needed",
    "readable_print",
    "row_heights",
    "row_lines",
    "safe_url",
    "sanitise_sheet_name",
    "set_heights",
    "text_width",
    "title_row",
    "utf16_len",
    "widest_text",
    "write_book",
    "write_header",
    "write_text",
]

PICO = 10**12  # ledger points are integers in pico-points
FONT = "宋体"
TITLE_FONT = "黑体"
MAX_URL = 2079  # Excel's limit for a hyperlink
MAX_LINKS = 65530  # Excel's limit of hyperlinks per worksheet
SAFE_URL = re.compile(r"https?://[^\s\"'<>\\^`{|}\x00-\x1f\x7f]+", re.IGNORECASE)
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


# ------------------------------------------------------------------------------------------- text and numbers


def decimal_text(d: Decimal) -> str:
    """A decimal as people write it: 100, 0.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def decimal_text_expr(scaled: pl.Expr, places: int) -> pl.Expr:
    """An integer count of 10^-places (as any numeric expression) as text with exactly ``places`` decimals:
    123 at 2 places is "1.23", -5 is "-0.05" (vectorised; no float formatting)."""
    v = scaled.cast(pl.Int64)
    sign = pl.when(v < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    a = v.abs()
    whole = (a // 10**places).cast(pl.String)
    if places == 0:
        return pl.concat_str(sign, whole)
    frac = (a % 10**places).cast(pl.String).str.zfill(places)
    return pl.concat_str(sign, whole, pl.lit("."), frac)


def sanitise_sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, no leading/trailing apostrophe, at most 31 characters.
    ``used`` holds the case-folded names already taken and is updated."""
    base = BAD_SHEET_CHARS.sub("_", name).strip().strip("'").strip() or "类别"
    while utf16_len(base) > 31:
        base = base[:-1]
    candidate, i = base, 2
    while candidate.casefold() in used or candidate.casefold() == "history":
        suffix = f"({i})"
        stem = base
        while utf16_len(stem + suffix) > 31:
            stem = stem[:-1]
        candidate, i = stem + suffix, i + 1
    used.add(candidate.casefold())
    return candidate


# ----------------------------------------------------------------------------------------- widths and heights


def text_width(s: str) -> int:
    """Display width: CJK (wide) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def widest_text(frame: pl.DataFrame, column: str) -> int:
    """Widest display width in a string column, vectorised: UTF-8 CJK characters take 3 bytes, so
    (bytes + chars) / 2 counts them 2 and ASCII 1. Multi-line cells count their longest line."""
    if frame.is_empty() or column not in frame.columns:
        return 0
    lines = frame.select(pl.col(column).cast(pl.String).fill_null("").str.split("\n").alias("l")).explode("l")
    w = lines.select(((pl.col("l").str.len_bytes() + pl.col("l").str.len_chars()) // 2).max()).item()
    return int(w or 0)


def fit_width(width: float, lo: float = 6, hi: float = 60) -> float:
    """An Excel column width from a display width (CJK-aware), with a little padding."""
    return max(lo, min(hi, width * 1.1 + 2))


LINE_HEIGHT = 14.5  # points per line of 11pt text


def per_line(width: float) -> float:
    """Display width (CJK = 2) that fits one line of a column ``width`` wide: a CJK character of 11pt
    宋体 is about 2.1 widths of the default font's digit, less the cell padding."""
    return max(0.95 * width - 0.5, 1.0)


def row_lines(frame: pl.DataFrame, widths: dict[str, float]) -> list[int]:
    """Lines each row needs when the given columns wrap at their widths (CJK-aware, vectorised)."""
    if frame.is_empty() or not widths:
        return [1] * frame.height
    counts = []
    indexed = frame.select(*widths).with_row_index("_r")
    for column, width in widths.items():
        per = per_line(width)
        n = (
            indexed.select("_r", pl.col(column).cast(pl.String).fill_null("").str.split("\n").alias("l"))
            .explode("l")
            .with_columns(
                (((pl.col("l").str.len_bytes() + pl.col("l").str.len_chars()) // 2) / per)
                .ceil()
                .clip(lower_bound=1)
                .cast(pl.Int64)
                .alias("n")
            )
            .group_by("_r")
            .agg(pl.col("n").sum())
            .sort("_r")
        )
        counts.append(n["n"].alias(column))
    return pl.DataFrame(counts).select(pl.max_horizontal(pl.all())).to_series().to_list()


def row_heights(lines: Sequence[int]) -> list[float | None]:
    """Each row's height for its ``lines`` (see :func:`row_lines`), at most 27 lines; None (the default
    height) for a row of one line."""
    return [LINE_HEIGHT * min(n, 27) + 4 if n > 1 else None for n in lines]


def set_heights(ws: Any, first_row: int, lines: Sequence[int]) -> None:
    """Rows from ``first_row`` tall enough for their ``lines`` (see :func:`row_heights`)."""
    for i, height in enumerate(row_heights(lines)):
        if height is not None:
            ws.set_row(first_row + i, height)


def write_text(ws: Any, row: int, col: int, value: object, fmt: Any) -> None:
    """A string cell (never a formula, whatever it starts with), or a formatted blank when empty."""
    s = cell_text(value)
    if s:
        ws.write_string(row, col, s, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def finite_number(value: object) -> float | None:
    """A finite float (negative zero made 0), or None for a blank."""
    if value is None:
        return None
    f = float(value)  # type: ignore[arg-type]
    return f + 0.0 if math.isfinite(f) else None


def number_format(places: int, *, signed: bool = False) -> str:
    """An Excel number format with ``places`` decimals; ``signed`` shows + for gains."""
    fmt = "0" if places <= 0 else "0." + "0" * places
    return f"+{fmt};-{fmt};{fmt}" if signed else fmt


def places_needed(values: pl.Series, minimum: int, maximum: int = 6) -> int:
    """The fewest decimals (at least ``minimum``) that show every pico-point value exactly."""
    v = values.drop_nulls()
    for d in range(minimum, maximum + 1):
        if v.is_empty() or bool(((v % 10 ** (12 - d)) == 0).all()):
            return d
    return maximum


def decimal_places(values: Sequence[Decimal]) -> int:
    """The decimals needed to show every one of ``values`` exactly (0 for whole numbers)."""
    exps = [-int(v.normalize().as_tuple().exponent) for v in values if v.is_finite()]
    return max([0, *exps])


def safe_url(text: str) -> bool:
    """Whether ``text`` is an http(s) link safe to write as a hyperlink (no spaces, quotes or control
    characters, within Excel's length limit)."""
    return bool(SAFE_URL.fullmatch(text)) and utf16_len(text) <= MAX_URL


def _header_escape(text: str) -> str:
    return text.replace("&", "&&")


# ------------------------------------------------------------------------------- the book and the atomic save


WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
"""Text stays text: a unit name like =SUM(…) or 001 is never turned into a formula, a link or a number."""


class Book(Workbook):  # type: ignore[misc]
    """A workbook whose sheets can hold a block of rows written in bulk (:mod:`scoring.output.bulk`)."""

    worksheet_class = BulkSheet
    _zipping: zipped.Packager | None = None

    def _get_packager(self) -> Packager:
        if self.in_memory:
            return Packager()  # the shared strings in one pass (scoring.output.strings)
        self._zipping = zipped.Packager()  # and the parts zipped at level 1 (scoring.output.zipped)
        return self._zipping

    def _store_workbook(self) -> None:
        if self.in_memory:
            super()._store_workbook()
            return
        target: Any = self.filename  # type: ignore[has-type]
        self.filename = io.BytesIO()  # xlsxwriter's own zip, of no parts, goes nowhere
        try:
            super()._store_workbook()
        finally:
            self.filename = target
        assert self._zipping is not None
        zipped.store(self._zipping.parts, target, allow_zip64=self.allow_zip64)

    def let_go(self) -> None:
        """Drop everything the book and its sheets hold, once it is closed (written or failed): the book
        refers to itself (each sheet keeps the book's ``add_format``, the packager keeps the book, a sheet
        and its charts refer to each other), so without this only the cycle collector would free it — at a
        million units 830 MB of written sheets held through the archive's commit — and a full collection
        costs 30 ms of every run, however small its book. A block's temporary file not yet written (a book
        that failed) is closed, so removed, here."""
        for ws in self.worksheets_objs:
            block = getattr(ws, "block", None)
            if block is not None:
                block.xml.close()
            vars(ws).clear()
        self.__dict__.clear()


def write_book(path: Path, fill: Callable[[Any], None]) -> None:
    """Write an xlsxwriter workbook to ``path``: ``fill`` adds its sheets. On any error the workbook is
    closed first (so :func:`atomic_write` can remove the temporary file) and the first error is raised; a
    file that cannot be written (a full disk, a folder taken away) raises the ``OSError`` itself, which
    every command reports as such (xlsxwriter wraps it in an exception of its own).

    The workbook is freed when this returns, written or not (:meth:`Book.let_go`)."""
    wb = Book(str(path), WORKBOOK_OPTIONS)
    try:
        try:
            fill(wb)
        except BaseException:
            with contextlib.suppress(Exception):
                wb.close()
            raise
        try:
            wb.close()
        except FileCreateError as e:
            raise os_error_in(e) or e from None
    finally:
        wb.let_go()


# --------------------------------------------------------------------------------------------- formats


class Styles:
    """Cell formats, created once per distinct set of properties."""

    def __init__(self, workbook: Any, places: int) -> None:
        self.workbook = workbook
        self.places = places
        self._cache: dict[tuple[tuple[str, object], ...], Any] = {}
        self.num_format = number_format(places)

    def get(self, **props: object) -> Any:
        """The format with these properties over the defaults (宋体 11pt, vertically centred)."""
        merged: dict[str, object] = {"font_name": FONT, "font_size": 11, "valign": "vcenter", **props}
        key = tuple(sorted(merged.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format(merged)
        return self._cache[key]

    # the table cells
    def title(self, size: int = 16) -> Any:
        return self.get(font_name=TITLE_FONT, font_size=size, bold=True, align="center")

    def header(self) -> Any:
        return self.get(bold=True, align="center", text_wrap=True, border=1, bg_color="#D9E1F2")

    def text(self, *, wrap: bool = False, align: str = "left", bold: bool = False, indent: int = 0) -> Any:
        props: dict[str, object] = {"border": 1, "align": align}
        if wrap:
            props["text_wrap"] = True
        if bold:
            props["bold"] = True
        if indent:
            props["indent"] = indent
        return self.get(**props)

    def number(self, fmt: str | None = None, **extra: object) -> Any:
        return self.get(border=1, num_format=fmt or self.num_format, **extra)

    def rank(self, tied: bool) -> Any:
        return self.get(border=1, align="center", num_format='0"（并列）"' if tied else "0")

    def link(self) -> Any:
        return self.get(border=1, font_color="#0563C1", underline=1)


# --------------------------------------------------------------------------------------------- sheet parts


def page_setup(ws: Any, header: str, repeat_to: int | None, *, pages_tall: int = 0, fit: bool = True) -> None:
    """A4 landscape, one page wide (unless ``fit`` is False: the caller sets the scale), title rows
    repeated, page numbers in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    if fit:
        ws.fit_to_pages(1, pages_tall)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.set_header(f"&L{_header_escape(header)[:200]}&R&A")
    ws.set_footer("&C第 &P 页 / 共 &N 页")
    if repeat_to is not None:
        ws.repeat_rows(0, repeat_to)


PRINT_WIDTH_PX = 1000  # A4 landscape inside 0.4-inch margins, in Excel's pixels at 100 % (96 dpi)
PRINT_HEIGHT_PT = 470.0  # the same page's height for the table, below the header and above the footer
MIN_PRINT_SCALE = 82  # 11 pt text printed at 82 % is 9 pt: nothing a reader reads is printed smaller


def column_pixels(width: float) -> int:
    """A column ``width`` in pixels at 100 % as printed: measured in LibreOffice with the workbook's 宋体
    (CJK fonts have wider digits than Excel's 7-pixel default, so this errs on the wide side)."""
    return int(width * 9.6 + 0.5) + 5


def readable_print(ws: Any, widths: Sequence[float], height_pt: float, repeat_cols: int = 0) -> int:
    """Print scale for a table of these column widths and height: the largest that fits the page width and
    (for a short table) the height, never below :data:`MIN_PRINT_SCALE` — a table too wide for that prints
    over more pages across, with its first ``repeat_cols`` columns repeated — and at most 130 %, so a short
    table uses the page instead of its top quarter. Returns the scale."""
    width = sum(column_pixels(w) for w in widths)
    fit_width = 100 * PRINT_WIDTH_PX / max(width, 1)
    fit_height = 100 * PRINT_HEIGHT_PT / max(height_pt, 1)
    scale = int(min(fit_width, max(fit_height, 100), 130))
    if scale < MIN_PRINT_SCALE:
        scale = MIN_PRINT_SCALE
        if repeat_cols:
            ws.repeat_columns(0, repeat_cols - 1)
        ws.print_across()  # a row's two halves on facing pages, not after every row's first half
    ws.set_print_scale(scale)
    return scale


def title_row(
    ws: Any,
    styles: Styles,
    text: str,
    last_col: int,
    *,
    size: int = 16,
    height: int = 32,
    note: str | None = None,
) -> None:
    """The sheet's title across the table; a ``note`` goes on a second, smaller line under it."""
    fmt = styles.title(size) if note is None else styles.get(align="center", text_wrap=True)
    if last_col > 0:
        ws.merge_range(0, 0, 0, last_col, "", fmt)
    if note is None:
        ws.write_string(0, 0, cell_text(text), fmt)
        ws.set_row(0, height)
        return
    title_font = styles.get(font_name=TITLE_FONT, font_size=size, bold=True)
    ws.write_rich_string(
        0, 0, title_font, cell_text(text), styles.get(font_size=10), "\n" + cell_text(note), fmt
    )
    ws.set_row(0, height + 2 * LINE_HEIGHT)


def write_header(ws: Any, styles: Styles, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    """The header row, tall enough for headers that wrap in their columns."""
    fmt = styles.header()
    lines = 1
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(row, c, h, fmt)
        ws.set_column(c, c, w)
        lines = max(lines, math.ceil(text_width(h) / per_line(w)))
    ws.set_row(row, LINE_HEIGHT * lines + 10)

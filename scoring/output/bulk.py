"""Table bodies of many rows, written as sheet XML by polars instead of cell by cell.

xlsxwriter stores every cell as a Python object and writes each as XML when the book is closed: about
10 µs a cell, so a ranking of 100 000 units × 15 columns costs 15 s, most of a province's run.
:func:`put_rows` renders a table body — every row, every cell, its format and its height — as the
worksheet XML xlsxwriter itself would write (numbers as ``%.16G``, text through the book's shared string
table, a formatted blank for an empty cell, the same ``s`` format indices), with polars expressions over
the whole frame; Python touches only the distinct values (for their number text and string index).

A :class:`BulkSheet` (every sheet of a book made by :func:`scoring.output.kit.write_book`) holds at most
one such block and writes it in place of its rows when the book is closed; everything else on the sheet
(title, header, merges, filters, charts, print set-up) is still xlsxwriter's. The block owns its rows: a
cell or row height set there through xlsxwriter is an error, and a hyperlink in the block is added with
:meth:`BulkSheet.link`, which records the link and leaves the cell to the block.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import polars as pl
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

__all__ = ["MAX_CELL", "BulkSheet", "Cells", "cell_text", "put_rows", "utf16_len"]

MAX_CELL = 32767  # Excel's limit for a cell's text (UTF-16 units)

XML_ROWS = 20_000
"""A block's rows are rendered as XML this many at a time: the cells' pieces of text of all the rows of a
province's ranking at once took 1.4 GB beside the 330 MB of XML they make (600,000 rows)."""


def utf16_len(s: str) -> int:
    """Length in UTF-16 code units, as Excel counts (a character beyond the BMP counts 2)."""
    return len(s.encode("utf-16-le")) // 2


def cell_text(value: object) -> str:
    """A value as cell text ('' for None), cut with … to fit Excel's limit for a cell."""
    s = "" if value is None else str(value)
    if len(s) > MAX_CELL // 2 and utf16_len(s) > MAX_CELL:
        s = s.encode("utf-16-le")[: (MAX_CELL - 1) * 2].decode("utf-16-le", errors="ignore") + "…"
    return s


@dataclass(frozen=True)
class Cells:
    """One column of a block: its ``value`` (a Float64-castable expression writes numbers, a String one
    shared strings; null writes a formatted blank), and its format: one ``fmt``, or per cell the format
    ``formats[key]`` for the value of ``key``. ``per``: the value is an integer number of 1/``per`` (pico-
    points), divided exactly as Python divides integers (polars would multiply by the reciprocal)."""

    value: pl.Expr
    number: bool
    fmt: Any = None
    key: pl.Expr | None = None
    formats: Mapping[Any, Any] | None = None
    per: int = 1


@dataclass(frozen=True)
class _Block:
    first: int
    last: int
    xml: TextIO
    """The rows' XML, in a temporary file until the book is closed (330 MB for a ranking of 600,000 rows,
    held through the rest of the book and the archive's inserts beside it)."""
    cached: pl.DataFrame
    """Each cell as a chart's cached data holds it: a number's text, the text, '' for a formatted blank,
    null for no cell."""


class BulkSheet(Worksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet that can hold one block of rows rendered by :func:`put_rows`."""

    def __init__(self) -> None:
        super().__init__()
        self.block: _Block | None = None

    def link(self, row: int, col: int, url: str, fmt: Any, text: str, tip: str) -> None:
        """A hyperlink on a cell of the block: the link only (the block writes the cell's text)."""
        self.ignore_write_string = True
        try:
            self.write_url(row, col, url, fmt, text, tip)
        finally:
            self.ignore_write_string = False

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int) -> list[Any]:
        """The cells of a range, for a chart's cached data: the block's own where the range crosses it."""
        block = self.block
        if block is None or row_end < block.first or row_start > block.last:
            return list(super()._get_range_data(row_start, col_start, row_end, col_end))
        data: list[Any] = []
        if row_start < block.first:
            data += super()._get_range_data(row_start, col_start, block.first - 1, col_end)
        lo, hi = max(row_start, block.first), min(row_end, block.last)
        width = block.cached.width
        inside = block.cached.slice(lo - block.first, hi - lo + 1)
        for row in inside.rows():
            data += [row[c] if c < width else None for c in range(col_start, col_end + 1)]
        if row_end > block.last:
            data += super()._get_range_data(block.last + 1, col_start, row_end, col_end)
        return data

    def _write_rows(self) -> None:
        block = self.block
        if block is None:
            super()._write_rows()
            return
        taken = sorted(
            r
            for r in [*(r for r, row in self.table.items() if row), *self.row_info]
            if block.first <= r <= block.last
        )
        low: int = self.dim_rowmin  # type: ignore[has-type]  # set: the block's rows are in the sheet
        high: int = self.dim_rowmax  # type: ignore[has-type]
        try:
            if taken:
                raise RuntimeError(f"rows {taken[:5]} of a block were also written cell by cell")
            if low < block.first:
                self.dim_rowmax = block.first - 1
                super()._write_rows()
            block.xml.seek(0)
            shutil.copyfileobj(block.xml, self.fh)
            if high > block.last:
                self.dim_rowmin, self.dim_rowmax = block.last + 1, high
                super()._write_rows()
        finally:
            block.xml.close()  # the temporary file is gone: a sheet is written once
            self.dim_rowmin, self.dim_rowmax = low, high


def _number_texts(values: pl.Series, per: int) -> tuple[pl.Series, pl.Series]:
    """Each finite number as xlsxwriter writes it in a cell (``%.16G``, negative zero as 0) and in a
    chart's cache (``%.16g``), formatted once per distinct value."""
    if per != 1:
        values = values.cast(pl.Int64)
        number = {v: v / per + 0.0 for v in values.drop_nulls().unique().to_list()}
    else:
        values = values.cast(pl.Float64)
        number = {v: v + 0.0 for v in values.drop_nulls().unique().to_list()}
    bad = [v for v in number.values() if not math.isfinite(v)]
    if bad:
        raise ValueError(f"a cell cannot hold {bad[0]!r}")
    cell = values.replace_strict(
        {k: f"{v:.16G}" for k, v in number.items()}, default=None, return_dtype=pl.String
    )
    # a finite number's %.16g is its %.16G with the exponent's e in lower case
    return cell, cell.str.replace("E", "e", literal=True)


def _string_indices(ws: BulkSheet, values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Each text's index in the book's shared string table, added once per distinct text in the order
    they first appear (the table's count of uses as if each cell had been written), and the text as the
    cell holds it (cut to fit, :func:`cell_text`); both read back by a join, not a mapping per value."""
    texts = values.cast(pl.String)
    counts = pl.DataFrame({"t": texts}).drop_nulls().group_by("t", maintain_order=True).len()
    distinct = counts["t"].to_list()
    cut = [cell_text(t) for t in distinct]
    table = ws.str_table
    index = [table._get_shared_string_index(t) for t in cut]  # each counts one use
    table.count += int(counts["len"].sum()) - len(index)
    found = pl.DataFrame(
        {"t": distinct, "i": pl.Series(index, dtype=pl.UInt32).cast(pl.String), "cut": cut},
        schema={"t": pl.String, "i": pl.String, "cut": pl.String},
    )
    cells = pl.DataFrame({"t": texts}).join(found, on="t", how="left", maintain_order="left")
    return cells["i"], cells["cut"]


def _attribute(fmt: Any) -> str:
    """A cell's ``s`` attribute for the format ``fmt`` ('' without one)."""
    return "" if fmt is None else f' s="{fmt._get_xf_index()}"'


def _style(cells: Cells, frame: pl.DataFrame) -> str | pl.Series:
    """The ``s`` attribute of each cell ('' without a format): one for the column, or one per row."""
    if cells.key is None or cells.formats is None:
        return _attribute(cells.fmt)
    attrs = {k: _attribute(f) for k, f in cells.formats.items()}
    keys = frame.select(cells.key.alias("k")).to_series()
    if keys.null_count() and None not in attrs:
        raise ValueError("no format for an empty key")
    known = {k: a for k, a in attrs.items() if k is not None}
    return keys.replace_strict(known, default=attrs.get(None), return_dtype=pl.String)


def _row_heights(heights: Sequence[float | None]) -> pl.Series:
    """The ``<row>`` attributes for each height in points, as xlsxwriter's ``set_row`` writes them."""

    def attr(h: float | None) -> str:
        if h is None:
            return ""
        pixels = int(h * 4.0 / 3.0 + 0.5)
        return f' ht="{pixels * 0.75:.16g}" customHeight="1"'

    distinct = {h: attr(h) for h in set(heights)}
    return pl.Series([distinct[h] for h in heights], dtype=pl.String)


def put_rows(
    ws: BulkSheet,
    first: int,
    frame: pl.DataFrame,
    columns: Sequence[Cells],
    heights: Sequence[float | None] | None = None,
) -> None:
    """The rows ``first …`` of ``ws``: one per row of ``frame``, the cells of ``columns`` from column 0,
    each row ``heights[i]`` points tall (None: the default height)."""
    if ws.block is not None:
        raise RuntimeError("a sheet holds one block")
    if frame.height == 0:
        return
    last = first + frame.height - 1
    number = pl.int_range(first + 1, last + 2, eager=True).cast(pl.String)
    parts: list[pl.Expr] = [pl.lit('<row r="'), pl.col("_r"), pl.lit(f'" spans="1:{len(columns)}"')]
    extra: dict[str, pl.Series] = {"_r": number}
    cached: dict[str, pl.Series] = {}
    if heights is not None:
        if len(heights) != frame.height:
            raise ValueError("one height per row")
        extra["_ht"] = _row_heights(heights)
        parts.append(pl.col("_ht"))
    parts.append(pl.lit(">"))
    for c, cells in enumerate(columns):
        values = frame.select(cells.value.alias("v")).to_series()
        text, chart = _number_texts(values, cells.per) if cells.number else _string_indices(ws, values)
        extra[f"_v{c}"], name = text, xl_col_to_name(c)
        formatted = cells.fmt is not None or bool(cells.formats)
        cached[name] = chart.fill_null("") if formatted else chart
        style = _style(cells, frame)
        if isinstance(style, pl.Series):
            extra[f"_s{c}"] = style
        each = pl.col(f"_s{c}") if isinstance(style, pl.Series) else pl.lit(style)
        head = pl.concat_str(pl.lit(f'<c r="{name}'), pl.col("_r"), pl.lit('"'), each)
        kind = "" if cells.number else ' t="s"'
        full = pl.concat_str(head, pl.lit(f"{kind}><v>"), pl.col(f"_v{c}"), pl.lit("</v></c>"))
        blank = pl.concat_str(head, pl.lit("/>")) if formatted else pl.lit("")
        parts.append(pl.when(pl.col(f"_v{c}").is_null()).then(blank).otherwise(full))
    parts.append(pl.lit("</row>"))
    rows, row = pl.DataFrame(extra), pl.concat_str(parts).str.join("")
    # the block's own file, closed (and so removed) when the sheet is written: it outlives this call
    xml = tempfile.TemporaryFile("w+", encoding="utf-8", dir=ws.tmpdir)  # noqa: SIM115
    try:
        for at in range(0, rows.height, XML_ROWS):  # a part of the rows at a time, not all their pieces
            xml.write(rows.slice(at, XML_ROWS).select(row).item())
    except BaseException:
        xml.close()
        raise
    ws._check_dimensions(first, 0)
    ws._check_dimensions(last, len(columns) - 1)
    ws.block = _Block(first, last, xml, pl.DataFrame(cached))

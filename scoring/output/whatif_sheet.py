"""方案比较: the units whose rank or grade changes under an altered rubric (``score whatif --out``), per
class, with the points that made the difference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.output.kit import (
    Styles,
    fit_width,
    page_setup,
    title_row,
    widest_text,
    write_book,
    write_header,
    write_text,
)

if TYPE_CHECKING:
    from scoring.engine.compute import Result

SHEET_WHATIF = "方案比较"
HEADERS = ["类别", "单位", "原排名", "新排名", "原等次", "新等次", "原总分", "新总分", "总分变化", "变化来源"]


def write_whatif_sheet(
    wb: Any, styles: Styles, rows: pl.DataFrame, classes: list[tuple[str, str]], title: str, what: str
) -> None:
    """``rows``: the comparison (:func:`scoring.engine.whatif.compare`); only the changed units are listed,
    class by class in the new rank order."""
    ws = wb.add_worksheet(SHEET_WHATIF)
    last = len(HEADERS) - 1
    title_row(ws, styles, f"{title}：方案比较", last, note=f"修改：{what}")
    changed = rows.filter(pl.col("changed"))
    widths = [10, fit_width(max(widest_text(changed, "name"), 8), 10, 36), 8, 8, 8, 8, 10, 10, 10]
    widths.append(fit_width(max(widest_text(changed, "moved"), 12), 16, 50))
    write_header(ws, styles, 1, HEADERS, widths)
    num = styles.number()
    places = styles.places
    signed = styles.number(f"+0.{'0' * places};-0.{'0' * places};0" if places else "+0;-0;0")
    rank_fmt = styles.number("0", align="center")
    text, wrap = styles.text(), styles.text(wrap=True)
    names = dict(classes)
    order = {c: i for i, (c, _) in enumerate(classes)}
    changed = changed.sort(
        pl.col("class").replace_strict(order, default=len(order), return_dtype=pl.Int32),
        pl.col("rank_after"),
        pl.col("unit"),
        nulls_last=True,
    )
    r = 2
    for row in changed.to_dicts():
        write_text(ws, r, 0, names.get(row["class"], row["class"]), text)
        write_text(ws, r, 1, row["name"], wrap)
        for c, key in ((2, "rank_before"), (3, "rank_after")):
            if row[key] is None:
                ws.write_string(r, c, "—", rank_fmt)
            else:
                ws.write_number(r, c, int(row[key]), rank_fmt)
        write_text(ws, r, 4, row["grade_before"], text)
        write_text(ws, r, 5, row["grade_after"], text)
        for c, key, fmt in ((6, "total_before", num), (7, "total_after", num), (8, "change", signed)):
            if row[key] is None:
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, float(row[key]) + 0.0, fmt)
        write_text(ws, r, 9, row["moved"] or "本单位得分未变", wrap)
        r += 1
    if r == 2:
        ws.merge_range(2, 0, 2, last, "", text)
        ws.write_string(2, 0, "所有单位的排名和等次均未改变。", text)
    else:
        ws.autofilter(1, 0, r - 1, last)
    ws.freeze_panes(2, 2)
    page_setup(ws, title, 1)


def write_whatif_workbook(
    before: Result, after: Result, rows: pl.DataFrame, what: str, path: Path, generated: dt.date | None = None
) -> Path:
    """A workbook holding the 方案比较 sheet, written to ``path`` (a temporary name of an output set)."""
    settings = before.settings
    title = settings.title.strip()
    generated = generated or dt.date.today()
    classes = [(c.id, c.name) for c in settings.classes]

    def fill(wb: Any) -> None:
        wb.set_properties(
            {
                "title": f"{title}：方案比较",
                "author": settings.issuer,
                "created": dt.datetime(generated.year, generated.month, generated.day),
            }
        )
        styles = Styles(wb, max(settings.places, after.settings.places))
        write_whatif_sheet(wb, styles, rows, classes, title, what)

    write_book(path, fill)
    return path

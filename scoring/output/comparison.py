"""The comparison workbook: this year's results beside last year's (``score compare``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from scoring.atomic import atomic_write
from scoring.engine.year_over_year import MERGED, NEW, Comparison
from scoring.output.kit import (
    Styles,
    cell_text,
    fit_width,
    page_setup,
    sanitise_sheet_name,
    title_row,
    widest_text,
    write_book,
    write_header,
    write_text,
)


def write_comparison(
    comparison: Comparison,
    path: Path,
    *,
    title: str,
    subtitle: str,
    classes: Sequence[tuple[str, str]],
    year: int,
    previous_year: int,
    generated: dt.date | None = None,
) -> Path:
    """The comparison workbook: one sheet per unit class (this year's order, last year's total and rank,
    the change and an arrow) and 未匹配单位 (new, merged and vanished units), written atomically."""
    places = comparison.places
    generated = generated or dt.date.today()

    def fill(wb: Any) -> None:
        wb.set_properties(
            {"title": title, "created": dt.datetime(generated.year, generated.month, generated.day)}
        )
        styles = Styles(wb, places)
        used = {"未匹配单位"}
        num = styles.number()
        signed = styles.number(f"+0.{'0' * places};-0.{'0' * places};0" if places > 0 else "+0;-0;0")
        rank_fmt = styles.number("0", align="center")
        center = styles.text(align="center")
        wrap = styles.text(wrap=True)
        headers = [
            f"{year}年排名",
            "单位",
            f"{year}年总分",
            f"{previous_year}年排名",
            f"{previous_year}年总分",
            "总分变化",
            "名次变化",
            "说明",
        ]
        for class_id, class_name in classes:
            frame = comparison.rows.filter(pl.col("class") == class_id)
            ws = wb.add_worksheet(sanitise_sheet_name(class_name, used))
            title_row(ws, styles, f"{title}（{class_name}）", len(headers) - 1)
            ws.merge_range(1, 0, 1, len(headers) - 1, "", styles.get(align="left", font_size=9))
            ws.write_string(1, 0, cell_text(subtitle), styles.get(align="left", font_size=9))
            widths = [10, fit_width(max(widest_text(frame, "name"), 8), 10, 40)]
            widths += [11, 11, 11, 10, 10, 40]
            write_header(ws, styles, 2, headers, widths)
            for r, row in enumerate(frame.to_dicts(), start=3):
                for c, key, fmt in ((0, "rank", rank_fmt), (3, "prev_rank", rank_fmt)):
                    if row[key] is None:
                        ws.write_blank(r, c, None, fmt)
                    else:
                        ws.write_number(r, c, int(row[key]), fmt)
                write_text(ws, r, 1, row["name"], wrap)
                for c, key, fmt in (
                    (2, "total", num),
                    (4, "prev_total", num),
                    (5, "total_change", signed),
                ):
                    if row[key] is None:
                        ws.write_blank(r, c, None, fmt)
                    else:
                        ws.write_number(r, c, float(row[key]) + 0.0, fmt)
                ws.write_string(r, 6, row["arrow"], center)
                write_text(ws, r, 7, row["note"], wrap)
            last = max(2 + frame.height, 2)
            ws.autofilter(2, 0, last, len(headers) - 1)
            ws.freeze_panes(3, 2)
            page_setup(ws, title, 2)

        ws = wb.add_worksheet("未匹配单位")
        head2 = ["情形", "单位代码", "单位", "类别", "总分", "排名", "说明"]
        title_row(ws, styles, f"{title}（未匹配单位）", len(head2) - 1)
        write_header(ws, styles, 1, head2, [14, 10, 30, 12, 10, 8, 50])
        names = dict(classes)
        unmatched = comparison.rows.filter(pl.col("arrow").is_in([NEW, MERGED]))
        r = 2
        for row in unmatched.to_dicts():
            what = "本年新增" if row["arrow"] == NEW else "本年合并"
            values: list[tuple[str, object]] = [
                ("t", what),
                ("t", row["unit"]),
                ("t", row["name"]),
                ("t", names.get(row["class"], row["class"])),
                ("n", row["total"]),
                ("r", row["rank"]),
                (
                    "t",
                    row["note"] or ("上年无此单位代码，别名表中也未登记" if row["arrow"] == NEW else ""),
                ),
            ]
            _write_row(ws, r, values, wrap, num, rank_fmt)
            r += 1
        for row in comparison.gone.to_dicts():
            _write_row(
                ws,
                r,
                [
                    ("t", f"{previous_year}年有、{year}年无"),
                    ("t", row["unit"]),
                    ("t", row["name"]),
                    ("t", names.get(row["class"], row["class"])),
                    ("n", row["total"]),
                    ("r", row["rank"]),
                    ("t", "本年名单中无此代码，别名表中也未登记（撤并或未参评）"),
                ],
                wrap,
                num,
                rank_fmt,
            )
            r += 1
        if r == 2:
            ws.write_string(2, 0, "两年度单位全部匹配。", styles.get())
        ws.freeze_panes(2, 0)
        page_setup(ws, title, 1)
        wb.worksheets()[0].activate()

    atomic_write(path, lambda tmp: write_book(tmp, fill))
    return path


def _write_row(ws: Any, r: int, values: Sequence[tuple[str, object]], text: Any, num: Any, rank: Any) -> None:
    for c, (kind, v) in enumerate(values):
        if v is None:
            ws.write_blank(r, c, None, text if kind == "t" else num)
        elif kind == "n":
            ws.write_number(r, c, float(v) + 0.0, num)  # type: ignore[arg-type]
        elif kind == "r":
            ws.write_number(r, c, int(v), rank)  # type: ignore[call-overload]
        else:
            ws.write_string(r, c, str(v), text)

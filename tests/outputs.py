"""The shipped years' outputs as canonical JSON: every cell of both workbooks (value, number format, font,
fill, alignment, merges, widths, sheet order), the results and the ledger Parquet — for a test that pins
them, so a change of structure is shown not to change a single published figure or format.

Regenerate on purpose (and say why in the CHANGELOG): ``python -m tests.outputs --update``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from typer.testing import CliRunner

from scoring.cli.main import app
from scoring.spec.manifest import beijing_today

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "outputs"
YEARS = (2020, 2021)

# what changes from run to run: the date and time of the run, the program version, the result digests
VOLATILE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00)?"), "<timestamp>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\b[0-9a-f]{12}…"), "<sha256>…"),
    (re.compile(r"zwgk-scoring \S+"), "zwgk-scoring <version>"),
    (re.compile(r"\d{2}:\d{2}（北京时间）"), "<time>（北京时间）"),
]


def _today_patterns() -> list[tuple[re.Pattern[str], str]]:
    d = beijing_today()  # the date a workbook is dated with
    return [
        (re.compile(re.escape(f"{d.year}年{d.month}月{d.day}日")), "<today>"),
        (re.compile(re.escape(d.isoformat())), "<today>"),
    ]


def _clean(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return "<datetime>" if value.date() == beijing_today() else value.isoformat()
    if isinstance(value, str):
        for pattern, repl in [*VOLATILE, *_today_patterns()]:
            value = pattern.sub(repl, value)
        return value
    if isinstance(value, float) and value.is_integer():
        return value  # JSON keeps 1.0 apart from 1
    return value


def _colour(c: Any) -> str | None:
    if c is None:
        return None
    return str(c.rgb) if c.type == "rgb" else f"{c.type}:{c.theme if c.type == 'theme' else c.indexed}"


def workbook(path: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the data-bar extension with a warning
        book = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                f, a = c.font, c.alignment
                rows.append(
                    [
                        c.coordinate,
                        _clean(c.value),
                        c.number_format,
                        [f.name, f.sz, bool(f.b), _colour(f.color)],
                        _colour(c.fill.fgColor) if c.fill and c.fill.fill_type else None,
                        [a.horizontal, a.vertical, bool(a.wrap_text), a.indent],
                    ]
                )
        sheets[ws.title] = {
            "cells": rows,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: round(v.width, 2) for k, v in sorted(ws.column_dimensions.items()) if v.width},
            "freeze": ws.freeze_panes,
            "print_title_rows": ws.print_title_rows,
            "landscape": ws.page_setup.orientation,
            "charts": len(ws._charts),
        }
    order = book.sheetnames
    book.close()
    return {"order": order, "sheets": sheets}


def frame(path: Path) -> dict[str, Any]:
    """A Parquet file's schema and rows, sorted: the lines as a set, whatever order a file keeps them in."""
    df = pl.read_parquet(path)
    df = df.sort(pl.all().cast(pl.String), nulls_last=True)
    return {
        "schema": {k: str(v) for k, v in df.schema.items()},
        "rows": [[_clean(v) if not isinstance(v, dt.date) else str(v) for v in r] for r in df.iter_rows()],
    }


def produce(workdir: Path) -> dict[str, Any]:
    """Run ``score compute`` for both shipped years (2020 archived first, so 2021 carries 同比) in
    ``workdir`` and return every output in canonical form."""
    runner = CliRunner()
    out: dict[str, Any] = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        for year in YEARS:
            book = workdir / f"{year}.xlsx"
            r = runner.invoke(
                app,
                ["compute", "--year", str(year), "--out", str(book), "--archive", str(workdir / "a.duckdb")],
            )
            assert r.exit_code == 0, r.output
            out[str(year)] = {
                "workbook": workbook(book),
                "results": frame(book.with_suffix(".parquet")),
                "ledger": frame(book.with_suffix(".ledger.parquet")),
            }
    finally:
        os.chdir(cwd)
    return out


def _lines(data: Any, indent: str) -> str:
    """Dicts one key a line, a list of scalars or of short lists (a cell) on one line: diffs stay readable."""
    inner = indent + " "
    if isinstance(data, dict) and data:
        body = ",\n".join(
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_lines(v, inner)}" for k, v in sorted(data.items())
        )
        return "{\n" + body + "\n" + indent + "}"
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        return "[\n" + ",\n".join(inner + _lines(v, inner) for v in data) + "\n" + indent + "]"
    if isinstance(data, list) and data and all(isinstance(v, list) for v in data):
        return "[\n" + ",\n".join(inner + _compact(v) for v in data) + "\n" + indent + "]"
    return _compact(data)


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def dump(data: Any) -> str:
    return _lines(json.loads(_compact(data)), "") + "\n"


def main() -> None:
    import tempfile

    if "--update" not in sys.argv:
        sys.exit("usage: python -m tests.outputs --update")
    with tempfile.TemporaryDirectory() as tmp:
        data = produce(Path(tmp))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for year, parts in data.items():
        for name, value in parts.items():
            (GOLDEN / f"{year}_{name}.json").write_text(dump(value), encoding="utf-8")


if __name__ == "__main__":
    main()

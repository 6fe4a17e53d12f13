"""The workbook kit: a book written and freed, without the cycle collector."""

from __future__ import annotations

import gc
import tempfile
import weakref
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from scoring.output.bulk import Cells, put_rows
from scoring.output.kit import write_book


def test_a_written_workbook_is_freed_when_write_book_returns(tmp_path: Path) -> None:
    # xlsxwriter's book refers to itself (its sheets keep its add_format, its packager keeps it): without
    # write_book letting it go it stayed, with every written sheet, until Python happened to collect
    held: list[weakref.ref[Any]] = []

    def fill(wb: Any) -> None:
        ws = wb.add_worksheet("表")
        ws.write(0, 0, "甲")
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"values": "=表!$A$1:$A$1"})
        ws.insert_chart("C3", chart)
        held.extend((weakref.ref(wb), weakref.ref(ws), weakref.ref(chart)))

    gc.collect()
    gc.disable()
    try:
        write_book(tmp_path / "a.xlsx", fill)
        assert [r() for r in held] == [None, None, None]
    finally:
        gc.enable()


def test_a_failed_workbook_is_freed_and_its_block_file_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a block's rows wait in a temporary file until the book is written: a book that fails after its
    # block was put closes (so removes) the file, and is freed all the same
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    held: list[weakref.ref[Any]] = []

    def fill(wb: Any) -> None:
        ws = wb.add_worksheet("表")
        put_rows(ws, 0, pl.DataFrame({"t": ["甲", "乙"]}), [Cells(pl.col("t"), False)])
        held.extend((weakref.ref(wb), weakref.ref(ws)))
        raise ValueError("planted")

    gc.collect()
    gc.disable()
    try:
        with pytest.raises(ValueError, match="planted"):
            write_book(tmp_path / "a.xlsx", fill)
        assert [r() for r in held] == [None, None]
    finally:
        gc.enable()
    assert list(scratch.iterdir()) == []

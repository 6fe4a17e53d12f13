"""The workbook kit: a book written and freed."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

from scoring.output.kit import write_book


def test_a_written_workbook_is_freed_when_write_book_returns(tmp_path: Path) -> None:
    # xlsxwriter's book refers to itself (its sheets keep its add_format, its packager keeps it): without
    # the cycle collector it stayed, with every written sheet, until Python happened to collect
    held: list[weakref.ref[Any]] = []

    def fill(wb: Any) -> None:
        ws = wb.add_worksheet("表")
        ws.write(0, 0, "甲")
        held.extend((weakref.ref(wb), weakref.ref(ws)))

    gc.disable()
    try:
        write_book(tmp_path / "a.xlsx", fill)
        assert [r() for r in held] == [None, None]
    finally:
        gc.enable()

"""The workbook zipped at deflate level 1 (:mod:`scoring.output.zipped`): the same parts, names, order and
dates as xlsxwriter's own zip, each part deflated at level 1, and no part file left behind."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError

from scoring.output import zipped
from scoring.output.kit import WORKBOOK_OPTIONS, Book

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _fill(wb: Any, image: Path) -> None:
    ws = wb.add_worksheet("排名")
    for i in range(300):
        ws.write_string(i, 0, f"单位{i:04d}")
        ws.write_number(i, 1, i / 7)
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"values": "=排名!$B$1:$B$10", "categories": "=排名!$A$1:$A$10"})
    ws.insert_chart("D2", chart)
    ws.insert_image("D20", str(image))
    wb.add_worksheet("说明").write_string(0, 0, "说明")
    wb.set_properties({"created": dt.datetime(2021, 1, 1)})  # the same document dates in both books


def _write(path: Path, book: type[Any], image: Path, **options: Any) -> zipfile.ZipFile:
    wb = book(str(path), {**WORKBOOK_OPTIONS, **options})
    _fill(wb, image)
    wb.close()
    return zipfile.ZipFile(path)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    p = tmp_path / "dot.png"
    p.write_bytes(PNG)
    return p


def test_the_parts_are_xlsxwriters_at_level_one(tmp_path: Path, image: Path) -> None:
    ours = _write(tmp_path / "ours.xlsx", Book, image)
    theirs = _write(tmp_path / "theirs.xlsx", Workbook, image)
    assert ours.namelist() == theirs.namelist()
    assert "xl/media/image1.png" in ours.namelist() and "xl/charts/chart1.xml" in ours.namelist()
    for a, b in zip(ours.infolist(), theirs.infolist(), strict=True):
        assert ours.read(a) == theirs.read(b), a.filename
        kept = ("date_time", "external_attr", "compress_type", "create_system")
        assert [getattr(a, k) for k in kept] == [getattr(b, k) for k in kept], a.filename
        data = ours.read(a)
        deflate = zlib.compressobj(zipped.LEVEL, zlib.DEFLATED, -15)
        assert a.compress_size == len(deflate.compress(data) + deflate.flush()), a.filename
    big = max(theirs.infolist(), key=lambda i: i.file_size)
    assert ours.getinfo(big.filename).compress_size > big.compress_size  # level 6 was not used


def test_no_part_file_is_left(tmp_path: Path, image: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    _write(tmp_path / "ours.xlsx", Book, image, tmpdir=str(parts))
    assert not list(parts.iterdir())


def test_a_failed_zip_leaves_no_part_file_and_says_so(tmp_path: Path, image: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    wb = Book(str(tmp_path / "no such folder" / "b.xlsx"), {**WORKBOOK_OPTIONS, "tmpdir": str(parts)})
    _fill(wb, image)
    with pytest.raises(FileCreateError):
        wb.close()
    assert not list(parts.iterdir())


def test_in_memory_books_are_zipped_by_xlsxwriter(tmp_path: Path, image: Path) -> None:
    ours = _write(tmp_path / "ours.xlsx", Book, image, in_memory=True)
    theirs = _write(tmp_path / "theirs.xlsx", Workbook, image, in_memory=True)
    assert [ours.read(n) for n in ours.namelist()] == [theirs.read(n) for n in theirs.namelist()]
    assert [i.compress_size for i in ours.infolist()] == [i.compress_size for i in theirs.infolist()]

"""The shared string table written in one pass (:mod:`scoring.output.strings`) is byte for byte the one
xlsxwriter writes string by string, for any text: escapes, control characters, literal ``_xHHHH_``,
whitespace at either end (Python's and Unicode's), rich strings."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from xlsxwriter import Workbook

from scoring.output.kit import WORKBOOK_OPTIONS, Book

EDGES = [
    "",
    "乡镇",
    "a&b<c>\"d'",
    "&amp;",
    " 前空格",
    "后空格 ",
    "\t制表",
    "换行\n",
    "第一行\n第二行",
    "\x01\x1f控制",
    "\x1c边",  # whitespace to Python, not to Unicode
    "边\x1d",
    "\xa0不换行空格",
    "全角空格\u3000",
    "\u2028行分隔",
    "\x85下一行",
    "\u200b零宽",  # not whitespace to either
    "_x0041_",
    "a_x00e9_b",
    "_x12G4_",
    "<r>不是富文本",
    "不是富文本</r>",
    "<r></r>",
    "=SUM(A1)",
    "😀",
]
texts = st.one_of(
    st.sampled_from(EDGES),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10),
    st.text(alphabet=st.sampled_from(list(" \t\n\x00\x0b\x1c\xa0\u3000_x0A4F&<>r/")), max_size=8),
)


def _parts(path: Path, book: type[Any], strings: list[str], rich: bool) -> dict[str, bytes]:
    wb = book(str(path), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("表")
    for i, s in enumerate(strings):
        ws.write_string(i, 0, s)
    if rich:
        bold = wb.add_format({"bold": True})
        ws.write_rich_string(len(strings), 0, "甲 ", bold, "乙&丙", " 丁")
    wb.set_properties({"created": None})
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(strings=st.lists(texts, min_size=1, max_size=25), rich=st.booleans())
def test_the_shared_strings_are_xlsxwriters_own(tmp_path: Path, strings: list[str], rich: bool) -> None:
    ours = _parts(tmp_path / "ours.xlsx", Book, strings, rich)
    theirs = _parts(tmp_path / "theirs.xlsx", Workbook, strings, rich)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_every_edge_at_once(tmp_path: Path) -> None:
    ours = _parts(tmp_path / "ours.xlsx", Book, EDGES, True)
    theirs = _parts(tmp_path / "theirs.xlsx", Workbook, EDGES, True)
    assert ours["xl/sharedStrings.xml"] == theirs["xl/sharedStrings.xml"]
    assert b'<t xml:space="preserve">' in ours["xl/sharedStrings.xml"]  # the special ones were met
    assert b"_x005F_x0041_" in ours["xl/sharedStrings.xml"] and b"<si><r>" in ours["xl/sharedStrings.xml"]


def test_a_book_without_text_has_no_table(tmp_path: Path) -> None:
    wb = Book(str(tmp_path / "n.xlsx"), WORKBOOK_OPTIONS)
    wb.add_worksheet("表").write_number(0, 0, 1)
    wb.close()
    with zipfile.ZipFile(tmp_path / "n.xlsx") as z:
        assert "xl/sharedStrings.xml" not in z.namelist()

"""Filled workbooks read from their XML with the standard library (``zipfile`` + ``xml.etree``): cell
addresses stay absolute, formulas and merged cells are visible, and no Excel library is needed at run
time.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from scoring.reading.template.layout import col_index


@dataclass(frozen=True)
class Cell:
    kind: str  # n, s, str, inlineStr, b, e, d
    text: str | None  # the value as stored (None: no value)
    formula: bool
    style: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref)
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


class Book:
    """An .xlsx package read with the standard library: sheets, shared strings, styles, cells."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        wb = self._xml("xl/workbook.xml")
        rels = self._rels("xl/workbook.xml")
        self.sheets: list[tuple[str, str, str]] = []  # (name, state, part)
        self.date1904 = False
        for el in wb.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                self.sheets.append((el.get("name", ""), el.get("state", "visible"), rels.get(rid, "")))
        self._shared: list[str] | None = None
        self._percent: set[int] | None = None

    def close(self) -> None:
        self.zip.close()

    def _xml(self, part: str) -> ElementTree.Element:
        with self.zip.open(part) as f:
            return ElementTree.parse(f).getroot()

    def _rels(self, part: str) -> dict[str, str]:
        p = PurePosixPath(part)
        rel_part = str(p.parent / "_rels" / f"{p.name}.rels")
        if rel_part not in self.names:
            return {}
        out = {}
        for el in self._xml(rel_part).iter():
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = os.path.normpath(str(p.parent / target)).replace("\\", "/")
                out[el.get("Id", "")] = resolved
        return out

    @property
    def shared(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            part = "xl/sharedStrings.xml"
            if part in self.names:
                for si in self._xml(part):
                    if _local(si.tag) == "si":
                        self._shared.append(_rich_text(si))
        return self._shared

    @property
    def percent_styles(self) -> set[int]:
        """Indexes of cell formats whose number format shows a percentage."""
        if self._percent is None:
            self._percent = set()
            part = "xl/styles.xml"
            if part in self.names:
                root = self._xml(part)
                custom: dict[str, str] = {}
                xfs: list[str] = []
                for el in root:
                    if _local(el.tag) == "numFmts":
                        custom = {n.get("numFmtId", ""): n.get("formatCode", "") for n in el}
                    elif _local(el.tag) == "cellXfs":
                        xfs = [x.get("numFmtId", "0") for x in el]
                for i, fid in enumerate(xfs):
                    code = re.sub(r'"[^"]*"|\\.', "", custom.get(fid, ""))
                    if fid in ("9", "10") or "%" in code:
                        self._percent.add(i)
        return self._percent

    def cells(self, part: str) -> tuple[dict[tuple[int, int], Cell], list[tuple[int, int, int, int]]]:
        """Every cell with a value or a formula, by 0-based (row, col), and the merged ranges."""
        cells: dict[tuple[int, int], Cell] = {}
        merges: list[tuple[int, int, int, int]] = []
        row_no = -1
        col_no = -1
        with self.zip.open(part) as f:
            for _event, el in ElementTree.iterparse(f, events=("end",)):
                tag = _local(el.tag)
                if tag == "c":
                    ref = parse_ref(el.get("r", ""))
                    if ref is None:
                        col_no += 1
                        ref = (row_no, col_no)
                    row_no, col_no = ref
                    kind = el.get("t", "n")
                    formula = False
                    text: str | None = None
                    for child in el:
                        ctag = _local(child.tag)
                        if ctag == "f":
                            formula = True
                        elif ctag == "v":
                            text = child.text or ""
                        elif ctag == "is":
                            text = _rich_text(child)
                    if kind == "s" and text is not None:
                        try:
                            text = self.shared[int(text)]
                        except (ValueError, IndexError):
                            text = None
                    if text is not None or formula:
                        cells[ref] = Cell(kind, text, formula, int(el.get("s", "0") or 0))
                    el.clear()
                elif tag == "row":
                    r = el.get("r")
                    row_no = int(r) - 1 if r and r.isdigit() else row_no + 1
                    col_no = -1
                    el.clear()
                elif tag == "mergeCell":
                    a, _, b = el.get("ref", "").partition(":")
                    start, end = parse_ref(a), parse_ref(b or a)
                    if start and end:
                        merges.append((start[0], start[1], end[0], end[1]))
        return cells, merges


def _rich_text(el: ElementTree.Element) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t> (phonetic runs left out)."""
    parts: list[str] = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(parts)

"""Reading a filled template back into the long-form inputs: the ``_meta`` sheet says which leaf and
key every column holds, the columns are checked against the catalogue, and every non-blank input cell
becomes one row (wide sheets: one row per unit; long sheets: one row per unit × leaf × key).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from scoring.errors import InputError, Issue
from scoring.reading.template.book import UNREADABLE, Book, Cell, parse_ref, sheet_names
from scoring.reading.template.coerce import SKIP, cell_text, cell_value
from scoring.reading.template.layout import (
    CEILING_KEY,
    MAGIC,
    META_SHEET,
    VERSION,
    ZERO_KEY,
    catalogue_hash,
    cell_ref,
    clip,
    col_index,
    extra_keys,
    leaf_keys,
    meta_checksum,
)
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings

OUTPUT_SCHEMA: dict[str, Any] = {
    "unit": pl.String,
    "indicator": pl.String,
    "key": pl.String,
    "value": pl.String,
    "period": pl.String,
    "channel": pl.String,
    "note": pl.String,
    "evidence": pl.String,
    "__row__": pl.UInt32,
    "__cell__": pl.String,
}


def is_template(path: Path) -> bool:
    """Whether ``path`` is a workbook written by :func:`scoring.output.template.write_template` (it has
    the ``_meta`` sheet)."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        return META_SHEET in sheet_names(path)
    except UNREADABLE:
        return False


@dataclass
class _ColSpec:
    letter: str
    role: str
    leaf: str = ""
    key: str = ""
    domain: str = ""


@dataclass
class _SheetSpec:
    name: str
    layout: str
    class_id: str
    period: str
    channel: str
    first: int  # Excel row number of the first data row
    last: int
    units: dict[str, str] = field(default_factory=dict)  # code → class
    cols: list[_ColSpec] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (cell, text) as written


@dataclass
class _Reader:
    file: str
    catalogue: Catalogue
    settings: Settings
    issues: list[Issue] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def base_leaves(self) -> set[str]:
        """The leaves whose blank cells are reported: base leaves (bonus, penalty and veto cells stay blank
        when nothing happened)."""
        return {n.id for n in self.catalogue.leaves if n.role == "base"}

    def blanks(self, sheet: str, blank: dict[str, list[str]]) -> None:
        """A note per unit of the input cells a sheet leaves blank (``blank``: code → the blank cells, the
        first on the unit's row): a blank cell is no input, never a 0."""
        for code, refs in blank.items():
            shown = "、".join(refs[:3]) + ("等" if len(refs) > 3 else "")
            self.issue(
                sheet,
                refs[0],
                code,
                f"{len(refs)} 个应填单元格未填写（{shown}）：按未评分计（不是0分或满分），"
                "不适用的请填“不适用”",
                "template_blank",
                severity="note",
            )

    def issue(
        self,
        sheet: str | None,
        ref: str | None,
        value: object,
        expected: str,
        code: str,
        family: str = "content",
        severity: str = "error",
    ) -> None:
        row = None
        if ref:
            parsed = parse_ref(ref.split(":")[0])
            row = parsed[0] + 1 if parsed else None
        column = f"{sheet}!{ref}" if sheet and ref else sheet
        self.issues.append(
            Issue(
                self.file,
                row,
                column,
                None if value is None else str(value),
                expected,
                f"{sheet or 'template'}|{code}",
                family,
                severity,
            )
        )


def read_template(
    path: Path, catalogue: Catalogue, settings: Settings, display: str
) -> tuple[pl.DataFrame, list[Issue]]:
    """The inputs of a filled template in long form (all-string ``unit, indicator, key, value, period,
    channel, note, evidence``, with ``__row__`` the Excel row and ``__cell__`` the cell, e.g. ``乡镇!F12``)
    and every problem found while reading. Every non-blank input cell becomes exactly one row; blank
    cells are left out. Raises :class:`InputError` for a file that is not a readable workbook."""
    try:
        book = Book(path)
    except FileNotFoundError as e:
        raise InputError(f"{display}：文件不存在") from e
    except UNREADABLE as e:
        raise InputError(f"{display}：无法读取 Excel 文件（{e}）") from e
    reader = _Reader(display, catalogue, settings)
    try:
        _read(book, reader)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError) as e:  # the saved results' pass
        raise InputError(f"{display}：无法读取 Excel 文件（{e}）") from e
    finally:
        book.close()
    if reader.rows:
        df = pl.DataFrame(reader.rows, schema=OUTPUT_SCHEMA, orient="row")
    else:
        df = pl.DataFrame(schema=OUTPUT_SCHEMA)
    return df, reader.issues


def _read(book: Book, rd: _Reader) -> None:
    parts = {name: name for name, _ in book.sheets}
    if META_SHEET not in parts:
        rd.issue(None, None, None, f"不是评分模板（没有 {META_SHEET} 工作表）", "template_meta", "structure")
        return
    meta_cells, _ = book.cells(parts[META_SHEET])
    specs, info = _parse_meta(meta_cells, rd)
    if specs is None:
        return
    known = {s.name for s in specs} | info | {META_SHEET}
    for name, _ in book.sheets:
        if name not in known:
            rd.issue(
                name, None, None, "模板之外的工作表，未读取", "template_sheet_extra", "structure", "note"
            )
    for spec in specs:
        if spec.name not in parts:
            rd.issue(
                spec.name,
                None,
                None,
                "模板中的工作表不在文件中（请勿重命名或删除模板的工作表）",
                "template_sheet_missing",
                "structure",
            )
            continue
        if not _check_columns(spec, rd):
            continue
        cells, merges = book.cells(parts[spec.name])
        moved = next(((ref, text) for ref, text in spec.anchors if _anchor_text(cells, ref) != text), None)
        if moved is not None:
            rd.issue(
                spec.name,
                moved[0],
                _anchor_text(cells, moved[0]),
                f"表格结构与模板不一致（此格应为“{moved[1]}”）：可能插入、删除或移动了行列，本表未读取；"
                "请在原模板上填写",
                "template_layout",
                "structure",
            )
            continue
        _check_merges(spec, merges, rd)
        if spec.layout == "wide":
            _read_wide(spec, cells, book, rd)
        else:
            _read_long(spec, cells, book, rd)


def _anchor_text(cells: dict[tuple[int, int], Cell], ref: str) -> str:
    at = parse_ref(ref)
    cell = cells.get(at) if at else None
    return (cell.text or "").strip() if cell else ""


def _parse_meta(cells: dict[tuple[int, int], Cell], rd: _Reader) -> tuple[list[_SheetSpec] | None, set[str]]:
    grid: dict[int, dict[int, str]] = {}
    for (r, c), cell in cells.items():
        grid.setdefault(r, {})[c] = cell.text or ""
    rows: list[list[str]] = []
    for r in range(max(grid, default=-1) + 1):
        by_col = grid.get(r, {})
        rows.append([by_col.get(c, "") for c in range(max(by_col, default=-1) + 1)])

    def bad(why: str) -> tuple[None, set[str]]:
        rd.issue(META_SHEET, None, None, why, "template_meta", "structure")
        return None, set()

    if not rows or rows[0][:1] != [MAGIC]:
        return bad(f"{META_SHEET} 工作表不是本程序生成的，无法识别各列对应的指标")
    if rows[0][1:2] != [VERSION]:
        return bad(f"模板格式版本 {rows[0][1:2]} 不受支持（应为 {VERSION}），请用新模板重新填报")
    *body, last = rows
    if last[:1] != ["checksum"] or last[1:2] != [meta_checksum(body)]:
        return bad(f"{META_SHEET} 工作表被改动，无法确认各列对应的指标；请用原模板或重新生成模板填报")
    values: dict[str, str] = {}
    specs: dict[str, _SheetSpec] = {}
    info: set[str] = set()
    for line in body[1:]:
        if not line:
            continue
        kind, rest = line[0], [*line[1:], "", "", "", "", "", "", ""]
        if kind in ("year", "catalogue", "layout"):
            values[kind] = rest[0]
        elif kind == "info":
            info.add(rest[0])
        elif kind == "sheet":
            specs[rest[0]] = _SheetSpec(
                rest[0], rest[1], rest[2], rest[3], rest[4], int(rest[5] or 0), int(rest[6] or 0)
            )
        elif kind == "unit" and rest[0] in specs:
            specs[rest[0]].units[rest[1]] = rest[2]
        elif kind == "col" and rest[0] in specs:
            specs[rest[0]].cols.append(_ColSpec(rest[1], rest[2], rest[3], rest[4], rest[5]))
        elif kind == "anchor" and rest[0] in specs:
            specs[rest[0]].anchors.append((rest[1], rest[2]))
    year = str(rd.catalogue.year)
    if values.get("year") != year:
        rd.issue(
            META_SHEET,
            None,
            values.get("year"),
            f"模板属于 {values.get('year')} 年度，不是 {year} 年度",
            "template_year",
            "structure",
        )
        return None, set()
    if values.get("catalogue") != catalogue_hash(rd.catalogue):
        new = [
            leaf.id
            for leaf in rd.catalogue.leaves
            if not any(leaf.id == c.leaf for s in specs.values() for c in s.cols if c.role == "value")
            and any(leaf.applies(s.class_id) for s in specs.values() if s.layout == "wide")
        ]
        rd.issue(
            META_SHEET,
            None,
            None,
            "生成模板后指标体系有改动；已按指标编号逐列核对，不一致的列另行报错"
            + (f"；模板中没有新增的指标 {'、'.join(new)}" if new else ""),
            "template_catalogue_changed",
            "structure",
            "note",
        )
    for s in specs.values():
        if s.layout == "wide" and s.class_id not in rd.settings.class_ids:
            rd.issue(
                s.name,
                None,
                s.class_id,
                f"工作表对应的单位类别不在 settings.toml 中（应为 {'、'.join(rd.settings.class_ids)}）",
                "template_class_unknown",
                "structure",
            )
            s.cols = []
    return [s for s in specs.values() if s.cols], info


def _column_problem(col: _ColSpec, class_id: str, catalogue: Catalogue) -> str | None:
    by_id = {n.id: n for n in catalogue.nodes}
    node = by_id.get(col.leaf)
    if node is None:
        return f"指标 {col.leaf} 已不在本年度指标体系中"
    if not node.is_leaf:
        return f"指标 {col.leaf} 已不是末级指标"
    domain = node.kind.domain if node.kind else ""
    if col.key == CEILING_KEY:
        if node.params.get("ceiling") is None:
            return f"指标 {col.leaf} 已没有 ceiling 参数，不能“{CEILING_KEY}”"
        return None
    if domain != col.domain:
        return f"指标 {col.leaf} 的评分规则已改变（应填写的内容不同），请用新模板重新填报"
    keys = leaf_keys(node)
    if col.key and col.key in extra_keys(node):
        keys = (col.key,)  # a unit's own quota (定额) beside the leaf's input
    if col.key and (keys is None or col.key not in keys):
        return f"指标 {col.leaf} 已没有子项“{col.key}”"
    if not col.key and keys is not None:
        return f"指标 {col.leaf} 现在按子项填写（{'、'.join(keys)}）"
    if class_id and not node.applies(class_id):
        return f"指标 {col.leaf} 已不适用于本类单位"
    return None


def _check_columns(spec: _SheetSpec, rd: _Reader) -> bool:
    """Drop the value columns that no longer match the catalogue (each an error); False if the sheet
    cannot be read at all."""
    roles = {c.role for c in spec.cols}
    needed = {"code", "value"} if spec.layout == "wide" else {"code", "indicator", "key", "value"}
    if not needed <= roles:
        rd.issue(spec.name, None, None, f"{META_SHEET} 中缺少本表的列定义", "template_meta", "structure")
        return False
    if spec.layout == "wide":
        kept = []
        for col in spec.cols:
            problem = _column_problem(col, spec.class_id, rd.catalogue) if col.role == "value" else None
            if problem:
                ref = f"{col.letter}{max(spec.first - 2, 1)}"
                rd.issue(
                    spec.name, ref, col.leaf + (f" {col.key}" if col.key else ""), problem, "template_column"
                )
            else:
                kept.append(col)
        spec.cols = kept
    return True


def _check_merges(spec: _SheetSpec, merges: list[tuple[int, int, int, int]], rd: _Reader) -> None:
    for r0, c0, r1, c1 in merges:
        if r1 + 1 >= spec.first:
            ref = f"{cell_ref(max(r0, spec.first - 1), c0)}:{cell_ref(r1, c1)}"
            rd.issue(
                spec.name,
                ref,
                None,
                "填写区域中有合并单元格，请取消合并后逐格填写（合并区域只读取左上角的单元格）",
                "template_merged",
            )


_LEAD_COLON = re.compile(r"^\s*(\S+?)\s*[：:]\s*(.*)$", re.S)
_LEAD_SPACE = re.compile(r"^\s*(\S+)\s+(.*)$", re.S)


def split_by_indicator(text: str, leaf_ids: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    """A note or evidence cell split into the parts about the whole unit and the parts about each
    indicator: lines (or ；-separated parts) starting with a leaf id and ``：`` start a part; the lines
    that follow belong to it."""
    general: list[str] = []
    by_leaf: dict[str, list[str]] = {}
    current: list[str] = general
    for seg in re.split(r"[\r\n；]+", text):
        seg = seg.strip()
        if not seg:
            continue
        leaf = None
        for pattern in (_LEAD_COLON, _LEAD_SPACE):
            m = pattern.match(seg)
            if m:
                candidate = unicodedata.normalize("NFKC", m.group(1))
                if candidate in leaf_ids:
                    leaf, seg = candidate, m.group(2).strip()
                    break
        if leaf is not None:
            current = by_leaf.setdefault(leaf, [])
        if seg:
            current.append(seg)
    return general, by_leaf


def _read_wide(spec: _SheetSpec, cells: dict[tuple[int, int], Cell], book: Book, rd: _Reader) -> None:
    sheet = spec.name
    by_role: dict[str, int] = {}
    values: list[tuple[int, _ColSpec]] = []
    for col in spec.cols:
        if col.role == "value":
            values.append((col_index(col.letter), col))
        else:
            by_role[col.role] = col_index(col.letter)
    code_col = by_role["code"]
    known_cols = {i for i, _ in values} | set(by_role.values())
    leaf_ids = {c.leaf for _, c in values}
    zero_ok = leaf_ids
    first0 = spec.first - 1
    seen: dict[str, int] = {}
    data_rows = sorted({r for (r, _c) in cells if r >= first0})
    stray: list[str] = []
    base = rd.base_leaves()
    counted = {
        c
        for c, col in values
        if col.leaf in base
        and col.key != CEILING_KEY
        and col.key not in extra_keys(rd.catalogue.node(col.leaf))
    }
    blank: dict[str, list[str]] = {}
    for r in data_rows:
        excel_row = r + 1
        code_ref = cell_ref(r, code_col)
        code = cell_text(cells.get((r, code_col)), book, rd, sheet, code_ref)
        code = unicodedata.normalize("NFKC", code).strip() if code else None
        out: list[dict[str, Any]] = []
        blanks = []
        for c, col in values:
            ref = cell_ref(r, c)
            v = cell_value(cells.get((r, c)), col.domain, book, rd, sheet, ref)
            if v is SKIP:
                if c in counted:
                    blanks.append(ref)
                continue
            out.append(_row(code, col.leaf, col.key, v, spec, excel_row, f"{sheet}!{ref}"))
        if blanks and code in spec.units and code not in blank:
            blank[code] = blanks
        if "zero" in by_role:
            ref = cell_ref(r, by_role["zero"])
            text = cell_text(cells.get((r, by_role["zero"])), book, rd, sheet, ref)
            for item in re.split(r"[、,，;；\s]+", text or ""):
                leaf = unicodedata.normalize("NFKC", item).strip()
                if not leaf:
                    continue
                if leaf not in zero_ok:
                    rd.issue(
                        sheet,
                        ref,
                        item,
                        f"“此项{ZERO_KEY}”应填写本表中的末级指标编号",
                        "template_zero_unknown",
                    )
                    continue
                out.append(_row(code, leaf, ZERO_KEY, "是", spec, excel_row, f"{sheet}!{ref}"))
        notes: dict[str, tuple[str | None, str]] = {}
        for role in ("note", "evidence"):
            if role in by_role:
                ref = cell_ref(r, by_role[role])
                notes[role] = (cell_text(cells.get((r, by_role[role])), book, rd, sheet, ref), ref)
        for c in {c for (rr, c) in cells if rr == r} - known_cols:
            cell = cells[(r, c)]
            if cell.text not in (None, "") or cell.formula:
                stray.append(cell_ref(r, c))
        has_text = any(t for t, _ in notes.values())
        if not out and not has_text:
            continue
        if not code:
            rd.issue(sheet, code_ref, None, "此行有填写内容，但缺少单位代码", "template_code_missing")
            continue
        if code not in spec.units:
            rd.issue(
                sheet,
                code_ref,
                code,
                f"单位代码不在本表的单位名单中，此行 {len(out)} 个值未读取",
                "template_unit_unknown",
            )
            continue
        if code in seen:
            rd.issue(sheet, code_ref, code, f"单位 {code} 已在第{seen[code]}行出现", "template_unit_repeated")
        seen.setdefault(code, excel_row)
        _attach(out, notes, leaf_ids, rd, sheet)
        rd.rows += out
    if stray:
        rd.issue(
            sheet,
            stray[0],
            "、".join(stray[:5]),
            f"{len(stray)} 个单元格不在任何填报列中，未读取",
            "template_stray",
            severity="note",
        )
    rd.blanks(sheet, blank)


def _attach(
    out: list[dict[str, Any]],
    notes: dict[str, tuple[str | None, str]],
    leaf_ids: set[str],
    rd: _Reader,
    sheet: str,
) -> None:
    """Put a unit row's 失分原因 and 佐证链接 on the rows of the indicators they name."""
    filled = {row["indicator"] for row in out}
    for role, (text, ref) in notes.items():
        if not text:
            continue
        general, by_leaf = split_by_indicator(text, leaf_ids)
        joiner = "；" if role == "note" else " "
        for leaf in by_leaf:
            if leaf not in filled:
                rd.issue(
                    sheet,
                    ref,
                    leaf,
                    f"{'失分原因' if role == 'note' else '佐证链接'}所指的指标 {leaf} 没有填写值，此条未读入",
                    "template_note_orphan",
                    severity="note",
                )
        if not out:
            rd.issue(
                sheet,
                ref,
                clip(text, 40),
                "此行没有填写任何值，失分原因、佐证链接未读入",
                "template_note_orphan",
                severity="note",
            )
        for row in out:
            parts = by_leaf.get(row["indicator"], []) + general
            row[role] = joiner.join(parts) if parts else None


def _row(
    unit: str | None, indicator: str, key: str, value: str | None, spec: _SheetSpec, row: int, cell: str
) -> dict[str, Any]:
    return {
        "unit": unit,
        "indicator": indicator,
        "key": key or None,
        "value": value,
        "period": spec.period or None,
        "channel": spec.channel or None,
        "note": None,
        "evidence": None,
        "__row__": row,
        "__cell__": cell,
    }


def _read_long(spec: _SheetSpec, cells: dict[tuple[int, int], Cell], book: Book, rd: _Reader) -> None:
    sheet = spec.name
    pos = {c.role: col_index(c.letter) for c in spec.cols}
    by_id = {n.id: n for n in rd.catalogue.leaves}
    base = rd.base_leaves()
    blank: dict[str, list[str]] = {}
    first0 = spec.first - 1
    for r in sorted({r for (r, _c) in cells if r >= first0}):

        def text(role: str, r: int = r) -> str | None:
            if role not in pos:
                return None
            return cell_text(cells.get((r, pos[role])), book, rd, sheet, cell_ref(r, pos[role]))

        code = text("code")
        indicator = text("indicator")
        key = text("key")
        leaf = by_id.get(unicodedata.normalize("NFKC", indicator or "").strip())
        domain = (
            "bool" if key in (ZERO_KEY, CEILING_KEY) else (leaf.kind.domain if leaf and leaf.kind else "")
        )
        ref = cell_ref(r, pos["value"])
        v = cell_value(cells.get((r, pos["value"])), domain, book, rd, sheet, ref)
        note, evidence = text("note"), text("evidence")
        if v is SKIP:
            unit = unicodedata.normalize("NFKC", code or "").strip()
            if unit in spec.units and leaf is not None and leaf.id in base and key != CEILING_KEY:
                blank.setdefault(unit, []).append(ref)
            if note or evidence:
                rd.issue(
                    sheet,
                    ref,
                    None,
                    "此行没有填写值，失分原因、佐证链接未读入",
                    "template_note_orphan",
                    severity="note",
                )
            continue
        code_ref = cell_ref(r, pos["code"])
        if not code:
            rd.issue(sheet, code_ref, None, "此行有填写内容，但缺少单位代码", "template_code_missing")
            continue
        code = unicodedata.normalize("NFKC", code).strip()
        if code not in spec.units:
            rd.issue(
                sheet, code_ref, code, "单位代码不在模板的单位名单中，此行未读取", "template_unit_unknown"
            )
            continue
        rd.rows.append(
            {
                "unit": code,
                "indicator": indicator,
                "key": key or None,
                "value": v,
                "period": text("period"),
                "channel": text("channel"),
                "note": note,
                "evidence": evidence,
                "__row__": r + 1,
                "__cell__": f"{sheet}!{ref}",
            }
        )
    rd.blanks(sheet, blank)

"""Excel templates for assessors: written from the catalogue and the roster, filled by hand, read back
into the long-form inputs (unit, indicator, key, value, note, evidence) that validation normalises.

A wide template has one sheet per unit class: units as rows, the leaves that apply to the class as
columns under merged level headers, one column per key for keyed leaves. Every input cell carries an
Excel data validation (drop-down, whole number, range, date) and an input message with the rubric; the
rest of the sheet is locked. A long template lists one row per unit × leaf × key instead.

A very hidden ``_meta`` sheet records the year, a hash of the catalogue and, for every column, which
leaf and key it holds, so reading never depends on header text. Filled workbooks are read from their
XML with the standard library (``zipfile`` + ``xml.etree``): cell addresses stay absolute, formulas and
merged cells are visible, and no Excel library is needed at run time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import product
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import polars as pl

from scoring.errors import InputError, Issue, ScoringError
from scoring.exact import from_fixed
from scoring.output.kit import sanitise_sheet_name
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.settings import Settings

META_SHEET = "_meta"
INSTRUCTIONS_SHEET = "填表说明"
LONG_SHEET = "评分数据"
MAGIC = "scoring-template"
VERSION = "1"

NA = "不适用"
NOT_DONE = "未完成"
ZERO_KEY = "不得分"
CEILING_KEY = "及格封顶"
LONG_SPARE_ROWS = 20

FONT = "宋体"
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


# ------------------------------------------------------------------------------------------- helpers


def _dec(d: Decimal) -> str:
    """A decimal as people write it: 100, 2.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def _pts(fixed: int) -> str:
    return _dec(from_fixed(fixed))


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """``text`` cut to Excel's limit in UTF-16 units, with an ellipsis when cut."""
    if _utf16_len(text) <= limit:
        return text
    out = text
    while _utf16_len(out) > limit - 1:
        out = out[:-1]
    return out + "…"


def _width(s: str) -> int:
    """Display width: CJK (wide) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column (or merged span) of ``width`` Excel units."""
    return max(1, math.ceil(_width(text) / max(width * 0.95 - 1, 1)))


def col_letter(idx: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = idx + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → A1 reference."""
    return f"{col_letter(col)}{row + 1}"


def catalogue_hash(catalogue: Catalogue) -> str:
    """A hash of what decides the layout and meaning of the inputs: the tree, points, roles, rules,
    parameters and classes. Names and rubric wording are left out, so correcting a typo in the rubric
    does not invalidate templates already sent out."""
    rows = [
        [
            n.id,
            n.parent or "",
            _dec(n.points),
            n.role,
            n.rule or "",
            n.params_text.strip(),
            list(n.applies_to),
        ]
        for n in catalogue.nodes
    ]
    text = json.dumps([catalogue.year, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_keys(node: Node) -> tuple[str, ...] | None:
    """The keys a leaf takes one input per (None: a single input)."""
    kind = node.kind
    if kind is None or not kind.keyed:
        return None
    keys = kind.keys(node.params)
    return tuple(keys) if keys else None


def dfs_leaves(catalogue: Catalogue) -> list[Node]:
    """Leaves in tree order (depth first, children in file order), so every node's leaves are adjacent."""
    out: list[Node] = []

    def visit(parent: str | None) -> None:
        for n in catalogue.children(parent):
            if n.is_leaf:
                out.append(n)
            else:
                visit(n.id)

    visit(None)
    return out


@dataclass(frozen=True)
class InputColumn:
    """One input column: a leaf, and the key it holds ("" for a leaf without keys)."""

    leaf: Node
    key: str
    domain: str


def input_columns(catalogue: Catalogue, class_id: str | None) -> list[InputColumn]:
    """The input columns of a class's sheet (every class when None): one per leaf, or per key of a keyed
    leaf, plus a 及格封顶 column for a leaf with a ``ceiling`` parameter."""
    cols: list[InputColumn] = []
    for leaf in dfs_leaves(catalogue):
        if class_id is not None and not leaf.applies(class_id):
            continue
        domain = leaf.kind.domain if leaf.kind else "number"
        keys = leaf_keys(leaf)
        cols += [InputColumn(leaf, k, domain) for k in (keys or ("",))]
        if leaf.params.get("ceiling") is not None:
            cols.append(InputColumn(leaf, CEILING_KEY, "bool"))
    return cols


# ------------------------------------------------------------------------------ hints and validations


@dataclass(frozen=True)
class _Spec:
    short: str  # the 填写要求 row
    long: str  # the sentence in messages
    options: dict[str, Any]  # xlsxwriter data_validation options (without ranges)
    num_format: str | None = None


def _or_na(ref: str, cond: str, *extra: str) -> str:
    alts = "".join(f',{ref}="{e}"' for e in (NA, *extra))
    return f"=OR({alts[1:]},{cond})"


def _range(ref: str, lo: str | None, hi: str | None) -> str:
    parts = [f"ISNUMBER({ref})"]
    if lo is not None:
        parts.append(f"{ref}>={lo}")
    if hi is not None:
        parts.append(f"{ref}<={hi}")
    return f"AND({','.join(parts)})"


def _spec(col: InputColumn, ref: str) -> _Spec:
    leaf, domain = col.leaf, col.domain
    if col.key == CEILING_KEY:
        ceiling = leaf.params.get("ceiling")
        text = f"是：本项得分不高于{_pts(ceiling)}分（及格封顶）；否或留空：不封顶" if ceiling else "是/否"
        return _Spec("是/否", text, {"validate": "list", "source": ["是", "否"]})
    if domain == "bool":
        return _Spec("是/否", "是 或 否（从下拉列表选择）", {"validate": "list", "source": ["是", "否", NA]})
    if domain == "category":
        grades = list(leaf.params.get("scale", {}))
        return _Spec(
            "/".join(grades),
            f"以下等级之一：{'、'.join(grades)}（从下拉列表选择）",
            {"validate": "list", "source": [*grades, NA]},
        )
    if domain == "count":
        cond = f"AND(ISNUMBER({ref}),{ref}>=0,{ref}=INT({ref}))"
        return _Spec("整数≥0", "不小于0的整数（次数、条数）", _custom(_or_na(ref, cond)))
    if domain == "ratio":
        return _Spec(
            "比例0–100%",
            "0–1之间的比例，或百分数（如 92%）",
            _custom(_or_na(ref, _range(ref, "0", "1"))),
            "0.00%",
        )
    if domain == "percent":
        return _Spec("0–100", "0–100之间的数（百分数，不带%）", _custom(_or_na(ref, _range(ref, "0", "100"))))
    if domain == "points":
        lo = _pts(leaf.params.get("lo", 0))
        hi = _pts(leaf.params.get("hi", leaf.points_fixed))
        return _Spec(
            f"{lo}–{hi}分", f"{lo}到{hi}之间的分数（直接填写得分）", _custom(_or_na(ref, _range(ref, lo, hi)))
        )
    if domain == "date":
        cond = f"AND(ISNUMBER({ref}),{ref}>=DATE(1990,1,1))"
        return _Spec(
            "日期",
            f"完成日期（如 2021-10-18）；未完成的填“{NOT_DONE}”",
            _custom(_or_na(ref, cond, NOT_DONE)),
            "yyyy-mm-dd",
        )
    if leaf.rule == "imported":
        scale = leaf.params.get("scale")
        top = _dec(Decimal(scale)) if scale is not None else "100"
        return _Spec(
            f"0–{top}", f"0到{top}之间的数（其他机构的评价得分）", _custom(_or_na(ref, _range(ref, "0", top)))
        )
    if leaf.rule == "rank_based":
        return _Spec(
            "数值", "用于排名的数值（本类单位中按此排名赋分）", _custom(_or_na(ref, _range(ref, None, None)))
        )
    return _Spec("数值", "数值", _custom(_or_na(ref, _range(ref, None, None))))


def _custom(formula: str) -> dict[str, Any]:
    return {"validate": "custom", "value": formula}


def _validation(col: InputColumn, ref: str) -> tuple[_Spec, dict[str, Any]]:
    """The spec and the complete data validation options for a column whose first cell is ``ref``."""
    spec = _spec(col, ref)
    leaf = col.leaf
    title = f"{leaf.id} {col.key or leaf.name}"
    na = "" if col.key == CEILING_KEY else f"不适用的填“{NA}”。"
    message = f"填写：{spec.long}。{na}\n评分标准：{leaf.rubric.strip()}"
    options = {
        **spec.options,
        "ignore_blank": True,
        "input_title": _clip(title, 32),
        "input_message": _clip(message, 255),
        "error_title": "输入有误",
        "error_message": _clip(f"{leaf.id} {col.key or leaf.name}：应填写{spec.long}。{na}", 255),
    }
    return spec, options


def _header_text(node: Node) -> str:
    if node.role == "veto":
        return f"{node.id} {node.name}（一票否决）"
    if node.role == "bonus":
        return f"{node.id} {node.name}（最高{_dec(node.points)}分）"
    if node.role == "penalty":
        return f"{node.id} {node.name}（最多扣{_dec(node.points)}分）"
    return f"{node.id} {node.name}（{_dec(node.points)}分）"


# ------------------------------------------------------------------------------------------- writing


@dataclass
class _Styles:
    workbook: Any
    cache: dict[tuple[tuple[str, object], ...], Any] = field(default_factory=dict)

    def get(self, **props: object) -> Any:
        merged: dict[str, object] = {"font_name": FONT, "font_size": 10, "valign": "vcenter", **props}
        key = tuple(sorted(merged.items()))
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format(merged)
        return self.cache[key]

    def header(self, level: int = 0) -> Any:
        colours = ("#BDD7EE", "#DDEBF7", "#EDF3FA", "#F5F8FC")
        return self.get(
            bold=level < 2, align="center", text_wrap=True, border=1, bg_color=colours[min(level, 3)]
        )

    def locked(self, **extra: object) -> Any:
        return self.get(border=1, bg_color="#F2F2F2", **extra)

    def entry(self, num_format: str | None = None, **extra: object) -> Any:
        props: dict[str, object] = {"border": 1, "locked": False, "bg_color": "#FFFFFF", **extra}
        if num_format:
            props["num_format"] = num_format
        return self.get(**props)


@dataclass
class _Meta:
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *values: str) -> None:
        self.rows.append([str(v) for v in values])

    def checksum(self) -> str:
        return _meta_checksum(self.rows)


def _meta_checksum(rows: Sequence[Sequence[str]]) -> str:
    """A digest of the ``_meta`` rows (trailing empty cells ignored, as a reader cannot see them)."""
    trimmed = [list(r) for r in rows]
    for r in trimmed:
        while r and r[-1] == "":
            r.pop()
    text = "\x1e".join("\x1f".join(r) for r in trimmed)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Slice:
    """One sheet's scope: a class, and a period and a channel when settings declare them."""

    class_id: str
    period: str
    channel: str


def _slices(settings: Settings, class_ids: list[str]) -> list[_Slice]:
    periods = [k for k, _ in settings.period_weights] or [""]
    channels = [k for k, _ in settings.channel_weights] or [""]
    return [_Slice(c, p, ch) for c, p, ch in product(class_ids, periods, channels)]


def resolve_class(settings: Settings, text: str) -> str | None:
    """A class id from its id or its name."""
    t = text.strip()
    for c in settings.classes:
        if t in (c.id, c.name):
            return c.id
    return None


def write_template(
    path: Path,
    catalogue: Catalogue,
    settings: Settings,
    units: pl.DataFrame,
    *,
    classes: Sequence[str] | None = None,
    long: bool = False,
) -> dict[str, int]:
    """Write a template for the given classes (ids; all when None) to ``path``, through a temporary file
    in the same folder. ``units`` is the roster (code, name, class). Returns the units per sheet."""
    class_ids = list(classes) if classes is not None else settings.class_ids
    unknown = [c for c in class_ids if c not in settings.class_ids]
    if unknown:
        raise ScoringError(f"未知的单位类别：{'、'.join(unknown)}")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ScoringError(f"{path}：模板应以 .xlsx 结尾")
    folder = path.parent
    if not folder.is_dir():
        raise ScoringError(f"无法写入 {path}：目录 {folder} 不存在")
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        counts = _write(tmp, catalogue, settings, units, class_ids, long)
        try:
            os.replace(tmp, path)
        except PermissionError as e:
            raise ScoringError(f"无法写入 {path}：文件可能正被 Excel 等程序打开，请关闭后重试") from e
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return counts


def _write(
    path: Path,
    catalogue: Catalogue,
    settings: Settings,
    units: pl.DataFrame,
    class_ids: list[str],
    long: bool,
) -> dict[str, int]:
    import xlsxwriter
    import xlsxwriter.exceptions

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"title": f"{settings.title}评分填报模板", "comments": MAGIC})
    styles = _Styles(wb)
    meta = _Meta()
    meta.add(MAGIC, VERSION)
    meta.add("year", str(catalogue.year))
    meta.add("catalogue", catalogue_hash(catalogue))
    meta.add("layout", "long" if long else "wide")
    used = {META_SHEET.casefold(), INSTRUCTIONS_SHEET.casefold()}
    meta.add("info", INSTRUCTIONS_SHEET)
    ws_info = wb.add_worksheet(INSTRUCTIONS_SHEET)
    roster = {c: units.filter(pl.col("class") == c).select("code", "name").rows() for c in class_ids}
    counts: dict[str, int] = {}
    if long:
        name = sanitise_sheet_name(LONG_SHEET, used)
        counts[name] = _write_long(wb, name, catalogue, settings, roster, class_ids, styles, meta)
    else:
        for sl in _slices(settings, class_ids):
            label = settings.unit_class(sl.class_id).name
            name = sanitise_sheet_name(" ".join(x for x in (label, sl.period, sl.channel) if x), used)
            counts[name] = _write_wide(wb, name, catalogue, settings, sl, roster[sl.class_id], styles, meta)
    _write_instructions(ws_info, catalogue, settings, class_ids, long, styles, list(counts))
    ws_meta = wb.add_worksheet(META_SHEET)
    meta.add("checksum", meta.checksum())
    for r, values in enumerate(meta.rows):
        for c, v in enumerate(values):
            ws_meta.write_string(r, c, v)
    ws_meta.protect("", {"select_locked_cells": False, "select_unlocked_cells": False})
    ws_meta.very_hidden()
    ws_info.activate()
    try:
        wb.close()
    except xlsxwriter.exceptions.XlsxWriterException as e:
        raise ScoringError(f"无法写出模板：{e}") from e
    return counts


def _write_wide(
    wb: Any,
    name: str,
    catalogue: Catalogue,
    settings: Settings,
    sl: _Slice,
    units: list[tuple[str, str]],
    styles: _Styles,
    meta: _Meta,
) -> int:
    ws = wb.add_worksheet(name)
    cols = input_columns(catalogue, sl.class_id)
    by_id = {n.id: n for n in catalogue.nodes}
    depth = max((c.leaf.level for c in cols), default=1)
    level_rows = list(range(2, 2 + depth))
    key_row = 2 + depth
    hint_row = key_row + 1
    first = hint_row + 1
    last = first + max(len(units), 1) - 1
    code_col, name_col = 0, 1
    first_input = 2
    zero_col = first_input + len(cols)
    note_col, evidence_col = zero_col + 1, zero_col + 2
    widths = {code_col: 9.0, name_col: 18.0, zero_col: 14.0, note_col: 42.0, evidence_col: 32.0}
    for i in range(len(cols)):
        widths[first_input + i] = 11.0
    for c, w in widths.items():
        ws.set_column(c, c, w)

    meta.add("sheet", name, "wide", sl.class_id, sl.period, sl.channel, str(first + 1), str(last + 1))
    for code, _ in units:
        meta.add("unit", name, str(code), sl.class_id)
    meta.add("col", name, col_letter(code_col), "code")
    meta.add("col", name, col_letter(name_col), "name")
    for i, col in enumerate(cols):
        meta.add("col", name, col_letter(first_input + i), "value", col.leaf.id, col.key, col.domain)
    meta.add("col", name, col_letter(zero_col), "zero")
    meta.add("col", name, col_letter(note_col), "note")
    meta.add("col", name, col_letter(evidence_col), "evidence")

    # title and a line of guidance
    label = settings.unit_class(sl.class_id).name
    scope = "".join(f"（{x}）" for x in (sl.period, sl.channel) if x)
    title = f"{settings.title}评分填报表——{label}{scope}"
    ws.merge_range(0, 0, 0, evidence_col, title, styles.get(bold=True, font_size=14, align="left"))
    ws.merge_range(
        1,
        0,
        1,
        evidence_col,
        f"白色单元格填写，灰色单元格不能修改；不适用的填“{NA}”，未评的留空。"
        f"点选单元格可看到填写要求和评分标准。详见“{INSTRUCTIONS_SHEET}”。",
        styles.get(align="left", font_color="#595959"),
    )
    ws.set_row(1, 18)

    # header blocks: (first_row, first_col, last_row, last_col, text, level)
    blocks: list[tuple[int, int, int, int, str, int]] = []
    for level in range(1, depth + 1):
        run_start = 0
        for i in range(1, len(cols) + 1):
            prev = cols[i - 1].leaf
            node_prev = prev.path[level - 1] if len(prev.path) >= level else None
            cur = cols[i].leaf if i < len(cols) else None
            node_cur = cur.path[level - 1] if cur is not None and len(cur.path) >= level else None
            if i < len(cols) and node_cur == node_prev:
                continue
            if node_prev is not None:
                node = by_id[node_prev]
                top = level_rows[level - 1]
                if node.is_leaf:
                    multi = i - run_start > 1 or cols[run_start].key != ""
                    bottom = key_row - 1 if multi else key_row
                    blocks.append(
                        (top, first_input + run_start, bottom, first_input + i - 1, _header_text(node), 2)
                    )
                else:
                    blocks.append(
                        (
                            top,
                            first_input + run_start,
                            top,
                            first_input + i - 1,
                            _header_text(node),
                            level - 1,
                        )
                    )
            run_start = i
    # keys under keyed leaves (and the 及格封顶 column)
    for i, col in enumerate(cols):
        leaf_cols = [c for c in cols if c.leaf.id == col.leaf.id]
        if len(leaf_cols) > 1 or col.key:
            blocks.append((key_row, first_input + i, key_row, first_input + i, col.key or "填报值", 3))
    fixed = [
        (code_col, "单位代码"),
        (name_col, "单位名称"),
        (zero_col, f"此项{ZERO_KEY}的指标（填编号，多个用、分隔）"),
        (note_col, "失分原因（每个指标一行：编号：原因）"),
        (evidence_col, "佐证链接（每个指标一行：编号：链接）"),
    ]
    for c, text in fixed:
        blocks.append((2, c, key_row, c, text, 0))
    # cells the reader checks to notice inserted or deleted rows and columns
    meta.add("anchor", name, _cell_ref(hint_row, code_col), "填写要求")
    for c, text in fixed[2:]:
        meta.add("anchor", name, _cell_ref(2, c), text)

    heights = {r: 15.0 for r in range(2, hint_row + 1)}
    for r0, c0, r1, c1, text, level in blocks:
        fmt = styles.header(level)
        if (r0, c0) == (r1, c1):
            ws.write_string(r0, c0, text, fmt)
        else:
            ws.merge_range(r0, c0, r1, c1, text, fmt)
        need = _lines(text, sum(widths[c] for c in range(c0, c1 + 1))) * 13.5 + 4
        have = sum(heights[r] for r in range(r0, r1 + 1))
        if need > have:
            heights[r1] += need - have
    for r, h in heights.items():
        ws.set_row(r, min(h, 400))

    # 填写要求 row, validations and the entry cells
    hint_fmt = styles.get(border=1, align="center", font_color="#7F7F7F", bg_color="#F2F2F2", text_wrap=True)
    for c in (code_col, name_col, zero_col, note_col, evidence_col):
        ws.write_string(hint_row, c, "填写要求" if c == code_col else "", hint_fmt)
    for i, col in enumerate(cols):
        c = first_input + i
        spec, options = _validation(col, _cell_ref(first, c))
        ws.write_string(hint_row, c, spec.short, hint_fmt)
        fmt = styles.entry(spec.num_format, align="center")
        for r in range(first, last + 1):
            ws.write_blank(r, c, None, fmt)
        if units and ws.data_validation(first, c, last, c, options) != 0:
            raise ScoringError(f"{col.leaf.id}：无法设置数据验证")
    ws.set_row(hint_row, 16)
    code_fmt = styles.locked(align="center")
    name_fmt = styles.locked()
    text_fmt = styles.entry(text_wrap=True, valign="top")
    zero_options = {
        "validate": "any",
        "input_title": f"此项{ZERO_KEY}",
        "input_message": _clip(
            f"按评分标准本单位某指标“此项{ZERO_KEY}”时，填写该指标编号（如 C1.2），多个用、分隔。"
            "该指标仍照常填写观察值。",
            255,
        ),
    }
    note_options = {
        "validate": "any",
        "input_title": "失分原因",
        "input_message": "每个指标一行（Alt+Enter 换行），写成“指标编号：原因”，如“A1.1：未公开专项规划”。"
        "未写指标编号的内容视为对本单位全部指标的说明。",
    }
    evidence_options = {
        "validate": "any",
        "input_title": "佐证链接",
        "input_message": "每个指标一行，写成“指标编号：链接”，如“B2.2：http://…”。"
        "未写指标编号的链接视为本单位全部指标的佐证。",
    }
    for r, (code, unit_name) in enumerate(units, start=first):
        ws.write_string(r, code_col, str(code), code_fmt)
        ws.write_string(r, name_col, str(unit_name), name_fmt)
        for c in (zero_col, note_col, evidence_col):
            ws.write_blank(r, c, None, text_fmt)
        ws.set_row(r, 20)
    if units:
        ws.data_validation(first, zero_col, last, zero_col, zero_options)
        ws.data_validation(first, note_col, last, note_col, note_options)
        ws.data_validation(first, evidence_col, last, evidence_col, evidence_options)
    ws.freeze_panes(first, first_input)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
    ws.set_landscape()
    ws.repeat_rows(level_rows[0], hint_row)
    ws.repeat_columns(code_col, name_col)
    return len(units)


def _write_long(
    wb: Any,
    name: str,
    catalogue: Catalogue,
    settings: Settings,
    roster: dict[str, list[tuple[str, str]]],
    class_ids: list[str],
    styles: _Styles,
    meta: _Meta,
) -> int:
    ws = wb.add_worksheet(name)
    periods = [k for k, _ in settings.period_weights]
    channels = [k for k, _ in settings.channel_weights]
    headers = ["单位代码", "单位名称", "指标编号", "指标名称", "子项"]
    roles = ["code", "name", "indicator", "indicator_name", "key"]
    if periods:
        headers.append("考核期")
        roles.append("period")
    if channels:
        headers.append("渠道")
        roles.append("channel")
    headers += ["值", "失分原因", "佐证链接", "填写要求"]
    roles += ["value", "note", "evidence", "hint"]
    pos = {r: i for i, r in enumerate(roles)}
    widths = {
        "code": 9,
        "name": 18,
        "indicator": 9,
        "indicator_name": 36,
        "key": 24,
        "period": 8,
        "channel": 8,
        "value": 12,
        "note": 40,
        "evidence": 30,
        "hint": 16,
    }
    for role, i in pos.items():
        ws.set_column(i, i, widths[role])
    head = styles.header(0)
    for i, h in enumerate(headers):
        ws.write_string(0, i, h, head)
    ws.set_row(0, 20)
    first = 1

    # rows, grouped per (leaf, key) for the validations
    row = first
    groups: dict[tuple[str, str], list[int]] = {}
    cols_by: dict[tuple[str, str], InputColumn] = {}
    code_fmt = styles.locked(align="center")
    text_fmt = styles.locked()
    hint_fmt = styles.locked(font_color="#7F7F7F")
    entry_text = styles.entry(text_wrap=True, valign="top")
    listed: list[tuple[str, str]] = []
    for class_id in class_ids:
        cols = input_columns(catalogue, class_id)
        for code, unit_name in roster[class_id]:
            listed.append((str(code), class_id))
            for col in cols:
                for period, channel in product(periods or [""], channels or [""]):
                    g = (col.leaf.id, col.key)
                    cols_by[g] = col
                    groups.setdefault(g, []).append(row)
                    ws.write_string(row, pos["code"], str(code), code_fmt)
                    ws.write_string(row, pos["name"], str(unit_name), text_fmt)
                    ws.write_string(row, pos["indicator"], col.leaf.id, code_fmt)
                    ws.write_string(row, pos["indicator_name"], col.leaf.name, text_fmt)
                    ws.write_string(row, pos["key"], col.key, text_fmt)
                    if periods:
                        ws.write_string(row, pos["period"], period, code_fmt)
                    if channels:
                        ws.write_string(row, pos["channel"], channel, code_fmt)
                    ws.write_blank(row, pos["note"], None, entry_text)
                    ws.write_blank(row, pos["evidence"], None, entry_text)
                    row += 1
    last_filled = row - 1
    for g, rows in groups.items():
        col = cols_by[g]
        c = pos["value"]
        spec, options = _validation(col, _cell_ref(rows[0], c))
        fmt = styles.entry(spec.num_format, align="center")
        for r in rows:
            ws.write_blank(r, c, None, fmt)
            ws.write_string(r, pos["hint"], spec.short, hint_fmt)
        ranges = _runs(rows, c)
        if len(ranges) > 1:
            options["multi_range"] = " ".join(ranges)
        if ws.data_validation(rows[0], c, rows[0], c, options) != 0:
            raise ScoringError(f"{col.leaf.id}：无法设置数据验证")
    # spare rows for what the list does not hold (此项不得分, a late addition)
    spare = styles.entry(valign="top")
    for r in range(last_filled + 1, last_filled + 1 + LONG_SPARE_ROWS):
        for c in range(len(roles) - 1):
            if roles[c] not in ("name", "indicator_name"):
                ws.write_blank(r, c, None, spare)
    ws.write_string(
        last_filled + 1,
        pos["hint"],
        f"补充行：如“{ZERO_KEY}”（子项填“{ZERO_KEY}”，值填“是”）",
        styles.locked(font_color="#7F7F7F", text_wrap=True),
    )
    last = last_filled + LONG_SPARE_ROWS
    meta.add("sheet", name, "long", "", "", "", str(first + 1), str(last + 1))
    for code, class_id in listed:
        meta.add("unit", name, code, class_id)
    for role, i in pos.items():
        meta.add("col", name, col_letter(i), role)
    for h, i in zip(headers, pos.values(), strict=True):
        meta.add("anchor", name, _cell_ref(0, i), h)
    ws.freeze_panes(first, 0)
    ws.autofilter(0, 0, last, len(roles) - 1)
    ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return len(listed)


def _runs(rows: list[int], col: int) -> list[str]:
    """Contiguous runs of rows in one column as ranges (F2:F5 F9)."""
    out: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], -2]:
        if r == prev + 1:
            prev = r
            continue
        a, b = _cell_ref(start, col), _cell_ref(prev, col)
        out.append(a if a == b else f"{a}:{b}")
        start = prev = r
    return out


def _write_instructions(
    ws: Any,
    catalogue: Catalogue,
    settings: Settings,
    class_ids: list[str],
    long: bool,
    styles: _Styles,
    sheets: list[str],
) -> None:
    missing = {
        "zero": "留空（未评分）的指标按0分计。",
        "no_finding": "留空（未评分）的指标视为“未发现问题”：扣分类指标不扣分，得分类指标不得分。",
        "error": "每个适用指标都必须填写，留空将在校验时报错。",
    }[settings.missing]
    layout = (
        [
            f"1. “{sheets[0] if sheets else LONG_SHEET}”工作表每行是一个单位的一个指标（或子项），"
            "只在“值”一列填写；单位、指标、子项已预先填好，不要修改。",
            f"2. 表格末尾的空白补充行用于名单外的情形，如某指标“{ZERO_KEY}”：填单位代码、指标编号，"
            f"子项填“{ZERO_KEY}”，值填“是”。",
        ]
        if long
        else [
            f"1. 每类单位一张工作表（{'、'.join(sheets)}），每行一个单位，每列一个末级指标"
            "（有子项的指标每个子项一列）。表头写明指标编号、名称和分值。",
            f"2. 某指标按评分标准“此项{ZERO_KEY}”的，在“此项{ZERO_KEY}的指标”列填写该指标编号"
            "（如 C1.2，多个用、分隔），该指标的其他单元格照常填写。",
        ]
    )
    lines = [
        (f"{settings.title}评分填报模板", "title"),
        (f"考核年度：{catalogue.year}　　发布单位：{settings.issuer}", "text"),
        ("", "text"),
        ("一、怎样填写", "head"),
        *[(t, "text") for t in layout],
        ("3. 只在白色单元格填写，灰色单元格已锁定。点选单元格会显示该项的填写要求和评分标准。", "text"),
        ("4. 填写观察到的情况，由系统按评分标准计算得分：", "text"),
        ("　　是/否：从下拉列表选择（也可填 √/×）；", "text"),
        ("　　次数、条数：不小于0的整数；", "text"),
        ("　　比例：0–1之间的小数或百分数（如 0.92 或 92%）；", "text"),
        ("　　百分数（如答复及时率）：填0–100之间的数，不带%；", "text"),
        ("　　评分类指标（根据实际情况评分）：直接填写分数，范围见“填写要求”；", "text"),
        ("　　等级：从下拉列表选择（如 优/良/一般/差）；", "text"),
        (f"　　日期：完成日期（如 2021-10-18），未完成的填“{NOT_DONE}”。", "text"),
        (f"5. 指标不适用于本单位的，填“{NA}”。{missing}", "text"),
        (
            "6. 失分原因、佐证链接：每个指标一行（单元格内按 Alt+Enter 换行），写成“指标编号：内容”，"
            "如“A1.1：未公开专项规划”。未写指标编号的内容视为对本单位全部指标的说明。",
            "text",
        ),
        ("", "text"),
        ("二、注意事项", "head"),
        (
            "1. 不要增删行列、合并单元格、重命名或删除工作表；"
            "不要修改隐藏的 _meta 工作表（读取时据此识别各列）。",
            "text",
        ),
        (
            "2. 不要在填写区域使用公式；如必须使用，请保存计算结果（读取时取计算结果，没有结果的报错）。",
            "text",
        ),
        ("3. 可以从其他表格粘贴数值（粘贴不受下拉列表限制，读取时会校验并提示）。", "text"),
        (
            "4. 填好后交回考核办，由考核办放入数据目录，或用 score validate --input 文件名 校验后计算。",
            "text",
        ),
        ("", "text"),
        ("三、指标一览", "head"),
    ]
    widths = [8.0, 28.0, 6.0, 12.0, 24.0, 64.0]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    total = sum(widths)
    formats = {
        "title": styles.get(bold=True, font_size=16),
        "head": styles.get(bold=True, font_size=12),
        "text": styles.get(text_wrap=True),
    }
    for r, (text, kind) in enumerate(lines):
        ws.merge_range(r, 0, r, len(widths) - 1, text, formats[kind])
        ws.set_row(r, {"title": 24, "head": 20}.get(kind, _lines(text, total) * 13.5 + 3))
    r0 = len(lines)
    head = styles.header(0)
    for c, h in enumerate(["编号", "指标名称", "分值", "适用类别", "填写内容", "评分标准"]):
        ws.write_string(r0, c, h, head)
    cell = styles.get(border=1, text_wrap=True, valign="top")
    names = {c.id: c.name for c in settings.classes}
    leaves = [leaf for leaf in dfs_leaves(catalogue) if any(leaf.applies(c) for c in class_ids)]
    for r, leaf in enumerate(leaves, start=r0 + 1):
        cols = [c for c in input_columns(catalogue, None) if c.leaf.id == leaf.id]
        fill = "；".join((f"{c.key}：" if c.key else "") + _spec(c, "A1").short for c in cols)
        applies = "、".join(names[c] for c in (leaf.applies_to or tuple(settings.class_ids)) if c in names)
        values = [leaf.id, leaf.name, _dec(leaf.points), applies, fill, leaf.rubric.strip()]
        for c, v in enumerate(values):
            ws.write_string(r, c, v, cell)
        ws.set_row(r, min(max(_lines(v, w) for v, w in zip(values, widths, strict=True)) * 13.5 + 3, 400))
    ws.repeat_rows(r0)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


# ------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Cell:
    kind: str  # n, s, str, inlineStr, b, e, d
    text: str | None  # the value as stored (None: no value)
    formula: bool
    style: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")


def _parse_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref)
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


class _Book:
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

    def cells(self, part: str) -> tuple[dict[tuple[int, int], _Cell], list[tuple[int, int, int, int]]]:
        """Every cell with a value or a formula, by 0-based (row, col), and the merged ranges."""
        cells: dict[tuple[int, int], _Cell] = {}
        merges: list[tuple[int, int, int, int]] = []
        row_no = -1
        col_no = -1
        with self.zip.open(part) as f:
            for _event, el in ElementTree.iterparse(f, events=("end",)):
                tag = _local(el.tag)
                if tag == "c":
                    ref = _parse_ref(el.get("r", ""))
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
                        cells[ref] = _Cell(kind, text, formula, int(el.get("s", "0") or 0))
                    el.clear()
                elif tag == "row":
                    r = el.get("r")
                    row_no = int(r) - 1 if r and r.isdigit() else row_no + 1
                    col_no = -1
                    el.clear()
                elif tag == "mergeCell":
                    a, _, b = el.get("ref", "").partition(":")
                    start, end = _parse_ref(a), _parse_ref(b or a)
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


def is_template(path: Path) -> bool:
    """Whether ``path`` is a workbook written by :func:`write_template` (it has the ``_meta`` sheet)."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        book = _Book(path)
    except (OSError, KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return False
    try:
        return any(name == META_SHEET for name, _, _ in book.sheets)
    finally:
        book.close()


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
            parsed = _parse_ref(ref.split(":")[0])
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
        book = _Book(path)
    except FileNotFoundError as e:
        raise InputError(f"{display}：文件不存在") from e
    except (OSError, KeyError, ElementTree.ParseError, zipfile.BadZipFile) as e:
        raise InputError(f"{display}：无法读取 Excel 文件（{e}）") from e
    reader = _Reader(display, catalogue, settings)
    try:
        _read(book, reader)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile) as e:
        raise InputError(f"{display}：无法读取 Excel 文件（{e}）") from e
    finally:
        book.close()
    if reader.rows:
        df = pl.DataFrame(reader.rows, schema=OUTPUT_SCHEMA, orient="row")
    else:
        df = pl.DataFrame(schema=OUTPUT_SCHEMA)
    return df, reader.issues


def _read(book: _Book, rd: _Reader) -> None:
    parts = {name: part for name, _, part in book.sheets}
    if META_SHEET not in parts:
        rd.issue(None, None, None, f"不是评分模板（没有 {META_SHEET} 工作表）", "template_meta", "structure")
        return
    meta_cells, _ = book.cells(parts[META_SHEET])
    specs, info = _parse_meta(meta_cells, rd)
    if specs is None:
        return
    known = {s.name for s in specs} | info | {META_SHEET}
    for name, _, _ in book.sheets:
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


def _anchor_text(cells: dict[tuple[int, int], _Cell], ref: str) -> str:
    at = _parse_ref(ref)
    cell = cells.get(at) if at else None
    return (cell.text or "").strip() if cell else ""


def _parse_meta(cells: dict[tuple[int, int], _Cell], rd: _Reader) -> tuple[list[_SheetSpec] | None, set[str]]:
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
    if last[:1] != ["checksum"] or last[1:2] != [_meta_checksum(body)]:
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
            ref = f"{_cell_ref(max(r0, spec.first - 1), c0)}:{_cell_ref(r1, c1)}"
            rd.issue(
                spec.name,
                ref,
                None,
                "填写区域中有合并单元格，请取消合并后逐格填写（合并区域只读取左上角的单元格）",
                "template_merged",
            )


def _excel_date(serial: Decimal, date1904: bool) -> str:
    base = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    return (base + dt.timedelta(days=int(serial))).isoformat()


_SKIP = object()


def _value(cell: _Cell | None, domain: str, book: _Book, rd: _Reader, sheet: str, ref: str) -> Any:
    """The text of an input cell as the row's value: ``_SKIP`` for a blank cell (or a cell in error,
    reported), ``None`` for a date cell marked 未完成, otherwise the text."""
    if cell is None:
        return _SKIP
    if cell.formula:
        if cell.kind == "str" and not cell.text:
            return _SKIP  # a formula whose result is an empty text: a blank cell
        if not cell.text:
            rd.issue(
                sheet,
                ref,
                None,
                "单元格是公式且没有保存计算结果，无法读取；请改为直接填写数值，或在 Excel 中重新计算后保存",
                "template_formula",
            )
            return _SKIP
        rd.issue(
            sheet,
            ref,
            cell.text,
            "单元格是公式，已读取其保存的计算结果（建议直接填写数值）",
            "template_formula_cached",
            severity="note",
        )
    text = cell.text
    if text is None:
        return _SKIP
    if cell.kind == "e":
        rd.issue(sheet, ref, text, "单元格是错误值，无法读取", "template_cell_error")
        return _SKIP
    if cell.kind == "b":
        return "是" if text.strip() in ("1", "true", "TRUE") else "否"
    if cell.kind in ("s", "str", "inlineStr"):
        t = text.strip()
        if not t:
            return _SKIP
        if domain == "date" and t == NOT_DONE:
            return None
        return t
    if cell.kind == "d":
        return text.strip()[:10] if domain == "date" else text.strip()
    t = text.strip()
    if not t:
        return _SKIP
    try:
        number = Decimal(t)
    except InvalidOperation:
        return t
    if domain == "date":
        return _excel_date(number, book.date1904)
    # Excel keeps 15 significant digits of what was typed; writers store the binary value with up to
    # 17 (90.1 may come back as 90.09999999999999), so 15 digits give back what was typed
    number = Decimal(f"{float(number):.15g}") if number.is_finite() else number
    if cell.style in book.percent_styles and domain != "ratio":
        # typed as 95% in a percent-formatted cell: Excel stored 0.95
        return f"{_dec(number * 100)}%"
    return _dec(number)


def _plain(cell: _Cell | None, book: _Book, rd: _Reader, sheet: str, ref: str) -> str | None:
    v = _value(cell, "", book, rd, sheet, ref)
    return None if v is _SKIP or v is None else str(v)


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


def _read_wide(spec: _SheetSpec, cells: dict[tuple[int, int], _Cell], book: _Book, rd: _Reader) -> None:
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
    for r in data_rows:
        excel_row = r + 1
        code_ref = _cell_ref(r, code_col)
        code = _plain(cells.get((r, code_col)), book, rd, sheet, code_ref)
        code = unicodedata.normalize("NFKC", code).strip() if code else None
        out: list[dict[str, Any]] = []
        for c, col in values:
            ref = _cell_ref(r, c)
            v = _value(cells.get((r, c)), col.domain, book, rd, sheet, ref)
            if v is _SKIP:
                continue
            out.append(_row(code, col.leaf, col.key, v, spec, excel_row, f"{sheet}!{ref}"))
        if "zero" in by_role:
            ref = _cell_ref(r, by_role["zero"])
            text = _plain(cells.get((r, by_role["zero"])), book, rd, sheet, ref)
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
                ref = _cell_ref(r, by_role[role])
                notes[role] = (_plain(cells.get((r, by_role[role])), book, rd, sheet, ref), ref)
        for c in {c for (rr, c) in cells if rr == r} - known_cols:
            cell = cells[(r, c)]
            if cell.text not in (None, "") or cell.formula:
                stray.append(_cell_ref(r, c))
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
                _clip(text, 40),
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


def _read_long(spec: _SheetSpec, cells: dict[tuple[int, int], _Cell], book: _Book, rd: _Reader) -> None:
    sheet = spec.name
    pos = {c.role: col_index(c.letter) for c in spec.cols}
    by_id = {n.id: n for n in rd.catalogue.leaves}
    first0 = spec.first - 1
    for r in sorted({r for (r, _c) in cells if r >= first0}):

        def text(role: str, r: int = r) -> str | None:
            if role not in pos:
                return None
            return _plain(cells.get((r, pos[role])), book, rd, sheet, _cell_ref(r, pos[role]))

        code = text("code")
        indicator = text("indicator")
        key = text("key")
        leaf = by_id.get(unicodedata.normalize("NFKC", indicator or "").strip())
        domain = (
            "bool" if key in (ZERO_KEY, CEILING_KEY) else (leaf.kind.domain if leaf and leaf.kind else "")
        )
        ref = _cell_ref(r, pos["value"])
        v = _value(cells.get((r, pos["value"])), domain, book, rd, sheet, ref)
        note, evidence = text("note"), text("evidence")
        if v is _SKIP:
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
        code_ref = _cell_ref(r, pos["code"])
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


# ------------------------------------------------------------------------------------- loading a year

"""Writing the assessors' Excel template from the catalogue and the roster.

A wide template has one sheet per unit class: units as rows, the leaves that apply to the class as
columns under merged level headers, one column per key for keyed leaves. Every input cell carries an
Excel data validation (drop-down, whole number, range, date) and an input message with the rubric; the
rest of the sheet is locked. A long template lists one row per unit × leaf × key instead.

A very hidden ``_meta`` sheet records the layout (see :mod:`scoring.reading.template.layout`), which
:func:`scoring.reading.template.read_template` reads back.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import polars as pl

from scoring.atomic import atomic_write
from scoring.errors import ScoringError
from scoring.output.kit import sanitise_sheet_name
from scoring.output.template_hints import input_spec, input_validation
from scoring.reading.template.layout import (
    INSTRUCTIONS_SHEET,
    LONG_SHEET,
    LONG_SPARE_ROWS,
    MAGIC,
    META_SHEET,
    NA,
    NOT_DONE,
    VERSION,
    ZERO_KEY,
    InputColumn,
    catalogue_hash,
    cell_ref,
    clip,
    col_letter,
    dec,
    dfs_leaves,
    input_columns,
    meta_checksum,
)
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.settings import Settings

FONT = "宋体"


# ------------------------------------------------------------------------------------------- helpers


def _width(s: str) -> int:
    """Display width: CJK (wide) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column (or merged span) of ``width`` Excel units."""
    return max(1, math.ceil(_width(text) / max(width * 0.95 - 1, 1)))


def _header_text(node: Node) -> str:
    if node.role == "veto":
        return f"{node.id} {node.name}（一票否决）"
    if not node.has_points:
        return f"{node.id} {node.name}" + ("（从上级指标分值中扣分）" if node.is_leaf else "")
    if node.role == "bonus":
        return f"{node.id} {node.name}（最高{dec(node.points)}分）"
    if node.role == "penalty":
        return f"{node.id} {node.name}（最多扣{dec(node.points)}分）"
    return f"{node.id} {node.name}（{dec(node.points)}分）"


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
        return meta_checksum(self.rows)


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


def date_years(settings: Settings) -> tuple[int, int]:
    """The years a date may fall in: the assessment year ± the settings' date window."""
    return settings.year - settings.date_window, settings.year + settings.date_window


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
    return atomic_write(path, lambda tmp: _write(tmp, catalogue, settings, units, class_ids, long))


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
    meta.add("anchor", name, cell_ref(hint_row, code_col), "填写要求")
    for c, text in fixed[2:]:
        meta.add("anchor", name, cell_ref(2, c), text)

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
        spec, options = input_validation(col, cell_ref(first, c), date_years(settings))
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
        "input_message": clip(
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
        spec, options = input_validation(col, cell_ref(rows[0], c), date_years(settings))
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
        meta.add("anchor", name, cell_ref(0, i), h)
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
        a, b = cell_ref(start, col), cell_ref(prev, col)
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
        fill = "；".join(
            (f"{c.key}：" if c.key else "") + input_spec(c, "A1", date_years(settings)).short for c in cols
        )
        applies = "、".join(names[c] for c in (leaf.applies_to or tuple(settings.class_ids)) if c in names)
        points = dec(leaf.points) if leaf.has_points else "从上级扣分"
        values = [leaf.id, leaf.name, points, applies, fill, leaf.rubric.strip()]
        for c, v in enumerate(values):
            ws.write_string(r, c, v, cell)
        ws.set_row(r, min(max(_lines(v, w) for v, w in zip(values, widths, strict=True)) * 13.5 + 3, 400))
    ws.repeat_rows(r0)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})

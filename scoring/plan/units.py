"""Responsible units: finding the closing parenthesis of an item that names them and splitting it into
lead units (牵头) and responsible units (责任).

Shapes handled (brackets may be full- or half-width and mixed, （ ( 〔 [ 【 with any closer):

* labelled: ``（牵头单位：区政府办，责任部门：区委编办、区直各行政机关）``,
  ``〔牵头单位:市政府办公厅,责任单位:…〕``, ``（责任单位：…）`` (no lead), also 主责/主办/配合/协办/参与/落实
  单位 or 部门;
* role suffixes: ``（市政府办、市司法局牵头；各县、市、区人民政府，市直有关部门按照职责分工负责）``,
  ``（区政府办牵头，区直各部门配合）``;
* a plain list: ``（县发改委、自然资源局、住建局）`` — the first listed is the lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import normalise_spaces, normalise_town_marks

OPENERS = "（(〔[【［｛{"
CLOSERS = "）)〕]】］｝}"

_LEAD_LABELS = (
    "牵头单位",
    "牵头部门",
    "主责单位",
    "主责部门",
    "主办单位",
    "主办部门",
    "主要责任单位",
    "牵头",
)
_RESP_LABELS = (
    "责任单位",
    "责任部门",
    "责任主体",
    "配合单位",
    "配合部门",
    "协办单位",
    "协办部门",
    "参与单位",
    "参与部门",
    "落实单位",
    "实施单位",
    "承办单位",
    "负责单位",
    "负责部门",
    "成员单位",
    "责任",
    "配合",
    "协办",
)
_LABEL_RE = re.compile(
    "(" + "|".join(sorted(_LEAD_LABELS + _RESP_LABELS, key=len, reverse=True)) + r")\s*[：:]\s*"
)
# 牵头单位：… starting a clause (a unit note whose opening bracket is missing)
_LABEL_START_RE = re.compile(r"(?:(?<=[。；;])|^)\s*(?=(?:牵头单位|牵头部门|责任单位|责任部门)\s*[：:])")
# A bracket opening a unit note: an opener followed by a role word.
_ROLE_OPEN_RE = re.compile(r"[（(〔\[【［]\s*(?=(?:牵头|责任|主责|主办|配合|协办)[^。]{0,6}[：:])")

_LEAD_SUFFIX = re.compile(r"(?:共同)?牵头(?:负责|落实|抓总|推进|组织)?$")
_RESP_SUFFIX = re.compile(
    r"(?:(?:按照|按|根据|依据)?(?:各自)?(?:职责|职能)?(?:分工)?(?:共同|具体|配合|协助)?"
    r"(?:负责|落实|配合|参与|协助|协办|实施)(?:落实|实施|推进)?)$"
)
_ADMIN_FRAGMENT = re.compile(r"^各?(?:省|市|县|区|州|盟|旗|乡|镇)$")
_UNIT_SUFFIX = re.compile(
    r"(?:局|委|办|室|院|府|会|厅|部|处|中心|公司|所|站|队|社|馆|团|组|机关|机构|单位|部门|镇|乡|街道|政府|场|行|校"
    r"|署|司|庭|科|股|台|联|县|市|区|村|社区|州|旗|盟|集团|协会|企业|医院|学校|园区|片区|成员)(?:等)?$"
)
_NOT_UNIT = re.compile(
    r"\d|[年月日号《》“”\"：:。]|以下简称|详见|附件|完成|试行|^(?:含|包括|包含|其中|即|如|除)"
)
_TIME_PIECE = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月|年底|月底|年内|季度|工作日|日前|日内|长期|持续|每[年月季周]"
)
_TOWN = re.compile(r"乡镇|乡[（(]镇|街道|[乡镇](?:人民)?政府|^各[乡镇]")
_DEPT = re.compile(
    r"(?:局|委|办|办公室|部|部门|机关|机构|单位|中心|厅|公司|站|所|队|院|处|室|会|行|社|馆|台|署)(?:等)?$|部门|机关|单位"
)


@dataclass
class Units:
    """The units named by an item."""

    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)  # pieces that do not look like unit names

    def __bool__(self) -> bool:
        return bool(self.lead or self.responsible)

    @property
    def all(self) -> list[str]:
        return [*self.lead, *(u for u in self.responsible if u not in self.lead)]


@dataclass
class UnitsNote:
    """Where an item's unit note was found: the text before it, the note as written, the text after it."""

    before: str
    note: str
    after: str
    units: Units
    complete: bool = True  # False when the bracket was not closed or not opened


def _strip_tail(text: str) -> tuple[str, str]:
    """Text without trailing sentence punctuation and spaces, and the stripped tail."""
    core = text.rstrip(" 。．.；;，,、")
    return core, text[len(core) :]


def trailing_group(text: str) -> tuple[str, str, str] | None:
    """The bracketed group that ends ``text`` (before final punctuation): (before, inner, after).
    All bracket kinds count as the same, so ``（…)`` and ``〔…(县)…〕`` work."""
    core, tail = _strip_tail(text)
    if not core or core[-1] not in CLOSERS:
        return None
    depth = 0
    for i in range(len(core) - 1, -1, -1):
        c = core[i]
        if c in CLOSERS:
            depth += 1
        elif c in OPENERS:
            depth -= 1
            if depth == 0:
                return core[:i], core[i + 1 : -1], tail
    return None


def split_depth0(s: str, seps: str) -> list[tuple[str, str]]:
    """Split at separators outside brackets: (piece, separator after it)."""
    out: list[tuple[str, str]] = []
    depth = 0
    cur = ""
    for c in s:
        if c in OPENERS:
            depth += 1
        elif c in CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and c in seps:
            out.append((cur, c))
            cur = ""
        else:
            cur += c
    out.append((cur, ""))
    return out


def _pieces(s: str) -> list[str]:
    """Unit names from a list: split on 、，,；; outside brackets, with 各县、市、区人民政府 kept whole."""
    raw = [(p.strip(), sep) for p, sep in split_depth0(s, "、，,；;/")]
    out: list[str] = []
    glue = ""
    for piece, sep in raw:
        if not piece:
            continue
        if _ADMIN_FRAGMENT.match(piece) and sep == "、":
            glue += piece + "、"
            continue
        out.append(glue + piece)
        glue = ""
    if glue:
        out.append(glue.rstrip("、"))
    return out


def clean_unit(u: str) -> str:
    u = normalise_spaces(u).strip(" 。．.：:")
    u = re.sub(r"^(?:由|和|及|与|以及)", "", u)
    if u.endswith("等") and len(u) > 2:
        u = u[:-1]
    return u.strip()


def _strip_role_suffix(piece: str) -> tuple[str, str | None]:
    m = _LEAD_SUFFIX.search(piece)
    if m and m.start() > 0:
        return piece[: m.start()], "lead"
    m = _RESP_SUFFIX.search(piece)
    if m and m.start() > 0 and m.group(0):
        return piece[: m.start()], "resp"
    return piece, None


def looks_like_unit(u: str) -> bool:
    return bool(_UNIT_SUFFIX.search(u)) and not _NOT_UNIT.search(u) and len(u) <= 40


def _add(target: list[str], names: list[str]) -> None:
    for n in names:
        n = clean_unit(n)
        if n and not _TIME_PIECE.search(n) and n not in target:
            target.append(n)


def parse_note(inner: str) -> Units | None:
    """The units in the text of a unit note (inside the brackets), or None if it does not name units."""
    s = normalise_town_marks(normalise_spaces(inner)).strip()
    if not s:
        return None
    units = Units()
    labels = list(_LABEL_RE.finditer(s))
    if labels:
        lead_labels = set(_LEAD_LABELS)
        pre = s[: labels[0].start()].strip(" ，,；;")
        if pre:
            _walk(pre, units, plain_ok=False)
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(s)
            seg = s[m.end() : end]
            role = "lead" if m.group(1) in lead_labels else "resp"
            names = []
            for piece in _pieces(seg):
                name, _ = _strip_role_suffix(piece)
                names.append(name)
            _add(units.lead if role == "lead" else units.responsible, names)
        return units if units else None
    if _walk(s, units, plain_ok=True):
        return units if units else None
    return None


def _walk(s: str, units: Units, plain_ok: bool) -> bool:
    """Role-suffix form (…牵头；…负责) or a plain list. False if ``s`` does not look like units."""
    buffer: list[str] = []
    seen_role = False
    for piece in _pieces(s):
        name, role = _strip_role_suffix(piece)
        if role is None:
            buffer.append(piece)
            continue
        seen_role = True
        if name:
            buffer.append(name)
        _add(units.lead if role == "lead" else units.responsible, buffer)
        buffer = []
    if seen_role:
        _add(units.responsible, buffer)
        return True
    if not plain_ok:
        _add(units.responsible, buffer)
        return True
    names = [clean_unit(p) for p in buffer]
    names = [n for n in names if n and not _TIME_PIECE.search(n)]  # 2020年底前完成 is a deadline, not a unit
    if not names:
        return False
    good = [n for n in names if looks_like_unit(n)]
    if any(_NOT_UNIT.search(n) for n in names) or len(good) < max(1, (len(names) * 3 + 4) // 5):
        return False
    units.doubtful.extend(n for n in names if n not in good)
    _add(units.lead, names[:1])
    _add(units.responsible, names[1:])
    return True


def find_note(text: str) -> UnitsNote | None:
    """The unit note that ends an item's text, if any.

    The last bracketed group is tried first; when it is not a unit note (say ``（2020年底前完成）``) the group
    before it is tried. When brackets do not balance (a page break ate one), an opener followed by
    牵头…：/责任…： is taken as the start of the note and the note runs to the end.
    """
    g = trailing_group(text)
    if g is not None:
        before, inner, tail = g
        units = parse_note(inner)
        if units is not None:
            return UnitsNote(before, inner, tail, units)
        # a non-unit group at the very end: look at the group before it
        g2 = trailing_group(before)
        if g2 is not None:
            b2, inner2, tail2 = g2
            units = parse_note(inner2)
            if units is not None and not tail2.strip(" 。．.；;，,"):
                return UnitsNote(b2, inner2, text[len(b2) + len(inner2) + 2 :], units)
    # unbalanced: the last opener followed by a role label, never closed
    opens = list(_ROLE_OPEN_RE.finditer(text))
    if opens and not _closed(text, opens[-1].start()):
        m = opens[-1]
        core, tail = _strip_tail(text[m.end() :])
        units = parse_note(core)
        if units is not None and "。" not in core:
            return UnitsNote(text[: m.start()], core, tail, units, complete=False)
    # no brackets: 牵头单位：…；责任单位：… as the last sentence (a stray closer means the opener was lost)
    for m2 in _LABEL_START_RE.finditer(text):
        core, tail = _strip_tail(text[m2.end() :])
        if "。" in core:
            continue
        stray = bool(core) and core[-1] in CLOSERS and not any(c in core for c in OPENERS)
        inner = core[:-1] if stray else core
        units = parse_note(inner)
        if units is not None:
            return UnitsNote(text[: m2.start()], inner, tail, units, complete=not stray)
        break
    return duty_sentence(text)


_DUTY_END = re.compile(r"(?:按照?|根据)?(?:各自)?(?:职责|职能)分工(?:负责|落实|抓好落实)\s*[。．.；;]?\s*$")
_SENTENCE_START = re.compile(r"[。；;，,]")


def duty_sentence(text: str) -> UnitsNote | None:
    """Units named by the last sentence without brackets or labels: ``…。省工信厅、财政厅等按职责分工负责。``
    (every name must read as a unit, so ``各部门要按职责分工负责`` is not one)."""
    if not _DUTY_END.search(text):
        return None
    starts = [0, *(m.end() for m in _SENTENCE_START.finditer(text.rstrip(" 。．.；;")))]
    for start in starts:
        sentence = text[start:]
        core, tail = _strip_tail(sentence)
        if not core or "。" in core:
            continue
        units = Units()
        if not _walk(core, units, plain_ok=False) or not units:
            continue
        if all(looks_like_unit(u) for u in units.all):
            before = text[:start].rstrip(" ，,；;")
            if before and before[-1] not in "。！？!?":
                before += "。"
            return UnitsNote(before, core, tail, units)
    return None


def _closed(text: str, start: int) -> bool:
    """Whether the bracket opened at ``start`` is closed later in ``text``."""
    depth = 0
    for c in text[start:]:
        if c in OPENERS:
            depth += 1
        elif c in CLOSERS:
            depth -= 1
            if depth == 0:
                return True
    return False


def unit_class(unit: str) -> str | None:
    """``town`` for 乡镇/街道 units, ``dept`` for departments, None for anything else (区县 governments,
    片区/开发区管委会, 场…)."""
    if _TOWN.search(unit):
        return "town"
    if _REGIONAL.search(unit):
        return None
    if "人民政府" in unit and not re.search(r"部门|办公室|办公厅", unit):
        return None
    if _DEPT.search(unit):
        return "dept"
    return None


_PREFIX = re.compile(r"^(自治区|省|县|市(?!场|监)|区(?!域)|州|旗|盟)(?![直属级])")
_NO_PREFIX = re.compile(
    r"^(?:各|全|本|有关|相关|所属|其他|其它|省|自治区|国家|中央|县|市(?!场|监)|区(?!域)|州|旗|盟|乡镇|乡[（(]|镇|街道)"
)
_PREFIXABLE = re.compile(r"(?:局|委|办|办公室|中心|公司|站|所|队|院|处|室|部|厅|馆|台|社)$")
_REGIONAL = re.compile(r"片区|管委会|开发区|园区")


def normalise_unit(u: str) -> str:
    """A unit name for matching: brackets full-width, town marks normalised, spaces removed."""
    return normalise_town_marks(u).replace("(", "（").replace(")", "）").replace(" ", "")


def split_including(units: list[str]) -> list[str]:
    """``市司法局等市属各相关部门`` (Y, X among them) as two units, ``市司法局`` and ``市属各相关部门``."""
    out: list[str] = []
    for u in units:
        a, sep, b = u.partition("等")
        if (
            sep
            and looks_like_unit(a)
            and looks_like_unit(b)
            and len(a) >= 2
            and not re.match(r"(?:相关|有关|其他|其它)", b)
        ):
            out += [a, b]
        else:
            out.append(u)
    return out


def expand_prefixes(units: list[str]) -> list[str]:
    """Give abbreviated names in a list the administrative prefix of the first one: in
    ``县发改委、自然资源局、住建局`` the others are ``县自然资源局`` and ``县住建局``."""
    return expand_elided(units)[0]


def expand_elided(units: list[str]) -> tuple[list[str], list[str]]:
    """The names of a list with the elided prefix restored, and a note for each restoration: when the
    first names its level (省/自治区/市/州/县/区/旗/盟) and the others read as bare agency names
    (``省工信厅、财政厅、生态环境厅`` → ``省财政厅``, ``省生态环境厅``). Collective names (各…, 有关…),
    governments, towns and zones are never prefixed."""
    if not units:
        return [], []
    out = [normalise_unit(units[0])]
    notes: list[str] = []
    m = _PREFIX.match(out[0])
    prefix = m.group(1) if m else ""
    for u in units[1:]:
        u = normalise_unit(u)
        if (
            prefix
            and not _NO_PREFIX.match(u)
            and _PREFIXABLE.search(u)
            and "政府" not in u
            and not _REGIONAL.search(u)
        ):
            notes.append(f"“{u}”补全为“{prefix}{u}”（按同一列举首个单位“{out[0]}”的级别）")
            u = prefix + u
        out.append(u)
    return out, notes


def split_units(cell: str) -> list[str]:
    """The unit names in a table cell: one a line or separated by 、，；/, role words (牵头, 配合…)
    dropped, time limits left out."""
    names: list[str] = []
    for line in re.split(r"[\n\r]+", cell):
        for piece in _pieces(normalise_town_marks(normalise_spaces(line))):
            name, _ = _strip_role_suffix(piece)
            name = re.sub(r"^(?:牵头|责任|配合|协办|主责)(?:单位|部门)?\s*[：:]\s*", "", name)
            _add(names, [name])
    return names


def cell_units(cell: str, role: str) -> Units:
    """The units of a table cell under a column of ``role`` (``lead`` or ``responsible``). A cell that
    says who leads (``市政府办牵头，各部门配合`` or ``牵头单位：…；责任单位：…``) is read by its words."""
    text = normalise_town_marks(normalise_spaces(cell.replace("\n", "，")))
    if _LABEL_RE.search(text) or any(_strip_role_suffix(p)[1] for p in _pieces(text)):
        units = parse_note(text)
        if units is not None and units.lead and units.responsible:
            return units
    names = split_units(cell)
    return Units(lead=names) if role == "lead" else Units(responsible=names)

"""Text clean-up for plan documents: decoding, page-break and line-break artefacts, Markdown marks,
display widths (to tell hard-wrapped lines from paragraph ends) and joining lines back into text."""

from __future__ import annotations

import itertools
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

ENCODINGS = ("utf-8-sig", "gb18030")

# Characters that are "Chinese" for spacing purposes: CJK ideographs, CJK and full-width punctuation,
# curly quotes and book-title marks.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_PUNCT = "“”‘’《》〈〉…—·"
CJK_CLASS = f"[{_CJK}{_CJK_PUNCT}]"
_SPACE_AFTER_CJK = re.compile(rf"(?<={CJK_CLASS})[ \t]+")
_SPACE_BEFORE_CJK = re.compile(rf"[ \t]+(?={CJK_CLASS})")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# Page furniture left by PDF/Word conversion: page numbers, "第 3 页 共 9 页", "3/9".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·\s]*\d{1,4}[-—–－~·\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
# Markdown marks: heading hashes, block quotes, list bullets, bold/italic runs, backslash escapes.
_MD_PREFIX = re.compile(r"^(?:#{1,6}\s*|>\s*|[-*+]\s+(?=\S))+")
_MD_EMPHASIS = re.compile(r"\*\*")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!（）、．])")
_ANGLE_TOWN = re.compile(r"[<〈＜]\s*(镇|乡|街道|场)\s*[>〉＞]")

TERMINAL = "。！？!?；;：:）)〕】]」』"


@dataclass(frozen=True)
class Line:
    """One non-blank line of the document after clean-up, with its 1-based line number in the file."""

    no: int
    text: str
    width: int


def char_width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WFA" else 1


def display_width(s: str) -> int:
    """Width as printed: CJK and full-width characters count 2."""
    return sum(char_width(c) for c in s)


def decode(data: bytes) -> str:
    """Text of a plan file in UTF-8 (with or without BOM) or GB18030; ValueError otherwise."""
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValueError("无法识别的文件编码，请另存为 UTF-8 或 GB18030 文本")


_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(path: Path) -> str:
    """The paragraphs of a Word .docx file, one per line (tables row by row)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml")
    root = ElementTree.fromstring(xml)
    lines: list[str] = []
    for p in root.iter(f"{_W_NS}p"):
        parts: list[str] = []
        for el in p.iter():
            if el.tag == f"{_W_NS}t" and el.text:
                parts.append(el.text)
            elif el.tag == f"{_W_NS}tab":
                parts.append(" ")
            elif el.tag in (f"{_W_NS}br", f"{_W_NS}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def read_plan_text(path: Path) -> str:
    """The text of a plan document: plain text (.txt, .md, anything else) or Word .docx.

    Raises FileNotFoundError, IsADirectoryError or ValueError (with a Chinese message) for the CLI to report.
    """
    if not path.exists():
        raise FileNotFoundError(f"找不到文件：{path}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} 是目录，不是文件")
    suffix = path.suffix.lower()
    if suffix in (".doc", ".pdf", ".wps"):
        raise ValueError(f"{path.name}：不支持 {suffix} 文件，请先另存为纯文本（.txt）或 .docx")
    if suffix == ".docx":
        try:
            return docx_text(path)
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as e:
            raise ValueError(f"{path.name}：不是有效的 .docx 文件（{e}）") from e
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"{path.name}：文件为空")
    try:
        return decode(data)
    except ValueError as e:
        raise ValueError(f"{path.name}：{e}") from e


def clean_line(raw: str) -> str:
    """A line without invisible characters, Markdown marks and page furniture; '' if nothing is left."""
    s = raw.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ")
    s = s.translate(_FULLWIDTH_DIGITS).strip()
    if not s or _PAGE_NUMBER.match(s):
        return ""
    s = _MD_PREFIX.sub("", s)
    s = _MD_EMPHASIS.sub("", s)
    s = _MD_ESCAPE.sub(r"\1", s)
    s = s.strip()
    if s and (set(s) <= set("-=*_~#|: ") or _PAGE_NUMBER.match(s)):  # rules and table separators
        return ""
    return s


def split_lines(text: str) -> list[Line]:
    """The document's non-blank lines, cleaned, with their line numbers (form feeds are line breaks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    out: list[Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        s = clean_line(raw)
        if s:
            out.append(Line(no, s, display_width(s)))
    return out


def wrap_width(lines: list[Line]) -> int | None:
    """The width at which the document's lines were hard-wrapped (PDF or OCR text), or None when lines
    are paragraphs (web or Word text). A hard-wrapped text has many lines of nearly the same width."""
    widths = [ln.width for ln in lines if ln.width >= 16]
    if len(widths) < 5:
        return None
    counts = Counter(widths)
    best, best_n = 0, 0
    for w in counts:
        n = sum(c for x, c in counts.items() if w - 6 <= x <= w)
        if n > best_n or (n == best_n and w > best):
            best, best_n = w, n
    longer = sum(1 for w in widths if w > best + 4)  # a wrapped text has (almost) no line past the margin
    if best_n >= 5 and best_n >= 0.35 * len(widths) and longer <= 0.1 * len(widths) and best <= 200:
        return best
    return None


def is_full(line: Line, wrap: int | None) -> bool:
    """Whether the line runs to the wrap width, so that its paragraph continues on the next line."""
    return wrap is not None and line.width >= wrap - 6


def ends_paragraph(line: Line, wrap: int | None) -> bool:
    """Whether a paragraph ends with this line: it is short of the wrap width, or the text is not
    hard-wrapped at all (every line is a paragraph)."""
    return not is_full(line, wrap)


def ends_sentence(line: Line) -> bool:
    return line.text[-1] in TERMINAL


def paragraphs(lines: list[Line], wrap: int | None) -> list[list[Line]]:
    """Group lines into paragraphs."""
    out: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        cur.append(ln)
        if ends_paragraph(ln, wrap):
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def join_text(parts: list[str]) -> str:
    """Join line fragments into running text: no space between Chinese fragments, a space between
    two Latin words, artefact spaces around Chinese characters removed."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return normalise_spaces(out)


def normalise_spaces(s: str) -> str:
    s = _SPACE_AFTER_CJK.sub("", s)
    s = _SPACE_BEFORE_CJK.sub("", s)
    s = _MULTI_SPACE.sub(" ", s)
    return s.strip()


def normalise_town_marks(s: str) -> str:
    """`各乡<镇>` and `各乡〈镇〉` (conversion artefacts) as `各乡（镇）`."""
    return _ANGLE_TOWN.sub(r"（\1）", s)


CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105; None if not a Chinese numeral."""
    if not s or any(c not in CN_DIGITS and c not in "十百" for c in s):
        return None
    total, cur = 0, 0
    for c in s:
        if c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = CN_DIGITS[c]
    return total + cur


def first_sentence(s: str, limit: int = 40) -> str:
    """A short name from running text: the first sentence, shortened to a clause or `limit` characters."""
    s = s.strip()
    head = re.split(r"[。；;！？!?]", s, maxsplit=1)[0].strip() or s
    if len(head) > limit:
        clause = re.split(r"[，,：:]", head, maxsplit=1)[0].strip()
        head = clause if 6 <= len(clause) <= limit else head[: limit - 1] + "…"
    return head


# Markers anywhere in a line: 一、 （一） 1. (not a decimal, not 第二、)
_ANY_MARK = re.compile(
    r"(?<![第\d.．])(?:(?P<sec>[一二三四五六七八九十]{1,3})\s*、|[（(]\s*(?P<sub>[一二三四五六七八九十]{1,3})\s*[）)]"
    r"|(?P<item>\d{1,3})\s*[.．、](?:(?!\d)|(?=\d{4}\s*年)))"
)
_ENDS = "。；;！？!?）)〕】]"
_TITLE_ENDS = ("要点", "方案", "计划", "安排", "分工", "任务")  # a plan's title just before its 一、


def _run_on_cuts(text: str) -> list[int]:
    """Where a line that lost its line breaks is to be cut: before each marker that continues its
    numbering (the next section, the next sub-heading, the next item, or 1 again under a new heading)
    and stands after the end of a sentence or right after a heading's title."""
    nxt = {"sec": 1, "sub": 1, "item": 1}
    last_kind: str | None = None
    cuts: list[int] = []
    for m in _ANY_MARK.finditer(text):
        kind = next(k for k in ("sec", "sub", "item") if m.group(k))
        raw = m.group(kind)
        n = int(raw) if kind == "item" else cn_number(raw)
        if n is None:
            continue
        before = text[: m.start()].rstrip()
        after_heading = last_kind in ("sec", "sub")
        ended = not before or before[-1] in _ENDS or (kind == "sec" and before.endswith(_TITLE_ENDS))
        expected = n == nxt[kind] or (kind == "item" and n == 1 and after_heading)
        if m.start() == 0 and n >= 1:
            expected = True  # the line starts with a marker: the numbering goes on from it
        if not expected or not (ended or after_heading or m.start() == 0):
            continue
        if kind == "sub" and last_kind is None and m.start() > 0 and not ended:
            continue
        if m.start() > 0:
            cuts.append(m.start())
        nxt[kind] = n + 1
        if kind == "sec":
            nxt["sub"] = 1
        last_kind = kind
    return cuts


def split_run_on(lines: list[Line]) -> tuple[list[Line], int, int | None]:
    """Lines whose line breaks were lost (a web page copied as one line), cut before each marker that
    continues the numbering (see :func:`_run_on_cuts`). Only a line with at least two such markers
    inside it is cut (two items, when other lines start with a marker); the pieces keep the line's
    number. Returns the lines, how many were cut and the index of the last piece of the last line cut
    (where a closing paragraph and signature may hide)."""
    out: list[Line] = []
    cut = 0
    last: int | None = None
    # a text that kept its line breaks (several lines start with a marker) is cut only where a line runs
    # several numbered items together, so that （一）（二） listed inside an item stay in it
    structured = sum(1 for ln in lines if _ANY_MARK.match(ln.text)) >= 3
    for ln in lines:
        cuts = _run_on_cuts(ln.text)
        items = sum(1 for c in cuts if (m := _ANY_MARK.match(ln.text, c)) and m.group("item"))
        if len(cuts) < 2 or (structured and items < 2):
            out.append(ln)
            continue
        cut += 1
        for a, b in itertools.pairwise([0, *cuts, len(ln.text)]):
            piece = ln.text[a:b].strip()
            if piece:
                out.append(Line(ln.no, piece, display_width(piece)))
        last = len(out) - 1
    return out, cut, last

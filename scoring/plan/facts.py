"""A plan's document facts (title, issuer, 文号, year) from the lines before its first heading and after
its last item, and, for a text that lost its line breaks, the cuts that give those lines back."""

from __future__ import annotations

import itertools
import re

from .text import Line, display_width, join_text
from .units import find_note

TERMINATOR_RE = re.compile(
    r"^(?:抄送|抄报|主送\s*[：:]|附件\s*[：:\d１-９]|附件下载|附\s*[：:]|附表|主题词|相关链接|扫一扫|打印本页"
    r"|关闭窗口|【打印】|【关闭】|责任编辑|（此件公开发布）|\(此件公开发布\))"
)
DATE_LINE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
PRINTED_RE = re.compile(r"^(?P<org>.*?)\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")
ORG_RE = re.compile(
    r"^[\u4e00-\u9fff（）()]{4,40}(?:政府|办公室|办公厅|委员会|局|委|办|厅|中心|公开办|领导小组|[）)])$"
)
DOC_NUMBER_RE = re.compile(
    r"^\s*([\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号)\s*$"
)
TITLE_WORDS = re.compile(
    r"工作要点|要点|工作安排|任务分工|重点任务|实施方案|工作方案|工作计划|任务分解|分解表|任务清单|责任清单"
)
NOTICE_TITLE_RE = re.compile(r"关于印发\s*《?(.+?)》?\s*的通知")


def document_facts(
    head: list[Line], tail: list[Line]
) -> tuple[str | None, str | None, str | None, int | None]:
    """Title, issuer, document number and year from the lines before the first heading (and the tail)."""
    texts = [join_text([ln.text]) for ln in head]
    doc_number = None
    for t in texts:
        m = DOC_NUMBER_RE.match(t)
        if m:
            doc_number = re.sub(r"\s+", "", m.group(1))
            break
    title = None
    for t in texts:
        if (
            TITLE_WORDS.search(t)
            and "关于" not in t
            and not t.endswith("通知")
            and len(t) <= 50
            and not re.search(r"[《》。，,：:]", t)
        ):
            title = t
            break
    if title is None:
        joined = join_text([ln.text for ln in head[:12]])
        m = NOTICE_TITLE_RE.search(joined)
        if m:
            title = m.group(1).strip("《》 ")
    issuer = None
    all_lines = texts + [join_text([ln.text]) for ln in tail]
    for i, t in enumerate(all_lines):
        if DATE_LINE_RE.match(t):
            for j in range(i - 1, max(-1, i - 3), -1):
                if ORG_RE.match(all_lines[j]) and not all_lines[j].endswith("文件"):
                    issuer = all_lines[j]
                    break
            if issuer:
                break
    if issuer is None:
        for i, t in enumerate(all_lines):
            m = re.match(r"^(?:来源|发布机构|发文机关)\s*[：:]\s*(.*)$", t)
            if m:
                cand = m.group(1).strip() or (all_lines[i + 1] if i + 1 < len(all_lines) else "")
                if cand and ORG_RE.match(cand):
                    issuer = cand
                    break
    if issuer is None:
        for t in all_lines:
            m = PRINTED_RE.match(t)
            if m and ORG_RE.match(m.group("org")):
                issuer = m.group("org")
                break
    if issuer is None:
        joined = "".join(texts[:3])
        m = re.match(r"^(.{4,40}?)文件", joined)
        if m and ORG_RE.match(m.group(1)):
            issuer = m.group(1)
    year = None
    for src in (title, doc_number):
        m = re.search(r"((?:19|20)\d{2})", src or "")
        if m:
            year = int(m.group(1))
            break
    if year is None:
        for t in all_lines:
            if DATE_LINE_RE.match(t):
                year = int(t[:4])
                break
    return title, issuer, doc_number, year


# ------------------------------------------------------------------ text that lost its line breaks


_TAIL_WORD_RE = re.compile(
    r"附件下载|相关链接|扫一扫|打印本页|关闭窗口|【打印】|【关闭】|责任编辑|（此件公开发布）|\(此件公开发布\)|抄送[：:]"
)
_SIGNED_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?=\s*(?:印发)?\s*$)")


def cut_tail(ln: Line) -> list[Line]:
    """The last piece of a text that lost its line breaks, cut where the last item ends (after its unit
    note), where the signature and date begin, and before page furniture (附件下载, 相关链接…)."""
    t = ln.text
    cuts: set[int] = set()
    if m := _TAIL_WORD_RE.search(t):
        cuts.add(m.start())
    body_end = min(cuts, default=len(t))
    if d := _SIGNED_RE.search(t[:body_end].rstrip()):
        cuts.add(d.start())
        org_start = max(t.rfind(c, 0, d.start()) for c in "。；;）)") + 1
        if org_start > 0 and ORG_RE.match(t[org_start : d.start()].strip()):
            cuts.add(org_start)
        body_end = min(cuts)
    for i, c in enumerate(t[:body_end]):
        if c in "）)〕】]" and i + 1 < body_end and t[i + 1 : body_end].strip(" 。．.；;"):
            note = find_note(t[: i + 1])
            if note is not None and note.complete and note.before.rstrip().endswith("。"):
                cuts.add(i + 1)
                break
    else:  # no unit note: the closing paragraph begins with the sentence that speaks of the plan itself
        for m in re.finditer(r"。", t[:body_end]):
            if re.match(r"[^。]{0,40}(?:本工作要点|本要点|本方案|本计划)", t[m.end() : body_end]):
                cuts.add(m.end())
                break
    bounds = [0, *sorted(x for x in cuts if 0 < x < len(t)), len(t)]
    pieces = [t[a:b].strip(" ") for a, b in itertools.pairwise(bounds)]
    return [Line(ln.no, p, display_width(p)) for p in pieces if p.strip()]


_DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?!\s*(?:前|之前|以前|起|至|到|—|-))")


def cut_head(ln: Line) -> list[Line]:
    """The opening of a text that lost its line breaks, cut around the notice's signature and date and
    after the plan's title, so the document facts are found as in a text with its lines."""
    t = ln.text
    cuts: set[int] = set()
    for d in _DATE_RE.finditer(t):
        cuts |= {d.start(), d.end()}
        org_start = max(t.rfind(c, 0, d.start()) for c in "。；;:：") + 1
        if org_start > 0 and ORG_RE.match(t[org_start : d.start()].strip()):
            cuts.add(org_start)
        after = t[d.end() :]
        if m := re.match(
            r"[^。，,：:《》]{4,40}?(?:工作要点|要点|实施方案|工作方案|工作安排|任务分工)", after
        ):
            cuts.add(d.end() + m.end())
    for m in re.finditer(r"([\u4e00-\u9fff]{1,8}?[发函字])\s*[〔［\[]\s*\d{4}\s*[〕］\]]\s*\d{1,4}\s*号", t):
        start = m.start(1) + (m.group(1).rfind("文件") + 2 if "文件" in m.group(1) else 0)
        cuts |= {start, m.end()}
    for m in _TAIL_WORD_RE.finditer(t):
        cuts |= {m.start(), m.end()}
    bounds = [0, *sorted(x for x in cuts if 0 < x < len(t)), len(t)]
    pieces = [t[a:b].strip(" ") for a, b in itertools.pairwise(bounds)]
    return [Line(ln.no, p, display_width(p)) for p in pieces if p.strip()]

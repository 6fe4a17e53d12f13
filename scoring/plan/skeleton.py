"""A draft indicator catalogue from a plan, in the format of ``docs/catalogue.md``: one level-1 node
(role ``base``) per section, level-2 nodes per sub-heading when the section has them, one ``judgement``
leaf per item with the item's text as rubric, points spread to the total exactly (integer hundredths)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .extract import Plan, PlanItem
from .output import OutputError, write_csv, write_text
from .text import first_sentence
from .units import unit_class

# indicators.csv's columns, as scoring.catalogue.CATALOGUE_COLUMNS (a test keeps them equal): importing
# the plan package does not import polars, and importing scoring.catalogue would
INDICATOR_COLUMNS = (
    "id",
    "parent",
    "name",
    "points",
    "role",
    "rule",
    "params",
    "applies_to",
    "plan_items",
    "rubric",
    "uncapped",
)
FILES = ("indicators.csv", "plan_items.csv", "settings.toml", "README.md")
CLASSES = (("town", "乡镇"), ("dept", "部门"))

_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[）)])\s*")


@dataclass
class Node:
    id: str
    parent: str | None
    name: str
    hundredths: int = 0
    role: str = ""
    rule: str = ""
    applies_to: str = ""
    plan_items: str = ""
    rubric: str = ""
    children: list[Node] = field(default_factory=list)

    @property
    def points(self) -> str:
        return format_hundredths(self.hundredths)


@dataclass
class Skeleton:
    """The draft catalogue: the node tree (level-1 nodes), the plan items and the settings text."""

    year: int
    roots: list[Node]
    plan_items: list[tuple[str, str, str]]
    settings_toml: str
    readme: str
    notes: list[str] = field(default_factory=list)

    def nodes(self) -> list[Node]:
        out: list[Node] = []

        def walk(n: Node) -> None:
            out.append(n)
            for c in n.children:
                walk(c)

        for r in self.roots:
            walk(r)
        return out

    def indicator_rows(self) -> list[list[str]]:
        rows = [list(INDICATOR_COLUMNS)]
        for n in self.nodes():
            rows.append(
                [
                    n.id,
                    n.parent or "",
                    n.name,
                    n.points,
                    n.role,
                    n.rule,
                    "",
                    n.applies_to,
                    n.plan_items,
                    n.rubric,
                    "",
                ]
            )
        return rows

    def plan_item_rows(self) -> list[list[str]]:
        return [["item", "section", "text"], *([a, b, c] for a, b, c in self.plan_items)]


def format_hundredths(h: int) -> str:
    """1234 → ``12.34``, 1230 → ``12.3``, 1200 → ``12``."""
    whole, frac = divmod(h, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def parse_total(text: str) -> int:
    """The total points as hundredths (``100`` → 10000); ValueError unless positive with ≤ 2 decimals."""
    m = re.fullmatch(r"\s*(\d+)(?:\.(\d{1,2}))?\s*", text)
    if not m or (h := int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))) <= 0:
        raise ValueError(f"总分应为正数，最多两位小数：{text}")
    return h


def spread(total: int, n: int) -> list[int]:
    """``total`` hundredths over ``n`` leaves as evenly as possible, summing exactly to ``total``."""
    if n <= 0:
        return []
    if total < n:
        raise ValueError("事项太多，每个事项分不到 0.01 分")
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def letters(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def bare(title: str | None) -> str:
    """A heading without its ``一、`` / ``（一）`` marker."""
    return _MARKER.sub("", title or "").strip()


def applies_to(item: PlanItem) -> str:
    classes = {c for c in (unit_class(u) for u in item.units) if c is not None}
    return next(iter(classes)) if len(classes) == 1 else ""


def leaf_name(item: PlanItem) -> str:
    if item.kind == "subsection" and item.heading:
        return bare(item.heading) or first_sentence(item.text)
    if item.kind == "section" and item.section:
        return bare(item.section) or first_sentence(item.text)
    return first_sentence(item.text) or f"事项{item.label}"


def build_skeleton(plan: Plan, year: int, total: int = 10000) -> Skeleton:
    """The draft catalogue for ``year`` (``total`` in hundredths of a point, 10000 = 100 points)."""
    if not plan.items:
        raise ValueError("工作要点中没有找到工作事项，无法生成指标目录")
    points = iter(spread(total, len(plan.items)))
    roots: list[Node] = []
    groups: dict[tuple[int | None, str | None], Node] = {}
    subs: dict[tuple[str, int | None, str | None], Node] = {}
    notes: list[str] = []
    for it in plan.items:
        key = (it.section_no, it.section)
        root = groups.get(key)
        if root is None:
            name = bare(it.section) or (plan.title or "工作要点")
            root = Node(letters(len(roots)), None, name, role="base")
            roots.append(root)
            groups[key] = root
        parent = root
        if it.kind == "item" and it.heading:
            skey = (root.id, it.heading_no, it.heading)
            sub = subs.get(skey)
            if sub is None:
                sub = Node(f"{root.id}{len(root.children) + 1}", root.id, bare(it.heading) or it.heading)
                root.children.append(sub)
                subs[skey] = sub
            parent = sub
        sep = "" if parent is root else "."
        leaf = Node(
            f"{parent.id}{sep}{len(parent.children) + 1}",
            parent.id,
            leaf_name(it),
            hundredths=next(points),
            rule="judgement",
            applies_to=applies_to(it),
            plan_items=f"{year}-{it.label}",
            rubric=it.text,
        )
        parent.children.append(leaf)

    def total_of(n: Node) -> int:
        if n.children:
            n.hundredths = sum(total_of(c) for c in n.children)
        return n.hundredths

    for r in roots:
        total_of(r)
    if plan.year is not None and plan.year != year:
        notes.append(f"工作要点的年度是 {plan.year}，指标目录的年度是 {year}")
    plan_items = [(f"{year}-{it.label}", it.section or "", it.text) for it in plan.items]
    return Skeleton(year, roots, plan_items, settings_toml(plan, year, total), readme(plan, year), notes)


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def catalogue_title(plan: Plan, year: int) -> str:
    """``轮台县2021年政务公开工作要点`` → ``2021年度轮台县政务公开工作考核``."""
    title = plan.title or ""
    m = re.fullmatch(r"(.*?)\s*\d{4}\s*年度?\s*(.*?)(?:工作要点|要点)?", title)
    if m and (m.group(1) + m.group(2)):
        return f"{year}年度{m.group(1)}{m.group(2)}工作考核".replace("工作工作", "工作")
    if title:
        return f"{year}年度{title}考核"
    return f"{year}年度政务公开工作考核"


def settings_toml(plan: Plan, year: int, total: int) -> str:
    """Year-level settings with the defaults of docs/catalogue.md."""
    lines = [
        f"# 由 score plan skeleton 从《{plan.title or plan.source or '工作要点'}》生成的草稿，"
        "请按本年度考核办法修改。",
        f"year = {year}",
        f"title = {_toml_str(catalogue_title(plan, year))}",
    ]
    if plan.issuer:
        lines.append(f"issuer = {_toml_str(plan.issuer)}")
    for cid, name in CLASSES:
        lines += [
            "",
            "[[classes]]",
            f"id = {_toml_str(cid)}",
            f"name = {_toml_str(name)}",
            f"max = {format_hundredths(total)}",
        ]
    lines += [
        "",
        "[rounding]",
        "places = 2",
        'mode = "half_up"',
        "",
        "[ranking]",
        'ties = "competition"',
        'basis = "printed"',
        "",
        "[caps]",
        'mode = "node"',
        "",
        "[not_applicable]",
        'method = "renormalise"',
        "",
        "# [bonus]                 # 有加分项时声明",
        "# cap = 5",
        "# gate = 80",
        "",
        "# [penalty]               # 有扣分项时声明",
        "# cap = 10",
        "",
        "[veto]",
        'action = "grade_only"',
        "",
        "[grades]                  # 等次线为各类满分的比例；不评等次的改为 none = true（删去其余各项）",
        'bands = [ { name = "优秀", share = 0.9 }, { name = "良好", share = 0.8 }, '
        '{ name = "合格", share = 0.6 } ]',
        'fail = "不合格"',
        'basis = "printed"',
        "",
        "[inputs]",
        'missing = "zero"',
        "",
    ]
    return "\n".join(lines)


def readme(plan: Plan, year: int) -> str:
    src = f"《{plan.title}》" if plan.title else (plan.source or "工作要点")
    facts = "，".join(x for x in (plan.issuer, plan.doc_number) if x)
    return (
        f"# {catalogue_title(plan, year)}（草稿）\n\n"
        f"本目录由 `score plan skeleton` 根据{src}{f'（{facts}）' if facts else ''}生成。\n\n"
        "- 每个部分（一、二、……）是一个一级指标，有小标题的部分按小标题分为二级指标；\n"
        "- 每个工作事项是一个末级指标，评分规则为 `judgement`（由考核人员直接打分），评分标准为事项原文；\n"
        "- 分值按事项数平均分配，合计为满分；`applies_to` 按责任单位推断"
        "（乡镇/街道 → town，部门 → dept，两者都有则适用全部）。\n\n"
        "请按本年度考核办法修改指标名称、分值、评分规则和参数。\n"
    )


def write_skeleton(sk: Skeleton, out_dir: Path, force: bool = False) -> list[Path]:
    """Write the catalogue files into ``out_dir`` (created if needed); never overwrites unless ``force``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} 已存在且不是目录")
    paths = [out_dir / f for f in FILES]
    existing = [p.name for p in paths if p.exists()]
    if existing and not force:
        raise OutputError(f"{out_dir} 中已有 {'、'.join(existing)}；如需覆盖请加 --force")
    out_dir.mkdir(parents=True, exist_ok=True)
    # all four files are written into a hidden folder first and moved in only when all are complete
    staging = Path(tempfile.mkdtemp(prefix=".skeleton.", dir=out_dir))
    try:
        write_csv(staging / FILES[0], sk.indicator_rows())
        write_csv(staging / FILES[1], sk.plan_item_rows())
        write_text(staging / FILES[2], sk.settings_toml)
        write_text(staging / FILES[3], sk.readme)
        for name, target in zip(FILES, paths, strict=True):
            os.replace(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return paths

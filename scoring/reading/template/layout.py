"""The layout of the assessors' template, shared by the writer (:mod:`scoring.output.template`) and the
reader: sheet names and markers, the input columns of a class's sheet, the catalogue hash, the checksum
of the ``_meta`` sheet and cell references.

A very hidden ``_meta`` sheet records the year, a hash of the catalogue and, for every column, which
leaf and key it holds, so reading never depends on header text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scoring.spec.catalogue import Catalogue, Node

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


# ------------------------------------------------------------------------------------------- helpers


def dec(d: Decimal) -> str:
    """A decimal as people write it: 100, 2.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """``text`` cut to Excel's limit in UTF-16 units, with an ellipsis when cut."""
    if _utf16_len(text) <= limit:
        return text
    out = text
    while _utf16_len(out) > limit - 1:
        out = out[:-1]
    return out + "…"


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


def cell_ref(row: int, col: int) -> str:
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
            dec(n.points) if n.has_points else "",
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


def extra_keys(node: Node) -> dict[str, bool]:
    """The keys a leaf takes beside its own input (定额: the unit's own quota), each with whether every
    unit must give it."""
    return dict(node.kind.extra_keys(node.params)) if node.kind is not None else {}


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
    leaf, plus a column per extra key its kind takes (a unit's own quota, 定额) and a 及格封顶 column for a
    leaf with a ``ceiling`` parameter."""
    cols: list[InputColumn] = []
    for leaf in dfs_leaves(catalogue):
        if class_id is not None and not leaf.applies(class_id):
            continue
        domain = leaf.kind.domain if leaf.kind else "number"
        keys = leaf_keys(leaf)
        cols += [InputColumn(leaf, k, domain) for k in (keys or ("",))]
        cols += [InputColumn(leaf, k, domain) for k in extra_keys(leaf)]
        if leaf.params.get("ceiling") is not None:
            cols.append(InputColumn(leaf, CEILING_KEY, "bool"))
    return cols


def meta_checksum(rows: Sequence[Sequence[str]]) -> str:
    """A digest of the ``_meta`` rows (trailing empty cells ignored, as a reader cannot see them)."""
    trimmed = [list(r) for r in rows]
    for r in trimmed:
        while r and r[-1] == "":
            r.pop()
    text = "\x1e".join("\x1f".join(r) for r in trimmed)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

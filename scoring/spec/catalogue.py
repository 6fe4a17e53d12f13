"""The indicator catalogue: a tree of nodes with points, leaves carrying a registered rule with typed
parameters. Built from ``indicators.csv`` and checked as a definition (ids, parents, sums, rules,
parameters, classes, plan items) with every problem collected."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import polars as pl

from scoring.errors import Issue
from scoring.exact import parse_decimal, to_fixed
from scoring.spec.agreement import agreement_issues
from scoring.spec.params import ParamError, split_params
from scoring.spec.rules import REGISTRY, RuleKind
from scoring.spec.settings import Settings

CATALOGUE_COLUMNS = {
    "id": True,
    "parent": False,
    "name": True,
    "points": False,  # blank only where build_catalogue allows it (a pooled section's leaf, a bonus section)
    "role": False,
    "rule": False,
    "params": False,
    "applies_to": False,
    "plan_items": False,
    "rubric": False,
    "uncapped": False,
}
"""The columns of ``indicators.csv`` in file order, each with whether it is required (docs/catalogue.md)."""
ROLES = ("base", "bonus", "penalty", "veto")
LEAF_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "rule": pl.String(),  # "" when the leaf has none
    "kind_code": pl.UInt8(),  # the rule's index in sorted(REGISTRY); null when it is not registered
    "domain": pl.String(),  # the rule kind's input domain (see scoring.spec.rulekind.DOMAINS); "" without one
    "M": pl.Int64(),  # the leaf's points, pico
    "role": pl.String(),
    "level1": pl.String(),  # the id of the leaf's level-1 node
    "l1": pl.UInt16(),  # the index of that node in Catalogue.level1
    "level1_points": pl.Int64(),  # that node's points, pico
    "uncapped": pl.Boolean(),
    "bounded": pl.Boolean(),  # the rule keeps points within [0, M] (false without a rule)
    "ceiling": pl.Int64(),  # the 及格封顶 amount, pico; null when the leaf has none
    "as_penalty": pl.Boolean(),  # a deducting rule in a penalty section: its deduction is the penalty
    "veto_bit": pl.Int64(),  # 2^i for the i-th veto leaf with a rule, else 0
    "keyed": pl.Boolean(),  # the leaf takes keyed rows: its rule lists the keys it accepts
    "allowed_keys": pl.List(pl.String()),
    "choices": pl.List(pl.String()),  # a category's values
    "lo": pl.Float64(),  # the range of an entered number; null when open
    "hi": pl.Float64(),
    "usual_lo": pl.Float64(),  # the range a value usually falls in (outside it: a note); null when open
    "usual_hi": pl.Float64(),
    "what": pl.String(),  # what an entered number is, as the rule kind says ("" when it does not)
    "applies": pl.List(pl.String()),  # the classes the leaf applies to; empty = all
    "path": pl.String(),  # the names from level 1 down, joined by " / "
    "name": pl.String(),
    "rubric": pl.String(),
}
"""The columns of :meth:`Catalogue.leaf_frame`, one row per leaf."""
YES = {"是", "yes", "y", "true", "1", "√", "✓"}
NO = {"", "否", "no", "n", "false", "0", "×", "✗"}


@dataclass(frozen=True)
class Node:
    id: str
    parent: str | None
    name: str
    points: Decimal
    role: str
    rule: str | None
    params: dict[str, Any]
    params_text: str
    applies_to: tuple[str, ...]  # effective (inherited and narrowed); empty = all classes
    plan_items: tuple[str, ...]
    rubric: str
    uncapped: bool
    level: int
    path: tuple[str, ...]
    row: int
    is_leaf: bool
    # False for a node whose points were left blank: a leaf of a pooled section whose deductions come off
    # the section's points, or a bonus or penalty section without a cap of its own (points is then 0)
    has_points: bool = True

    @property
    def points_fixed(self) -> int:
        return to_fixed(self.points)

    @property
    def level1(self) -> str:
        return self.path[0]

    def applies(self, class_id: str) -> bool:
        return not self.applies_to or class_id in self.applies_to

    @property
    def kind(self) -> RuleKind | None:
        return REGISTRY.get(self.rule or "")


@dataclass(frozen=True)
class Catalogue:
    year: int
    nodes: tuple[Node, ...]
    plan_items: dict[str, str] = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        return self._by_id[node_id]

    @property
    def _by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @property
    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.is_leaf]

    @property
    def level1(self) -> list[Node]:
        return [n for n in self.nodes if n.level == 1]

    def children(self, node_id: str | None) -> list[Node]:
        return [n for n in self.nodes if n.parent == node_id]

    @property
    def depth(self) -> int:
        return max((n.level for n in self.nodes), default=0)

    def path_names(self, node: Node) -> str:
        by_id = self._by_id
        return " / ".join(by_id[i].name for i in node.path)

    def kept(self, node: Node, class_id: str) -> Decimal:
        """What ``node`` keeps of its points for a class beyond its children's declared points: the points
        its children without points of their own (a pooled section's) deduct from; 0 without such children."""
        kids = self.children(node.id)
        bare = [k for k in kids if not k.has_points and k.applies(class_id)]
        if node.is_leaf or not bare or not node.applies(class_id):
            return Decimal(0)
        return node.points - sum((k.points for k in kids if k.has_points), Decimal(0))

    def applicable_points(self, root: str, class_id: str) -> Decimal:
        """The points of ``root``'s subtree that apply to a class: its applicable leaves' points and what its
        nodes keep for leaves without points."""
        under = [n for n in self.nodes if root in n.path]
        leaves = sum((n.points for n in under if n.is_leaf and n.applies(class_id)), Decimal(0))
        return leaves + sum((self.kept(n, class_id) for n in under), Decimal(0))

    def applicable_max(self, class_id: str) -> Decimal:
        return sum(
            (self.applicable_points(n.id, class_id) for n in self.level1 if n.role == "base"), Decimal(0)
        )

    def leaf_frame(self, class_ids: Sequence[str] = ()) -> pl.DataFrame:
        """One row per leaf, in catalogue order, with every column of ``LEAF_SCHEMA``, and ``applies_<c>``
        (whether the leaf applies to class ``c``) for each of ``class_ids``. Each consumer selects the
        columns it needs; the frame is built once per catalogue."""
        frame = self._leaf_columns
        if not class_ids:
            return frame
        applies = pl.col("applies")
        return frame.with_columns(
            (applies.list.len().eq(0) | applies.list.contains(pl.lit(c, pl.String))).alias(f"applies_{c}")
            for c in class_ids
        )

    @cached_property
    def _leaf_columns(self) -> pl.DataFrame:
        by_id = self._by_id
        l1_index = {n.id: i for i, n in enumerate(self.level1)}
        kind_codes = {name: i for i, name in enumerate(sorted(REGISTRY))}
        vetoes = [n.id for n in self.leaves if n.kind is not None and n.role == "veto"]

        def row(n: Node) -> dict[str, Any]:
            kind = n.kind
            lo, hi = kind.input.bounds_for(n.params, n.points_fixed) if kind else (None, None)
            usual_lo, usual_hi = kind.input.usual_for(n.params, n.points_fixed) if kind else (None, None)
            return {
                "indicator": n.id,
                "rule": n.rule or "",
                "kind_code": kind_codes.get(n.rule or ""),
                "domain": kind.domain if kind else "",
                "M": n.points_fixed,
                "role": n.role,
                "level1": n.level1,
                "l1": l1_index[n.level1],
                "level1_points": by_id[n.level1].points_fixed,
                "uncapped": n.uncapped,
                "bounded": bool(kind and kind.bounded),
                "ceiling": n.params.get("ceiling"),
                "as_penalty": n.role == "penalty" and bool(kind and kind.sense == "deduct"),
                "veto_bit": 1 << vetoes.index(n.id) if n.id in vetoes else 0,
                "keyed": bool(kind and kind.keyed and kind.keys(n.params) is not None),
                "allowed_keys": list(kind.keys(n.params) or ()) if kind else [],
                "choices": list(kind.input.choices_for(n.params)) if kind else [],
                "lo": None if lo is None else float(lo),
                "hi": None if hi is None else float(hi),
                "usual_lo": None if usual_lo is None else float(usual_lo),
                "usual_hi": None if usual_hi is None else float(usual_hi),
                "what": kind.input.what if kind else "",
                "applies": list(n.applies_to),
                "path": self.path_names(n),
                "name": n.name,
                "rubric": n.rubric,
            }

        return pl.DataFrame([row(n) for n in self.leaves], schema=LEAF_SCHEMA)

    def node_frame(self) -> pl.DataFrame:
        """Every node with its parent, level and points (pico), for the tree aggregation."""
        return pl.DataFrame(
            {
                "node": [n.id for n in self.nodes],
                "parent": [n.parent for n in self.nodes],
                "level": [n.level for n in self.nodes],
                "points": [n.points_fixed for n in self.nodes],
                "role": [n.role for n in self.nodes],
                "is_leaf": [n.is_leaf for n in self.nodes],
            },
            schema_overrides={"points": pl.Int64, "parent": pl.String, "level": pl.Int32},
        )


def _split_list(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r"[、,，;；\s]+", text or "") if x.strip())


def build_catalogue(
    df: pl.DataFrame, settings: Settings, plan_items: dict[str, str], file: str
) -> tuple[Catalogue | None, list[Issue]]:
    """The catalogue from the rows of ``indicators.csv`` (all text, with ``__row__``), with every
    definition problem found."""
    issues: list[Issue] = []

    def fail(row: int | None, column: str | None, value: object, expected: str, code: str) -> None:
        issues.append(
            Issue(
                file, row, column, None if value is None else str(value), expected, code, family="definition"
            )
        )

    rows = df.to_dicts()
    ids: dict[str, dict[str, Any]] = {}
    for r in rows:
        nid = r.get("id") or ""
        if not nid:
            continue
        if nid in ids:
            fail(
                r["__row__"],
                "id",
                nid,
                f"指标编号重复（第{ids[nid]['__row__']}行已使用）",
                f"{nid}|id_unique",
            )
            continue
        ids[nid] = r

    classes = set(settings.class_ids)
    children: dict[str | None, list[str]] = {}
    for nid, r in ids.items():
        parent = r.get("parent") or None
        if parent is not None and parent not in ids:
            fail(r["__row__"], "parent", parent, "上级指标编号不存在", f"{nid}|parent_known")
            parent = None
        children.setdefault(parent, []).append(nid)

    # depth-first from the roots, catching cycles
    nodes: dict[str, Node] = {}
    points: dict[str, Decimal] = {}
    blank = {nid for nid, r in ids.items() if not (r.get("points") or "").strip()}
    for nid, r in ids.items():
        if nid in blank:
            points[nid] = Decimal(0)  # allowed or refused where the node's place in the tree is known
            continue
        p = parse_decimal((r.get("points") or "").rstrip("分"))
        if p is None or p <= 0:
            fail(r["__row__"], "points", r.get("points"), "分值应为正数", f"{nid}|points_positive")
            p = Decimal(0)
        else:
            try:
                to_fixed(p)
            except ValueError:
                fail(r["__row__"], "points", r.get("points"), "分值小数位数过多", f"{nid}|points_places")
        points[nid] = p

    def visit(nid: str, parent: Node | None, seen: tuple[str, ...]) -> None:
        r = ids[nid]
        row = int(r["__row__"])
        kids = children.get(nid, [])
        is_leaf = not kids
        role = (r.get("role") or "").strip() or (parent.role if parent else "base")
        if parent is None and role not in ROLES:
            fail(row, "role", role, f"应为 {' / '.join(ROLES)} 之一", f"{nid}|role_known")
            role = "base"
        elif parent is not None and (r.get("role") or "").strip() and role != parent.role:
            fail(
                row,
                "role",
                role,
                f"下级指标的 role 须与一级指标一致（{parent.role}）",
                f"{nid}|role_inherited",
            )
            role = parent.role
        applies = _split_list(r.get("applies_to"))
        unknown = [c for c in applies if c not in classes]
        if unknown:
            fail(
                row,
                "applies_to",
                "、".join(unknown),
                f"单位类别应为 {'、'.join(settings.class_ids)} 之一",
                f"{nid}|applies_to_known",
            )
            applies = tuple(c for c in applies if c in classes)
        if parent is not None and parent.applies_to:
            wider = [c for c in applies if c not in parent.applies_to]
            if wider:
                fail(
                    row,
                    "applies_to",
                    "、".join(wider),
                    "下级指标的适用类别不能超出上级指标",
                    f"{nid}|applies_to_narrows",
                )
            applies = tuple(c for c in applies if c in parent.applies_to) or parent.applies_to
        refs = _split_list(r.get("plan_items"))
        for ref in refs:
            if plan_items and ref not in plan_items:
                fail(
                    row,
                    "plan_items",
                    ref,
                    "工作要点条目不存在（见 plan_items.csv）",
                    f"{nid}|plan_item_known",
                )
        unc = (r.get("uncapped") or "").strip().lower()
        if unc not in YES | NO:
            fail(row, "uncapped", r.get("uncapped"), "应为 是 或 空", f"{nid}|uncapped_bool")
        rule = (r.get("rule") or "").strip() or None
        params: dict[str, Any] = {}
        params_text = r.get("params") or ""
        if is_leaf:
            params = _check_leaf(nid, row, rule, params_text, points[nid], fail)
            if not (r.get("rubric") or "").strip():
                fail(row, "rubric", None, "末级指标应写明评分标准", f"{nid}|rubric_present")
        elif rule:
            fail(row, "rule", rule, "只有末级指标才有评分规则", f"{nid}|rule_on_leaf")
        if nid in blank:
            _check_without_points(nid, row, is_leaf, parent, role, rule, params, settings, fail)
        node = Node(
            id=nid,
            parent=parent.id if parent else None,
            name=r.get("name") or nid,
            points=points[nid],
            role=role,
            rule=rule,
            params=params,
            params_text=params_text,
            applies_to=applies,
            plan_items=refs,
            rubric=r.get("rubric") or "",
            uncapped=unc in YES,
            level=len(seen) + 1,
            path=(*seen, nid),
            row=row,
            is_leaf=is_leaf,
            has_points=nid not in blank,
        )
        if not (r.get("name") or "").strip():
            fail(row, "name", None, "指标名称不能为空", f"{nid}|name_present")
        nodes[nid] = node
        for kid in kids:
            visit(kid, node, (*seen, nid))
        if kids and role == "base":
            total = sum((points[k] for k in kids), Decimal(0))
            if any(k in blank for k in kids):
                # the kids without points take their deductions from what the others leave
                if total > points[nid]:
                    fail(
                        row,
                        "points",
                        f"{points[nid]}",
                        f"设有分值的下级指标分值之和为 {total}，不应超过本指标分值",
                        f"{nid}|points_sum",
                    )
            elif total != points[nid]:
                fail(
                    row,
                    "points",
                    f"{points[nid]}",
                    f"下级指标分值之和为 {total}，应等于本指标分值",
                    f"{nid}|points_sum",
                )

    for root in children.get(None, []):
        visit(root, None, ())
    unreached = [nid for nid in ids if nid not in nodes]
    for nid in unreached:
        fail(
            ids[nid]["__row__"], "parent", ids[nid].get("parent"), "指标的上级关系成环", f"{nid}|parent_cycle"
        )

    base_roots = [nodes[n] for n in children.get(None, []) if n in nodes and nodes[n].role == "base"]
    for c in settings.classes:
        total = sum((n.points for n in base_roots if n.applies(c.id)), Decimal(0))
        rate_sheet = settings.not_applicable == "renormalise" and settings.not_applicable_declared
        if base_roots and total != c.max_points and rate_sheet:
            # a 得分率 sheet: Σ earned ÷ Σ applicable × the class maximum, whatever the blocks add up to
            issues.append(
                Issue(
                    file,
                    None,
                    "points",
                    str(total),
                    f"适用于“{c.name}”的一级指标分值之和为 {total}，按得分率折算为 {c.max_points} 分制",
                    f"{c.id}|class_max_rate",
                    family="definition",
                    severity="note",
                )
            )
        elif base_roots and total != c.max_points:
            issues.append(
                Issue(
                    file,
                    None,
                    "points",
                    str(total),
                    f"适用于“{c.name}”的一级指标分值之和应为 {c.max_points}"
                    '（得分率考核表可声明 [not_applicable] method = "renormalise"，按得分率折算）',
                    f"{c.id}|class_max_sum",
                    family="definition",
                )
            )
    if not base_roots:
        issues.append(
            Issue(
                file,
                None,
                None,
                None,
                "至少需要一个 role 为 base 的一级指标",
                "catalogue|base_present",
                family="definition",
            )
        )
    order = [nodes[nid] for nid in ids if nid in nodes]
    issues += agreement_issues(order, settings, file)  # parameters per class; a veto without grades
    year = settings.year
    return Catalogue(year, tuple(order), plan_items), issues


WITHOUT_POINTS = (
    '分值应为正数；只有两处可以不填：[caps] mode = "pooled" 时基础指标中扣分类的末级指标'
    "（扣分从所在一级指标的分值中扣除），以及加分项、扣分项的一级指标（不另设封顶）"
)


def _check_without_points(
    nid: str,
    row: int,
    is_leaf: bool,
    parent: Node | None,
    role: str,
    rule: str | None,
    params: dict[str, Any],
    settings: Settings,
    fail: Callable[[int | None, str | None, object, str, str], None],
) -> None:
    """A node whose points were left blank: allowed for a deducting leaf of a pooled base section and for a
    bonus or penalty section; anything else is an error saying where blank points are allowed."""
    if not is_leaf:
        if parent is None and role in ("bonus", "penalty"):
            return
        fail(row, "points", None, WITHOUT_POINTS, f"{nid}|points_positive")
        return
    kind = REGISTRY.get(rule or "")
    if (
        parent is None
        or role != "base"
        or settings.caps != "pooled"
        or kind is None
        or kind.without_points is None
    ):
        fail(row, "points", None, WITHOUT_POINTS, f"{nid}|points_positive")
        return
    if settings.not_applicable == "redistribute":
        fail(
            row,
            "points",
            None,
            "不适用指标分值调剂（redistribute）时末级指标须设分值",
            f"{nid}|points_positive",
        )
        return
    lack = kind.without_points(params)
    if lack is not None:
        fail(row, "params", None, lack, f"{nid}|params_without_points")


def _check_leaf(
    nid: str, row: int, rule: str | None, params_text: str, points: Decimal, fail: Any
) -> dict[str, Any]:
    if not rule:
        fail(row, "rule", None, "末级指标应有评分规则（rule）", f"{nid}|rule_present")
        return {}
    kind = REGISTRY.get(rule)
    if kind is None:
        near = difflib.get_close_matches(rule, sorted(REGISTRY), n=1)
        hint = f"是否应为 {near[0]}？" if near else ""
        known = "、".join(sorted(REGISTRY))
        fail(row, "rule", rule, f"未知的评分规则；{hint}可用：{known}", f"{nid}|rule_known")
        return {}
    raw, bad = split_params(params_text)
    for b in bad:
        fail(row, "params", b, "参数应写成 名称=值，用 ; 分隔", f"{nid}|params_syntax")
    params: dict[str, Any] = {}
    allowed = {**kind.params}
    for name, text in raw.items():
        if name == "ceiling":
            try:
                from scoring.spec.params import ParamSpec

                params["ceiling"] = ParamSpec("amount").parse(text)
            except ParamError as e:
                fail(row, "params", f"ceiling={text}", str(e), f"{nid}|params_ceiling")
            continue
        spec = allowed.get(name)
        if spec is None:
            known = "、".join(allowed) or "无"
            fail(
                row,
                "params",
                f"{name}={text}",
                f"规则 {rule} 没有参数 {name}（可用：{known}、ceiling）",
                f"{nid}|params_unknown_{name}",
            )
            continue
        try:
            params[name] = spec.parse(text)
        except ParamError as e:
            fail(row, "params", f"{name}={text}", f"参数 {name}：{e}", f"{nid}|params_{name}")
    for name, spec in kind.params.items():
        if name not in params and name not in {n for n in raw}:
            if spec.required:
                fail(
                    row,
                    "params",
                    params_text or None,
                    f"规则 {rule} 缺少参数 {name}",
                    f"{nid}|params_{name}_missing",
                )
            elif spec.default is not None:
                params[name] = spec.default
    if all(spec.required is False or name in params for name, spec in kind.params.items()):
        try:
            m = to_fixed(points)
        except ValueError:
            return params
        for code, message in kind.check(params, m):
            fail(row, "params", params_text or None, message, f"{nid}|params_{code}")
        cap = params.get("cap")
        if isinstance(cap, int) and cap < 0:
            fail(row, "params", params_text, "cap 不能为负", f"{nid}|params_cap")
    return params

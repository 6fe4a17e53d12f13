"""What a catalogue and its settings must agree on beyond each on its own: a count given per unit class
names every class its leaf applies to, and no other; a veto still does something in a year without
grades."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from scoring.errors import Issue
from scoring.spec.rulekind import RuleKind
from scoring.spec.settings import Settings


class Node(Protocol):
    """What these checks read of a catalogue node (:class:`scoring.spec.catalogue.Node`, which imports
    this module)."""

    @property
    def id(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def params_text(self) -> str: ...
    @property
    def applies_to(self) -> tuple[str, ...]: ...
    @property
    def kind(self) -> RuleKind | None: ...


def class_parameter_issues(nodes: Sequence[Node], settings: Settings, file: str) -> list[Issue]:
    """Each leaf parameter given per class (``quota=town:20,dept:10``): its class ids are the settings'
    classes, and every class the leaf applies to has a value."""
    names = {c.id: c.name for c in settings.classes}
    issues = []
    for n in nodes:
        if n.kind is None:
            continue
        for pname, spec in n.kind.params.items():
            value = n.params.get(pname)
            if spec.kind != "class_counts" or not isinstance(value, dict):
                continue
            unknown = [c for c in value if c not in names]
            applies = n.applies_to or tuple(names)
            lacking = [c for c in applies if c not in value]
            if unknown:
                issues.append(
                    Issue(
                        file,
                        n.row,
                        "params",
                        f"{pname}={n.params_text}",
                        f"参数 {pname} 中的 {'、'.join(unknown)} 不是单位类别；类别 id 应为 "
                        f"{'、'.join(f'{c}（{t}）' for c, t in names.items())}",
                        f"{n.id}|params_{pname}_class_known",
                        family="definition",
                    )
                )
            if lacking:
                issues.append(
                    Issue(
                        file,
                        n.row,
                        "params",
                        f"{pname}={n.params_text}",
                        f"参数 {pname} 按类别给出时，须为本指标适用的每类单位给出数量：缺 "
                        f"{'、'.join(f'{c}（{names.get(c, c)}）' for c in lacking)}",
                        f"{n.id}|params_{pname}_class_missing",
                        family="definition",
                    )
                )
    return issues


def veto_without_grades(nodes: Sequence[Node], settings: Settings, file: str) -> list[Issue]:
    """In a year without grades a veto that only sets the grade and leaves the unit ranked in place would
    do nothing: refused, saying what to declare instead."""
    if settings.graded or settings.veto_action != "grade_only" or settings.veto_placement != "in_place":
        return []
    veto = next((n for n in nodes if n.role == "veto" and n.level == 1), None)
    if veto is None:
        return []
    return [
        Issue(
            file,
            veto.row,
            "role",
            "veto",
            "不评等次，此一票否决无效：请在 settings.toml 的 [veto] 改 action（fixed_score/stop）"
            "或 placement（after/last）",
            "settings|veto_without_grades",
            family="definition",
        )
    ]


def agreement_issues(nodes: Sequence[Node], settings: Settings, file: str) -> list[Issue]:
    return class_parameter_issues(nodes, settings, file) + veto_without_grades(nodes, settings, file)

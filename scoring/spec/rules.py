"""The registry of rule kinds: name → typed parameters → a polars expression.

:class:`RuleKind` (what a registration declares) is in :mod:`scoring.spec.rulekind`, :func:`register` (and
what it checks) in :mod:`scoring.spec.registry`; the kinds are registered by family in
:mod:`scoring.spec.kinds`. Importing this module registers them all, so ``REGISTRY`` here is complete.
"""

from __future__ import annotations

from scoring.spec.kinds import assessed, award, deduct
from scoring.spec.registry import REGISTRY, RegistrationError, register
from scoring.spec.rulekind import Agg, InputDomain, Params, RuleKind, Sense

__all__ = [
    "GROUP",
    "MODIFIER_KEYS",
    "REGISTRY",
    "Agg",
    "InputDomain",
    "Params",
    "RegistrationError",
    "RuleKind",
    "Sense",
    "register",
    "rule_names",
]

GROUP = ["unit", "indicator", "period", "channel"]
MODIFIER_KEYS = ("不得分", "及格封顶")
"""Keys any leaf accepts: 不得分 zeroes the leaf, 及格封顶 caps it at its ``ceiling``."""
FAMILIES = (deduct, award, assessed)
"""The modules whose import registered the kinds."""


def rule_names() -> list[str]:
    return sorted(REGISTRY)

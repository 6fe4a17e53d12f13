"""Scoring engine for annual open-government (政务公开) assessments.

The public API: load and validate a year, compute its results, and write the ranked workbook.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .aggregate import aggregate_units
    from .appeals import AppealsReport, AppliedAppeals, appeals_report, apply_appeals
    from .archive import Archive, ArchiveBusy, ArchiveError, ArchiveRefused, RunInfo
    from .assessment import Assessment, load_year
    from .catalogue import Catalogue, Node, build_catalogue
    from .compare import Alias, Comparison, read_aliases, year_over_year
    from .composite import Composite, composite_score
    from .errors import InputError, Issue, ScoringError, ValidationFailed
    from .export import write_parquet, write_workbook
    from .grade import grade_units
    from .ledger import build_ledger, indicator_points
    from .manifest import Manifest, results_digest
    from .params import ParamSpec
    from .pipeline import Result, compute, publishable, score
    from .points import leaf_points
    from .rank import rank_units
    from .replay import ReplayMismatch, replay_run
    from .rules import REGISTRY, RuleKind, rule_names
    from .settings import Settings, parse_settings

# name -> module: imported on first use, so `score --help` does not load polars
_EXPORTS = {
    "Alias": "compare",
    "AppealsReport": "appeals",
    "AppliedAppeals": "appeals",
    "Archive": "archive",
    "ArchiveBusy": "archive",
    "ArchiveError": "archive",
    "ArchiveRefused": "archive",
    "Assessment": "assessment",
    "Catalogue": "catalogue",
    "Comparison": "compare",
    "Composite": "composite",
    "InputError": "errors",
    "Issue": "errors",
    "Manifest": "manifest",
    "Node": "catalogue",
    "ParamSpec": "params",
    "REGISTRY": "rules",
    "ReplayMismatch": "replay",
    "Result": "pipeline",
    "RuleKind": "rules",
    "RunInfo": "archive",
    "ScoringError": "errors",
    "Settings": "settings",
    "ValidationFailed": "errors",
    "aggregate_units": "aggregate",
    "appeals_report": "appeals",
    "apply_appeals": "appeals",
    "build_catalogue": "catalogue",
    "composite_score": "composite",
    "compute": "pipeline",
    "grade_units": "grade",
    "indicator_points": "ledger",
    "leaf_points": "points",
    "build_ledger": "ledger",
    "load_year": "assessment",
    "parse_settings": "settings",
    "publishable": "pipeline",
    "rank_units": "rank",
    "read_aliases": "compare",
    "replay_run": "replay",
    "results_digest": "manifest",
    "rule_names": "rules",
    "score": "pipeline",
    "write_parquet": "export",
    "write_workbook": "export",
    "year_over_year": "compare",
}

__all__ = [
    "REGISTRY",
    "Alias",
    "AppealsReport",
    "AppliedAppeals",
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "ArchiveRefused",
    "Assessment",
    "Catalogue",
    "Comparison",
    "Composite",
    "InputError",
    "Issue",
    "Manifest",
    "Node",
    "ParamSpec",
    "ReplayMismatch",
    "Result",
    "RuleKind",
    "RunInfo",
    "ScoringError",
    "Settings",
    "ValidationFailed",
    "aggregate_units",
    "appeals_report",
    "apply_appeals",
    "build_catalogue",
    "build_ledger",
    "composite_score",
    "compute",
    "grade_units",
    "indicator_points",
    "leaf_points",
    "load_year",
    "parse_settings",
    "publishable",
    "rank_units",
    "read_aliases",
    "replay_run",
    "results_digest",
    "rule_names",
    "score",
    "write_parquet",
    "write_workbook",
    "year_over_year",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Scoring engine for annual open-government (政务公开) assessments.

The public API: load and validate a year, compute its results, and write the ranked workbook.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .archive.store import Archive, ArchiveBusy, ArchiveError, ArchiveRefused, RunInfo
    from .engine.aggregate import aggregate_units
    from .engine.appeals import AppealsReport, appeals_report
    from .engine.composite import Composite, composite_score
    from .engine.compute import Result, compute, publishable, score
    from .engine.grade import grade_units
    from .engine.ledger import build_ledger, indicator_points
    from .engine.points import leaf_points
    from .engine.rank import rank_units
    from .engine.year_over_year import Comparison, year_over_year
    from .errors import InputError, Issue, ScoringError, ValidationFailed
    from .output.results import write_parquet
    from .output.workbook import write_workbook
    from .reading.aliases import read_aliases
    from .reading.appeals import AppliedAppeals, apply_appeals
    from .reading.year import load_year
    from .run.replay import ReplayMismatch, replay_run
    from .spec.catalogue import Catalogue, Node, build_catalogue
    from .spec.manifest import Manifest, results_digest
    from .spec.params import ParamSpec
    from .spec.rules import REGISTRY, RuleKind, rule_names
    from .spec.settings import Settings, parse_settings
    from .spec.year import Alias, Assessment

# name -> module: imported on first use, so `score --help` does not load polars
_EXPORTS = {
    "Alias": "spec.year",
    "AppealsReport": "engine.appeals",
    "AppliedAppeals": "reading.appeals",
    "Archive": "archive.store",
    "ArchiveBusy": "archive.store",
    "ArchiveError": "archive.store",
    "ArchiveRefused": "archive.store",
    "Assessment": "spec.year",
    "Catalogue": "spec.catalogue",
    "Comparison": "engine.year_over_year",
    "Composite": "engine.composite",
    "InputError": "errors",
    "Issue": "errors",
    "Manifest": "spec.manifest",
    "Node": "spec.catalogue",
    "ParamSpec": "spec.params",
    "REGISTRY": "spec.rules",
    "ReplayMismatch": "run.replay",
    "Result": "engine.compute",
    "RuleKind": "spec.rules",
    "RunInfo": "archive.store",
    "ScoringError": "errors",
    "Settings": "spec.settings",
    "ValidationFailed": "errors",
    "aggregate_units": "engine.aggregate",
    "appeals_report": "engine.appeals",
    "apply_appeals": "reading.appeals",
    "build_catalogue": "spec.catalogue",
    "composite_score": "engine.composite",
    "compute": "engine.compute",
    "grade_units": "engine.grade",
    "indicator_points": "engine.ledger",
    "leaf_points": "engine.points",
    "build_ledger": "engine.ledger",
    "load_year": "reading.year",
    "parse_settings": "spec.settings",
    "publishable": "engine.compute",
    "rank_units": "engine.rank",
    "read_aliases": "reading.aliases",
    "replay_run": "run.replay",
    "results_digest": "spec.manifest",
    "rule_names": "spec.rules",
    "score": "engine.compute",
    "write_parquet": "output.results",
    "write_workbook": "output.workbook",
    "year_over_year": "engine.year_over_year",
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

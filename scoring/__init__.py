"""Scoring engine for annual open-government (政务公开) assessments.

The public API: load and validate a year, compute its results, and write the ranked workbook.
"""

from .aggregate import aggregate
from .assessment import Assessment, load_year
from .catalogue import Catalogue, Node, build_catalogue
from .composite import Composite, composite
from .errors import InputError, Issue, ScoringError, ValidationFailed
from .export import write_parquet, write_workbook
from .grade import grade
from .ledger import indicator_points, ledger
from .manifest import Manifest, results_digest
from .params import ParamSpec
from .pipeline import Result, compute, publishable, score
from .points import leaf_points
from .rank import rank
from .replay import ReplayMismatch, replay
from .rules import REGISTRY, RuleKind, rule_names
from .settings import Settings, parse_settings

__all__ = [
    "REGISTRY",
    "Assessment",
    "Catalogue",
    "Composite",
    "InputError",
    "Issue",
    "Manifest",
    "Node",
    "ParamSpec",
    "ReplayMismatch",
    "Result",
    "RuleKind",
    "ScoringError",
    "Settings",
    "ValidationFailed",
    "aggregate",
    "build_catalogue",
    "composite",
    "compute",
    "grade",
    "indicator_points",
    "leaf_points",
    "ledger",
    "load_year",
    "parse_settings",
    "publishable",
    "rank",
    "replay",
    "results_digest",
    "rule_names",
    "score",
    "write_parquet",
    "write_workbook",
]

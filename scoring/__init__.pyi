"""The public API (read by lazy_loader at run time and by type checkers): each name once."""

from .archive.store import (
    Archive as Archive,
    ArchiveBusy as ArchiveBusy,
    ArchiveError as ArchiveError,
    ArchiveRefused as ArchiveRefused,
    RunInfo as RunInfo,
)
from .engine.aggregate import (
    aggregate_units as aggregate_units,
)
from .engine.appeals import (
    AppealsReport as AppealsReport,
    appeals_report as appeals_report,
)
from .engine.composite import (
    Composite as Composite,
    composite_score as composite_score,
)
from .engine.compute import (
    Result as Result,
    compute as compute,
    publishable as publishable,
    score as score,
)
from .engine.grade import (
    grade_units as grade_units,
)
from .engine.ledger import (
    build_ledger as build_ledger,
    indicator_points as indicator_points,
)
from .engine.points import (
    leaf_points as leaf_points,
)
from .engine.rank import (
    rank_units as rank_units,
)
from .engine.year_over_year import (
    Comparison as Comparison,
    year_over_year as year_over_year,
)
from .errors import (
    InputError as InputError,
    Issue as Issue,
    ScoringError as ScoringError,
    ValidationFailed as ValidationFailed,
)
from .output.results import write_parquet as write_parquet
from .output.workbook import write_workbook as write_workbook
from .reading.aliases import (
    read_aliases as read_aliases,
)
from .reading.appeals import (
    AppliedAppeals as AppliedAppeals,
    apply_appeals as apply_appeals,
)
from .reading.year import (
    load_year as load_year,
)
from .run.replay import (
    ReplayMismatch as ReplayMismatch,
    replay_run as replay_run,
)
from .spec.catalogue import (
    Catalogue as Catalogue,
    Node as Node,
    build_catalogue as build_catalogue,
)
from .spec.manifest import (
    Manifest as Manifest,
    results_digest as results_digest,
)
from .spec.params import (
    ParamSpec as ParamSpec,
)
from .spec.rules import (
    REGISTRY as REGISTRY,
    RuleKind as RuleKind,
    rule_names as rule_names,
)
from .spec.settings import (
    Settings as Settings,
    parse_settings as parse_settings,
)
from .spec.year import (
    Alias as Alias,
    Assessment as Assessment,
)

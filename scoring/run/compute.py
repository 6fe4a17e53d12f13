"""``score compute`` as one use case: a run spec and where to write → validated inputs, results, the
archive's record, the workbook, the results and ledger files and the manifest.

The CLI parses its options into :class:`RunSpec` and :class:`Outputs`, calls :func:`compute_year` and
renders the :class:`Computed` it returns; every user's mistake is raised as a ``ScoringError``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scoring.archive.store import Archive, RunInfo, run_label
from scoring.atomic import atomic_write
from scoring.engine.compute import Result, compute
from scoring.errors import ScoringError
from scoring.output.results import write_ledger_parquet, write_parquet
from scoring.output.workbook import write_workbook
from scoring.reading.aliases import ALIASES_FILE, read_aliases
from scoring.reading.appeals import AppliedAppeals
from scoring.reading.files import short_path
from scoring.run.extras import Extras, workbook_extras
from scoring.run.inputs import RunSpec, prepare
from scoring.spec.manifest import beijing_today
from scoring.spec.settings import Settings
from scoring.spec.year import Alias, Assessment

Progress = Callable[[str], None]


class OutputsExist(ScoringError):
    """An output file exists and overwriting was not asked for."""


class WriteFailed(ScoringError):
    """The results could not be written (after the run was recorded, when it was)."""

    def __init__(self, message: str, run_id: int | None) -> None:
        super().__init__(message)
        self.run_id = run_id


@dataclass(frozen=True)
class Outputs:
    """Where a run's files go: the workbook, and beside it the results, ledger and manifest files."""

    workbook: Path
    force: bool = False
    ledger_rows: int | None = None  # at most this many ledger rows in the workbook (None: the default)

    @property
    def results(self) -> Path:
        return self.workbook.with_suffix(".parquet")

    @property
    def ledger(self) -> Path:
        return self.workbook.with_suffix(".ledger.parquet")

    @property
    def manifest(self) -> Path:
        return self.workbook.with_suffix(".manifest.json")

    def all(self) -> tuple[Path, ...]:
        return (self.workbook, self.results, self.manifest, self.ledger)

    def check(self) -> None:
        if self.workbook.suffix.lower() != ".xlsx":
            raise ScoringError(f"{self.workbook}：工作簿应以 .xlsx 结尾")
        existing = [p for p in self.all() if p.exists()]
        if existing and not self.force:
            raise OutputsExist(f"{existing[0]} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")


@dataclass(frozen=True)
class Recording:
    """How the run is recorded in the archive: ``supersedes`` a run (with a ``reason``), compared with
    ``previous`` (a run of last year; None: the latest of last year by the same issuer)."""

    archive: Archive
    supersedes: int | None = None
    reason: str | None = None
    previous: int | None = None


@dataclass(frozen=True)
class Computed:
    """What a run produced, for the CLI to report."""

    spec: RunSpec
    result: Result
    before: Assessment
    applied: AppliedAppeals | None
    extras: Extras
    outputs: Outputs
    previous: RunInfo | None
    run_id: int | None


def title_of(settings: Settings) -> str:
    return settings.title if not settings.title.endswith("考核") else settings.title + "结果"


def default_workbook(settings: Settings, year: int, period: str | None) -> Path:
    """``results/<year>/<title>[（period）].xlsx``; characters a file name cannot hold become ``_``."""
    suffix = f"（{period}）" if period else ""
    file_name = re.sub(r'[\\/:*?"<>|]', "_", f"{title_of(settings)}{suffix}")
    return Path("results") / str(year) / f"{file_name}.xlsx"


def compute_year(
    spec: RunSpec,
    assessment: Assessment,
    outputs: Outputs,
    recording: Recording | None,
    progress: Progress = lambda _: None,
) -> Computed:
    """Score the validated ``assessment`` of ``spec`` (appeals applied here), record the run and write
    its files. Raises ``ScoringError`` (``ValidationFailed`` for appeals or aliases) before anything is
    written; ``WriteFailed`` when the files could not be written."""
    outputs.check()
    prepared = prepare(spec, assessment)
    a, applied = prepared.assessment, prepared.applied
    s = a.settings
    store = recording.archive if recording is not None else None
    base = prev = None
    aliases_path = spec.data / ALIASES_FILE
    aliases_shown = short_path(str(aliases_path.resolve()))
    alias_list: list[Alias] = []
    if recording is not None and store is not None:
        if recording.supersedes is not None:
            base = store.run(recording.supersedes)
            if base.year != spec.year:
                raise ScoringError(
                    f"运行 {recording.supersedes} 是 {base.year} 年度的，不能被 {spec.year} 年度的运行取代"
                )
        if recording.previous is not None:
            prev = store.run(recording.previous)
        elif store.path.exists():
            prev = store.latest(spec.year - 1, spec.period, issuer=s.issuer)
        if prev is not None and aliases_path.exists():
            alias_list = read_aliases(aliases_path, aliases_shown)

    progress("计算得分、排名与等次…")
    result = compute(a)
    result = dataclasses.replace(
        result, manifest=dataclasses.replace(result.manifest, options=spec.options())
    )
    today = beijing_today()
    extras = workbook_extras(
        store,
        result,
        previous=prev,
        aliases=alias_list,
        aliases_file=aliases_shown,
        applied=applied,
        before=prepared.before,
        base=base if applied is not None else None,
    )
    run_id = None
    if recording is not None and store is not None:
        progress("记录到档案库…")
        run_id = store.record(
            result,
            generated=today,
            root=spec.root,
            period=spec.period,
            supersedes=recording.supersedes,
            reason=recording.reason,
            extra_files=[(aliases_shown, "aliases", aliases_path)] if alias_list else [],
            previous_year_run=prev.run_id if prev is not None else None,
            appeals_base_run=base.run_id if base is not None and applied is not None else None,
            workbook=str(outputs.workbook),
            options={**spec.options(), "out": str(outputs.workbook)},
        )
    progress("写出工作簿…")
    try:
        outputs.workbook.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(
            result,
            outputs.workbook,
            notes=list(a.notes),
            generated=today,
            yoy=extras.yoy,
            appeals=extras.appeals,
            run_label=(
                run_label(run_id, recording.supersedes, recording.reason)
                if run_id is not None and recording is not None
                else None
            ),
            ledger_rows=outputs.ledger_rows,
        )
        write_parquet(result, outputs.results)
        write_ledger_parquet(result, outputs.ledger)
        manifest = result.manifest.to_json()
        atomic_write(outputs.manifest, lambda tmp: tmp.write_text(manifest, encoding="utf-8"))
    except (OSError, ScoringError) as e:
        raise WriteFailed(f"无法写出结果：{e}", run_id) from None
    return Computed(spec, result, prepared.before, applied, extras, outputs, prev, run_id)

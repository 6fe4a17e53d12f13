"""``score compute`` as one use case: a run spec and where to write → validated inputs, results, the
archive's record, the workbook, the results and ledger files and the manifest.

The CLI parses its options into :class:`RunSpec` and :class:`Outputs`, calls :func:`compute_year` and
renders the :class:`Computed` it returns; every user's mistake is raised as a ``ScoringError``.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scoring.archive.store import Archive, RunInfo, run_label
from scoring.atomic import OutputSet
from scoring.engine.compute import Result, compute
from scoring.errors import ScoringError, os_reason
from scoring.output.ranking import check_sheet_rows
from scoring.output.results import write_ledger_parquet, write_parquet
from scoring.output.workbook import write_workbook
from scoring.reading.aliases import ALIASES_FILE, read_aliases
from scoring.reading.appeals import AppliedAppeals
from scoring.reading.files import short_path
from scoring.run.extras import Extras, workbook_extras
from scoring.run.inputs import Progress, RunSpec, prepare, quiet
from scoring.run.stability import perturbation_for, stability_of
from scoring.spec.manifest import beijing_today
from scoring.spec.settings import Settings
from scoring.spec.year import Alias, Assessment


class OutputsExist(ScoringError):
    """An output file exists and overwriting was not asked for."""


class WriteFailed(ScoringError):
    """The results could not be written: nothing was recorded and the earlier files are as they were."""


@dataclass(frozen=True)
class Outputs:
    """Where a run's files go: the workbook, and beside it the results, ledger and manifest files."""

    workbook: Path
    force: bool = False
    ledger_rows: int | None = None  # at most this many ledger rows in the workbook (None: the default)
    stability: bool = False  # add the 排名稳定性 sheet (runs and seed from settings.toml [stability])

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
        """Before any work: the names are right, nothing is overwritten unasked, the folder can be written
        (made if missing); a set an interrupted run left half moved is finished first."""
        if self.workbook.suffix.lower() != ".xlsx":
            raise ScoringError(f"{self.workbook}：工作簿应以 .xlsx 结尾")
        folders = [p for p in self.all() if p.is_dir()]
        if folders:
            raise ScoringError(f"{folders[0]} 是一个文件夹；请用 --out 指定工作簿文件名（.xlsx）")
        folder = self.workbook.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".{self.workbook.name}.{secrets.token_hex(4)}.probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise ScoringError(
                f"无法写入文件夹 {folder}（{os_reason(e)}）；请检查权限，或用 --out 指定其他位置"
            ) from None
        OutputSet.recover(self.all())
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


def beside_results(workbook: Path, year: int) -> Path:
    """The archive's default place: beside the year's results folder (``results/2021/x.xlsx`` →
    ``results/archive.duckdb``), or in the folder of a workbook written elsewhere — never the current
    folder by accident."""
    folder = workbook.parent
    return (folder.parent if folder.name == str(year) else folder) / "archive.duckdb"


def compute_year(
    spec: RunSpec,
    assessment: Assessment,
    outputs: Outputs,
    recording: Recording | None,
    progress: Progress = quiet,
) -> Computed:
    """Score the validated ``assessment`` of ``spec`` (appeals applied here), record the run and write
    its files. Raises ``ScoringError`` (``ValidationFailed`` for appeals or aliases) before anything is
    written; ``WriteFailed`` when the files could not be written.

    The run takes the assessment over: once the ledger and the per-indicator points are files, the result
    lets the observations go (:meth:`Result.release_inputs`; about 1 GB at a million units, for the
    workbook and the archive's commit), which frees them only if the caller keeps no reference to it."""
    outputs.check()
    prepared = prepare(spec, assessment)
    del assessment  # the year is held by the result only, from here (see the docstring)
    a, applied, before = prepared.assessment, prepared.applied, prepared.before
    del prepared
    s = a.settings
    check_sheet_rows({c: n for c, n in a.units.group_by("class").len().iter_rows()}, s)
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

    progress(f"计算 {a.units.height:,} 个单位、{len(a.catalogue.leaves):,} 个末级指标的得分、排名与等次")
    result, notes = compute(a), list(a.notes)
    del a
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
        before=before,
        base=base if applied is not None else None,
    )
    del before  # the year before the appeals (a copy of the observations when there are appeals)
    stable = None
    if outputs.stability:
        progress("排名稳定性模拟…")
        st = stability_of(result, perturbation_for(result))
        stable = (st.summary, st.how())
    files = OutputSet(outputs.all())
    recorded: list[int] = []

    def put_in_place(run_id: int) -> None:
        """The four files moved into place, then the run committed (Ctrl-C waits for both: see
        ``Archive.record``); at a million units the commit takes seconds, so it is said."""
        progress(f"放入结果文件并提交档案库（运行 {run_id}），完成前不响应中断")
        files.commit()

    def write_files(run_id: int | None) -> None:
        """The workbook (naming the archive's run) and the other files to temporary names (while the archive
        stores the run's rows); :meth:`OutputSet.commit` then puts all four in place together, inside the
        archive's transaction, so a run is recorded only with its files."""
        label = None
        if run_id is not None and recording is not None:
            label = run_label(run_id, recording.supersedes, recording.reason)
            recorded.append(run_id)
        progress(f"写入工作簿 {outputs.workbook.name}")
        files.stage(
            outputs.workbook,
            lambda tmp: write_workbook(
                result,
                tmp,
                notes=notes,
                generated=today,
                yoy=extras.yoy,
                appeals=extras.appeals,
                run_label=label,
                ledger_rows=outputs.ledger_rows,
                stability=stable,
            ),
        )
        progress("写入结果和运行清单")
        files.stage(outputs.results, lambda tmp: write_parquet(result, tmp))
        manifest = result.manifest.to_json()
        files.stage(outputs.manifest, lambda tmp: tmp.write_text(manifest, encoding="utf-8"))

    try:
        with files, tempfile.TemporaryDirectory(prefix="zwgk-run-") as scratch:
            per_indicator = None
            if recording is not None:  # the archive's per-indicator points, and the ledger's, built once
                size = f"{result.units.height:,} 个单位 × {len(result.catalogue.leaves):,} 个末级指标"
                progress(f"整理逐项得分（{size}）")
                per_indicator = Path(scratch) / "indicator_points.parquet"
                result.indicator_facts().sink_parquet(per_indicator, compression="zstd", compression_level=1)
                result.keep_indicator_points(pl.scan_parquet(per_indicator))
            # the ledger is built once, streamed to its file; the workbook and the archive read it there
            progress("写入扣分明细")
            files.stage(outputs.ledger, lambda tmp: write_ledger_parquet(result, tmp))
            ledger_file = files.staged[outputs.ledger]
            result.keep_ledger(pl.scan_parquet(ledger_file))
            if recording is not None:  # both kept as files: the archive and the workbook read them there
                result.release_points()
                result.release_inputs()
            if recording is not None and store is not None:
                progress(f"记录到档案库 {recording.archive.path.name}")
                store.record(
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
                    ledger_file=ledger_file,
                    points_file=per_indicator,
                    alongside=write_files,
                    then=put_in_place,
                )
            else:
                write_files(None)
                files.commit()
    except OSError as e:
        result.keep_ledger(None)
        raise WriteFailed(f"无法写出结果：{os_reason(e, with_file=True)}") from None
    except BaseException:
        result.keep_ledger(None)  # the staged ledger file is gone
        raise
    finally:
        result.keep_indicator_points(None)  # the scratch folder is gone
    result.keep_ledger(pl.scan_parquet(outputs.ledger))
    run_id = recorded[0] if recorded else None
    return Computed(spec, result, applied, extras, outputs, prev, run_id)

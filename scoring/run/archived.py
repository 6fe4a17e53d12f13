"""A run rebuilt from the archive alone: its stored files materialised in a temporary folder, prepared and
scored as the original run was, checked against the recorded results digest."""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import polars as pl

from scoring.archive.store import Archive, ArchiveError, RunInfo, run_label
from scoring.engine.compute import Result, compute
from scoring.errors import Issue, ScoringError
from scoring.output.workbook import write_workbook
from scoring.reading.aliases import read_aliases
from scoring.run.extras import Extras, workbook_extras
from scoring.run.inputs import RunSpec, load, prepare
from scoring.spec.manifest import Manifest, results_digest
from scoring.spec.year import Alias, source_files, source_type


@dataclass(frozen=True)
class Rebuilt:
    run: RunInfo
    result: Result
    notes: list[Issue]
    extras: Extras


def rebuild(store: Archive, run_id: int) -> Rebuilt:
    """Recompute a run from the files stored with it (materialised in a temporary folder), check the
    results digest equals the recorded one, and return it with what its workbook showed."""
    info = store.run(run_id)
    sources = store.sources(run_id)
    data = store.blobs([s.sha256 for s in sources])
    with tempfile.TemporaryDirectory(prefix="zwgk-rebuild-") as tmp:
        root = Path(tmp)
        placed: dict[int, Path] = {}
        shown: dict[str, str] = {}
        for s in sources:
            rel = _materialised(s.path)
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data[s.sha256])
            placed[s.ord] = target
            shown[str(rel)] = s.path

        def one(role: str) -> Path | None:
            return next((placed[s.ord] for s in sources if s.role == role), None)

        settings_path, roster_path = one("settings"), one("roster")
        if settings_path is None or roster_path is None:
            raise ArchiveError(f"运行 {run_id} 的档案不完整（缺少 settings.toml 或 units.csv）")
        inputs = tuple(placed[s.ord] for s in sources if s.role == "input")
        spec = RunSpec(
            info.year, settings_path.parent, roster_path.parent, inputs, info.period, one("appeals"), root
        )
        try:
            a = load(spec)
        except ScoringError as e:
            raise ArchiveError(f"无法从档案重建运行 {run_id}：{e}") from None
        # each row's file as the run named it (an Enum of the files' names: of the names as shown)
        named = source_type(shown.get(f, f) for f in source_files(a.observations))
        a = dataclasses.replace(
            a,
            observations=a.observations.with_columns(pl.col("source").cast(pl.String).replace(shown).cast(named)),
            notes=tuple(dataclasses.replace(i, file=shown.get(i.file, i.file)) for i in a.notes),
        )
        prepared = prepare(spec, a)
        before, a, applied = prepared.before, prepared.assessment, prepared.applied
        if applied is not None:
            applied = dataclasses.replace(applied, file=shown.get(applied.file, applied.file))
        aliases_path = one("aliases")
        aliases: list[Alias] = []
        if aliases_path is not None and info.previous_year_run is not None:
            aliases = read_aliases(aliases_path, shown.get(str(aliases_path.relative_to(root)), ""))
        result = compute(a)
        if results_digest(result.units) != info.results_sha256:
            raise ArchiveError(
                f"从档案重新计算运行 {run_id} 的结果与记录不一致"
                f"（记录时程序版本 {info.package_version}），未输出工作簿"
            )
        result = dataclasses.replace(result, manifest=Manifest.from_json(info.manifest))
        extras = workbook_extras(
            store,
            result,
            previous=store.run(info.previous_year_run) if info.previous_year_run is not None else None,
            aliases=aliases,
            applied=applied,
            before=before,
            base=store.run(info.appeals_base_run) if info.appeals_base_run is not None else None,
        )
    return Rebuilt(info, result, list(a.notes), extras)


def export_workbook(store: Archive, run_id: int, out: Path) -> Rebuilt:
    """Re-write a run's workbook from the archive alone, dated as the original."""
    rebuilt = rebuild(store, run_id)
    info = rebuilt.run
    write_workbook(
        rebuilt.result,
        out,
        notes=rebuilt.notes,
        generated=info.generated,
        yoy=rebuilt.extras.yoy,
        appeals=rebuilt.extras.appeals,
        run_label=run_label(info.run_id, info.supersedes, info.reason),
    )
    return rebuilt


def _materialised(path: str) -> PurePath:
    """Where a stored file goes in the rebuild folder: at its recorded relative path when that is a plain
    relative path, else in a folder named after its original folder (files of one folder stay together)."""
    p = PurePath(path.replace("\\", "/"))
    if not p.is_absolute() and ".." not in p.parts and p.parts:
        return p
    folder = hashlib.sha256(str(p.parent).encode()).hexdigest()[:12]
    return PurePath("_files", folder, p.name)

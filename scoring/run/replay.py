"""Replay a run from its manifest: check every input still has the recorded hash, recompute, and compare
the published results with the recorded digest."""

from __future__ import annotations

from pathlib import Path

from scoring.engine.compute import Result, compute
from scoring.errors import ScoringError
from scoring.reading.files import sha256
from scoring.run.inputs import RunSpec, prepare
from scoring.spec.manifest import Manifest, results_digest


class ReplayMismatch(ScoringError):
    """The inputs or the results differ from what the manifest records."""


def replay_run(manifest: Manifest, root: Path = Path()) -> Result:
    """Recompute the run the manifest describes (paths relative to ``root``); raise
    :class:`ReplayMismatch` naming every changed input, or if the results differ."""
    changed = []
    for s in manifest.sources:
        path = root / s.path
        if not path.exists():
            changed.append(f"{s.path}：文件不存在")
        elif sha256(path) != s.sha256:
            changed.append(f"{s.path}：内容已改变（记录的 SHA-256 为 {s.sha256[:12]}…）")
    if changed:
        raise ReplayMismatch("输入文件与运行清单不一致：\n" + "\n".join(changed))
    by_role = {s.role: root / s.path for s in manifest.sources if s.role != "input"}
    spec = RunSpec(
        manifest.year,
        by_role["settings"].parent,
        by_role["roster"].parent,
        tuple(root / s.path for s in manifest.sources if s.role == "input"),
        manifest.period,
        by_role.get("appeals"),  # decided appeals were applied to the inputs of this run
        root,
    )
    result = compute(prepare(spec).assessment)
    if results_digest(result.units) != manifest.results_sha256:
        raise ReplayMismatch("重新计算的结果与运行清单记录的结果不一致")
    return result

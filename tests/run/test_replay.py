"""Every run is replayable: the manifest records the inputs' hashes and the results' digest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring import Manifest, ReplayMismatch, compute, load_year, replay_run, results_digest

ROOT = Path(__file__).resolve().parents[2]


def test_replay_from_manifest_reproduces_the_results(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "indicators" / "2021", tmp_path / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp_path / "data" / "2021")
    result = compute(load_year(2021, tmp_path / "indicators/2021", tmp_path / "data/2021", root=tmp_path))
    manifest = Manifest.from_json(result.manifest.to_json())
    assert {s.role for s in manifest.sources} == {"settings", "plan", "catalogue", "roster", "input"}
    assert all(len(s.sha256) == 64 for s in manifest.sources)
    again = replay_run(manifest, tmp_path)
    assert results_digest(again.units) == manifest.results_sha256 == results_digest(result.units)

    data = tmp_path / "data" / "2021" / "assessments.csv"
    data.write_bytes(data.read_bytes().replace(b"T01,E1.1,,6,", b"T01,E1.1,,5,"))
    with pytest.raises(ReplayMismatch, match=r"assessments\.csv"):
        replay_run(manifest, tmp_path)


def test_digest_ignores_row_order() -> None:
    result = compute(load_year(2021, ROOT / "indicators/2021", ROOT / "data/2021"))
    assert results_digest(result.units.reverse()) == results_digest(result.units)
    assert result.manifest.units == 30 and result.manifest.package_version

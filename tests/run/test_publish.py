"""``score publish`` as a use case: an archived run is published as recorded (its digest checked), a year
without one as ``score compute`` would compute it; the four files are one set: written together, a
failure leaves the earlier set, and a PDF that is not printed this time never stays beside new results."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import scoring.run.publish as publishing
from scoring import Archive
from scoring.errors import ScoringError
from scoring.output.publish.pdf import BROWSER_VARIABLE, BrowserMissing
from scoring.run.compute import Outputs, OutputsExist, Recording, compute_year
from scoring.run.inputs import RunSpec, load
from scoring.run.publish import (
    CSV,
    JSON,
    PAGE,
    PDF,
    PublishOutputs,
    archived_source,
    computed_source,
    publish,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for y in ("2020", "2021"):
        shutil.copytree(ROOT / "indicators" / y, tmp_path / "indicators" / y)
        shutil.copytree(ROOT / "data" / y, tmp_path / "data" / y)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _record(root: Path, year: int, previous: int | None = None) -> Archive:
    spec = RunSpec.for_year(year, root=root)
    store = Archive(root / "results" / "archive.duckdb")
    outputs = Outputs(root / "results" / str(year) / "r.xlsx")
    compute_year(spec, load(spec), outputs, Recording(store, previous=previous))
    return store


def _no_browser(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    monkeypatch.setenv(BROWSER_VARIABLE, str(tmp / "no-such-browser"))


def test_an_archived_run_is_published_as_recorded_with_last_years_columns(year: Path) -> None:
    _record(year, 2020)
    store = _record(year, 2021, previous=1)  # the shipped years are two counties: compared on purpose
    source = archived_source(store, 2021, None)
    assert source is not None and source.run is not None and source.run.run_id == 2
    assert source.yoy is not None  # the workbook's 同比 columns: last year is archived
    spec = RunSpec.for_year(2021, root=year)
    computed = computed_source(spec, load(spec), None)
    assert source.result.units.equals(computed.result.units)  # the same figures as computed from the files
    assert archived_source(store, 2022, None) is None
    with pytest.raises(ScoringError, match="2020 年度的"):
        archived_source(store, 2021, 1)


def test_the_four_files_are_one_set_and_a_stale_pdf_goes_with_it(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = RunSpec.for_year(2021, root=year)
    source = computed_source(spec, load(spec), None)
    folder = year / "out"
    folder.mkdir()
    (folder / PDF).write_bytes(b"%PDF an earlier publish")
    _no_browser(monkeypatch, year)
    with pytest.raises(OutputsExist):
        publish(source, PublishOutputs(folder))
    with pytest.raises(BrowserMissing):  # the PDF asked for: refused before any work
        publish(source, PublishOutputs(folder, pdf=True, force=True))
    assert sorted(p.name for p in folder.iterdir()) == [PDF]
    done = publish(source, PublishOutputs(folder, force=True))  # no browser: the rest, and the old PDF goes
    assert done.pdf_left_out is not None and "apt-get install chromium" in done.pdf_left_out
    assert sorted(p.name for p in folder.iterdir()) == sorted([PAGE, CSV, JSON])
    data = json.loads((folder / JSON).read_text(encoding="utf-8"))
    assert data["run"] is None and data["date"] == source.generated.isoformat()


def test_a_failure_while_writing_leaves_the_earlier_set(year: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = RunSpec.for_year(2021, root=year)
    source = computed_source(spec, load(spec), None)
    folder = year / "out"
    publish(source, PublishOutputs(folder, pdf=False))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing, "write_json", broken)
    later = publishing.Source(source.result, None, dt.date(2030, 1, 1))
    with pytest.raises(ScoringError, match="无法写出发布文件：磁盘空间不足"):
        publish(later, PublishOutputs(folder, pdf=False, force=True))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no temporary file either


def test_the_folder_is_checked_before_any_work(year: Path) -> None:
    (year / "taken").write_text("a file")
    with pytest.raises(ScoringError, match="不是文件夹"):
        PublishOutputs(year / "taken").check()

"""``score publish`` as one use case: the results of a run — an archived run rebuilt from the archive (its
results digest checked, as ``score export`` does), or, when the archive has none for the year, the year
computed from its files exactly as ``score compute`` computes it — published as the portal's page
(``index.html``), the 通报 as PDF (``通报.pdf``) and the figures as data (``results.csv``, ``results.json``),
all four moved into place together (:class:`scoring.atomic.OutputSet`)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scoring.archive.store import Archive, RunInfo
from scoring.atomic import OutputSet
from scoring.engine.compute import Result, compute
from scoring.errors import ScoringError, os_reason
from scoring.output.publish.data import write_csv, write_json
from scoring.output.publish.model import Report, build_report
from scoring.output.publish.page import render_page
from scoring.output.publish.pdf import BrowserMissing, find_browser, install_hint, print_pdf
from scoring.reading.aliases import ALIASES_FILE, read_aliases
from scoring.reading.files import short_path
from scoring.run.archived import rebuild
from scoring.run.compute import OutputsExist, WriteFailed
from scoring.run.extras import workbook_extras
from scoring.run.inputs import RunSpec, prepare
from scoring.spec.manifest import beijing_today
from scoring.spec.year import Alias, Assessment

__all__ = [
    "CSV",
    "JSON",
    "PAGE",
    "PDF",
    "PublishOutputs",
    "Published",
    "Source",
    "archived_source",
    "computed_source",
    "default_folder",
    "publish",
]

PAGE, PDF, CSV, JSON = "index.html", "通报.pdf", "results.csv", "results.json"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    """What is published: a run's result, its 同比 columns, the date it carries, and the archive's run it
    was rebuilt from (None: computed from the year's files, recorded nowhere)."""

    result: Result
    yoy: pl.DataFrame | None
    generated: dt.date
    run: RunInfo | None = None


def archived_source(
    store: Archive, year: int, run_id: int | None, period: str | None = None
) -> Source | None:
    """Run ``run_id`` (of ``year``), or the year's latest final run, else its latest run, rebuilt from the
    archive with the 同比 columns its workbook showed; None when the archive has no run of the year.
    Raises ``ArchiveError`` when the rebuilt results differ from the recorded ones."""
    if run_id is None:
        if not store.path.exists():
            return None
        info = store.latest(year, period)
        if info is None:
            return None
        run_id = info.run_id
    else:
        info = store.run(run_id)
        if info.year != year:
            raise ScoringError(f"运行 {run_id} 是 {info.year} 年度的，不是 {year} 年度的")
    rebuilt = rebuild(store, run_id)
    return Source(rebuilt.result, rebuilt.extras.yoy, info.generated, rebuilt.run)


def computed_source(spec: RunSpec, assessment: Assessment, store: Archive | None) -> Source:
    """The validated ``assessment`` of ``spec`` scored as ``score compute`` scores it (period and appeal
    decisions applied), compared with last year's latest run of the same issuer when the archive has one."""
    prepared = prepare(spec, assessment)
    result = compute(prepared.assessment)
    yoy = None
    if store is not None and store.path.exists():
        s = prepared.assessment.settings
        previous = store.latest(spec.year - 1, spec.period, issuer=s.issuer)
        if previous is not None:
            aliases_path = spec.data / ALIASES_FILE
            shown = short_path(str(aliases_path.resolve()))
            aliases: list[Alias] = read_aliases(aliases_path, shown) if aliases_path.exists() else []
            yoy = workbook_extras(store, result, previous=previous, aliases=aliases, aliases_file=shown).yoy
    return Source(result, yoy, beijing_today())


def default_folder(year: int, period: str | None) -> Path:
    """``results/<year>/publish`` (``publish（Q3）`` for one period)."""
    return Path("results") / str(year) / (f"publish（{period}）" if period else "publish")


@dataclass(frozen=True)
class PublishOutputs:
    """Where the published files go, and whether to print the PDF: True (required: no browser is an
    error before any work), False (not printed), None (printed when a browser is found, else left out with
    a note). A 通报.pdf of an earlier publish that is not printed this time is removed with the set, so
    the folder never holds a PDF of other results."""

    folder: Path
    pdf: bool | None = None
    force: bool = False

    def path(self, name: str) -> Path:
        return self.folder / name

    def all(self) -> tuple[Path, ...]:
        return tuple(self.path(n) for n in (PAGE, PDF, CSV, JSON))

    def check(self) -> str | None:
        """Before any work: the folder can be written (made if missing), nothing is overwritten unasked, a
        set an interrupted publish left half moved is finished first; returns the browser to print with."""
        if self.folder.exists() and not self.folder.is_dir():
            raise ScoringError(f"{self.folder} 是一个文件，不是文件夹；请用 --out 指定输出文件夹")
        browser = None
        if self.pdf is not False:
            browser = find_browser()
            if browser is None and self.pdf:
                raise BrowserMissing(install_hint())
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / f".publish.{secrets.token_hex(4)}.probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise ScoringError(
                f"无法写入文件夹 {self.folder}（{os_reason(e)}）；请检查权限，或用 --out 指定其他位置"
            ) from None
        OutputSet.recover(self.all())
        existing = [p for p in self.all() if p.exists()]
        if existing and not self.force:
            raise OutputsExist(f"{existing[0]} 已存在；使用 --force 覆盖，或用 --out 指定其他文件夹")
        return browser


@dataclass(frozen=True)
class Published:
    """What was published, for the CLI to report: the files written, and why the PDF was not (None when
    it was)."""

    report: Report
    source: Source
    files: tuple[Path, ...]
    pdf_left_out: str | None


def publish(source: Source, outputs: PublishOutputs, progress: Progress = lambda _: None) -> Published:
    """Write the page, the PDF and the data files of ``source`` into ``outputs.folder``, all moved into
    place together. Raises ``ScoringError`` before anything is written (``BrowserMissing`` when the PDF
    was required and there is no browser), ``WriteFailed`` when the files could not be written."""
    browser = outputs.check()
    run_id = source.run.run_id if source.run is not None else None
    report = build_report(source.result, source.generated, yoy=source.yoy, run=run_id)
    html = render_page(report)
    left_out = None
    if outputs.pdf is False:
        left_out = "未要求生成 PDF（--no-pdf）"
    elif browser is None:
        left_out = install_hint()
    files = OutputSet(outputs.all())
    written = []
    try:
        with files:
            progress("写出网页和数据文件…")
            page = outputs.path(PAGE)
            files.stage(page, lambda tmp: tmp.write_text(html, encoding="utf-8"))
            files.stage(outputs.path(CSV), lambda tmp: write_csv(report, tmp))
            files.stage(outputs.path(JSON), lambda tmp: write_json(report, tmp))
            written = [page, outputs.path(CSV), outputs.path(JSON)]
            remove: list[Path] = []
            if left_out is None:
                progress("用浏览器打印 PDF…")
                files.stage(outputs.path(PDF), lambda tmp: print_pdf(html, tmp, browser=browser))
                written.insert(1, outputs.path(PDF))
            else:
                remove.append(outputs.path(PDF))
            files.commit(remove=remove)
    except OSError as e:
        raise WriteFailed(f"无法写出发布文件：{os_reason(e, with_file=True)}") from None
    return Published(report, source, tuple(written), left_out)

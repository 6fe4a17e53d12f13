"""The published page in a real browser (the system's Chromium driven by Playwright; one browser for the
module): the tables' numbers are the results Parquet's, no horizontal page scroll at 375 and 1280 px, every
text colour has a contrast of 4.5:1 or more, no request leaves the page, axe-core finds no serious or
critical violation, and the PDF has every unit's name and total with the header rows repeated.

Screenshots of each class table at both widths are saved under the test's temporary folder (its path is
printed), or under ``$ZWGK_ARTIFACTS`` when set. Without a browser the module is skipped with the reason,
unless ``ZWGK_REQUIRE_BROWSER=1`` (set by ``.ci/run`` once it has installed Chromium): then it fails."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer
from pdfminer.pdfpage import PDFPage

from scoring import compute, load_year
from scoring.engine.year_over_year import year_over_year, yoy_columns
from scoring.output.publish.model import build_report
from scoring.output.publish.page import render_page
from scoring.output.publish.pdf import find_browser, print_pdf
from scoring.output.results import write_parquet

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BROWSER = find_browser()
if BROWSER is None:
    reason = "没有 Chromium（apt-get install chromium fonts-noto-cjk），浏览器测试跳过"
    if os.environ.get("ZWGK_REQUIRE_BROWSER") == "1":
        pytest.fail(reason.replace("跳过", "必须运行（ZWGK_REQUIRE_BROWSER=1）"), pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, Route, sync_playwright  # noqa: E402

WIDTHS = (375, 1280)
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's fonts have no FontBBox: a warning a glyph


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    """The 2021 page with last year's columns, the results Parquet as written beside the workbook (read
    back) and the 同比 columns."""
    this = compute(load_year(2021, ROOT / "indicators" / "2021", ROOT / "data" / "2021"))
    last = compute(load_year(2020, ROOT / "indicators" / "2020", ROOT / "data" / "2020"))
    yoy = yoy_columns(year_over_year(this.units, last.units, places=2))
    parquet = write_parquet(this, tmp_path_factory.mktemp("results") / "r.parquet")
    html = render_page(build_report(this, dt.date(2022, 1, 20), yoy=yoy))
    return html, pl.read_parquet(parquet), yoy


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=BROWSER)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("ZWGK_ARTIFACTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"截图：{folder}")
    return folder


def open_page(browser: Browser, html: str, width: int, requests: list[str] | None = None) -> Page:
    """The page at ``width`` px; every request it makes is recorded in ``requests`` and refused."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen = requests if requests is not None else []

    def refuse(route: Route) -> None:
        seen.append(route.request.url)
        route.abort()

    page.route("**/*", refuse)
    page.set_content(html, wait_until="load")
    return page


def test_no_request_leaves_the_page(browser: Browser, published: tuple[str, Any, Any]) -> None:
    requests: list[str] = []
    page = open_page(browser, published[0], 1280, requests)
    page.wait_for_load_state("networkidle")
    page.close()
    assert requests == []


def test_every_number_in_every_table_is_the_results_parquets(
    browser: Browser, published: tuple[str, pl.DataFrame, pl.DataFrame]
) -> None:
    html, results, yoy = published
    page = open_page(browser, html, 1280)
    tables = page.eval_on_selector_all(
        "table.rank-table",
        """ts => ts.map(t => ({
            keys: [...t.tHead.rows[0].cells].map(c => c.dataset.key),
            rows: [...t.tBodies[0].rows].map(r => ({unit: r.dataset.unit,
                cells: [...r.cells].map(c =>
                    (c.querySelector('[aria-hidden=true]') || c).innerText.trim())}))}))""",
    )
    page.close()
    figures = {r["unit"]: r for r in results.join(yoy, on="unit", how="left").iter_rows(named=True)}
    checked = 0
    for table in tables:
        for row in table["rows"]:
            unit = figures[row["unit"]]
            for key, text in zip(table["keys"], row["cells"], strict=True):
                if key == "rank":
                    shown = "—" if unit["rank"] is None else str(unit["rank"])
                    assert text == shown + ("（并列）" if unit["tied"] and unit["rank"] else ""), row
                elif key == "name":
                    assert text == unit["name"]
                elif key == "grade":
                    assert text == unit["grade"]
                elif key == "yoy_rank":
                    assert text == ("—" if unit[key] is None else str(unit[key]))
                elif key == "applicable":
                    assert text == f"{unit['applicable_max'] / 10**12:.2f}"
                elif key == "yoy_change":
                    assert text == unit[key]
                elif key != "_remark":
                    assert text == ("" if unit[key] is None else f"{unit[key] + 0.0:.2f}"), (row["unit"], key)
                checked += 1
    assert len({r["unit"] for t in tables for r in t["rows"]}) == results.height
    assert checked > results.height * 10


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_page_scroll_and_the_tables_are_shot(
    browser: Browser, published: tuple[str, Any, Any], artifacts: Path, width: int
) -> None:
    page = open_page(browser, published[0], width)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    # nothing but a table's own box is wider than the page
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-box') && e.getBoundingClientRect().right > innerWidth + 0.5)
            .map(e => e.tagName + '.' + e.className)"""
    )
    for i, section in enumerate(page.locator("section.ranking").all(), start=1):
        section.screenshot(path=str(artifacts / f"table{i}-{width}px.png"))
    page.close()
    assert page_width <= viewport == width
    assert wide == []


CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(e); if (s.visibility === 'hidden' || s.display === 'none') continue;
    const a = lum(rgb(s.color)), b = lum(background(e));
    out.push({tag: e.tagName, text: e.textContent.trim().slice(0, 20),
              ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out;
}"""


def test_every_text_colour_has_a_contrast_of_at_least_4_5(
    browser: Browser, published: tuple[str, Any, Any]
) -> None:
    page = open_page(browser, published[0], 1280)
    texts = page.evaluate(CONTRAST)
    page.close()
    low = [t for t in texts if t["ratio"] < 4.5]
    assert len(texts) > 500 and low == []
    print(f"最低对比度 {min(t['ratio'] for t in texts):.2f}:1（{len(texts)} 处文字）")


def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser, published: tuple[str, Any, Any]
) -> None:
    # at the phone's width, where the tables scroll in their boxes (the same page at 1280 px: 3 s more)
    page = open_page(browser, published[0], 375)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    page.close()
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in found["violations"]]
    assert [b for b in bad if b[1] in ("serious", "critical")] == []
    assert found["passes"], "axe ran no checks"


def test_the_print_css_repeats_the_header_rows(browser: Browser, published: tuple[str, Any, Any]) -> None:
    page = open_page(browser, published[0], 1280)
    page.emulate_media(media="print")
    heads = page.eval_on_selector_all("table thead", "hs => hs.map(h => getComputedStyle(h).display)")
    boxes = page.eval_on_selector_all(".table-box", "bs => bs.map(b => getComputedStyle(b).overflowX)")
    page.close()
    assert heads and set(heads) == {"table-header-group"}
    assert set(boxes) == {"visible"}  # printed, a table is never cut at the box's edge


def test_the_pdf_has_every_unit_and_total_and_repeats_the_header_rows(
    published: tuple[str, pl.DataFrame, Any], tmp_path: Path
) -> None:
    html, results, _ = published
    pdf = tmp_path / "通报.pdf"
    # Playwright's sync API runs one loop per thread, and this module's browser holds this thread's
    with ThreadPoolExecutor(1) as pool:
        pool.submit(print_pdf, html, pdf).result()
    with pdf.open("rb") as f:
        count = sum(1 for _ in PDFPage.get_pages(f))
    assert 10 <= count <= 80, count
    # the text of the first pages, up to where the units' sections begin (reading every page's CJK text
    # with pdfminer takes 20 s; the sections are checked on the page)
    pages = []
    for layout in extract_pages(pdf, maxpages=8):
        text = re.sub(r"\s+", "", "".join(e.get_text() for e in layout if isinstance(e, LTTextContainer)))
        pages.append(text)
        if "各单位失分情况" in text:
            break
    flat = "".join(pages)
    for r in results.iter_rows(named=True):
        assert r["name"] in flat and f"{r['total']:.2f}" in flat, r["name"]
    assert all(f"第{i}页，共{count}页" in p for i, p in enumerate(pages, start=1))
    assert not re.search(
        "[\u2e80-\u2fdf]", flat
    )  # 工作, not the radical ⼯作 (see scoring/output/publish/cmap.py)
    ranking = [p for p in pages[1:-1] if "各单位失分情况" not in p]
    assert len(ranking) > 2  # a class table continues on a second page: its header is printed again
    assert all("排名" in p and "等次" in p for p in ranking)

"""The published page, CSV and JSON without a browser: the figures are the results' at the printed places,
every value is escaped, evidence is a link only for http(s), the method sentences are the cover's, the
data files open in Excel as text; the browser tests are in test_publish_browser.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from scoring import Result, compute, load_year
from scoring.engine.year_over_year import year_over_year, yoy_columns
from scoring.output.publish.cmap import equivalent, readable_cmap
from scoring.output.publish.data import csv_text, json_text, write_csv
from scoring.output.publish.model import amount_text, build_report, evidence_parts
from scoring.output.publish.page import render_page
from scoring.output.workbook import write_workbook
from scoring.testing import INPUTS, UNITS, example_year

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2022, 1, 20)
HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def shipped() -> Result:
    return compute(load_year(2021, ROOT / "indicators" / "2021", ROOT / "data" / "2021"))


@pytest.fixture(scope="module")
def hostile() -> Result:
    """The example year with a unit named like a script, one like a formula, and a lost point whose note
    is markup and whose evidence mixes an http link with other schemes."""
    units = [(c, HOSTILE if c == "T02" else FORMULA if c == "D02" else n, k) for c, n, k in UNITS]
    inputs = [
        (
            u,
            i,
            k,
            v,
            "<b>未公开</b>",
            "javascript:alert(1) https://zwgk.example.gov.cn/b1?x=1&y=2 file:///etc/x",
        )
        if (u, i) == ("T02", "B1")
        else (u, i, k, v)
        for u, i, k, v in INPUTS
    ]
    return example_year(units=units, inputs=inputs).result()


class Cells(HTMLParser):
    """Every element's attributes, and each table's rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self.text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.text is not None:
            self.rows[-1].append("".join(self.text).strip())
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def parsed(html: str) -> Cells:
    p = Cells()
    p.feed(html)
    return p


def test_the_page_is_self_contained_and_in_chinese(shipped: Result) -> None:
    html = render_page(build_report(shipped, DAY))
    p = parsed(html)
    assert p.tags[0] == ("html", {"lang": "zh-CN"})
    names = {t for t, _ in p.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}  # nothing fetched, no script
    assert not re.search(r"""(src|srcset)\s*=|url\(|@import""", html)
    assert all(a.get("scope") in ("col", "row") for t, a in p.tags if t == "th")
    assert sum(t == "caption" for t, _ in p.tags) == 1 + len(shipped.settings.classes)
    levels = [int(t[1]) for t, _ in p.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_every_ranking_row_is_the_units_figures_at_the_printed_places(shipped: Result) -> None:
    report = build_report(shipped, DAY)
    units = shipped.units
    places = shipped.settings.places
    seen = 0
    for t in report.tables:
        for unit, row in zip(t.units, t.rows, strict=True):
            figures = units.row(by_predicate=pl.col("unit") == unit, named=True)
            cells = dict(zip(t.keys, row, strict=True))
            assert cells["name"].text == figures["name"]
            assert cells["total"].text == f"{figures['total']:.{places}f}"
            assert cells["grade"].text == figures["grade"]
            for key, cell in cells.items():
                if key.startswith("part:") or key in ("bonus", "penalty", "base_raw"):
                    assert cell.text == f"{figures[key]:.{places}f}", (unit, key)
            rank = "—" if figures["rank"] is None else str(figures["rank"])
            assert cells["rank"].text == rank + ("（并列）" if figures["tied"] and figures["rank"] else "")
            seen += 1
    assert seen == units.height


def test_the_method_is_the_covers_sentences(shipped: Result, tmp_path: Path) -> None:
    report = build_report(shipped, DAY)
    book = write_workbook(shipped, tmp_path / "r.xlsx", generated=DAY)
    workbook = openpyxl.load_workbook(book, read_only=True)
    try:
        rows = workbook["封面"].iter_rows(values_only=True)
        cells = [str(c) for row in rows for c in row if isinstance(c, str)]
    finally:
        workbook.close()
    assert report.method and all(line in cells for line in report.method)
    assert report.scope in cells and report.date in cells


def test_every_value_is_escaped_and_only_http_evidence_is_a_link(hostile: Result) -> None:
    html = render_page(build_report(hostile, DAY))
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>未公开</b>" not in html and "&lt;b&gt;未公开&lt;/b&gt;" in html
    hrefs = [a["href"] for t, a in parsed(html).tags if t == "a" and not str(a["href"]).startswith("#")]
    assert hrefs == ["https://zwgk.example.gov.cn/b1?x=1&y=2"]  # the parser unescapes &amp;
    assert "javascript:alert(1)" in html and "file:///etc/x" in html  # shown as text
    assert [e.href for e in evidence_parts("ftp://a http://b.cn/x")] == [None, "http://b.cn/x"]


def test_the_csv_opens_in_excel_as_text_and_figures(hostile: Result, tmp_path: Path) -> None:
    report = build_report(hostile, DAY)
    write_csv(report, tmp_path / "results.csv")
    raw = (tmp_path / "results.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == hostile.units.height
    by_unit = {r["单位代码"]: r for r in rows}
    assert by_unit["D02"]["单位"] == "'" + FORMULA  # a formula-like name stays text in Excel
    assert by_unit["T02"]["单位"] == HOSTILE
    for r in hostile.units.iter_rows(named=True):
        assert by_unit[r["unit"]]["总分"] == f"{r['total']:.2f}"
        assert by_unit[r["unit"]]["等次"] == r["grade"]
    header = csv_text(report).splitlines()[0].split(",")
    assert header[:7] == ["类别", "排名", "并列", "单位代码", "单位", "总分", "等次"]


def test_the_json_holds_the_tables_figures(shipped: Result) -> None:
    report = build_report(shipped, DAY, run=3)
    data = json.loads(json_text(report))
    assert data["run"] == 3 and data["date"] == "2022-01-20" and data["method"] == list(report.method)
    totals = {u["unit"]: u["values"]["total"] for c in data["classes"] for u in c["units"]}
    expected = dict(zip(shipped.units["unit"], shipped.units["total"], strict=True))
    assert totals == pytest.approx(expected)
    assert [c["name"] for c in data["classes"]] == [c.name for c in shipped.settings.classes]


def test_last_years_columns_when_there_is_a_last_year(shipped: Result) -> None:
    last = compute(load_year(2020, ROOT / "indicators" / "2020", ROOT / "data" / "2020"))
    yoy = yoy_columns(year_over_year(shipped.units, last.units, places=2))
    report = build_report(shipped, DAY, yoy=yoy)
    table = report.tables[0]
    assert table.keys[-3:] == ("yoy_total", "yoy_rank", "yoy_change")
    assert report.yoy_note is not None
    changes = [row[-1] for row in table.rows]
    assert any(c.spoken and c.spoken.startswith(("上升", "下降")) for c in changes)
    assert "yoy_change" not in build_report(shipped, DAY).tables[0].keys


@pytest.mark.parametrize(
    ("pico", "text"),
    [
        (-2 * 10**11, "-0.20"),
        (-75 * 10**9, "-0.075"),
        (10**12, "+1.00"),
        (-1, "-0.000000"),  # beyond six places: shown at six, never as 0.00
        (0, "+0.00"),
    ],
)
def test_a_ledger_amount_has_the_places_its_rubric_wrote(pico: int, text: str) -> None:
    assert amount_text(pico, 2) == text


def test_the_pdfs_text_reads_ideographs_not_radicals() -> None:
    assert equivalent("⼯作⼈⺠政府第1⻚") == "工作人民政府第1页"
    cmap = (
        "begincmap\n2 beginbfchar\n<0003> <2F2F>\n<0004> <4F5C>\nendbfchar\n"
        "2 beginbfrange\n<0010> <0012> <2F08>\n<0020> <0021> <0041>\nendbfrange\nendcmap"
    )
    fixed = readable_cmap(cmap)
    # a range reaching a radical is written out code by code: 人 儿 入, not 人 and the two after it
    assert "<0003> <5DE5>" in fixed and "<0010> <4EBA>" in fixed and "<0011> <513F>" in fixed
    assert "<0012> <5165>" in fixed and "<0020> <0021> <0041>" in fixed and "2F" not in fixed
    assert "5 beginbfchar" in fixed and "1 beginbfrange" in fixed
    assert readable_cmap("1 beginbfchar\n<01> <0041>\nendbfchar") == "1 beginbfchar\n<01> <0041>\nendbfchar"


def test_a_conversion_line_is_shown_at_the_declared_places() -> None:
    # 得分率 conversion is an exact fraction: −0.044048… prints −0.04, as in the workbook and explain
    assert amount_text(-44_047_619_048, 2, exact=True) == "-0.04"
    assert amount_text(5_000_000_000, 2, exact=True) == "+0.01"  # 四舍五入


def test_a_year_without_grades_publishes_no_grade(tmp_path: Path) -> None:
    from scoring import compute, load_year

    root = Path(__file__).parents[1] / "years" / "no-grades"
    result = compute(load_year(2021, root / "indicators", root / "data"))
    report = build_report(result, DAY)
    assert report.summary_caption == "各类单位得分概况" and "优秀" not in report.summary_headers
    assert all("等次" not in h for t in report.tables for h in t.headers)

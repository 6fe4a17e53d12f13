"""The 通报 as a reader checks it, on both shipped years and a generated year: every printed total is
recomputed from its printed row, no grade contradicts its printed total under the declared basis, the
ranks follow the printed totals, and no sheet a reader prints shows a rule code or parameter syntax."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl

from scoring import compute, load_year
from scoring.output.workbook import write_workbook
from scoring.spec.rules import REGISTRY
from scoring.spec.settings import Settings
from scoring.testing import CATALOGUE, INPUTS, example_year, leaf, section

ROOT = Path(__file__).resolve().parents[2]
HEADER_ROW = 3  # title, formula line, header


def _book(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the data-bar extension with a warning
        return openpyxl.load_workbook(path)


def _rows(ws: Any) -> tuple[list[str], list[dict[str, Any]]]:
    header = [c.value for c in ws[HEADER_ROW] if c.value is not None]
    rows = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(header), values_only=True):
        if row[1] is None:
            break
        rows.append(dict(zip(header, row, strict=True)))
    return header, rows


def _col(header: list[str], prefix: str) -> str | None:
    return next((h for h in header if h.startswith(prefix)), None)


def _total(header: list[str]) -> str:
    found = _col(header, "总分")
    assert found is not None, header
    return found


def _shipped(tmp_path: Path, year: int) -> tuple[Settings, Path]:
    a = load_year(year, ROOT / "indicators" / str(year), ROOT / "data" / str(year))
    return a.settings, write_workbook(compute(a), tmp_path / f"{year}.xlsx")


def _generated(tmp_path: Path) -> tuple[Settings, Path]:
    """A year with N/A leaves (得分率), a veto, a failed section, bonus and penalty caps."""
    rows = [
        *CATALOGUE,
        section("P", 5, "penalty", name="扣分项"),
        leaf("P1", "P", 5, "per_occurrence", "per=2"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto", rubric="发生泄密事件"),
    ]
    inputs = [*INPUTS, ("T01", "V1", "", "是"), ("D01", "P1", "", "2"), ("T02", "J1", "", "9")]
    settings = "[penalty]\ncap = 3\n[grades]\nsection_fail_share = 0.6\n"
    a = example_year(rows, inputs=inputs, settings=settings).assessment()
    return a.settings, write_workbook(compute(a), tmp_path / "generated.xlsx")


def _workbooks(tmp_path: Path) -> list[tuple[Settings, Path]]:
    return [_shipped(tmp_path, 2020), _shipped(tmp_path, 2021), _generated(tmp_path)]


def _places(settings: Settings) -> Fraction:
    return Fraction(1, 10**settings.places)


def test_every_printed_total_is_recomputed_from_its_row(tmp_path: Path) -> None:
    checked = 0
    for settings, path in _workbooks(tmp_path):
        book = _book(path)
        unit = _places(settings)
        for uc in settings.classes:
            header, rows = _rows(book[uc.name])
            parts = [h for h in header if h not in ("排名", "单位", "等次", "备注") and "（" in h]
            parts = [
                h for h in parts if not h.startswith(("得分合计", "加分", "扣分", "总分", "适用", "重大"))
            ]
            sub, total_h = _col(header, "得分合计"), _total(header)
            bonus, penalty = _col(header, "加分"), _col(header, "扣分")
            formula = book[uc.name]["A2"].value
            for r in rows:
                if str(r.get("备注") or "").startswith("一票否决"):
                    continue  # a veto's score is as the remark says
                raw = sum(Fraction(Decimal(str(r[h]))) for h in parts)
                factor = Fraction(1)
                if sub:  # the parts add up to 得分合计, to the last printed place of each part
                    assert abs(raw - Fraction(Decimal(str(r[sub])))) <= unit * len(parts) / 2, (path, r)
                    raw = Fraction(Decimal(str(r[sub])))
                    rule = formula.split("（")[0]
                    if "÷" in rule:
                        found = re.search(r"÷(\d+(?:\.\d+)?)", rule)
                        applicable = r.get("适用满分") or (found.group(1) if found else None)
                        assert applicable is not None, formula
                        factor = Fraction(Decimal(str(uc.max_points))) / Fraction(Decimal(str(applicable)))
                    else:
                        found = re.search(r"×(\d+(?:/\d+)?)", rule)
                        assert found is not None, formula
                        factor = Fraction(found.group(1))
                base = raw * factor
                total = base + sum(
                    sign * Fraction(Decimal(str(r.get(h) or 0)))
                    for h, sign in ((bonus, 1), (penalty, -1), ("重大扣分", -1))
                    if h
                )
                printed = Fraction(Decimal(str(r[total_h])))
                # within the declared rounding: 得分合计 (or the parts), 加分, 扣分 and 总分 each carry
                # half a unit of the last place, 得分合计's scaled by the conversion
                slack = unit / 2 * ((factor if sub else len(parts)) + 4)
                checked += 1
                assert abs(total - printed) <= slack, (path.name, uc.name, r, float(total))
    assert checked > 50  # both shipped years' units and the generated year's


def test_no_grade_contradicts_its_printed_total(tmp_path: Path) -> None:
    for settings, path in _workbooks(tmp_path):
        book = _book(path)
        for uc in settings.classes:
            header, rows = _rows(book[uc.name])
            total_h = _total(header)
            for r in rows:
                band = next(
                    (b.name for b in settings.bands if r[total_h] is not None and r[total_h] >= b.min_points),
                    settings.fail_grade,
                )
                if r["等次"] == band:
                    continue
                # a grade the printed total would not give is explained on the row
                remark = str(r.get("备注") or "")
                assert remark, (path.name, r)
                if settings.grade_basis == "exact" and remark.startswith("未舍入总分"):
                    assert "按其评定等次" in remark
                    assert "等次按未舍入的精确总分评定" in book[uc.name]["A2"].value
                else:
                    assert remark.startswith(("一票否决", "以下部分", "受“")), remark


def test_ranks_follow_the_printed_totals(tmp_path: Path) -> None:
    for settings, path in _workbooks(tmp_path):
        book = _book(path)
        for uc in settings.classes:
            header, rows = _rows(book[uc.name])
            ranked = [r for r in rows if r["排名"] is not None]
            unranked = [r for r in rows if r["排名"] is None]
            assert rows[: len(ranked)] == ranked  # the unranked are listed last
            if settings.rank_basis == "printed":
                totals = [r[_total(header)] for r in ranked]
                assert totals == sorted(totals, reverse=True)
            assert all(
                str(r.get("备注") or "").startswith("一票否决")
                for r in unranked
                if settings.veto_placement == "after"
            )


def test_no_reader_sees_rule_codes_or_parameter_syntax(tmp_path: Path) -> None:
    codes = re.compile(r"\b(" + "|".join(REGISTRY) + r")\b|[A-Za-z_]+\s*=")
    for _, path in _workbooks(tmp_path):
        book = _book(path)
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue  # 运行信息 and 校验说明 are for the office and are not printed
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str):
                        assert not codes.search(v), (path.name, ws.title, v)

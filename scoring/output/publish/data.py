"""The published figures as data for the portal's data column: ``results.csv`` (UTF-8 with BOM, so Excel
opens it in Chinese) and ``results.json``, from the same :class:`Report` as the page, at the printed
places."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from scoring.output.publish.model import Cell, Report

__all__ = ["csv_text", "json_text", "write_csv", "write_json"]

# the CSV's columns: what each ranking column holds, named without the class's maximum (it differs by class)
NAMES = {
    "base_raw": "得分合计",
    "applicable": "适用满分",
    "max": "满分",
    "bonus": "加分",
    "penalty": "扣分",
    "major": "重大扣分",
    "total": "总分",
    "grade": "等次",
    "_remark": "备注",
    "yoy_total": "上年总分",
    "yoy_rank": "上年排名",
    "yoy_change": "名次变化",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(text: str) -> str:
    """Text a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _column_name(key: str, header: str) -> str:
    if key.startswith("part:"):
        return header.rsplit("（", 1)[0] if header.endswith("）") else header
    return NAMES.get(key, header)


def _csv_columns(report: Report) -> list[tuple[str, str]]:
    """(key, name) of every column any class has: the total and grade, the parts as the tables show
    them, then the other figures in the tables' order."""
    seen: dict[str, str] = {}
    for t in report.tables:
        for key, header in zip(t.keys, t.headers, strict=True):
            if key not in ("rank", "name") and key not in seen:
                seen[key] = _column_name(key, header)
    order = ["total", "grade"] + [k for k in seen if k.startswith("part:")] + list(NAMES)
    return sorted(seen.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _csv_value(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.kind in ("number",):
        return cell.text
    if cell.kind in ("rank", "int"):
        return "" if cell.value is None else str(cell.value)
    return _plain(cell.text)


def csv_text(report: Report) -> str:
    columns = _csv_columns(report)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["类别", "排名", "并列", "单位代码", "单位", *(name for _, name in columns)])
    for t in report.tables:
        for unit, row in zip(t.units, t.rows, strict=True):
            by_key = dict(zip(t.keys, row, strict=True))
            rank = by_key["rank"]
            tied = "是" if rank.text.endswith("（并列）") else ""
            w.writerow(
                [
                    _plain(t.name),
                    _csv_value(rank),
                    tied,
                    _plain(unit),
                    _plain(by_key["name"].text),
                    *(_csv_value(by_key.get(key)) for key, _ in columns),
                ]
            )
    return out.getvalue()


def json_text(report: Report) -> str:
    classes = []
    for t in report.tables:
        rows = []
        for unit, row in zip(t.units, t.rows, strict=True):
            values = {key: c.value for key, c in zip(t.keys, row, strict=True)}
            rows.append(
                {"unit": unit, "tied": row[t.keys.index("rank")].text.endswith("（并列）"), "values": values}
            )
        classes.append(
            {
                "name": t.name,
                "note": t.note,
                "columns": [{"key": k, "header": h} for k, h in zip(t.keys, t.headers, strict=True)],
                "units": rows,
            }
        )
    data = {
        "title": report.title,
        "issuer": report.issuer,
        "year": report.year,
        "date": report.generated.isoformat(),
        "run": report.run,
        "results_sha256": report.results_sha256,
        "places": report.places,
        "scope": report.scope,
        "method": list(report.method),
        "summary": {"columns": list(report.summary_headers), "rows": [list(r) for r in report.summary_rows]},
        "classes": classes,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_csv(report: Report, path: Path) -> None:
    """results.csv in UTF-8 with BOM (Excel reads it as UTF-8)."""
    path.write_text(csv_text(report), encoding="utf-8-sig", newline="")


def write_json(report: Report, path: Path) -> None:
    path.write_text(json_text(report), encoding="utf-8")

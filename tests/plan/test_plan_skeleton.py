"""The draft catalogue: exact sums in hundredths, ids, parents, rules, plan items, applies_to, settings."""

from __future__ import annotations

import csv
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from scoring.plan.extract import parse_plan, read_plan
from scoring.plan.output import OutputError
from scoring.plan.skeleton import (
    FILES,
    build_skeleton,
    format_hundredths,
    letters,
    parse_total,
    spread,
    write_skeleton,
)

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = sorted(FIXTURES.glob("*.txt"))


def read_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel opens it
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def check_catalogue(rows: list[dict[str, str]], total: Decimal) -> None:
    """The rules of docs/catalogue.md the draft must satisfy."""
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "ids unique"
    by_id = {r["id"]: r for r in rows}
    children: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        assert r["name"].strip()
        points = Decimal(r["points"])
        assert points > 0
        assert points == points.quantize(Decimal("0.01")), "at most two decimals"
        if r["parent"]:
            assert r["parent"] in by_id, "parent exists"
            children.setdefault(r["parent"], []).append(r)
            assert r["role"] == ""
        else:
            assert r["role"] == "base"
    for r in rows:
        kids = children.get(r["id"], [])
        if kids:
            assert sum(Decimal(k["points"]) for k in kids) == Decimal(r["points"]), r["id"]
            assert r["rule"] == "" and r["rubric"] == ""
        else:
            assert r["rule"] == "judgement" and r["rubric"].strip() and r["plan_items"]
            assert r["applies_to"] in ("", "town", "dept")
    assert sum(Decimal(r["points"]) for r in rows if not r["parent"]) == total


@pytest.mark.parametrize("path", PLANS, ids=[p.name[:3] for p in PLANS])
def test_skeleton_of_each_example_is_valid(path: Path, tmp_path: Path) -> None:
    plan = read_plan(path)
    year = plan.year or 2021
    written = write_skeleton(build_skeleton(plan, year), tmp_path / "cat")
    assert [p.name for p in written] == list(FILES)
    rows = read_rows(tmp_path / "cat" / "indicators.csv")
    check_catalogue(rows, Decimal(100))
    leaves = [r for r in rows if not any(x["parent"] == r["id"] for x in rows)]
    assert len(leaves) == len(plan.items)
    assert [r["plan_items"] for r in leaves] == [f"{year}-{it.label}" for it in plan.items]
    assert [r["rubric"] for r in leaves] == [it.text for it in plan.items]
    items = read_rows(tmp_path / "cat" / "plan_items.csv")
    assert list(items[0]) == ["item", "section", "text"]
    assert {r["item"] for r in items} == {r["plan_items"] for r in leaves}
    settings_ = tomllib.loads((tmp_path / "cat" / "settings.toml").read_text(encoding="utf-8"))
    assert settings_["year"] == year
    classes = [(c["id"], c["name"], c["max"]) for c in settings_["classes"]]
    assert classes == [("town", "乡镇", 100), ("dept", "部门", 100)]
    assert settings_["title"].endswith("工作考核")
    assert settings_["rounding"] == {"places": 2, "mode": "half_up"}


def test_luntai_skeleton_details(tmp_path: Path) -> None:
    plan = read_plan(FIXTURES / "004_e762bc6c38b9abe6.txt")
    sk = build_skeleton(plan, 2021)
    write_skeleton(sk, tmp_path)
    rows = {r["id"]: r for r in read_rows(tmp_path / "indicators.csv")}
    # 六、工作要求 has no items, so five level-1 nodes
    assert [r["id"] for r in rows.values() if not r["parent"]] == ["A", "B", "C", "D", "E"]
    assert rows["A"]["name"] == "紧扣“十四五”开好局起好步，深化政务公开"
    assert rows["A1"]["name"] == "做好各类规划主动公开" and rows["A1"]["parent"] == "A"
    assert rows["A1.1"]["parent"] == "A1" and rows["A1.1"]["plan_items"] == "2021-1"
    assert rows["A1.1"]["rubric"].startswith("县人民政府相关职能部门应主动公开国民经济和社会发展")
    # 34 items: 10000 = 34 × 294 + 4, so four leaves get 2.95 and thirty get 2.94
    leaf_points = [r["points"] for r in rows.values() if r["rule"]]
    assert leaf_points.count("2.95") == 4 and leaf_points.count("2.94") == 30
    assert rows["A1.1"]["applies_to"] == "dept"  # 县发改委、自然资源局、住建局
    assert rows["B2.2"]["plan_items"] == "2021-18"
    assert rows["B2.2"]["applies_to"] == ""  # 各乡镇人民政府 and 县人民政府各部门: all
    assert rows["E1.1"]["applies_to"] == ""  # item 33 names no units
    toml = tomllib.loads((tmp_path / "settings.toml").read_text(encoding="utf-8"))
    assert toml["title"] == "2021年度轮台县政务公开工作考核"
    assert toml["issuer"] == "轮台县人民政府办公室（县政务公开办）"
    assert "轮政办函〔2021〕8号" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_gaochang_skeleton_mixes_subheadings_and_direct_items() -> None:
    plan = read_plan(FIXTURES / "000_18955a963105cee7.txt")
    sk = build_skeleton(plan, 2020)
    e = next(r for r in sk.roots if r.name == "聚焦打好脱贫攻坚战，加大扶贫领域信息公开")
    assert [c.id for c in e.children] == ["E1", "E2", "E3"]  # 16–18 directly under the section
    assert all(not c.children and c.rule == "judgement" for c in e.children)
    assert [c.plan_items for c in e.children] == ["2020-16", "2020-17", "2020-18"]
    assert e.children[0].applies_to == ""  # 区扶贫办 + 各乡（镇）人民政府
    a = sk.roots[0]
    assert [c.id for c in a.children] == ["A1", "A2", "A3"] and a.children[2].children[0].id == "A3.1"
    assert a.children[1].children[0].applies_to == "dept"  # item 3: 区政府各部门


def test_town_only_item_and_subsection_items() -> None:
    plan = parse_plan(
        "某县2021年政务公开工作要点\n一、加强政策解读\n（一）做好政策解读。各乡镇要做好解读。（责任单位：各乡镇人民政府、各街道办事处）\n"
        "（二）加强回应。（县政府办）\n"
    )
    sk = build_skeleton(plan, 2021)
    root = sk.roots[0]
    assert [(c.id, c.name, c.points, c.applies_to, c.plan_items) for c in root.children] == [
        ("A1", "做好政策解读", "50", "town", "2021-一（一）"),
        ("A2", "加强回应", "50", "dept", "2021-一（二）"),
    ]
    assert root.points == "100"


def test_total_and_overwrite(tmp_path: Path) -> None:
    plan = parse_plan(
        "一、任务\n1.做好解读。（县政府办）\n2.加强回应。（县政府办）\n3.加强网站。（县政府办）\n"
    )
    sk = build_skeleton(plan, 2021, parse_total("90.5"))
    assert [n.points for n in sk.nodes()] == ["90.5", "30.17", "30.17", "30.16"]
    assert "max = 90.5" in sk.settings_toml
    write_skeleton(sk, tmp_path)
    with pytest.raises(OutputError, match="--force"):
        write_skeleton(sk, tmp_path)
    write_skeleton(sk, tmp_path, force=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left behind


def test_empty_plan_has_no_skeleton() -> None:
    with pytest.raises(ValueError, match="没有找到工作事项"):
        build_skeleton(parse_plan("没有任何事项的文字。\n"), 2021)


@pytest.mark.parametrize("bad", ["0", "-1", "100.005", "abc", ""])
def test_parse_total_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_total(bad)


def test_formatting_helpers() -> None:
    assert [format_hundredths(h) for h in (10000, 323, 320, 5, 1)] == ["100", "3.23", "3.2", "0.05", "0.01"]
    assert [letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=100_000), st.integers(min_value=1, max_value=500))
def test_spread_sums_exactly_and_evenly(total: int, n: int) -> None:
    if total < n:
        with pytest.raises(ValueError):
            spread(total, n)
        return
    parts = spread(total, n)
    assert sum(parts) == total and len(parts) == n
    assert max(parts) - min(parts) <= 1 and min(parts) > 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=4), max_size=3), min_size=1, max_size=5))
def test_skeleton_sums_for_any_shape(shape: list[list[int]]) -> None:
    """Sections with sub-headings holding 0–4 items each: every parent is the exact sum of its children."""
    numerals = "一二三四五六"
    lines: list[str] = []
    n = 0
    for s, subs in enumerate(shape):
        lines.append(f"{numerals[s]}、部分{numerals[s]}")
        for k, count in enumerate(subs):
            lines.append(f"（{numerals[k]}）小标题{numerals[s]}{numerals[k]}")
            for _ in range(count):
                n += 1
                lines.append(f"{n}.事项{n}的内容。（县政府办）")
    if n == 0:
        lines.append(f"{numerals[len(shape)]}、收尾部分")
        lines.append("1.唯一的事项。（县政府办）")
    plan = parse_plan("\n".join(lines))
    sk = build_skeleton(plan, 2021)
    rows = sk.indicator_rows()
    header = rows[0]
    check_catalogue([dict(zip(header, r, strict=True)) for r in rows[1:]], Decimal(100))


def test_skeleton_columns_are_the_catalogue_format() -> None:
    from scoring.plan.skeleton import INDICATOR_COLUMNS
    from scoring.spec.catalogue import CATALOGUE_COLUMNS

    assert tuple(CATALOGUE_COLUMNS) == INDICATOR_COLUMNS

"""The registry of rule kinds: what one registration declares, checked against the engine's two paths
(the single-row pass and the group-by) on random rows."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st
from polars.testing import assert_frame_equal

from scoring.engine.points import leaf_table, rule_points, single_row_points
from scoring.spec.catalogue import Catalogue, Node
from scoring.spec.params import PARSERS, ParamSpec, split_params
from scoring.spec.registry import SAMPLES
from scoring.spec.rules import GROUP, REGISTRY, Agg, InputDomain, RegistrationError, RuleKind, register

LEAF_POINTS = Decimal(5)
SINGLE_ROW_PARAMS = {
    "binary": [""],
    "veto": [""],
    "per_occurrence": ["per=0.5", "per=0.5; cap=2"],
    "half_if_none": ["", "fraction=0.3"],
    "count_capped": ["per=2", "per=0.7; cap=3"],
    "judgement": ["", "lo=1; hi=4"],
    "ratio": [""],
    "tiered": ["tiers=90:1,60:0.6,40:0.3", "tiers=50:0.5"],
    "deadline": [
        "due=2021-10-20",
        "due=2021-10-20; late_steps=1:1,8:2; missing=4; early_before=2021-10-01; early=1",
    ],
    "rate_linear": ["target=95; per=0.1"],
    "imported": ["", "scale=80"],
}
"""Parameters of leaves of every single-row kind: more than one where an optional parameter changes the
expressions."""
DUE = 18920  # 2021-10-20 in days since 1970-01-01


def parsed(kind: RuleKind, text: str) -> dict[str, Any]:
    raw, bad = split_params(text)
    assert not bad
    out = {name: spec.default for name, spec in kind.params.items() if spec.default is not None}
    return out | {name: kind.params[name].parse(value) for name, value in raw.items()}


def single_row_catalogue() -> Catalogue:
    root = Node("A", None, "A", Decimal(100), "base", None, {}, "", (), (), "", False, 1, ("A",), 1, False)
    leaves = [
        Node(
            f"{name}{i}",
            "A",
            f"{name}{i}",
            LEAF_POINTS,
            "base",
            name,
            parsed(REGISTRY[name], text),
            text,
            (),
            (),
            "",
            False,
            2,
            ("A", f"{name}{i}"),
            2,
            True,
        )
        for name, texts in SINGLE_ROW_PARAMS.items()
        for i, text in enumerate(texts)
    ]
    return Catalogue(2021, (root, *leaves))


CATALOGUE = single_row_catalogue()


def values(domain: str) -> st.SearchStrategy[float | None]:
    """Values of one input row as validation leaves them, or None (blank, not done)."""
    number = {
        "bool": st.sampled_from([0.0, 1.0]),
        "count": st.integers(0, 25).map(float),
        "number": st.one_of(st.integers(0, 120).map(float), st.floats(0, 120)),
        "ratio": st.floats(0, 1),
        "percent": st.floats(0, 100),
        "points": st.floats(0, float(LEAF_POINTS)),
        "date": st.integers(DUE - 30, DUE + 30).map(float),
    }[domain]
    return st.one_of(st.none(), number)


@st.composite
def observations(draw: st.DrawFn) -> pl.DataFrame:
    """At most one row per (unit, leaf, period, channel), as for every kind without keys."""
    units = [f"U{i}" for i in range(draw(st.integers(1, 4)))]
    cells = draw(
        st.lists(st.sampled_from([(None, None), ("Q1", None), ("Q2", "online")]), min_size=1, unique=True)
    )
    rows = []
    for u in units:
        for leaf in CATALOGUE.leaves:
            for period, channel in cells:
                kind = leaf.kind
                assert kind is not None
                v = draw(values(kind.domain))
                synthetic = v is None and draw(st.booleans())
                rows.append((u, leaf.id, period, channel, v, synthetic))
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "period": pl.String,
            "channel": pl.String,
            "value": pl.Float64,
            "synthetic": pl.Boolean,
        },
        orient="row",
    ).with_columns(
        pl.lit("town").alias("class"),
        pl.lit(None, pl.String).alias("key"),
        pl.lit(None, pl.String).alias("text"),
    )


def test_every_single_row_kind_has_leaves_here() -> None:
    assert set(SINGLE_ROW_PARAMS) == {name for name, kind in REGISTRY.items() if kind.single_row}


@settings(max_examples=40, deadline=None)
@given(obs=observations())
def test_single_row_pass_equals_group_by(obs: pl.DataFrame) -> None:
    """Every single-row kind scores the same in the one-pass path as in the general group-by path."""
    table = leaf_table(CATALOGUE)
    rows = obs.lazy().join(table.lazy(), on="indicator", how="inner")
    kinds = sorted(SINGLE_ROW_PARAMS)
    fast = single_row_points(rows, kinds, table.columns).select(*GROUP, "points").collect()
    slow = pl.concat(
        [
            rule_points(
                rows.filter(pl.col("rule") == name).select(pl.exclude("^p_.*$")),
                REGISTRY[name],
                [n for n in CATALOGUE.leaves if n.rule == name],
            )
            for name in kinds
        ]
    ).collect()
    assert fast.height == obs.height
    assert_frame_equal(fast.sort(GROUP), slow.sort(GROUP))


SENTENCES = {
    "binary": ("", "达到要求的得满分，未达到的不得分"),
    "deductions": ("items=目录未更新:1,无年报:2", "存在下列情形的分别扣分：目录未更新1分、无年报2分"),
    "per_occurrence": ("per=0.5; cap=2", "每发现一例扣0.5分，最多扣2分"),
    "severity": ("classes=一般:1,严重:2", "按问题类别每例扣分：一般1分、严重2分"),
    "missing_elements": ("elements=指南,目录,年报; per=2", "应具备指南、目录、年报，每缺一项扣2分"),
    "any_of": ("conditions=错链,空栏目; amount=0.5", "存在错链、空栏目任一情形的扣0.5分（只扣一次）"),
    "half_if_none": ("", "全部不符合要求的扣本项分值的50%，有一例符合即不扣"),
    "checklist": ("items=扶贫政策:1,扶贫对象:1.5", "每具备一项得相应分值：扶贫政策1分、扶贫对象1.5分"),
    "fractional": ("criteria=标识:50%,导航:0.3", "满足各子项得本项分值的相应比例：标识50%、导航30%"),
    "count_capped": ("per=2; cap=6", "每项得2分，最高6分"),
    "accumulate": ("per=0.2", "每条计0.2分，不设上限"),
    "events": ("levels=国家级:5,州级:2; cap=4", "按发文层级每次计分：国家级5分、州级2分，最多4分"),
    "judgement": ("hi=0.5", "评估人根据实际情况评分，不高于0.5分"),
    "grade_scale": ("scale=优:10,良:8,差:0", "按评定等级给分：优10分、良8分、差0分"),
    "ratio": ("", "按完成比例得分（本项分值×完成比例）"),
    "tiered": ("tiers=80:1,60:0.6", "按达到的档次得本项分值的相应比例：达到80得100%、达到60得60%"),
    "quota_per_period": (
        "quota=6; per=1; periods=2021-01..2021-12",
        "每期应不少于6条，低于的每期扣1分（考核期：2021-01至2021-12共12期）",
    ),
    "over_quota_bonus": (
        "quota=10; steps=20%:2,10%:1",
        "超过规定数量10的，按超出比例加分：超出10%加1分、超出20%加2分",
    ),
    "deadline": (
        "due=2021-10-20; late_steps=1:1,8:2; missing=4",
        "应于2021年10月20日前（含当日）完成；逾期按天数扣分：1天及以上扣1分、8天及以上扣2分；未完成扣4分",
    ),
    "rate_linear": ("target=95; per=0.1", "比率低于95%的，每低1个百分点扣0.1分"),
    "imported": ("", "采用其他机构的评价结果，按本项分值折算"),
    "rank_based": (
        "points=6,5,4; else=1; order=asc",
        "按本类单位中的名次（数值从低到高）依次得6、5、4分，其余得1分",
    ),
    "veto": ("", "发生所述情形的，一票否决"),
}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sentence(name: str) -> None:
    """Every kind's rubric sentence, filled from a leaf's parameters (optional parts left out when the
    parameter is not given)."""
    text, sentence = SENTENCES[name]
    assert REGISTRY[name].sentence(parsed(REGISTRY[name], text)) == sentence


@pytest.mark.parametrize(
    ("quota", "sentence"),
    [
        ("quota=20", "超过规定数量20的，按超出比例加分：超出10%加1分"),
        ("quota=town:20,dept:10", "超过本类规定数量（乡镇20、部门10）的，按超出比例加分：超出10%加1分"),
        ("quota=各单位", "超过本单位定额的，按超出比例加分：超出10%加1分"),
    ],
)
def test_the_over_quota_sentence_reads_well_for_each_form_of_quota(quota: str, sentence: str) -> None:
    kind = REGISTRY["over_quota_bonus"]
    assert kind.sentence(parsed(kind, f"{quota}; steps=10%:1"), {"town": "乡镇", "dept": "部门"}) == sentence
    # without the classes' names (the rubric never prints a parameter's syntax; ids are all it has)
    assert "town" in kind.sentence(parsed(kind, "quota=town:20; steps=10%:1"))


def test_a_sentence_never_reads_a_value_as_a_template() -> None:
    kind = REGISTRY["deductions"]
    assert kind.sentence(parsed(kind, "items={per}[x]:1")) == "存在下列情形的分别扣分：{per}[x]1分"


def test_every_registered_kind_holds_together() -> None:
    """Registration already checked each kind at import; what it declares is there."""
    for kind in REGISTRY.values():
        assert kind.label and kind.rubric and kind.aggs and kind.sense in ("award", "deduct")
    assert len({k.label for k in REGISTRY.values()}) == len(REGISTRY)


def test_every_parameter_type_has_a_sample() -> None:
    assert set(SAMPLES) | {"choice"} == set(PARSERS)


PER = REGISTRY["per_occurrence"]
WRONG: dict[str, tuple[dict[str, Any], str]] = {
    "a parameter column no parameter makes": (
        {"finish": PER.finish - pl.col("p_bonus")},
        "parameter columns its columns do not make: p_bonus",
    ),
    "columns reading an undeclared parameter": (
        {"columns": lambda p, m: {"p_per": p["per"], "p_cap": p.get("maximum")}},
        "columns reads parameter 'maximum', which the kind does not declare",
    ),
    "a check reading an undeclared parameter": (
        {"check": lambda p, m: [] if p["per"] <= p.get("ceiling", m) else [("x", "y")]},
        "check reads parameter 'ceiling'",
    ),
    "columns that depend on the parameters given": (
        {"columns": lambda p, m: {"p_per": p["per"], **({"p_cap": p["cap"]} if "cap" in p else {})}},
        "columns depend on which parameters are given: ['p_cap']",
    ),
    "a column not named p_": ({"columns": lambda p, m: {"per": p["per"]}}, "not named p_<name>: per"),
    "a finish reading what nothing gives": (
        {"finish": pl.col("M") - pl.col("count")},
        "nothing gives them: count",
    ),
    "a rubric naming an undeclared parameter": ({"rubric": "每例扣{each}分"}, "undeclared parameters: each"),
    "a rubric always printing an optional parameter": (
        {"rubric": "每例扣{per}分，最多扣{cap}分"},
        "optional parameters outside [ ]: cap",
    ),
    "an unbalanced rubric": ({"rubric": "每例扣{per}分[，最多扣{cap}分"}, "unbalanced or nested [ ]"),
    "a format for an undeclared parameter": ({"formats": {"each": str}}, "formats for undeclared parameters"),
    "a single-row kind with per-row contributions": (
        {"row": {"c": pl.col("value") * 2}},
        "a single-row kind has no keys, no lookup and no per-row contributions",
    ),
    "a single-row kind with keys": (
        {"keyed": True, "keys": lambda p: ("甲",)},
        "a single-row kind has no keys, no lookup and no per-row contributions",
    ),
    "a single-row aggregation that means something else under a shared name": (
        {"aggs": (Agg("n", "max", pl.col("value")),)},
        "aggregation 'n' differs from",
    ),
    "a rank lookup without a measure": ({"single_row": False, "lookup": "rank"}, "says what it ranks"),
    "keyed without keys": ({"single_row": False, "keyed": True}, "keyed, but keys gives none"),
    "a category without its values": (
        {"input": InputDomain("category")},
        "a category input lists its values",
    ),
    "points without bounds": ({"input": InputDomain("points")}, "a points input has bounds"),
    "an unknown domain": ({"input": InputDomain("money")}, "input domain 'money' is not one of"),
    "another kind's Chinese name": ({"label": "计数得分"}, "is empty or another kind's"),
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_a_wrong_registration_is_refused(case: str) -> None:
    change, message = WRONG[case]
    kind = dataclasses.replace(PER, **{"name": "wrong", "label": "错误", **change})
    registry = dict(REGISTRY)
    with pytest.raises(RegistrationError, match=re.escape(message)):
        register(kind, registry)
    assert "wrong" not in registry and "wrong" not in REGISTRY


def test_a_kind_registered_twice_is_refused() -> None:
    with pytest.raises(RegistrationError, match="registered twice"):
        register(dataclasses.replace(PER, label="又一个"), dict(REGISTRY))


def test_a_kind_that_holds_together_is_registered() -> None:
    kind = RuleKind(
        name="per_item",
        label="每项扣分",
        sense="deduct",
        input=InputDomain("count"),
        summary="每项扣X分",
        rubric="每项扣{per}分[，最多扣{cap}分]",
        params={"per": ParamSpec("amount", required=True), "cap": ParamSpec("amount")},
        columns=lambda p, m: {"p_per": p["per"], "p_cap": p.get("cap")},
        single_row=True,
        aggs=(Agg("n", "sum", pl.col("value")),),
        finish=pl.col("M") - pl.min_horizontal(pl.col("p_per") * pl.col("n"), pl.col("p_cap")),
    )
    registry = dict(REGISTRY)
    assert register(kind, registry) is kind and registry["per_item"] is kind
    assert "per_item" not in REGISTRY
    assert kind.sentence({"per": 10**12}) == "每项扣1分"


CATALOGUE_DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"


def rule_table() -> dict[str, dict[str, str]]:
    """The rows of the table under "## Rule kinds (the registry)" in docs/catalogue.md, by rule."""
    text = CATALOGUE_DOC.read_text(encoding="utf-8")
    section = text.split("## Rule kinds (the registry)", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [
        dict(zip(header, (c.strip() for c in line.strip("|").split(" | ")), strict=True))
        for line in lines[2:]
    ]
    table = {r["rule"].strip("`"): r for r in rows}
    assert len(table) == len(rows), "a rule listed twice"
    return table


def test_the_docs_rule_table_is_the_registry() -> None:
    """docs/catalogue.md lists exactly the registered kinds, each with its Chinese name, its input domain
    (and keys), every parameter it declares, and "unbounded" where it is."""
    table = rule_table()
    assert set(table) == set(REGISTRY)
    for name, row in table.items():
        kind = REGISTRY[name]
        assert row["名称"] == kind.label, name
        assert row["input"].split()[0] == kind.domain, name
        assert ("per `key`" in row["input"]) == kind.keyed, name
        named = set(re.findall(r"`(\w+)(?:=[^`]*)?`", row["params"]))
        assert set(kind.params) <= named, (name, set(kind.params) - named)
        assert (row["params"] == "—") == (not kind.params), name
        assert ("**unbounded**" in row["points"]) == (not kind.bounded), name


def test_the_docs_list_of_deducting_rules_is_the_registry() -> None:
    text = CATALOGUE_DOC.read_text(encoding="utf-8")
    award = re.search(r"the points of an award-type rule \(([^)]*)\)", text)
    deduct = re.search(r"the deduction of a deduction-type rule \(([^)]*)\)", text)
    assert award is not None and deduct is not None
    assert all(REGISTRY[n].sense == "award" for n in re.findall(r"`(\w+)`", award[1]))
    assert set(re.findall(r"`(\w+)`", deduct[1])) == {n for n, k in REGISTRY.items() if k.sense == "deduct"}


@pytest.mark.parametrize(
    ("tiers", "usual"),
    [
        ("tiers=100:1,90:0.8", (Decimal(0), Decimal(100))),  # a rate in percent
        ("tiers=0.95:1,0.8:0.5", (Decimal(0), Decimal(1))),  # a rate as a ratio
        ("tiers=200:1,100:0.5", (Decimal(0), None)),  # a count: no upper bound
    ],
)
def test_a_tiered_leaf_declares_its_usual_range(tiers: str, usual: tuple[Decimal, Decimal | None]) -> None:
    kind = REGISTRY["tiered"]
    assert kind.input.usual_for(parsed(kind, tiers), 5 * 10**12) == usual


def test_an_imported_score_is_bounded_by_its_scale() -> None:
    kind = REGISTRY["imported"]
    assert kind.input.bounds_for({"scale": Decimal(5)}, 10**12) == (Decimal(0), Decimal(5))
    assert kind.input.bounds_for({}, 10**12) == (Decimal(0), Decimal(100))

"""The mutation tool's mutants: each is one edit that compiles and changes the module, with an identity that
survives edits elsewhere; the list of equivalents is current (running the mutants is
``python -m tools.mutation``, minutes long, not part of the suite)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools.mutation import CI_MODULES, ROOT, TESTS, equivalents, mutants, report, suite_for


def test_every_mutant_compiles_and_differs_from_the_module() -> None:
    path = ROOT / "scoring" / "engine" / "grade.py"
    original = ast.unparse(ast.parse(path.read_text(encoding="utf-8")))
    found = mutants(path)
    assert len(found) >= 20
    for m in found:
        compile(m.source, str(path), "exec")
        assert m.source != original
    assert len({m.source for m in found}) == len(found)
    kinds = {m.what for m in found}
    assert {"GtE -> Gt", "'min' -> 'dense'", "Eq -> NotEq"} <= kinds


def test_docstrings_and_annotations_are_not_mutated(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('def f(x: int = 1) -> bool:\n    """Doc\n    text."""\n    return x > 0\n', "utf-8")
    # the default 1, the annotations and the docstring stay; the 0 compared with is covered by the flip
    assert [m.what for m in mutants(module)] == ["Gt -> GtE"]


def test_a_mutant_keeps_its_identity_when_the_module_around_it_changes(tmp_path: Path) -> None:
    body = "def f(x: int) -> int:\n    if x > 0:\n        return x - 1\n    return 0\n"
    before, after = tmp_path / "a.py", tmp_path / "b.py"
    before.write_text(body, "utf-8")
    after.write_text("def g(y: int) -> bool:\n    return y >= 2\n\n\n" + body, "utf-8")
    old, new = mutants(before), mutants(after)
    assert [m.index for m in new] != [m.index for m in old]  # the numbers shift ...
    strip = [m.key[1:] for m in old]  # (the module's name aside: two files here)
    assert [m.key[1:] for m in new if m.function == "f"] == strip  # ... the identities do not
    gt = next(m for m in old if m.what == "Gt -> GtE")
    assert (gt.function, gt.text, gt.node, gt.occurrence) == ("f", "if x > 0:", "x > 0", 1)


def test_identical_sites_on_one_line_are_told_apart(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(x: int) -> int:\n    return (x - 1) * (x - 1)\n", "utf-8")
    subs = [m for m in mutants(module) if m.what == "Sub -> Add"]
    assert [m.occurrence for m in subs] == [1, 2]
    assert len({m.key for m in mutants(module)}) == len(mutants(module))


DECLARATIONS = """\
import polars as pl

LIMIT = 1


def helper(x: int) -> bool:
    return x > 0


register(
    Kind(
        name="first",
        label="甲",
        rubric="达到要求的得满分",
        finish=pl.when(pl.col("met")).then(pl.col("M")).otherwise(0),
        columns=lambda p, m: {"p_cap": m - p.get("cap", 0)},
    )
)
register(
    Kind(
        name="second",
        label="乙",
        finish=pl.when(pl.col("met")).then(pl.col("M")).otherwise(0),
    )
)
configure(strict=True)
"""


def test_module_level_declarations_are_mutated_under_the_declared_name(tmp_path: Path) -> None:
    # a rule kind's finish, row and column expressions are declared at module level (scoring/spec/kinds):
    # the arguments of a call made at module level are mutated like a function body; the name and the
    # words readers see are not, nor are module-level assignments (LIMIT) or the function called
    module = tmp_path / "kinds.py"
    module.write_text(DECLARATIONS, "utf-8")
    found = mutants(module)
    by_site = sorted((m.function, m.what) for m in found)
    assert by_site == [
        ("<module>", "True -> False"),
        ("helper", "Gt -> GtE"),
        ("register(first)", "0 -> 1"),
        ("register(first)", "0 -> 1"),
        ("register(first)", "Sub -> Add"),
        ("register(first)", "drop right operand"),
        ("register(second)", "0 -> 1"),
    ]
    finish = next(m for m in found if m.function == "register(first)" and m.text.startswith("finish="))
    assert finish.node == "0" and "otherwise(1)" in finish.source
    compile(finish.source, str(module), "exec")


def test_identical_declarations_of_two_kinds_are_told_apart(tmp_path: Path) -> None:
    module = tmp_path / "kinds.py"
    module.write_text(DECLARATIONS, "utf-8")
    finishes = [m for m in mutants(module) if m.text.startswith("finish=")]
    assert [m.function for m in finishes] == ["register(first)", "register(second)"]
    assert [m.occurrence for m in finishes] == [1, 1]  # the same line, the same edit: two identities
    assert len({m.key for m in finishes}) == 2


def test_a_declaration_keeps_its_identity_when_another_kind_is_added_before_it(tmp_path: Path) -> None:
    before, after = tmp_path / "a.py", tmp_path / "b.py"
    before.write_text(DECLARATIONS, "utf-8")
    extra = 'register(Kind(name="zero", finish=pl.col("s") - 1))\n'
    after.write_text(
        DECLARATIONS.replace(
            'register(\n    Kind(\n        name="first"',
            extra + 'register(\n    Kind(\n        name="first"',
            1,
        ),
        "utf-8",
    )
    old, new = mutants(before), mutants(after)
    assert len(new) == len(old) + 3  # Sub -> Add, the operand dropped, 1 -> 2
    assert {m.key[1:] for m in old} <= {m.key[1:] for m in new}


def test_the_rule_kinds_declarations_are_mutated() -> None:
    found = mutants(ROOT / "scoring" / "spec" / "kinds" / "deduct.py")
    sites = {(m.function, m.text, m.what) for m in found}
    assert ("register(deductions)", 'finish=M - pl.col("d"),', "Sub -> Add") in sites
    assert (
        "register(half_if_none)",
        'finish=pl.when(pl.col("n") > 0).then(M).otherwise(pl.col("p_keep")),',
        "Gt -> GtE",
    ) in sites
    assert all(m.function for m in found)


def test_an_equivalent_entry_round_trips_through_the_toml_list(tmp_path: Path) -> None:
    path = ROOT / "scoring" / "engine" / "rank.py"
    m = mutants(path)[0]
    listed = tmp_path / "eq.toml"
    listed.write_text(m.toml('a "quoted" reason, 中文') + "\n", "utf-8")
    assert equivalents(listed) == {m.key: 'a "quoted" reason, 中文'}


def test_every_listed_equivalent_is_a_mutant_of_the_current_code() -> None:
    # an entry whose code was edited away would silently excuse nothing: the list is kept current
    keys = {m.key for module in {k[0] for k in equivalents()} for m in mutants(ROOT / module)}
    stale = [k for k in equivalents() if k not in keys]
    assert not stale, stale


def test_the_report_names_only_survivors_not_listed(capsys: pytest.CaptureFixture[str]) -> None:
    found = mutants(ROOT / "scoring" / "engine" / "rank.py")
    listed, unlisted, killed = found[0], found[1], found[2]
    outcome = {"killed": [killed], "survived": [listed, unlisted], "timeout": []}
    new = report("rank", outcome, found[3:5], {listed.key: "why"})
    assert new == [unlisted]
    out = capsys.readouterr().out
    assert "3 mutants run, killed 1, survived 2" in out
    assert "2 more not started" in out
    assert "equivalent scoring/engine/rank.py" in out and "SURVIVED scoring/engine/rank.py" in out


def test_each_module_runs_its_own_tests_first_then_the_fast_set() -> None:
    tests = suite_for("scoring/engine/accounts.py")
    assert tests[0] == "tests/engine/test_accounts.py"
    assert set(TESTS) <= set(tests)
    assert "tests/run/test_appeals.py" in suite_for("scoring/engine/appeals.py")
    assert all((ROOT / module).exists() for module in CI_MODULES)


def test_the_ci_step_mutates_only_modules_whose_survivors_are_known() -> None:
    # a module joins the CI set after a full run; a sampled one could fail CI on a survivor nobody judged
    assert "scoring/engine/aggregate.py" in CI_MODULES  # full run 2026-11-27, every survivor judged
    assert "scoring/engine/points.py" in CI_MODULES

"""Mutation testing of one engine module: small behaviour-changing edits, each run against the fast tests.

    python -m tools.mutation scoring/engine/aggregate.py            # every mutant, one at a time
    python -m tools.mutation scoring/engine/rank.py --list          # the mutants, not run
    python -m tools.mutation scoring/engine/grade.py --only 3,17    # some mutants, e.g. to re-check them
    python -m tools.mutation scoring/engine/points.py --sample 40 --seed 1
    python -m tools.mutation scoring/engine/rank.py --budget 120    # stop starting mutants after 120 s
    python -m tools.mutation --ci                                   # CI: changed modules, sampled, bounded

Each mutant is one edit of the module's syntax tree inside a function body, or inside a declaration made
at module level (the arguments of a call such as a rule kind's ``register(RuleKind(..., finish=...))``,
but not its name and the words readers see): a comparison flipped, ``+`` for ``-``, a bound of a ``clip``
or ``min/max_horizontal`` removed, a constant off by one, a rounding mode or rank method swapped, a
condition negated, ``&`` for ``|``. The package and the tests are copied once to
a temporary directory; each mutant is written there and ``pytest -x`` runs the fast tests (``TESTS``) in a
subprocess with a timeout. A mutant is *killed* when a test fails, *survived* when all pass, *timeout* when
the run exceeds ``--timeout`` seconds. Survivors are printed with their line and edit; docs/testing.md
lists those judged equivalent.

Why not mutmut: mutmut 3 runs each mutant in a fork of a process that has imported polars, whose thread
pool deadlocks after ``fork`` (every mutant timed out); its forkserver mode imports per mutant anyway and
mutates every function of the package. This tool is small, knows the idioms of a polars engine (clip,
min/max_horizontal, rounding-mode strings) and runs one module in minutes.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ("tests/engine", "tests/test_exact.py", "tests/spec")
"""The fast, in-memory tests every mutant runs against (about 15 s when all pass)."""
COPY = ("scoring", "tests", "docs", "pyproject.toml")
OWN_TESTS: dict[str, tuple[str, ...]] = {
    "scoring/engine/aggregate.py": ("tests/engine/test_aggregate.py", "tests/engine/test_binding.py"),
    "scoring/engine/points.py": ("tests/engine/test_points.py", "tests/engine/test_binding_kinds.py"),
    "scoring/engine/rank.py": ("tests/engine/test_rank_grade.py",),
    "scoring/engine/grade.py": ("tests/engine/test_rank_grade.py",),
    "scoring/exact.py": ("tests/test_exact.py",),
    "scoring/engine/accounts.py": ("tests/engine/test_accounts.py",),
    "scoring/engine/ledger.py": ("tests/engine/test_ledger.py", "tests/engine/test_accounts.py"),
    **{
        f"scoring/spec/kinds/{family}.py": (
            "tests/spec/test_kind_checks.py",
            "tests/engine/test_binding_kinds.py",
            "tests/engine/test_points.py",
            "tests/spec/test_registry.py",
        )
        for family in ("assessed", "award", "deduct")
    },
    "scoring/engine/appeals.py": ("tests/engine/test_appeals.py", "tests/run/test_appeals.py"),
    "scoring/engine/year_over_year.py": (
        "tests/engine/test_year_over_year.py",
        "tests/output/test_comparison.py",
    ),
}
"""A module's own tests, run first (a mutant is usually killed there, in seconds) and, where they lie
outside ``TESTS`` (appeals, year over year), the only place the module is tested."""
CI_MODULES = (
    "scoring/engine/rank.py",
    "scoring/engine/grade.py",
    "scoring/engine/composite.py",
    "scoring/exact.py",
    "scoring/engine/accounts.py",
    "scoring/engine/points.py",
    "scoring/spec/kinds/award.py",
    "scoring/spec/kinds/assessed.py",
    "scoring/spec/kinds/deduct.py",
    "scoring/engine/aggregate.py",
    "scoring/engine/ledger.py",
)
"""The modules whose survivors are all known (a full run at their current code, docs/testing.md): the CI
step mutates those a change touched, or, when none was, one of them in turn. ``points.py``, the rule kinds
and ``aggregate.py`` joined after their full runs of 2026-11-27 judged every survivor, ``ledger.py`` after its
own the same day."""
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.toml"

COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
BINOP_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
WORD_SWAP = {
    "half_up": "down",
    "half_even": "half_up",
    "down": "half_up",
    "min": "dense",
    "dense": "min",
    "exclude": "include",
    "include": "exclude",
    "base": "bonus",
    "bonus": "base",
    "penalty": "bonus",
    "renormalise": "reduce_max",
    "reduce_max": "renormalise",
    "redistribute": "renormalise",
    "scale": "renormalise",
    "node": "pooled",
    "printed": "exact",
    "exact": "printed",
    "competition": "dense",
    "fixed_score": "grade_only",
    "stop": "grade_only",
    "in_place": "after",
    "after": "last",
}
BOUNDED = {"clip", "min_horizontal", "max_horizontal"}
NOT_DECLARED = {"name", "label", "summary", "rubric", "formats"}
"""The arguments of a module-level declaration (a rule kind's registration) that are not mutated: its
name and the words readers see, which compute nothing."""


@dataclass(frozen=True)
class Mutant:
    """One mutant. ``index`` and ``line`` shift when the module is edited; ``key`` does not (function,
    the line's text, the edited expression, the edit, and which of identical sites it is)."""

    index: int
    line: int
    what: str
    source: str
    module: str = ""
    function: str = ""
    text: str = ""
    node: str = ""
    occurrence: int = 1

    @property
    def key(self) -> tuple[str, str, str, str, str, int]:
        return (self.module, self.function, self.text, self.node, self.what, self.occurrence)

    def toml(self, why: str = "TODO: why no correct test can kill it") -> str:
        """The entry that records this mutant as equivalent in tools/mutation_equivalent.toml."""
        fields = {"module": self.module, "function": self.function, "line": self.text, "node": self.node}
        lines = ["[[equivalent]]", *(f"{k} = {_toml_str(v)}" for k, v in fields.items())]
        lines.append(f"edit = {_toml_str(self.what)}")
        if self.occurrence != 1:
            lines.append(f"occurrence = {self.occurrence}")
        lines.append(f"why = {_toml_str(why)}")
        return "\n".join(lines)


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it lies inside a function body (docstrings excluded)."""
    for node, inside, _ in _walk_named(tree):
        yield node, inside


def _walk_named(tree: ast.AST) -> Iterator[tuple[ast.AST, bool, str]]:
    """Every node, whether it is mutated (it lies inside a function body, or inside a declaration: the
    arguments of a call made at module level), and the name of the site: the dotted name of the innermost
    function or class around it, or the declaration's (:func:`_declaration_name`)."""

    def go(
        node: ast.AST, inside: bool, name: str, declaration: bool = False
    ) -> Iterator[tuple[ast.AST, bool, str]]:
        yield node, inside, name
        body_of_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{name}.{node.name}" if name else node.name
        for field, value in ast.iter_fields(node):
            if body_of_function and field in ("decorator_list", "returns", "args"):
                continue
            if field == "annotation":  # types change no behaviour
                continue
            if isinstance(node, ast.Compare) and field == "comparators":
                continue  # a word compared with: flipping the comparison covers it
            if declaration and isinstance(node, ast.keyword) and node.arg in NOT_DECLARED:
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.AST):
                    yield from go(child, inside or (body_of_function and field == "body"), name, declaration)

    for statement in tree.body if isinstance(tree, ast.Module) else [tree]:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            declared = _declaration_name(statement)
            yield statement, False, ""
            yield call, False, declared
            yield from go(call.func, False, declared)  # the function called: not an edit of the declaration
            for argument in [*call.args, *call.keywords]:
                yield from go(argument, True, declared, declaration=True)
        else:
            yield from go(statement, False, "")


def _declaration_name(statement: ast.Expr) -> str:
    """The name of a declaration's mutants: ``register(judgement)`` for a call at module level whose
    arguments name something (the first ``name="…"`` inside it, e.g. a rule kind's), ``<module>`` for
    another call."""
    assert isinstance(statement.value, ast.Call)
    callee = ast.unparse(statement.value.func)
    for node in ast.walk(statement.value):
        value = node.value if isinstance(node, ast.keyword) and node.arg == "name" else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return f"{callee}({value.value})"
    return "<module>"


def _edits(node: ast.AST) -> list[tuple[str, object]]:
    """The mutations of one node: (description, edit token) pairs applied by :func:`_apply`."""
    out: list[tuple[str, object]] = []
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE_SWAP:
        new = COMPARE_SWAP[type(node.ops[0])]
        out.append((f"{type(node.ops[0]).__name__} -> {new.__name__}", ("cmp", new)))
    elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAP:
        new_op = BINOP_SWAP[type(node.op)]
        out.append((f"{type(node.op).__name__} -> {new_op.__name__}", ("binop", new_op)))
        out.append(("drop right operand", ("left",)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Invert | ast.Not):
        out.append((f"drop {type(node.op).__name__}", ("operand",)))
    elif isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in BOUNDED:
            for i in range(len(node.args)):
                out.append((f"{name}: drop bound {i}", ("dropbound", i)))
        elif name == "fill_null" and node.args:
            out.append(("fill_null(x) -> fill_null(x + 1)", ("fillnull",)))
    elif isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            out.append((f"{v} -> {not v}", ("const", not v)))
        elif isinstance(v, int) and abs(v) <= 2:
            out.append((f"{v} -> {v + 1}", ("const", v + 1)))
        elif isinstance(v, str) and v in WORD_SWAP:
            out.append((f"{v!r} -> {WORD_SWAP[v]!r}", ("const", WORD_SWAP[v])))
    elif isinstance(node, ast.If):
        out.append(("if test -> not test", ("negate",)))
    return out


def _apply(node: ast.AST, edit: object) -> None:
    assert isinstance(edit, tuple)
    kind = edit[0]
    if kind == "cmp":
        assert isinstance(node, ast.Compare)
        node.ops = [edit[1]()]
    elif kind == "binop":
        assert isinstance(node, ast.BinOp)
        node.op = edit[1]()
    elif kind == "left":
        assert isinstance(node, ast.BinOp)
        node.right = ast.Constant(0 if isinstance(node.op, ast.Add | ast.Sub | ast.BitOr) else 1)
        if isinstance(node.op, ast.BitAnd):
            node.right = ast.Constant(True)
    elif kind == "operand":  # -x -> -(-x): the operator undone, whatever the operand's type
        assert isinstance(node, ast.UnaryOp)
        node.operand = ast.UnaryOp(type(node.op)(), node.operand)
    elif kind == "dropbound":
        assert isinstance(node, ast.Call)
        i = edit[1]
        name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name == "clip":
            node.args[i] = ast.Constant(None)
        else:  # min/max_horizontal(a, b) -> a single operand
            kept = [a for j, a in enumerate(node.args) if j != i]
            node.args = kept if len(kept) > 0 else node.args
    elif kind == "fillnull":
        assert isinstance(node, ast.Call)
        node.args[0] = ast.BinOp(node.args[0], ast.Add(), ast.Constant(1))
    elif kind == "const":
        assert isinstance(node, ast.Constant)
        node.value = edit[1]
    elif kind == "negate":
        assert isinstance(node, ast.If)
        node.test = ast.UnaryOp(ast.Not(), node.test)


def mutants(path: Path) -> list[Mutant]:
    """Every mutant of the module at ``path``, in source order."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        module = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        module = path.name
    sites = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for pos, (node, inside, function) in enumerate(_walk_named(ast.parse(text))):
        if not inside or _is_docstring(node):
            continue
        for what, edit in _edits(node):
            line = getattr(node, "lineno", 0)
            line_text = lines[line - 1].strip() if line else ""
            segment = " ".join((ast.get_source_segment(text, node) or "").split())
            segment = segment if len(segment) <= 80 else segment[:77] + "..."
            ident = (function, line_text, segment, what)
            seen[ident] = seen.get(ident, 0) + 1
            sites.append((pos, what, edit, line, ident, seen[ident]))
    out = []
    for i, (pos, what, edit, line, ident, occurrence) in enumerate(sites, 1):
        tree = ast.parse(text)
        node = next(n for p, (n, _) in enumerate(_walk(tree)) if p == pos)
        _apply(node, edit)
        ast.fix_missing_locations(tree)
        source = ast.unparse(tree)
        if source != ast.unparse(ast.parse(text)):
            function, line_text, segment, _ = ident
            out.append(Mutant(i, line, what, source, module, function, line_text, segment, occurrence))
    return out


def equivalents(path: Path = EQUIVALENT) -> dict[tuple[str, str, str, str, str, int], str]:
    """The mutants judged equivalent (tools/mutation_equivalent.toml), by stable key, with the reason."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for e in data.get("equivalent", []):
        key = (e["module"], e["function"], e["line"], e["node"], e["edit"], int(e.get("occurrence", 1)))
        out[key] = str(e["why"])
    return out


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value


def suite_for(module: str) -> list[str]:
    """The tests a mutant of ``module`` runs against: its own tests first, then the fast set."""
    own = [t for t in OWN_TESTS.get(module, ()) if (ROOT / t).exists()]
    default = f"tests/engine/test_{Path(module).stem}.py"
    if not own and (ROOT / default).exists():
        own = [default]
    return [*own, *(t for t in TESTS if t not in own)]


def run(
    chosen: list[Mutant], timeout: float, budget: float = 0.0
) -> tuple[dict[str, list[Mutant]], list[Mutant]]:
    """Run the tests against each mutant in a copy of the project: the outcome of each, and the mutants
    not started because the ``budget`` (seconds, 0 for none) was spent."""
    outcome: dict[str, list[Mutant]] = {"killed": [], "survived": [], "timeout": []}
    not_run: list[Mutant] = []
    begin = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        work = Path(tmp)
        for name in COPY:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, work / name)
        for m in chosen:
            if budget and time.monotonic() - begin > budget:
                not_run.append(m)
                continue
            target = work / m.module
            original = target.read_text(encoding="utf-8")
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *suite_for(m.module)]
            target.write_text(m.source, encoding="utf-8")
            start = time.monotonic()
            try:
                done = subprocess.run(command, cwd=work, capture_output=True, timeout=timeout, check=False)
                status = "survived" if done.returncode == 0 else "killed"
            except subprocess.TimeoutExpired:
                status = "timeout"
            finally:
                target.write_text(original, encoding="utf-8")
            outcome[status].append(m)
            where = f"{Path(m.module).stem}#{m.index}"
            print(f"{where:<16} line {m.line:<4} {status:<8} {time.monotonic() - start:5.1f}s  {m.what}")
            sys.stdout.flush()
    return outcome, not_run


def changed_modules(base: str = "HEAD~1") -> list[str] | None:
    """The measured modules (``CI_MODULES``) the last change touched; None when git cannot tell (no
    repository, a shallow clone without the parent)."""
    try:
        done = subprocess.run(
            ["git", "diff", "--name-only", base, "HEAD", "--", *CI_MODULES],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    names = set(done.stdout.split())
    return [m for m in CI_MODULES if m in names]


def head_number() -> int:
    """A number from the commit being tested (its hash), 0 without git: the CI step's seed and turn."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return 0
    return int(done.stdout.strip()[:8], 16) if done.returncode == 0 and done.stdout.strip() else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.splitlines()[0])
    p.add_argument("module", nargs="?", default="", help="e.g. scoring/engine/aggregate.py")
    p.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    p.add_argument("--only", default="", help="comma-separated mutant numbers")
    p.add_argument("--sample", type=int, default=0, help="run a random sample of this many mutants")
    p.add_argument("--seed", type=int, default=None, help="the sample's seed (default 0; --ci: from HEAD)")
    p.add_argument("--timeout", type=float, default=90.0, help="seconds per mutant")
    p.add_argument("--budget", type=float, default=0.0, help="start no mutant after this many seconds")
    p.add_argument(
        "--ci",
        action="store_true",
        help="the CI step: the measured modules the last commit changed (or one in turn), a seeded "
        "sample within --budget (default 120 s); fails on a survivor not in mutation_equivalent.toml",
    )
    p.add_argument("--toml", action="store_true", help="print each survivor as an equivalent-list entry")
    args = p.parse_args(argv)
    if args.ci:
        return ci(args)
    if not args.module:
        p.error("name a module, or --ci")
    found = mutants(ROOT / args.module)
    chosen = found
    seed = 0 if args.seed is None else args.seed
    if args.only:
        wanted = {int(x) for x in args.only.split(",")}
        chosen = [m for m in found if m.index in wanted]
    elif args.sample:
        chosen = sorted(
            random.Random(seed).sample(found, min(args.sample, len(found))), key=lambda m: m.index
        )
    if args.list:
        for m in chosen:
            print(f"#{m.index:<4} line {m.line:<4} {m.what}")
        print(f"{len(chosen)} mutants")
        return 0
    outcome, not_run = run(chosen, args.timeout, args.budget)
    report(args.module, outcome, not_run, equivalents(), args.toml)
    return 0


def report(
    label: str,
    outcome: dict[str, list[Mutant]],
    not_run: list[Mutant],
    known: dict[tuple[str, str, str, str, str, int], str],
    as_toml: bool = False,
) -> list[Mutant]:
    """Print the counts and the survivors; the survivors not listed as equivalent."""
    killed, survived, timeout = (len(outcome[k]) for k in ("killed", "survived", "timeout"))
    total = killed + survived + timeout
    print(f"\n{label}: {total} mutants run, killed {killed}, survived {survived}, timeout {timeout}")
    if not_run:
        print(f"{len(not_run)} more not started: the time budget was spent")
    equivalent = [m for m in outcome["survived"] if m.key in known]
    if total:
        print(f"score {100 * (killed + timeout) / total:.0f}% (timeouts count as killed)", end="")
        if equivalent:
            real = total - len(equivalent)
            print(
                f"; {100 * (killed + timeout) / real:.0f}% without the {len(equivalent)} equivalent", end=""
            )
        print()
    new = [m for m in outcome["survived"] if m.key not in known]
    for m in outcome["survived"]:
        mark = "equivalent" if m.key in known else "SURVIVED"
        print(f"  {mark} {m.module} #{m.index} line {m.line} in {m.function or '-'}: {m.what}  [{m.node}]")
    if as_toml:
        for m in new:
            print("\n" + m.toml())
    return new


def ci(args: argparse.Namespace) -> int:
    """The bounded CI step: fails (1) when a sampled mutant survives that is not listed as equivalent."""
    number = head_number()
    changed = changed_modules()
    if changed:
        modules, why = changed, "changed by the last commit"
    else:
        modules = [CI_MODULES[number % len(CI_MODULES)]]
        why = "in turn (no measured module changed, or no history)"
    seed = number if args.seed is None else args.seed
    budget = args.budget or 120.0
    timeout = min(args.timeout, 60.0)
    found = [m for module in modules for m in mutants(ROOT / module)]
    order = random.Random(seed).sample(found, len(found))
    chosen = order[: args.sample] if args.sample else order
    names = ", ".join(modules)
    print(f"mutation (CI): {names} ({why}); {len(found)} mutants; seed {seed}; budget {budget:.0f} s")
    sys.stdout.flush()
    outcome, not_run = run(chosen, timeout, budget)
    new = report(", ".join(modules), outcome, not_run, equivalents(), as_toml=True)
    if outcome["timeout"]:
        print(
            f"{len(outcome['timeout'])} mutant(s) stopped at {timeout:.0f} s: counted as killed above, but a "
            "slow machine can stop a survivor too; re-run them with --only to tell"
        )
    if new:
        print(
            f"\n{len(new)} mutant(s) survived: write a test that kills each, or, if no correct test can, "
            "add its entry above to tools/mutation_equivalent.toml with the reason (and docs/testing.md).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mutation testing of one engine module: small behaviour-changing edits, each run against the fast tests.

    python -m tools.mutation scoring/engine/aggregate.py            # every mutant, one at a time
    python -m tools.mutation scoring/engine/rank.py --list          # the mutants, not run
    python -m tools.mutation scoring/engine/grade.py --only 3,17    # some mutants, e.g. to re-check them
    python -m tools.mutation scoring/engine/points.py --sample 40 --seed 1

Each mutant is one edit of the module's syntax tree inside a function body (a comparison flipped, ``+``
for ``-``, a bound of a ``clip`` or ``min/max_horizontal`` removed, a constant off by one, a rounding mode
or rank method swapped, a condition negated, ``&`` for ``|``). The package and the tests are copied once to
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
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ("tests/engine", "tests/test_exact.py", "tests/spec")
"""The fast, in-memory tests every mutant runs against (about 15 s when all pass)."""
COPY = ("scoring", "tests", "docs", "pyproject.toml")

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


@dataclass(frozen=True)
class Mutant:
    index: int
    line: int
    what: str
    source: str


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it lies inside a function body (docstrings excluded)."""

    def go(node: ast.AST, inside: bool) -> Iterator[tuple[ast.AST, bool]]:
        yield node, inside
        body_of_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for field, value in ast.iter_fields(node):
            if body_of_function and field in ("decorator_list", "returns", "args"):
                continue
            if field == "annotation":  # types change no behaviour
                continue
            if isinstance(node, ast.Compare) and field == "comparators":
                continue  # a word compared with: flipping the comparison covers it
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.AST):
                    yield from go(child, inside or (body_of_function and field == "body"))

    yield from go(tree, False)


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
    sites = []
    for pos, (node, inside) in enumerate(_walk(ast.parse(text))):
        if not inside or _is_docstring(node):
            continue
        for what, edit in _edits(node):
            sites.append((pos, what, edit, getattr(node, "lineno", 0)))
    out = []
    for i, (pos, what, edit, line) in enumerate(sites, 1):
        tree = ast.parse(text)
        node = next(n for p, (n, _) in enumerate(_walk(tree)) if p == pos)
        _apply(node, edit)
        ast.fix_missing_locations(tree)
        source = ast.unparse(tree)
        if source != ast.unparse(ast.parse(text)):
            out.append(Mutant(i, line, what, source))
    return out


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value


def run(module: str, chosen: list[Mutant], timeout: float) -> dict[str, list[Mutant]]:
    """Run the fast tests against each mutant in a copy of the project; the outcome of each."""
    outcome: dict[str, list[Mutant]] = {"killed": [], "survived": [], "timeout": []}
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        work = Path(tmp)
        for name in COPY:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, work / name)
        target = work / module
        original = target.read_text(encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *TESTS]
        for m in chosen:
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
            print(f"#{m.index:<4} line {m.line:<4} {status:<8} {time.monotonic() - start:5.1f}s  {m.what}")
            sys.stdout.flush()
    return outcome


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.splitlines()[0])
    p.add_argument("module", help="e.g. scoring/engine/aggregate.py")
    p.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    p.add_argument("--only", default="", help="comma-separated mutant numbers")
    p.add_argument("--sample", type=int, default=0, help="run a random sample of this many mutants")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=90.0, help="seconds per mutant")
    args = p.parse_args(argv)
    found = mutants(ROOT / args.module)
    chosen = found
    if args.only:
        wanted = {int(x) for x in args.only.split(",")}
        chosen = [m for m in found if m.index in wanted]
    elif args.sample:
        chosen = sorted(
            random.Random(args.seed).sample(found, min(args.sample, len(found))), key=lambda m: m.index
        )
    if args.list:
        for m in chosen:
            print(f"#{m.index:<4} line {m.line:<4} {m.what}")
        print(f"{len(chosen)} mutants")
        return 0
    outcome = run(args.module, chosen, args.timeout)
    killed, survived, timeout = (len(outcome[k]) for k in ("killed", "survived", "timeout"))
    total = killed + survived + timeout
    print(f"\n{args.module}: {total} mutants, killed {killed}, survived {survived}, timeout {timeout}")
    if total:
        print(f"score {100 * (killed + timeout) / total:.0f}% (timeouts count as killed)")
    for m in outcome["survived"]:
        print(f"  survived #{m.index} line {m.line}: {m.what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

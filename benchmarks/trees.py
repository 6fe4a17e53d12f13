"""Source trees timed in fresh processes, compiled first: a run of an installed package reads its modules'
bytecode (pip compiles it at install), but a tree made by ``git archive`` has none, and where
``PYTHONDONTWRITEBYTECODE`` is set (as on our CI machines) Python never writes it, so every run would
compile the whole package again (about 0.1 s a run) — and a tree with its bytecode (the working copy) would
look that much faster than one without (an extracted "before")."""

from __future__ import annotations

import subprocess
from pathlib import Path


def compile_tree(python: str, tree: Path) -> None:
    """Write the bytecode of ``tree``'s ``scoring`` package for the interpreter ``python``."""
    subprocess.run([python, "-m", "compileall", "-q", str(tree / "scoring")], check=True)

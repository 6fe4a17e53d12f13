"""The command line shared by the side-by-side implementations: ``--in DIR --out FILE``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def in_out_main(
    run: Callable[[str | Path, str | Path], None], prog: str, argv: list[str] | None = None
) -> None:
    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--in", dest="in_dir", required=True, help="folder written by gen.py")
    ap.add_argument("--out", required=True, help="output Parquet file")
    a = ap.parse_args(argv)
    run(a.in_dir, a.out)

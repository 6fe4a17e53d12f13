"""Rendering for the terminal: aligned tables that respect the width of Chinese characters."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence

import typer


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - width(text))
    return fill + text if right else text + fill


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = (), max_width: int = 60
) -> str:
    def cell(v: object) -> str:
        s = "" if v is None else str(v)
        s = s.replace("\n", " ")
        if width(s) > max_width:
            out = ""
            for ch in s:
                if width(out + ch) > max_width - 1:
                    break
                out += ch
            s = out + "…"
        return s

    cells = [[cell(v) for v in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for r in cells:
        lines.append("  ".join(pad(v, widths[i], i in right) for i, v in enumerate(r)).rstrip())
    return "\n".join(lines)


def error(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)


def progress(message: str) -> None:
    """A step of a long run, shown only in a terminal."""
    if sys.stderr.isatty():
        typer.echo(message, err=True)


def fmt_points(value: float | None, places: int = 2, signed: bool = False) -> str:
    """Points at the declared places, or more where the amount has more (a 0.075 deduction stays 0.075);
    ``signed``: with + on a gain."""
    if value is None:
        return "—"
    shown = places
    while shown < 6 and abs(round(value, shown) - value) > 1e-9:
        shown += 1
    return f"{value:+.{shown}f}" if signed else f"{value:.{shown}f}"

"""What the terminal shows, rendered by rich: tables to the terminal's width (long texts wrap, never cut;
numbers right-aligned; colour only on a terminal, none when piped, ``NO_COLOR`` honoured), the same tables
as CSV or JSON for Excel and scripts (``--format``), errors, and the stages of a long run on stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import threading
from collections.abc import Sequence
from enum import StrEnum
from types import TracebackType

import typer
from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod, RenderableType
from rich.containers import Lines
from rich.measure import Measurement
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

UNWRAPPED = 100_000  # the width a table is laid out in when piped: no row wraps


class Format(StrEnum):
    """How a command prints its table: for people (text), for Excel (csv) or for programs (json)."""

    text = "text"
    csv = "csv"
    json = "json"


def width(text: str) -> int:
    """The cells ``text`` takes in a terminal (a Chinese character takes two)."""
    return cell_len(text)


def pad(text: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - width(text))
    return fill + text if right else text + fill


def console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr): the terminal's width (``COLUMNS`` when set, 80 when piped), colour
    only on a terminal, none under ``NO_COLOR``; no markup or highlighting of the text it is given."""
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False)


def render(renderable: RenderableType, stderr: bool = False, unwrapped: bool = False) -> str:
    """``renderable`` as the terminal would show it, as a string (colour codes only when it is a terminal).
    ``unwrapped``: piped with no ``COLUMNS`` set, as wide as it is (one table row a line, for grep)."""
    real = console(stderr)
    buffer = io.StringIO()
    wide = unwrapped and not real.is_terminal and not os.environ.get("COLUMNS")
    out = Console(
        file=buffer,
        width=UNWRAPPED if wide else real.width,
        color_system=real.color_system,  # type: ignore[arg-type]  # the name the real console chose
        force_terminal=real.is_terminal,
        no_color=real.no_color,
        highlight=False,
        markup=False,
        emoji=False,
    )
    out.print(renderable)
    text = buffer.getvalue().rstrip("\n")
    return "\n".join(line.rstrip() for line in text.split("\n")) if wide else text


# a line may not start with closing punctuation nor end with opening punctuation (避头尾)
NO_BREAK_BEFORE = set("，。、；：？！）》」』】〉”’,.;:?!)]}%…—·～")
NO_BREAK_AFTER = set("（《「『【〈“‘([{")


def _wide(ch: str) -> bool:
    return cell_len(ch) == 2


def segments(text: str) -> list[str]:
    """``text`` cut where a line may break: after a space, and beside a Chinese character (never before
    closing punctuation, after opening punctuation, nor inside a Latin word or a number)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if not out:
            out.append(ch)
            continue
        prev = text[i - 1]
        breakable = (prev.isspace() and not ch.isspace()) or ((_wide(prev) or _wide(ch)) and not ch.isspace())
        if breakable and ch not in NO_BREAK_BEFORE and prev not in NO_BREAK_AFTER:
            out.append(ch)
        else:
            out[-1] += ch
    return out


def divide(text: str, width: int) -> list[int]:
    """Where to break ``text`` (one line) so that each piece fits ``width`` cells: at the last break
    opportunity that fits; a piece wider than the line (a long path) is folded."""
    breaks: list[int] = []
    offset = 0  # cells on the current line
    position = 0
    for piece in segments(text):
        size = cell_len(piece.rstrip())
        if offset and offset + size > width:
            breaks.append(position)
            offset = 0
        if size > width:  # fold a piece no line can hold
            start = position
            for part in chop_cells(piece, width)[:-1]:
                start += len(part)
                breaks.append(start)
            offset = cell_len(chop_cells(piece, width)[-1])
        else:
            offset += cell_len(piece)
        position += len(piece)
    return [b for b in breaks if 0 < b < len(text)]


class Wrapped(Text):
    """Text that wraps as Chinese is written: a line may break beside any Chinese character, not only at
    spaces (rich alone breaks only at spaces, and cuts or folds inside a number: 超过5 / 0%)."""

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap:
            return super().wrap(console, width, justify=justify, overflow=overflow, no_wrap=no_wrap)
        lines = Lines()
        for line in self.split(allow_blank=True):
            pieces = line.divide(divide(line.plain, width))
            for piece in pieces:
                piece.rstrip_end(width)
                piece.rstrip()
            lines.extend(pieces)
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.plain.splitlines()
        widest = max((cell_len(line) for line in lines), default=0)
        pieces = [cell_len(p.strip()) for line in lines for p in segments(line)]
        return Measurement(min(max(pieces, default=0), widest), widest)


def cell_text(value: object) -> str:
    return "" if value is None else str(value)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    right: Sequence[int] = (),
    max_width: int | None = None,
    title: str | None = None,
    err: bool = False,
) -> str:
    """A table as the terminal shows it: as wide as the terminal, long texts wrapped within their column
    (``max_width``: the widest a text column grows before it wraps), the ``right`` columns right-aligned;
    ``err``: for stderr (coloured only when stderr is a terminal). Piped with no ``COLUMNS`` set, each row
    stays on one line."""
    t = Table(
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title=title,
        title_justify="left",
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    for i, h in enumerate(headers):
        numeric = i in right
        t.add_column(
            h,
            justify="right" if numeric else "left",
            overflow="fold",
            no_wrap=numeric,
            max_width=None if numeric else max_width,
        )
    for r in rows:
        t.add_row(*(Wrapped(cell_text(v)) for v in r))
    return render(t, stderr=err, unwrapped=True)


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The table as CSV (UTF-8 with a byte-order mark, so Excel opens the Chinese text as it is)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([cell_text(v) for v in r] for r in rows)
    return "\ufeff" + buffer.getvalue()


def table_json(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The table as a JSON list of objects, one per row, keyed by the column headers."""
    records = [dict(zip(headers, (_plain(v) for v in r), strict=True)) for r in rows]
    return json.dumps(records, ensure_ascii=False, indent=2)


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, int | float | str | bool) else str(value)


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    right: Sequence[int] = (),
    fmt: Format = Format.text,
    max_width: int | None = None,
    title: str | None = None,
) -> None:
    """Print a table on stdout in the format asked for (``--format``): rich text, CSV or JSON."""
    if fmt == Format.csv:
        typer.echo(table_csv(headers, rows), nl=False)
    elif fmt == Format.json:
        typer.echo(table_json(headers, rows))
    else:
        typer.echo(table(headers, rows, right=right, max_width=max_width, title=title))


def say(message: str, fmt: Format = Format.text) -> None:
    """A line for people around a table: on stdout as text, on stderr when the table is CSV or JSON (so
    the output stays one table a program can read)."""
    typer.echo(message, err=fmt != Format.text)


def error(message: str) -> None:
    out = console(stderr=True)
    out.print(Text.assemble(("错误：", "bold red"), message), soft_wrap=True)


def fmt_points(value: float | None, places: int = 2, signed: bool = False) -> str:
    """Points at the declared places, or more where the amount has more (a 0.075 deduction stays 0.075);
    ``signed``: with + on a gain."""
    if value is None:
        return "—"
    shown = places
    while shown < 6 and abs(round(value, shown) - value) > 1e-9:
        shown += 1
    return f"{value:+.{shown}f}" if signed else f"{value:.{shown}f}"


class Stages:
    """The stages of a long run on stderr (读取 … 行, 校验, 计算, 写入工作簿 …) with the time taken: shown
    only on a terminal, and only once the run has taken ``delay`` seconds (a quick run prints nothing).
    Called with each stage's words; used as a context manager around the run."""

    def __init__(self, delay: float = 2.0) -> None:
        self.delay = delay
        self.stage = ""
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._live: Progress | None = None
        self._task = TaskID(0)
        self._console = console(stderr=True)

    def __call__(self, stage: str) -> None:
        with self._lock:
            self.stage = stage
            if self._live is not None:
                self._live.update(self._task, description=stage)

    def _show(self) -> None:
        with self._lock:
            if self._timer is None:  # stopped meanwhile
                return
            live = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = live.add_task(self.stage, total=None)
            live.start()
            self._live = live

    def __enter__(self) -> Stages:
        global _current
        _current = self
        if self._console.is_terminal and not self._console.is_dumb_terminal:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _current
        _current = None
        with self._lock:
            timer, self._timer = self._timer, None
            live, self._live = self._live, None
        if timer is not None:
            timer.cancel()
        if live is not None:
            live.stop()


_current: Stages | None = None


def progress(message: str) -> None:
    """A stage of a long run: to the run's :class:`Stages` when one is showing, else a line on a terminal."""
    if _current is not None:
        _current(message)
    elif sys.stderr.isatty():
        typer.echo(message, err=True)

"""The one way the package writes files: through a temporary file in the target's folder, moved into place
only when complete, so a reader never sees a half-written file and a failed write leaves the old one; and
a set of files (a run's workbook, results, ledger and manifest) moved into place together."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from scoring.errors import ScoringError

T = TypeVar("T")


def atomic_write(path: Path, write: Callable[[Path], T], *, make_folder: bool = False) -> T:
    """Call ``write`` on a temporary path beside ``path``, then move it to ``path``; return what ``write``
    returned. The folder must exist, unless ``make_folder`` asks for it to be made."""
    path = Path(path)
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        done = write(tmp)
        _move(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return done


def os_error_in(e: Exception) -> OSError | None:
    """The ``OSError`` a library's own exception carries as its argument, if it does: xlsxwriter raises
    ``FileCreateError(oserror)`` when its zip cannot be written (a full disk), and what writes files
    reports an ``OSError`` as the write error it is."""
    cause = e.args[0] if e.args else None
    return cause if isinstance(cause, OSError) else None


def _temporary(path: Path) -> Path:
    """A fresh temporary name beside ``path``, whose folder must exist."""
    if not path.parent.is_dir():
        raise ScoringError(f"无法写入 {path}：目录 {path.parent} 不存在")
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"


def _move(tmp: Path, final: Path) -> None:
    try:
        os.replace(tmp, final)
    except PermissionError as e:
        raise ScoringError(f"无法写入 {final}：文件可能正被 Excel 等程序打开，请关闭后重试") from e


class OutputSet:
    """Files written as one set: each to a temporary name beside its target, then all moved into place
    together, so readers see the old set or the new one, never a mix.

    ``stage(path, write)`` writes one file to its temporary name; ``commit()`` first records the moves in
    a journal beside the first file (written atomically: the commit point), then moves every file and
    removes the journal; ``discard()`` removes the temporary files. A run killed after the commit point
    leaves a journal, and :meth:`recover` (called before the next set is written to the same files)
    finishes its moves; one killed before it leaves the old set and temporary files that ``recover``
    removes. Used as a context manager, leaving by an exception (Ctrl-C included) discards."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self.staged: dict[Path, Path] = {}
        self.journal = journal_path(self.paths[0])

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()

    def stage(self, path: Path, write: Callable[[Path], T]) -> T:
        path = Path(path)
        if path not in self.paths:
            raise ValueError(f"{path} is not in this output set")
        tmp = _temporary(path)
        self.staged[path] = tmp
        try:
            return write(tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            del self.staged[path]
            raise

    def commit(self, remove: Sequence[Path] = ()) -> None:
        """Move the staged files into place; ``remove``: files of the set this time not written (an earlier
        set's file that would no longer match), removed with the moves — in the journal as a move to a
        temporary name that is then deleted, so a kill never leaves them beside the new set."""
        missing = [p for p in self.paths if p not in self.staged and p not in remove]
        if missing:
            raise ValueError(f"not staged: {missing}")
        gone = [Path(p) for p in remove if Path(p).exists()]
        moves = [[str(p), str(_temporary(p))] for p in gone]
        moves += [[str(self.staged[p]), str(p)] for p in self.paths if p in self.staged]
        text = json.dumps(moves, ensure_ascii=False)
        atomic_write(self.journal, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        _finish(moves)
        for _, tmp in moves[: len(gone)]:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        with contextlib.suppress(OSError):
            self.journal.unlink()
        self.staged.clear()

    def discard(self) -> None:
        for tmp in self.staged.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.staged.clear()

    @staticmethod
    def recover(paths: Sequence[Path]) -> bool:
        """Finish a set whose commit was interrupted (returns True if there was one), and remove the
        temporary files an interrupted set left beside these paths."""
        paths = [Path(p) for p in paths]
        journal = journal_path(paths[0])
        finished = False
        if journal.exists():
            try:
                moves = json.loads(journal.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                moves = []
            _finish([m for m in moves if Path(m[0]).exists()])
            with contextlib.suppress(OSError):
                journal.unlink()
            finished = True
        for p in paths:
            # a staged file's temporary name, and the temporary name of a writer that itself writes
            # atomically to that name (the workbook): ..r.xlsx.<token>.tmp.<token>.tmp
            strays = [*p.parent.glob(f".{p.name}.*.tmp"), *p.parent.glob(f"..{p.name}.*.tmp")]
            for stray in strays:
                with contextlib.suppress(OSError):
                    stray.unlink()
        return finished


def journal_path(first: Path) -> Path:
    return first.parent / f".{first.name}.commit.json"


def _finish(moves: Sequence[Sequence[str]]) -> None:
    for tmp, final in moves:
        _move(Path(tmp), Path(final))

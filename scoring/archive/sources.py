"""The files a run read, read again to be stored: an unreadable one is the archive's error, naming it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from scoring.archive.errors import ArchiveError
from scoring.errors import os_reason


@contextlib.contextmanager
def opened(path: Path, shown: str) -> Iterator[BinaryIO]:
    """``path`` open to read, or the archive's error naming it (``shown``) and saying nothing is recorded."""
    try:
        f = path.open("rb")
    except OSError as e:
        raise unreadable(shown, e) from None
    with f:
        yield f


def read_source(path: Path, shown: str) -> bytes:
    with opened(path, shown) as f:
        try:
            return f.read()
        except OSError as e:
            raise unreadable(shown, e) from None


def unreadable(shown: str, e: OSError) -> ArchiveError:
    return ArchiveError(f"{shown}：无法读取（{os_reason(e)}），本次运行未记录")

"""The one way the package writes a file: through a temporary file in the target's folder, moved into place
only when complete, so a reader never sees a half-written file and a failed write leaves the old one."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from scoring.errors import ScoringError

T = TypeVar("T")


def atomic_write(path: Path, write: Callable[[Path], T], *, make_folder: bool = False) -> T:
    """Call ``write`` on a temporary path beside ``path``, then move it to ``path``; return what ``write``
    returned. The folder must exist, unless ``make_folder`` asks for it to be made."""
    path = Path(path)
    folder = path.parent
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise ScoringError(f"无法写入 {path}：目录 {folder} 不存在")
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        done = write(tmp)
        try:
            os.replace(tmp, path)
        except PermissionError as e:
            raise ScoringError(f"无法写入 {path}：文件可能正被 Excel 等程序打开，请关闭后重试") from e
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return done

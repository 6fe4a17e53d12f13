"""The system's reasons a file could not be read or written, in the reader's words."""

from __future__ import annotations

import errno

import pytest

from scoring.errors import ScoringError, in_words, os_reason


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EACCES, "没有权限（文件可能正被 Excel 等程序打开，或所在文件夹不允许写入）"),
        (errno.EROFS, "所在磁盘只能读、不能写"),
        (errno.ENOENT, "文件或文件夹不存在"),
    ],
)
def test_a_known_reason_is_said_in_chinese(code: int, said: str) -> None:
    e = OSError(code, "system words", "/data/r.xlsx")
    assert os_reason(e) == said
    assert os_reason(e, with_file=True) == f"{said}：/data/r.xlsx"


def test_a_move_names_its_target_and_an_unknown_reason_keeps_the_systems_words() -> None:
    moved = OSError(errno.EACCES, "Permission denied", "/data/.r.xlsx.tmp", None, "/data/r.xlsx")
    assert os_reason(moved, with_file=True).endswith("：/data/r.xlsx")
    odd = OSError(errno.ELOOP, "Too many levels of symbolic links")
    assert os_reason(odd) == "Too many levels of symbolic links"
    assert os_reason(odd, with_file=True) == "Too many levels of symbolic links"  # no file named
    assert os_reason(OSError("bare")) == "bare"


def test_an_error_in_words_translates_only_the_systems() -> None:
    assert (
        in_words(OSError(errno.ENOSPC, "No space left on device", "/data/r.xlsx"))
        == "磁盘空间不足：/data/r.xlsx"
    )
    assert in_words(ScoringError("模板中没有单位")) == "模板中没有单位"

"""Errors people can act on: every failure names the file, the row, the column, the value and what was
expected, under a stable code such as ``A1.2|params_tiers_descending``."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Issue:
    """One validation finding."""

    file: str
    row: int | None  # the row as the user sees it in the file (header = row 1), or None for the file
    column: str | None
    value: str | None
    expected: str
    code: str  # e.g. "A1.2|points_sum"
    family: str = "content"  # "structure", "content" or "definition"
    severity: str = "error"  # "error" or "note" (a normalisation worth reporting)
    # how many findings this issue stands for: 1, or for the line that closes a check's shown issues
    # ("同类错误还有 1650 处未列出"), the number not shown, so a count of issues is the true count
    count: int = field(default=1, compare=False)

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列 {self.column}")
        return " ".join(parts)

    def __str__(self) -> str:
        value = "" if self.value is None else f"：值 “{self.value}”"
        return f"{self.location()}{value}：{self.expected} [{self.code}]"


class ScoringError(Exception):
    """Base of the package's own errors: a user's mistake, reported without a traceback."""


@dataclass
class ValidationFailed(ScoringError):
    """Raised with every failure found, never just the first."""

    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.total} 处错误")

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def total(self) -> int:
        """How many errors were found, those not listed included (see :attr:`Issue.count`)."""
        return sum(i.count for i in self.errors)

    def summary(self) -> str:
        """The count of errors as people read it: 共 1850 处错误（表中列出 201 条，…）."""
        shown, total = len(self.errors), self.total
        return f"共 {total} 处错误" + (
            f"（表中列出 {shown} 条，同类过多的只列出前若干处）" if shown < total else ""
        )

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.errors)


class InputError(ScoringError):
    """A file that cannot be read at all (missing, unreadable, wrong encoding)."""


_REASONS: dict[int, str] = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EACCES: "没有权限（文件可能正被 Excel 等程序打开，或所在文件夹不允许写入）",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在磁盘只能读、不能写",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已存在同名文件",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ENAMETOOLONG: "路径过长",
    errno.EIO: "磁盘读写出错",
    errno.EMFILE: "同时打开的文件过多",
    errno.EXDEV: "不能跨磁盘移动文件",
}
"""The system's reasons a reader meets, in Chinese (the rest keep the system's own text)."""


def os_reason(e: OSError, *, with_file: bool = False) -> str:
    """Why a file could not be read or written, in the reader's words: the system's reason in Chinese (its
    own text for one not listed in ``_REASONS``), then, when ``with_file``, the file the system names (the
    target of a move, where it names two)."""
    said = _REASONS.get(e.errno) if e.errno is not None else None
    text = said or e.strerror or str(e) or type(e).__name__
    file = e.filename2 or e.filename
    return f"{text}：{file}" if with_file and file else text


def in_words(e: Exception) -> str:
    """An error as its reader reads it: an ``OSError`` by :func:`os_reason` with the file it names, any
    other (the package's own, already in Chinese) as it says itself."""
    return os_reason(e, with_file=True) if isinstance(e, OSError) else str(e)

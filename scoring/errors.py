"""Errors people can act on: every failure names the file, the row, the column, the value and what was
expected, under a stable code such as ``A1.2|params_tiers_descending``."""

from __future__ import annotations

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

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
        super().__init__(f"{len(self.errors)} 处错误")

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.errors)


class InputError(ScoringError):
    """A file that cannot be read at all (missing, unreadable, wrong encoding)."""

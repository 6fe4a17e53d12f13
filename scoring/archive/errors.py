"""The archive's error: what it cannot do, in the reader's words."""

from __future__ import annotations

from scoring.errors import ScoringError


class ArchiveError(ScoringError):
    """The archive cannot do what was asked (a missing run, a run that cannot be rebuilt…)."""

"""From the year's plan document (工作要点) to work items, responsibilities and a draft catalogue.

Importing this package does not import polars, xlsxwriter, python-docx or openpyxl; the functions that
build DataFrames, write workbooks or read Word and Excel files import them when called.
"""

from __future__ import annotations

from .deadlines import find_deadlines, find_durations, find_recurrences
from .extract import (
    COLUMNS,
    Plan,
    PlanItem,
    PlanWarning,
    item_rows,
    items_frame,
    parse_plan,
    plan_from_tables,
    read_plan,
)
from .matrix import responsibilities_frame, responsibility_matrix, write_matrix
from .model import Unplaced, report_lines
from .output import OutputError, write_items
from .roster import Roster, read_roster
from .skeleton import Skeleton, build_skeleton, write_skeleton
from .units import Units, expand_elided, find_note, parse_note, unit_class

__all__ = [
    "COLUMNS",
    "OutputError",
    "Plan",
    "PlanItem",
    "PlanWarning",
    "Roster",
    "Skeleton",
    "Units",
    "Unplaced",
    "build_skeleton",
    "expand_elided",
    "find_deadlines",
    "find_durations",
    "find_note",
    "find_recurrences",
    "item_rows",
    "items_frame",
    "parse_note",
    "parse_plan",
    "plan_from_tables",
    "read_plan",
    "read_roster",
    "report_lines",
    "responsibilities_frame",
    "responsibility_matrix",
    "unit_class",
    "write_items",
    "write_matrix",
    "write_skeleton",
]

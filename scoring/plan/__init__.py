"""From the year's plan document (工作要点) to work items, responsibilities and a draft catalogue.

Importing this package does not import polars or xlsxwriter; the functions that build DataFrames or
write workbooks import them when called.
"""

from __future__ import annotations

from .deadlines import find_deadlines
from .extract import COLUMNS, Plan, PlanItem, PlanWarning, item_rows, items_frame, parse_plan, read_plan
from .matrix import responsibilities_frame, responsibility_matrix, write_matrix
from .output import OutputError, write_items
from .skeleton import Skeleton, build_skeleton, write_skeleton
from .units import Units, find_note, parse_note, unit_class

__all__ = [
    "COLUMNS",
    "OutputError",
    "Plan",
    "PlanItem",
    "PlanWarning",
    "Skeleton",
    "Units",
    "build_skeleton",
    "find_deadlines",
    "find_note",
    "item_rows",
    "items_frame",
    "parse_note",
    "parse_plan",
    "read_plan",
    "responsibilities_frame",
    "responsibility_matrix",
    "unit_class",
    "write_items",
    "write_matrix",
    "write_skeleton",
]

"""Excel templates for assessors: written from the catalogue and the roster, filled by hand, read back
into the long-form inputs (unit, indicator, key, value, note, evidence) that validation normalises.

The reading side lives here: :mod:`.layout` holds what the writer and the reader share (sheet names,
input columns, the ``_meta`` sheet and its checksum, cell references), :mod:`.book` opens a workbook
with openpyxl (cells by address, formulas and their saved results, merged ranges), :mod:`.coerce`
turns a cell into an input value and :mod:`.read` reads a filled template.
The writer is :mod:`scoring.output.template`.
"""

from __future__ import annotations

from scoring.reading.template.read import is_template, read_template

__all__ = ["is_template", "read_template"]

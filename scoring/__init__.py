"""Scoring engine for annual open-government (政务公开) assessments.

The public API: load and validate a year, compute its results, and write the ranked workbook. The names
are declared once, in ``__init__.pyi``; each is imported on first use, so ``score --help`` loads no polars.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)

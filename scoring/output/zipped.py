"""The workbook's parts zipped at deflate level 1 instead of xlsxwriter's fixed level 6.

An xlsx file is a zip of XML parts. xlsxwriter zips them at zlib's default level (6) and has no setting
for it: at 100 000 units that is 1.0 s of the run for 66 MB of XML. Level 1 takes 0.21 s and the file is
a third larger (10.5 MB instead of 7.9); a deflate stream is read the same at any level. The parts
themselves, their names, order and dates are xlsxwriter's, unchanged.

xlsxwriter's ``Workbook._store_workbook`` prepares the book, has the packager write each part to a file
and then zips the files. :class:`Packager` hands xlsxwriter no files to zip (so its zip, written to a
buffer, is empty) and keeps them; :func:`store` zips them as xlsxwriter does, at level 1.
"""

from __future__ import annotations

import contextlib
import os
import time
import zipfile
from collections.abc import Sequence
from typing import Any

from scoring.output.strings import Packager as StringsPackager

__all__ = ["LEVEL", "Packager", "store"]

LEVEL = 1
"""zlib's fastest level: four to five times faster than xlsxwriter's 6 on our sheets, a third larger."""

Part = tuple[str, str, bool]  # (the file written, its name in the package, binary)


class Packager(StringsPackager):
    """xlsxwriter's packager (with the shared strings in one pass) that keeps the part files it wrote for
    :func:`store` instead of handing them to xlsxwriter's zip. Files only: not for the ``in_memory``
    option, whose parts are buffers."""

    parts: list[Part]

    def _create_package(self) -> list[Part]:
        self.parts = list(super()._create_package())
        return []


def store(parts: Sequence[Part], target: Any, *, allow_zip64: bool) -> None:
    """Zip the part files into ``target`` (a path or a binary file) at :data:`LEVEL` as xlsxwriter zips
    them: in order, each file dated 31 January 1980. Every part file is removed, whatever happens."""
    try:
        with zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL, allowZip64=allow_zip64
        ) as z:
            stamp = time.mktime((1980, 1, 31, 0, 0, 0, 0, 0, -1))
            for source, name, _ in parts:
                os.utime(source, (stamp, stamp))
                z.write(source, name)
                os.remove(source)
    finally:
        for source, _, _ in parts:
            with contextlib.suppress(FileNotFoundError):
                os.remove(source)

"""The book's shared string table written by polars instead of string by string.

Every text cell of an xlsx file points into one table of distinct strings (``xl/sharedStrings.xml``). A
ranking of 100 000 units has 110 000 of them, and xlsxwriter writes each through three regular expressions
and a few method calls: half a second at 100k units, five at a million. :class:`Packager` writes the same
bytes with one polars expression over the whole table; a string that needs more than escaping ``& < >``
(a control character, a literal ``_xHHHH_``, whitespace at either end, a rich string) is written by
xlsxwriter's own code, so the file is the one xlsxwriter would write, byte for byte.
"""

from __future__ import annotations

import io
from typing import TextIO

import polars as pl
from xlsxwriter.packager import Packager as XlsxPackager
from xlsxwriter.sharedstrings import SharedStrings as XlsxSharedStrings

__all__ = ["Packager"]

# Python's ``\s`` (xlsxwriter's test for whitespace to keep) is Unicode's White_Space, as the Rust regex's
# ``\s`` is, and \x1c-\x1f besides: control characters, special anyway
_SPECIAL = (
    r"[\x00-\x1f]"  # control characters (escaped as _xHHHH_), and tab and newline (whitespace)
    r"|_x[0-9a-fA-F]{4}_"  # a literal escape, itself escaped
    r"|^\s|\s$"  # kept with xml:space="preserve"
    r"|^<r>"  # a rich string, written as it is
)


class _SharedStrings(XlsxSharedStrings):  # type: ignore[misc]
    fh: TextIO  # set by _set_xml_writer

    def _write_sst_strings(self) -> None:
        strings = pl.Series("s", self.string_table.string_array, dtype=pl.String)
        if strings.is_empty():
            return
        special = strings.str.contains(_SPECIAL)
        plain = (
            pl.lit("<si><t>")
            + pl.col("s")
            .str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
            + pl.lit("</t></si>")
        )
        frame = pl.DataFrame({"s": strings, "special": special})
        xml = frame.select(pl.when(pl.col("special")).then(None).otherwise(plain).alias("xml"))["xml"]
        at = special.arg_true().to_list()
        if at:  # xlsxwriter's own code, each into a buffer of its own
            own: list[str] = []
            fh = self.fh
            try:
                for i in at:
                    buffer = io.StringIO()
                    self.fh = buffer
                    self._write_si(strings[i])
                    own.append(buffer.getvalue())
            finally:
                self.fh = fh
            xml = xml.scatter(at, own)
        self.fh.write(xml.str.join("").item())


class Packager(XlsxPackager):  # type: ignore[misc]
    """xlsxwriter's packager, writing the shared string table in one pass (see the module)."""

    def _write_shared_strings_file(self) -> None:
        sst = _SharedStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()

"""Reading files: CSV in UTF-8, UTF-8 with BOM or GB18030 (what Excel saves on Chinese Windows), Excel
workbooks and Parquet; TOML settings. I/O lives here and nowhere in the scoring core."""

from __future__ import annotations

import hashlib
import io
import re
import tomllib
from pathlib import Path
from typing import Any

import polars as pl

from scoring.errors import InputError, os_reason

ENCODINGS = ("utf-8-sig", "gb18030")
WESTERN = ("cp1252", "latin_1")
"""The single-byte encodings a file that is not UTF-8 is compared with before it is read as GB18030."""
TOKEN = re.compile(
    r'(?P<quoted>"(?:[^"]|"")*")|(?P<text>[^,"\r\n]+)|(?P<comma>,)|(?P<end>\r\n|\n|\r)|(?P<quote>")'
)
"""The tokens of CSV text: a quoted field (which may span lines), unquoted text, a comma, a line end, and a
quote that is neither (a stray quote, or one that is never closed)."""
MAX_CSV_PROBLEMS = 5


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Text of a file in one of the accepted encodings, and which; a clear error otherwise. Bytes that
    are not UTF-8 are read as GB18030 only when they read better so than as a Western single-byte
    encoding (charset-normalizer's measure of mess): a Latin-1 file decodes as GB18030 too, as mojibake
    (“Contr鬺e par H閘鑞e”), and is refused rather than read so."""
    if not data.strip():
        raise InputError(f"{name}：文件为空")
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        if enc == "gb18030":
            western = western_encoding(data)
            if western is not None:
                raise InputError(
                    f"{name}：文件编码不是 UTF-8 或 GB18030，按 GB18030 读出的是乱码"
                    f"（如“{mojibake(text)}”），应是按西文编码（{western}）保存的；"
                    "请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”"
                )
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    guess = None if b"\x00" in data else western_encoding(data)
    seems = f"（应是按西文编码 {guess} 保存的）" if guess else ""
    raise InputError(
        f"{name}：无法识别的文件编码{seems}，请另存为 UTF-8 或 GB18030（Excel 的“CSV (逗号分隔)”）"
    )


def western_encoding(data: bytes) -> str | None:
    """The Western single-byte encoding ``data`` reads better in than in GB18030 (less mess, as
    charset-normalizer measures it), or None: GB18030 wins a tie (short Chinese text may read as cleanly
    either way)."""
    from charset_normalizer import from_bytes

    # measured on the lines that are not ASCII (at most 200): in a long file of codes and digits a few
    # accented words would be lost in charset-normalizer's samples
    sample = b"\n".join([x for x in data.splitlines() if not x.isascii()][:200])
    mess = {m.encoding: m.chaos for m in from_bytes(sample, cp_isolation=["gb18030", *WESTERN])}
    western = sorted((c, e) for e, c in mess.items() if e in WESTERN)
    if not western:
        return None
    gb = mess.get("gb18030")
    return western[0][1] if gb is None or gb > western[0][0] else None


def mojibake(text: str) -> str:
    """The first line with non-ASCII text, shortened: what the reader would have seen."""
    line = next((x.strip() for x in text.splitlines() if not x.isascii()), "")
    return line if len(line) <= 40 else line[:40] + "…"


def csv_problems(text: str) -> list[str]:
    """Where CSV text breaks the format, as people see it (the header is row 1, a quoted field may span
    lines): a row with more fields than the header, a quote that is never closed, text after a closing
    quote, a quote inside an unquoted field. Read only when the CSV reader refused the file."""
    out: list[str] = []
    row, line, fields, width = 1, 1, 1, 0
    field_start, after_quote = True, False
    start_row, start_line = 1, 1  # where the current row began

    def extra(fields: int, width: int) -> str:
        more = fields - width
        return f"有 {fields} 个字段，比表头的 {width} 列多 {more} 个：多了逗号？含逗号的内容应加英文双引号"

    def say(what: str) -> None:
        where = f"第{start_row}行" + (f"（文件第{start_line}行）" if start_line != start_row else "")
        out.append(f"{where}{what}")

    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "quoted":
            if not field_start:
                say(f'第{fields}列中间有英文双引号：含引号的内容应整体加引号，内容中的引号写成两个（""）')
            line += m.group().count("\n") + m.group().count("\r") - m.group().count("\r\n")
            field_start, after_quote = False, True
        elif kind == "text":
            if after_quote and m.group().strip():
                say(f"第{fields}列的结束引号后还有内容“{m.group()[:20]}”：含引号的内容应整体加引号")
            field_start = False
        elif kind == "comma":
            fields += 1
            field_start, after_quote = True, False
        elif kind == "end":
            if row == 1:
                width = fields
            elif fields > width:
                say(extra(fields, width))
            row, line, fields = row + 1, line + 1, 1
            start_row, start_line = row, line
            field_start, after_quote = True, False
        elif field_start:  # a quote that opens a field and is never closed
            say(f"第{fields}列以英文双引号开头，但直到文件末尾都没有配对的结束引号")
            break
        else:
            say(f'第{fields}列中间有英文双引号：含引号的内容应整体加引号，内容中的引号写成两个（""）')
            field_start = False
    else:
        if row > 1 and fields > width and text and text[-1] not in "\r\n":
            say(extra(fields, width))
    return out


def read_text(path: Path, display: str) -> tuple[str, str]:
    """A text file's contents and the encoding they were read in (see :func:`decode_text`)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{display}：无法读取（{os_reason(e)}）") from e
    return decode_text(data, display)


def read_csv_text(path: Path, display: str) -> tuple[pl.DataFrame, str]:
    """A small CSV (catalogue, roster, inputs) as all-string columns, with the row number people see."""
    text, encoding = read_text(path, display)
    try:
        df = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as e:
        problems = csv_problems(text)
        if not problems:
            raise InputError(
                f"{display}：不是有效的 CSV 文件（引号或分隔符有误），请用 Excel 打开检查后另存为 CSV"
            ) from e
        more = f"；另有 {len(problems) - MAX_CSV_PROBLEMS} 处" if len(problems) > MAX_CSV_PROBLEMS else ""
        raise InputError(
            f"{display}：不是有效的 CSV 文件：{'；'.join(problems[:MAX_CSV_PROBLEMS])}{more}"
        ) from e
    if df.width == 0 or not df.columns:
        raise InputError(f"{display}：文件没有表头")
    df = df.rename({c: c.strip() for c in df.columns})
    df = df.with_columns(pl.col(c).str.strip_chars() for c in df.columns)
    return df.with_row_index("__row__", offset=2).rechunk(), encoding  # one chunk: see read_table


def read_table(path: Path, display: str, numbers: bool = False) -> tuple[pl.DataFrame, str | None]:
    """A table file by its suffix: .csv, .xlsx or .parquet, all columns as text, with row numbers;
    ``numbers``: an assessors' Parquet file, its columns of numbers kept as numbers (its values are read
    as numbers anyway, and as text each took several times the memory and a cast each way) and its texts
    as Categorical (each distinct text once: a unit's code repeats on each of its rows; 4 bytes a row
    where text takes 16)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{display}：文件不存在")
    if suffix == ".csv":
        return read_csv_text(path, display)
    if suffix == ".parquet":
        try:
            rows = pl.scan_parquet(path)
            texts = [
                pl.col(c).cast(pl.String)
                for c, t in rows.collect_schema().items()
                if not (numbers and t.is_numeric())
            ]
            df = (
                rows.with_columns(t.cast(pl.Categorical) if numbers else t for t in texts)
                .with_row_index("__row__", offset=2)
                .collect(engine="streaming")
            )
        except (pl.exceptions.PolarsError, OSError) as e:
            why = os_reason(e) if isinstance(e, OSError) else str(e).splitlines()[0]
            raise InputError(f"{display}：无法读取 Parquet 文件（{why}）") from e
        # one chunk per column (a file's row groups are chunks): adding a column to a frame of many chunks
        # copies every column into one, and the copy would sit beside the file as read while it is checked.
        # Column by column, so that only one column is ever held twice
        return pl.DataFrame([df.drop_in_place(c).rechunk() for c in list(df.columns)]), None
    if suffix in (".xlsx", ".xlsm"):
        try:
            df = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        except Exception as e:  # fastexcel raises its own exception types
            raise InputError(f"{display}：无法读取 Excel 文件（{str(e).splitlines()[0]}）") from e
        df = df.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in df.columns)
        return df.with_row_index("__row__", offset=2).rechunk(), None
    raise InputError(f"{display}：不支持的文件类型 {suffix}（应为 .csv、.xlsx 或 .parquet）")


def read_toml(path: Path, display: str) -> dict[str, Any]:
    text, _ = read_text(path, display)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{display}：TOML 格式错误（{e}）") from e


def short_path(path: str) -> str:
    """A file as people can find it: relative to the working folder, or its last three parts."""
    p = Path(path)
    if not p.is_absolute():
        return path
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(Path(*p.parts[-3:])) if len(p.parts) > 3 else path

"""Reading files: CSV in UTF-8, UTF-8 with BOM or GB18030 (what Excel saves on Chinese Windows), Excel
workbooks and Parquet; TOML settings. I/O lives here and nowhere in the scoring core."""

from __future__ import annotations

import hashlib
import io
import tomllib
from pathlib import Path
from typing import Any

import polars as pl

from scoring.errors import InputError

ENCODINGS = ("utf-8-sig", "gb18030")




def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Text of a file in one of the accepted encodings, and which; a clear error otherwise."""
    if not data.strip():
        raise InputError(f"{name}：文件为空")
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    raise InputError(f"{name}：无法识别的文件编码，请另存为 UTF-8 或 GB18030（Excel 的“CSV (逗号分隔)”）")


def read_text(path: Path, display: str) -> tuple[str, str]:
    """A text file's contents and the encoding they were read in (see :func:`decode_text`)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{display}：无法读取（{e.strerror}）") from e
    return decode_text(data, display)


def read_csv_text(path: Path, display: str) -> tuple[pl.DataFrame, str]:
    """A small CSV (catalogue, roster, inputs) as all-string columns, with the row number people see."""
    text, encoding = read_text(path, display)
    try:
        df = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as e:
        raise InputError(f"{display}：不是有效的 CSV 文件（{str(e).splitlines()[0]}）") from e
    if df.width == 0 or not df.columns:
        raise InputError(f"{display}：文件没有表头")
    df = df.rename({c: c.strip() for c in df.columns})
    df = df.with_columns(pl.col(c).str.strip_chars() for c in df.columns)
    return df.with_row_index("__row__", offset=2), encoding


def read_table(path: Path, display: str) -> tuple[pl.DataFrame, str | None]:
    """A table file by its suffix: .csv, .xlsx or .parquet, all columns as text, with row numbers."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{display}：文件不存在")
    if suffix == ".csv":
        return read_csv_text(path, display)
    if suffix == ".parquet":
        try:
            df = pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as e:
            raise InputError(f"{display}：无法读取 Parquet 文件（{str(e).splitlines()[0]}）") from e
        df = df.with_columns(pl.col(c).cast(pl.String) for c in df.columns)
        return df.with_row_index("__row__", offset=2), None
    if suffix in (".xlsx", ".xlsm"):
        try:
            df = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        except Exception as e:  # fastexcel raises its own exception types
            raise InputError(f"{display}：无法读取 Excel 文件（{str(e).splitlines()[0]}）") from e
        df = df.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in df.columns)
        return df.with_row_index("__row__", offset=2), None
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

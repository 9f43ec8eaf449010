"""Streaming readers for CSV, JSON Lines, JSON, Excel and Parquet files.

Every reader yields :class:`RawBatch` objects: string cells by column plus the spreadsheet row
number of each record (the header is row 1), and the rows it could not read at all (ragged CSV
lines, bytes that are not text in the file's encoding) with the reason. Nothing is dropped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from klarsyn.collect import csvscan
from klarsyn.collect.csvscan import Positions
from klarsyn.errors import InputError

csv.field_size_limit(2**31 - 1)

SNIFF_BYTES = 256 * 1024
DELIMITERS = ",;\t|"


@dataclass
class Unreadable:
    """A row the reader could not turn into cells, kept with its raw content."""

    row_number: int
    reason: str
    raw: dict[str, Any]


class RawBatch:
    """Up to ``batch_size`` records as columns of strings (``None`` for an empty cell).

    A reader either fills ``columns`` (a list of cells per column) or hands over the same cells
    as ``frame``, a Polars frame of string columns (the CSV reader), which then takes precedence;
    ``columns`` is built from it only when asked for. ``row_numbers`` holds each record's row
    number either way, and ``unreadable`` the rows that could not be split into cells.
    """

    def __init__(
        self,
        row_numbers: list[int] | None = None,
        columns: dict[str, list[str | None]] | None = None,
        unreadable: list[Unreadable] | None = None,
        frame: pl.DataFrame | None = None,
    ) -> None:
        self.row_numbers = row_numbers if row_numbers is not None else []
        self.unreadable = unreadable if unreadable is not None else []
        self.frame = frame
        self._columns = columns

    @property
    def columns(self) -> dict[str, list[str | None]]:
        if self._columns is None:
            frame = self.frame
            self._columns = {} if frame is None else {c: frame[c].to_list() for c in frame.columns}
        return self._columns

    def __len__(self) -> int:
        return len(self.row_numbers)

    def to_frame(self, names: list[str]) -> pl.DataFrame:
        """The cells of the columns ``names`` as string columns (nulls for a column not read)."""
        if self.frame is not None:
            have = set(self.frame.columns)
            return self.frame.select(
                pl.col(n) if n in have else pl.lit(None, pl.String).alias(n) for n in names
            )
        missing = [None] * len(self)
        return pl.DataFrame(
            {n: self.columns.get(n, missing) for n in names}, schema=dict.fromkeys(names, pl.String)
        )


@dataclass
class Table:
    """An opened input file: its columns and a generator of batches."""

    path: Path
    columns: list[str]
    batches: Iterator[RawBatch]
    size: int
    position: Callable[[], int]  # how far into ``size`` the reader has come
    encoding: str | None = None
    delimiter: str | None = None

    def close(self) -> None:
        """Stop reading and release the file, also when the batches were never read to the end."""
        close = getattr(self.batches, "close", None)
        if close is not None:
            close()


def open_table(
    path: Path,
    *,
    batch_size: int = 50_000,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open ``path`` by its suffix: .csv/.tsv/.txt, .jsonl/.ndjson, .json, .xlsx, .parquet."""
    if not path.is_file():
        raise InputError(f"file {str(path)!r} does not exist", hint="check the path")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return _open_csv(path, batch_size=batch_size, encoding=encoding, delimiter=delimiter)
    if suffix in {".jsonl", ".ndjson"}:
        return _open_json_lines(path, batch_size=batch_size)
    if suffix == ".json":
        return _open_json(path, batch_size=batch_size)
    if suffix in {".xlsx", ".xlsm"}:
        from klarsyn.collect.excel import open_workbook

        return open_workbook(path, batch_size=batch_size, sheet=sheet)
    if suffix == ".parquet":
        return _open_parquet(path, batch_size=batch_size)
    raise InputError(
        f"file {path.name!r} has the suffix {suffix!r}, which Klarsyn cannot read",
        hint="use .csv, .tsv, .jsonl, .json, .xlsx or .parquet",
    )


def detect_encoding(sample: bytes) -> str:
    """Guess the encoding of a text file from its first bytes.

    UTF-8 (with or without BOM) when the sample decodes as UTF-8 or holds valid multi-byte UTF-8
    sequences among a few broken bytes (those rows are then quarantined); otherwise cp1252, the
    encoding of Nordic Excel exports, which is a superset of latin-1 for printable text.
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    text = sample.decode("utf-8", errors="surrogateescape")
    broken = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if broken == 0:
        return "utf-8"
    valid_multibyte = sum(1 for ch in text if ord(ch) > 127 and not "\udc80" <= ch <= "\udcff")
    # A cut at the end of the sample can split one character; that is not evidence of cp1252.
    return "utf-8" if valid_multibyte > broken else "cp1252"


def _position(raw: BinaryIO) -> Callable[[], int]:
    size = os.fstat(raw.fileno()).st_size
    return lambda: size if raw.closed else raw.tell()


def _sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        counts = {d: first_line.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _has_surrogates(cells: list[str]) -> bool:
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escaped(cell: str) -> str:
    return cell.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _open_csv(path: Path, *, batch_size: int, encoding: str | None, delimiter: str | None) -> Table:
    raw: BinaryIO = path.open("rb")
    sample = raw.read(SNIFF_BYTES)
    raw.seek(0)
    chosen = encoding or detect_encoding(sample)
    sample_text = sample.decode(chosen, errors="replace")
    if sample_text.startswith("\ufeff"):
        sample_text = sample_text[1:]
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(sample_text))
    source = _CsvSource(raw, chosen, sep)
    try:
        header, start = source.header()
    except StopIteration:
        raw.close()
        raise InputError(
            f"file {path.name!r} is empty", hint="export it again with a header row"
        ) from None
    columns = [_escaped(name).strip().lstrip("\ufeff") for name in header]
    _check_header(path, columns)

    def batches() -> Iterator[RawBatch]:
        try:
            yield from _rebatch(source.pieces(start, columns, batch_size), batch_size)
        finally:
            raw.close()

    return Table(path, columns, batches(), path.stat().st_size, _position(raw), chosen, sep)


#: Bytes read at a time on the fast path; chunks end on record boundaries.
CHUNK_BYTES = 16 * 1024 * 1024
#: Encodings in which a delimiter, quote or line break byte is always that character.
_BYTE_TRANSPARENT = {"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "iso8859-15"}


@dataclass
class _Piece:
    """Consecutive records read in one go: the good ones as a frame, and the unreadable ones."""

    frame: pl.DataFrame
    row_numbers: list[int]
    unreadable: list[Unreadable]
    last_row: int  # the row number of the last record read, good, unreadable or blank


class _CsvSource:
    """A CSV file read in record-aligned byte chunks: plain ones by Polars, others by ``csv``.

    ``csvscan`` explains when a chunk counts as plain. A chunk that is not (a ragged row, bytes
    that are not text, a blank line) is read with the ``csv`` module; once quoting is irregular,
    so is the rest of the file, because chunk boundaries then cannot be trusted.
    """

    def __init__(self, raw: BinaryIO, encoding: str, sep: str) -> None:
        self.raw = raw
        self.encoding = encoding
        self.sep = sep
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            codec = ""  # the csv path raises the error, as before
        self.utf8 = codec in {"utf-8", "utf-8-sig"}
        # Past the first bytes a BOM is a character like any other, as the stream decoder has it.
        self.text_encoding = "utf-8" if codec == "utf-8-sig" else encoding
        self.fast = (
            codec in _BYTE_TRANSPARENT and len(sep) == 1 and sep.isascii() and sep not in '"\r\n'
        )

    def header(self) -> tuple[list[str], int]:
        """The header's cells and the byte offset where the records start (-1: unknown).

        Raises:
            StopIteration: the file holds nothing.
        """
        if self.fast:
            data = self.raw.read(CHUNK_BYTES)
            quotes = csvscan.quote_positions(data)
            end = csvscan.first_record_end(data, quotes)
            if end is not None and csvscan.quoting_is_plain(
                data[:end], quotes[quotes < end], sep=ord(self.sep)
            ):
                text = data[:end].decode(self.encoding, errors="surrogateescape")
                records = list(csv.reader(io.StringIO(text, newline=""), delimiter=self.sep))
                if len(records) == 1 and len(records[0]) > 1:
                    return records[0], end
        self.fast = False
        self.raw.seek(0)
        self._reader = csv.reader(self._text(self.encoding), delimiter=self.sep)
        return next(self._reader), -1

    def _text(self, encoding: str) -> io.TextIOWrapper:
        # Undecodable bytes become surrogates, so the row they are in can be quarantined.
        return io.TextIOWrapper(self.raw, encoding=encoding, errors="surrogateescape", newline="")

    def pieces(self, start: int, columns: list[str], batch_size: int) -> Iterator[_Piece]:
        """The records after the header, in pieces of at most about ``batch_size`` rows."""
        if not self.fast:
            yield from _csv_rows(self._reader, 1, columns, self.encoding, limit=batch_size)
            return
        row, offset, pending = 1, start, b""
        self.raw.seek(start)
        while True:
            block = self.raw.read(CHUNK_BYTES)
            data = pending + block if pending else block
            quotes = csvscan.quote_positions(data)
            end = len(data) if not block else csvscan.record_end(data, quotes)
            if end is None:  # a record longer than the data so far
                pending = data
                continue
            chunk, pending = data[:end], data[end:]
            quotes = quotes[: int(np.searchsorted(quotes, end))]
            if chunk and not csvscan.quoting_is_plain(chunk, quotes, sep=ord(self.sep)):
                # The csv module reads on from here, as it would have from the start.
                self.raw.seek(offset)
                reader = csv.reader(self._text(self.text_encoding), delimiter=self.sep)
                yield from _csv_rows(reader, row, columns, self.encoding, limit=batch_size)
                return
            if chunk:
                piece = self._piece(chunk, quotes, row, columns)
                row = piece.last_row
                offset += len(chunk)
                yield piece
            if not block:
                return

    def _piece(self, chunk: bytes, quotes: Positions, row: int, columns: list[str]) -> _Piece:
        data: bytes | None = chunk
        if not self.utf8:  # Polars reads UTF-8 only
            try:
                data = chunk.decode(self.encoding, errors="surrogateescape").encode("utf-8")
                quotes = csvscan.quote_positions(data)
            except UnicodeEncodeError:
                data = None  # bytes that are not text in this encoding
        frame = None
        if data is not None:
            shape = csvscan.scan(data, quotes, sep=ord(self.sep), width=len(columns))
            if shape is not None:
                frame = csvscan.parse(data, shape, columns=columns, sep=self.sep)
        if frame is not None:
            last = row + frame.height
            return _Piece(frame, list(range(row + 1, last + 1)), [], last)
        text = chunk.decode(self.text_encoding, errors="surrogateescape")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.sep)
        return next(_csv_rows(reader, row, columns, self.encoding, limit=None))


def _csv_rows(
    reader: Iterator[list[str]], row: int, columns: list[str], encoding: str, *, limit: int | None
) -> Iterator[_Piece]:
    """Read records with the ``csv`` module, after row number ``row``, in pieces of ``limit``."""
    width = len(columns)
    good: list[list[str]] = []
    numbers: list[int] = []
    unreadable: list[Unreadable] = []
    for cells in reader:
        row += 1
        if not cells or cells == [""]:
            continue
        if len(cells) != width or _has_surrogates(cells):
            unreadable.append(_unreadable_row(row, cells, columns, encoding))
            continue
        good.append(cells)
        numbers.append(row)
        if limit is not None and len(good) >= limit:
            yield _Piece(_frame_of(good, columns), numbers, unreadable, row)
            good, numbers, unreadable = [], [], []
    yield _Piece(_frame_of(good, columns), numbers, unreadable, row)


def _frame_of(rows: list[list[str]], columns: list[str]) -> pl.DataFrame:
    cells = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame = pl.DataFrame(
        [
            pl.Series(name, values, dtype=pl.String)
            for name, values in zip(columns, cells, strict=True)
        ]
    )
    return csvscan.nulls_for_empty(frame)


def _rebatch(pieces: Iterator[_Piece], batch_size: int) -> Iterator[RawBatch]:
    """Regroup pieces into batches of ``batch_size`` good rows (the last one may hold fewer)."""
    frames: list[pl.DataFrame] = []
    numbers: list[int] = []
    unreadable: list[Unreadable] = []
    for piece in pieces:
        frames.append(piece.frame)
        numbers.extend(piece.row_numbers)
        unreadable.extend(piece.unreadable)
        while len(numbers) >= batch_size:
            frame = pl.concat(frames) if len(frames) > 1 else frames[0]
            yield RawBatch(numbers[:batch_size], None, unreadable, frame.slice(0, batch_size))
            frames, numbers, unreadable = [frame.slice(batch_size)], numbers[batch_size:], []
    if numbers or unreadable:
        frame = pl.concat(frames) if len(frames) > 1 else frames[0]
        yield RawBatch(numbers, None, unreadable, frame)


def _unreadable_row(
    row_number: int, cells: list[str], columns: list[str], encoding: str
) -> Unreadable:
    if len(cells) != len(columns):
        reason = f"row has {len(cells)} fields but the header has {len(columns)}"
        return Unreadable(row_number, reason, {"cells": [_escaped(c) for c in cells]})
    bad = [name for name, c in zip(columns, cells, strict=True) if _has_surrogates([c])]
    reason = f"bytes that are not valid {encoding} text in column {', '.join(bad)}"
    raw = {name: _escaped(c) for name, c in zip(columns, cells, strict=True) if c != ""}
    return Unreadable(row_number, reason, raw)


def _check_header(path: Path, columns: list[str]) -> None:
    blank = [i + 1 for i, name in enumerate(columns) if not name]
    if blank:
        raise InputError(
            f"file {path.name!r} has a header with empty column names at positions {blank}",
            hint="name every column in the header row",
        )
    seen: set[str] = set()
    repeated = sorted({name for name in columns if name in seen or seen.add(name)})  # type: ignore[func-returns-value]
    if repeated:
        raise InputError(
            f"file {path.name!r} repeats the column names {repeated}",
            hint="give every column a unique name",
        )


def _empty_batch(columns: list[str]) -> RawBatch:
    return RawBatch(columns={name: [] for name in columns})


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def records_to_batches(
    records: Iterator[tuple[int, Any]], *, batch_size: int, columns: list[str]
) -> Iterator[RawBatch]:
    """Batch ``(row_number, record)`` pairs; a record that is not an object is unreadable."""
    batch = RawBatch()
    for row_number, record in records:
        if isinstance(record, Unreadable):
            batch.unreadable.append(record)
            continue
        if not isinstance(record, dict):
            batch.unreadable.append(
                Unreadable(row_number, "record is not a JSON object", {"value": record})
            )
            continue
        n = len(batch)
        for key in record:
            if key not in batch.columns:
                batch.columns[key] = [None] * n
                if key not in columns:
                    columns.append(key)
        for key, values in batch.columns.items():
            values.append(_cell(record.get(key)))
        batch.row_numbers.append(row_number)
        if len(batch) >= batch_size:
            yield batch
            batch = RawBatch()
    if len(batch) or batch.unreadable:
        yield batch


def _open_json_lines(path: Path, *, batch_size: int) -> Table:
    raw = path.open("rb")

    def records() -> Iterator[tuple[int, Any]]:
        try:
            for line_number, line in enumerate(raw, start=1):
                if not line.strip():
                    continue
                try:
                    yield line_number, json.loads(line.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    text = line.decode("utf-8", "backslashreplace").rstrip("\r\n")
                    yield (
                        line_number,
                        Unreadable(line_number, f"not valid JSON: {exc}", {"line": text}),
                    )
        finally:
            raw.close()

    columns: list[str] = []
    batches = records_to_batches(records(), batch_size=batch_size, columns=columns)
    return Table(path, columns, batches, path.stat().st_size, _position(raw), "utf-8")


def _open_json(path: Path, *, batch_size: int) -> Table:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"file {path.name!r} is not valid JSON: {exc}",
            hint="a .json file must hold one array of objects; use .jsonl for one object a line",
        ) from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"file {path.name!r} holds a JSON {type(data).__name__}, not an array")
    columns: list[str] = []
    position = {"at": 0}

    def records() -> Iterator[tuple[int, Any]]:
        for index, record in enumerate(data, start=1):
            position["at"] = index
            yield index, record

    batches = records_to_batches(records(), batch_size=batch_size, columns=columns)
    return Table(path, columns, batches, len(data), lambda: position["at"], "utf-8")


def _open_parquet(path: Path, *, batch_size: int) -> Table:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    columns = list(parquet.schema_arrow.names)
    position = {"at": 0}

    def batches() -> Iterator[RawBatch]:
        row_number = 1
        for record_batch in parquet.iter_batches(batch_size=batch_size):
            pydict = record_batch.to_pydict()
            n = record_batch.num_rows
            batch = RawBatch(
                row_numbers=list(range(row_number + 1, row_number + 1 + n)),
                columns={name: [_cell(v) for v in pydict[name]] for name in columns},
            )
            row_number += n
            position["at"] = row_number - 1
            yield batch

    total = parquet.metadata.num_rows
    return Table(path, columns, batches(), total, lambda: position["at"], None)

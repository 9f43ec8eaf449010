"""Streaming readers for CSV, JSON Lines, JSON, Excel and Parquet files.

Every reader yields :class:`RawBatch` objects: string cells by column plus the spreadsheet row
number of each record (the header is row 1), and the rows it could not read at all (ragged CSV
lines, bytes that are not text in the file's encoding) with the reason. Nothing is dropped.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

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


@dataclass
class RawBatch:
    """Up to ``batch_size`` records as columns of strings (``None`` for an empty cell)."""

    row_numbers: list[int] = field(default_factory=list)
    columns: dict[str, list[str | None]] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row_numbers)


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
    # Undecodable bytes become surrogates, so the row they are in can be quarantined, not lost.
    text = io.TextIOWrapper(raw, encoding=chosen, errors="surrogateescape", newline="")
    sample_text = sample.decode(chosen, errors="replace")
    if sample_text.startswith("\ufeff"):
        sample_text = sample_text[1:]
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(sample_text))
    reader = csv.reader(text, delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise InputError(
            f"file {path.name!r} is empty", hint="export it again with a header row"
        ) from None
    columns = [_escaped(name).strip().lstrip("\ufeff") for name in header]
    _check_header(path, columns)

    def batches() -> Iterator[RawBatch]:
        batch = _empty_batch(columns)
        width = len(columns)
        row_number = 1
        try:
            for cells in reader:
                row_number += 1
                if not cells or cells == [""]:
                    continue
                if len(cells) != width or _has_surrogates(cells):
                    batch.unreadable.append(_unreadable_row(row_number, cells, columns, chosen))
                else:
                    batch.row_numbers.append(row_number)
                    for name, cell in zip(columns, cells, strict=True):
                        batch.columns[name].append(cell if cell != "" else None)
                if len(batch) >= batch_size:
                    yield batch
                    batch = _empty_batch(columns)
        finally:
            raw.close()
        if len(batch) or batch.unreadable:
            yield batch

    return Table(path, columns, batches(), path.stat().st_size, _position(raw), chosen, sep)


def _unreadable_row(
    row_number: int, cells: list[str], columns: list[str], encoding: str
) -> Unreadable:
    raw = {"cells": [_escaped(c) for c in cells]}
    if len(cells) != len(columns):
        reason = f"row has {len(cells)} fields but the header has {len(columns)}"
    else:
        bad = [name for name, c in zip(columns, cells, strict=True) if _has_surrogates([c])]
        reason = f"bytes that are not valid {encoding} text in column {', '.join(bad)}"
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

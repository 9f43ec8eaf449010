"""Reading plain CSV fast: record-aligned byte chunks, proven plain before Polars parses them.

Python's ``csv`` module defines how Klarsyn reads a CSV file, but splitting a million rows into
cells with it costs seconds, while Polars' parser takes a fraction of that. The two agree on
plain RFC 4180 input and may differ on everything else: a quote inside an unquoted cell, text
after a closing quote, ragged or blank rows, a bare carriage return, bytes that are not text.
So a chunk goes to Polars only when a byte-level scan shows it is plain, and Polars' result must
then match the scan (the number of records and of content bytes); any other chunk is read with
the ``csv`` module, row by row, as before.

The scan works on quote positions: in plain CSV a quote that opens a cell follows a delimiter,
a line break or another quote (``""`` inside a quoted cell), and one that closes a cell is
followed by a delimiter, a line break or another quote. When every quote obeys that, a byte is
inside a quoted cell exactly when an odd number of quotes precede it, which is how the ``csv``
module reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

QUOTE, NEWLINE, RETURN = 0x22, 0x0A, 0x0D

Positions = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Scan:
    """What a plain chunk holds, for checking the parser's result against."""

    records: int
    content_bytes: int  # the bytes of all cells, without delimiters, line breaks and quoting


def quote_positions(data: bytes) -> Positions:
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == QUOTE)


def first_record_end(data: bytes, quotes: Positions) -> int | None:
    """The index just past the line break that ends the first record of ``data``, if any."""
    at = data.find(b"\n")
    while at >= 0:
        before = int(np.searchsorted(quotes, at))
        if before % 2 == 0:
            return at + 1
        if before >= quotes.size:
            return None
        at = data.find(b"\n", int(quotes[before]) + 1)  # after the quote that closes it
    return None


def record_end(data: bytes, quotes: Positions) -> int | None:
    """The index just past the last line break of ``data`` that ends a record, if any.

    ``data`` must start at a record boundary; the answer is exact when the quoting before it is
    plain, which :func:`quoting_is_plain` checks afterwards.
    """
    at = data.rfind(b"\n")
    while at >= 0:
        before = int(np.searchsorted(quotes, at))
        if before % 2 == 0:
            return at + 1
        at = data.rfind(b"\n", 0, int(quotes[before - 1]))  # before the quote that opened it
    return None


def _outside(positions: Positions, quotes: Positions) -> Positions:
    if not quotes.size:
        return positions
    kept: Positions = positions[np.searchsorted(quotes, positions) % 2 == 0]
    return kept


def quoting_is_plain(data: bytes, quotes: Positions, *, sep: int) -> bool:
    """Whether every quote in ``data`` opens, closes or escapes a quoted cell as RFC 4180 has it.

    When it is not, the quote parity that :func:`record_end` and :func:`scan` rely on may not
    match the ``csv`` module's reading, so the rest of the file must be read with that module.
    """
    if quotes.size % 2:
        return False
    if not quotes.size:
        return True
    codes = np.frombuffer(data, dtype=np.uint8)
    opens, closes = quotes[0::2], quotes[1::2]
    # A quote right after a closing quote is the second half of an escaped "".
    escaped_open = np.zeros(opens.size, dtype=bool)
    escaped_open[1:] = opens[1:] - 1 == closes[:-1]
    before = codes[np.maximum(opens - 1, 0)]
    open_ok = (opens == 0) | (before == sep) | (before == NEWLINE) | escaped_open
    escaped_close = np.zeros(closes.size, dtype=bool)
    escaped_close[:-1] = escaped_open[1:]
    after = codes[np.minimum(closes + 1, codes.size - 1)]
    at_end = closes == codes.size - 1
    close_ok = at_end | (after == sep) | (after == NEWLINE) | (after == RETURN) | escaped_close
    return bool(open_ok.all() and close_ok.all())


def scan(data: bytes, quotes: Positions, *, sep: int, width: int) -> Scan | None:
    """Check that ``data`` (whole records, plain quoting) is free of what only ``csv`` reads.

    Returns ``None`` for a carriage return that is not part of CRLF, NUL bytes, blank records,
    or a separator count that does not give ``width`` cells per record; :func:`parse` catches
    a record with too many cells, so together they prove every record has ``width`` cells.
    """
    if not data or b"\x00" in data:
        return None
    returns_anywhere = b"\r" in data
    if returns_anywhere and data.count(b"\r") != data.count(b"\r\n"):
        return None
    codes = np.frombuffer(data, dtype=np.uint8)
    newlines = _outside(np.flatnonzero(codes == NEWLINE), quotes)
    ends = newlines if data.endswith(b"\n") else np.append(newlines, len(data))
    starts = np.concatenate(([0], newlines + 1))[: ends.size]
    lengths = ends - starts
    blank = lengths == 0
    if returns_anywhere:
        blank |= (lengths == 1) & (codes[np.minimum(starts, codes.size - 1)] == RETURN)
    if blank.any():
        return None
    seps = data.count(bytes([sep]))
    if quotes.size:
        at = np.flatnonzero(codes == sep)
        seps -= int((np.searchsorted(at, quotes[1::2]) - np.searchsorted(at, quotes[0::2])).sum())
    if seps != ends.size * (width - 1):
        return None
    returns = 0
    if returns_anywhere:
        returns = int(np.count_nonzero(codes[newlines[newlines > 0] - 1] == RETURN))
    opens = quotes[2::2]
    escapes = int(np.count_nonzero(opens - 1 == quotes[1:-1:2])) if quotes.size > 2 else 0
    content = len(data) - seps - newlines.size - returns - (quotes.size - escapes)
    return Scan(records=int(ends.size), content_bytes=content)


def parse(data: bytes, shape: Scan, *, columns: list[str], sep: str) -> pl.DataFrame | None:
    """Parse a plain chunk with Polars: string cells, ``None`` for empty ones.

    Returns ``None`` when Polars fails or its result does not match ``shape``.
    """
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            schema=dict.fromkeys(columns, pl.String),
            separator=sep,
            quote_char='"',
        )
        parsed = frame.select(pl.sum_horizontal(pl.all().str.len_bytes().sum())).item()
    except pl.exceptions.PolarsError:
        return None
    if frame.height != shape.records or parsed != shape.content_bytes:
        return None
    # Polars reads an empty unquoted cell as null but a quoted "" as "": both are empty.
    return nulls_for_empty(frame)


def nulls_for_empty(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in frame.columns)

"""CSV downloads of dashboard tables: one writer, one formula guard, one response shape.

Every export goes through :func:`csv_response`, so each cell is written the same way: dates in
ISO 8601, enum members as their value, lists and mappings as JSON, nothing for a missing value,
and any text that a spreadsheet would run as a formula defused with a leading quote.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum

from fastapi.responses import StreamingResponse

MEDIA_TYPE = "text/csv; charset=utf-8"
# A spreadsheet runs a cell that starts like a formula; a leading quote keeps it text.
FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Large exports leave in pieces of about this many characters, so memory stays flat.
CHUNK = 1 << 16

Row = Sequence[object]


def cell(value: object) -> object:
    """``value`` as the csv module should write it, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def chunks(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows``, in pieces of about :data:`CHUNK` characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(value) for value in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def safe_filename(name: str) -> str:
    """``name`` with only characters that cannot break out of the Content-Disposition header."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "export.csv"


def csv_response(filename: str, header: Row, rows: Iterable[Row]) -> StreamingResponse:
    """A download of ``rows`` under ``header``; ``rows`` may be a lazy stream of a large query."""
    return StreamingResponse(
        chunks(header, rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'},
    )

"""A columnar mirror of the feedback table, for analytics over millions of rows.

The store stays the source of truth. Feedback rows are immutable once stored, so the mirror is a
set of Parquet parts, each holding a range of store ids: refreshing appends the rows added since
the newest part. The part names are the only state, so a refresh cut short leaves no lie behind;
if the store holds fewer or more old rows than the parts (rows were deleted, or another database
was put in place), the mirror is rebuilt.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from sqlalchemy import func, select

from klarsyn.storage.bulk_reads import read_frame_bulk
from klarsyn.storage.columnar import feedback_query, read_frame
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback

PART = re.compile(r"^part-(\d{12})-(\d{12})\.parquet$")
CHUNK_ROWS = 1_000_000
#: Rows read from the store at a time; a part gathers several reads, so memory stays bounded.
READ_ROWS = 250_000
MAX_PARTS = 24


@dataclass(frozen=True, slots=True)
class Part:
    path: Path
    first_id: int
    last_id: int

    @property
    def rows(self) -> int:
        return int(pq.ParquetFile(self.path).metadata.num_rows)


def parts(directory: Path) -> list[Part]:
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            match = PART.match(path.name)
            if match:
                found.append(Part(path, int(match[1]), int(match[2])))
    return sorted(found, key=lambda p: p.first_id)


def refresh(store: Store) -> int:
    """Bring the mirror up to date with the store; returns how many rows were added."""
    directory = store.columnar_dir / "feedback"
    existing = parts(directory)
    watermark = existing[-1].last_id if existing else 0
    with store.engine.connect() as connection:
        stored_before, newest = connection.execute(
            select(
                func.count().filter(feedback.c.id <= watermark),
                func.max(feedback.c.id),
            )
        ).one()
    overlapping = any(a.last_id >= b.first_id for a, b in itertools.pairwise(existing))
    if overlapping or stored_before != sum(p.rows for p in existing):
        shutil.rmtree(directory, ignore_errors=True)
        existing, watermark = [], 0
    added = 0
    newest = newest or 0
    directory.mkdir(parents=True, exist_ok=True)
    while watermark < newest:
        chunk = _read_part(store, after=watermark)
        if chunk.is_empty():
            break
        last = int(chunk["row_id"].max())  # type: ignore[arg-type]
        _write_part(directory, chunk, first=watermark + 1, last=last)
        added += chunk.height
        watermark = last
    if len(parts(directory)) > MAX_PARTS:
        _compact(directory)
    return added


def _read_part(store: Store, *, after: int) -> pl.DataFrame:
    """Up to :data:`CHUNK_ROWS` rows with store ids above ``after``, in pieces."""
    pieces: list[pl.DataFrame] = []
    rows = 0
    while rows < CHUNK_ROWS:
        query = (
            feedback_query()
            .where(feedback.c.id > after)
            .order_by(feedback.c.id)
            .limit(min(READ_ROWS, CHUNK_ROWS - rows))
        )
        piece = read_frame_bulk(store, query)
        if piece.is_empty():
            break
        pieces.append(piece)
        rows += piece.height
        after = int(piece["row_id"].max())  # type: ignore[arg-type]
    if not pieces:
        return pl.DataFrame()
    # Attribute keys may differ between pieces; the missing ones are null. The pieces stay
    # separate chunks (no copy into one): the Parquet writer takes them as they are.
    return pl.concat(pieces, how="diagonal_relaxed", rechunk=False)


def _write_part(directory: Path, frame: pl.DataFrame, *, first: int, last: int) -> None:
    final = directory / f"part-{first:012d}-{last:012d}.parquet"
    temporary = directory / f".{final.name}.{os.getpid()}.tmp"
    frame.write_parquet(temporary, statistics=True)
    temporary.replace(final)


def _compact(directory: Path) -> None:
    existing = parts(directory)
    merged = pl.concat([pl.read_parquet(p.path) for p in existing], how="diagonal_relaxed")
    _write_part(directory, merged, first=existing[0].first_id, last=existing[-1].last_id)
    for part in existing:
        part.path.unlink()


def scan_feedback(store: Store, *, refreshed: bool = True) -> pl.LazyFrame:
    """All feedback as a lazy frame read from the mirror (refreshed first unless told not to).

    Columns as :func:`klarsyn.storage.columnar.feedback_frame`, plus ``row_id`` (the store id).
    """
    if refreshed:
        refresh(store)
    found = parts(store.columnar_dir / "feedback")
    if not found:
        return read_frame(store, feedback_query().where(feedback.c.id < 0)).lazy()
    return pl.concat([pl.scan_parquet(p.path) for p in found], how="diagonal_relaxed")

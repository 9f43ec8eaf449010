"""Import runs and their quarantined rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from klarsyn.storage.tables import import_runs, quarantine


@dataclass(frozen=True, slots=True)
class Counts:
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.rows_read + other.rows_read,
            self.imported + other.imported,
            self.updated + other.updated,
            self.duplicates + other.duplicates,
            self.quarantined + other.quarantined,
        )


def start_run(
    connection: Connection, *, kind: str, source: str, filename: str | None, now: datetime
) -> int:
    result = connection.execute(
        insert(import_runs)
        .values(kind=kind, source=source, filename=filename, started_at=now, status="running")
        .returning(import_runs.c.id)
    )
    return int(result.scalar_one())


def add_counts(connection: Connection, run_id: int, counts: Counts) -> None:
    c = import_runs.c
    connection.execute(
        update(import_runs)
        .where(c.id == run_id)
        .values(
            rows_read=c.rows_read + counts.rows_read,
            imported=c.imported + counts.imported,
            updated=c.updated + counts.updated,
            duplicates=c.duplicates + counts.duplicates,
            quarantined=c.quarantined + counts.quarantined,
        )
    )


def finish_run(
    connection: Connection, run_id: int, *, now: datetime, error: str | None = None
) -> None:
    connection.execute(
        update(import_runs)
        .where(import_runs.c.id == run_id)
        .values(finished_at=now, status="failed" if error else "completed", error=error)
    )


def add_quarantined(
    connection: Connection, run_id: int, rejects: Sequence[tuple[int, str, dict[str, Any]]]
) -> None:
    if rejects:
        connection.execute(
            insert(quarantine),
            [
                {"import_run_id": run_id, "row_number": row, "reason": reason, "raw": raw}
                for row, reason, raw in rejects
            ],
        )


def quarantined_rows(
    connection: Connection, *, run_id: int | None = None, limit: int | None = 100
) -> list[dict[str, Any]]:
    """The newest quarantined rows (of one run, or of all), with their run's kind and source."""
    q, r = quarantine.c, import_runs.c
    query = (
        select(q.import_run_id, r.kind, r.source, q.row_number, q.reason, q.raw)
        .join_from(quarantine, import_runs)
        .order_by(q.import_run_id.desc(), q.row_number)
        .limit(limit)
    )
    if run_id is not None:
        query = query.where(q.import_run_id == run_id)
    return [dict(row._mapping) for row in connection.execute(query)]


def runs(connection: Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    query = select(import_runs).order_by(import_runs.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in connection.execute(query)]

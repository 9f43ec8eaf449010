"""Importing a file into the store: read, map, validate, write and quarantine, batch by batch.

Each batch (its rows, its quarantined rows and the run's counters) is one transaction, so a crash
leaves whole batches behind, never half of one, and running the import again completes it
without duplicates. Batches are written in order by a writer thread while the next one is read
and validated, so the database and the parsing work at the same time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from klarsyn.collect.fields import FIELDS, Kind, field_names
from klarsyn.collect.mapping import ColumnMapping, apply_mapping
from klarsyn.collect.readers import RawBatch, Table, open_table
from klarsyn.collect.validate import Rules, Validated, validate
from klarsyn.errors import InputError, MappingError
from klarsyn.storage import bulk, deferred_indexes, imports
from klarsyn.storage.imports import Counts
from klarsyn.storage.store import Store


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the summary line and the API."""

    run_id: int
    kind: Kind
    source: str
    counts: Counts
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        c = self.counts
        parts = [f"imported {c.imported:,}"]
        if c.updated:
            parts.append(f"updated {c.updated:,}")
        parts.append(f"duplicates {c.duplicates:,}")
        quarantined = f"quarantined {c.quarantined:,}"
        if c.quarantined:
            quarantined += f" (see klarsyn quarantine list --run {self.run_id})"
        parts.append(quarantined)
        return " · ".join(parts)


Progress = Callable[[int, int], None]  # (position, total)


def import_file(
    path: Path,
    *,
    kind: Kind,
    store: Store,
    mapping: ColumnMapping | None = None,
    source: str | None = None,
    time_zone: str = "Europe/Stockholm",
    date_format: str | None = None,
    channel: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    batch_size: int = 50_000,
    now: datetime | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as records of ``kind``; bad rows go to quarantine with their reason."""
    table = open_table(
        path, batch_size=batch_size, encoding=encoding, delimiter=delimiter, sheet=sheet
    )
    try:
        return import_table(
            table,
            kind=kind,
            store=store,
            mapping=mapping or {},
            source=source or path.name,
            time_zone=time_zone,
            date_format=date_format,
            channel=channel,
            now=now or datetime.now(UTC),
            on_progress=on_progress,
        )
    finally:
        table.close()


def import_table(
    table: Table,
    *,
    kind: Kind,
    store: Store,
    mapping: ColumnMapping,
    source: str,
    time_zone: str,
    date_format: str | None,
    channel: str | None,
    now: datetime,
    on_progress: Progress | None = None,
) -> ImportReport:
    warnings: list[str] = []
    batches = iter(table.batches)
    first = next(batches, RawBatch())
    # JSON sources learn their columns from the records, so map after the first batch.
    targets = apply_mapping(table.columns, mapping, fields=field_names(kind))
    _check_required(kind, set(targets.values()), table, warnings)
    rules = Rules(
        kind=kind,
        source=source,
        targets=targets,
        time_zone=time_zone,
        received_at=now,
        date_format=date_format,
        channel=channel,
    )
    with store.begin() as connection:
        run_id = imports.start_run(
            connection, kind=kind, source=source, filename=str(table.path), now=now
        )
    try:
        # A large import into a small table writes without the secondary indexes and builds
        # them once at the end, also when it fails.
        with deferred_indexes.deferred(store, kind, incoming_rows=_estimated_rows(table, first)):
            writer = _Writer(store, run_id)
            batch: RawBatch | None = first
            try:
                while batch is not None:
                    if len(batch) or batch.unreadable:
                        if set(table.columns) - set(targets):
                            targets = apply_mapping(
                                table.columns, mapping, fields=field_names(kind)
                            )
                            rules = replace(rules, targets=targets)
                        writer.submit(_Checked(batch, validate(batch, rules), kind))
                    if on_progress:
                        on_progress(table.position(), table.size)
                    batch = next(batches, None)
                total = writer.finish()
            except BaseException:
                writer.finish(failed=True)
                raise
    except BaseException as exc:
        with store.begin() as connection:
            imports.finish_run(connection, run_id, now=datetime.now(UTC), error=repr(exc))
        raise
    with store.begin() as connection:
        imports.finish_run(connection, run_id, now=datetime.now(UTC))
    return ImportReport(run_id, kind, source, total, tuple(warnings))


@dataclass(frozen=True)
class _Checked:
    batch: RawBatch
    validated: Validated
    kind: Kind


class _Writer:
    """Writes checked batches in order, each in its own transaction, on a thread of its own.

    The queue holds one batch, so at most three are in memory: one being validated, one
    waiting and one being written.
    """

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        self.counts = Counts()
        self.error: BaseException | None = None
        self._queue: queue.Queue[_Checked | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="klarsyn-import", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with (
                self.store.engine.connect() as connection,
                bulk.import_session(connection) as session,
            ):
                while (checked := self._queue.get()) is not None:
                    with connection.begin():
                        self.counts += _write_batch(connection, session, checked, self.run_id)
        except BaseException as exc:
            self.error = exc

    def _put(self, item: _Checked | None) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def submit(self, checked: _Checked) -> None:
        """Queue a batch; raises what stopped the writer, if anything did."""
        self._put(checked)
        if self.error is not None:
            raise self.error

    def finish(self, *, failed: bool = False) -> Counts:
        """Write what is queued, stop, and return the counts of all batches written.

        After ``failed`` (the caller is raising already) an error of the writer is not raised.
        """
        self._put(None)
        self._thread.join()
        if self.error is not None and not failed:
            raise self.error
        return self.counts


def _write_batch(
    connection: Connection, session: bulk.Session, checked: _Checked, run_id: int
) -> Counts:
    batch, validated = checked.batch, checked.validated
    rejects = validated.rejects + [(u.row_number, u.reason, u.raw) for u in batch.unreadable]
    written = bulk.write(connection, checked.kind, validated.rows, run_id=run_id, session=session)
    imports.add_quarantined(connection, run_id, rejects)
    counts = Counts(
        rows_read=len(batch) + len(batch.unreadable),
        imported=written.inserted,
        updated=written.updated,
        duplicates=len(validated.rows) - written.inserted - written.updated,
        quarantined=len(rejects),
    )
    imports.add_counts(connection, run_id, counts)
    return counts


def _estimated_rows(table: Table, first: RawBatch) -> int:
    """The rows in the whole file, judged by the share of it the first batch took."""
    rows = len(first) + len(first.unreadable)
    position = table.position()
    if not rows or position <= 0 or position >= table.size:
        return rows
    return rows * table.size // position


def _check_required(kind: Kind, targets: set[str], table: Table, warnings: list[str]) -> None:
    missing = [f.name for f in FIELDS[kind] if f.required and f.name not in targets]
    if kind == "feedback" and "received_at" in missing:
        missing.remove("received_at")
        warnings.append("the file has no received_at column: feedback is dated at import time")
    if not table.columns:
        raise InputError(f"file {table.path.name!r} holds no records")
    if missing:
        raise MappingError(
            f"file {table.path.name!r} has no column for the required field(s) {missing}",
            hint=f"map one of its columns {table.columns} with --map COLUMN={missing[0]}",
        )

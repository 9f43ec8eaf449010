"""Importing a file into the store: read, map, validate, write and quarantine, batch by batch.

Each batch (its rows, its quarantined rows and the run's counters) is one transaction, so a crash
leaves whole batches behind, never half of one, and running the import again completes it
without duplicates. Batches are written by writer threads while the next one is read and
validated, so the database and the parsing work at the same time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from klarsyn.collect.fields import FIELDS, Kind, field_names
from klarsyn.collect.mapping import ColumnMapping, apply_mapping
from klarsyn.collect.readers import RawBatch, Table, open_table
from klarsyn.collect.validate import Rules, Validated, validate
from klarsyn.errors import InputError, MappingError
from klarsyn.storage import bulk, deferred_indexes, imports
from klarsyn.storage.imports import Counts
from klarsyn.storage.statistics import refresh_statistics
from klarsyn.storage.store import Store
from klarsyn.storage.tables import TABLES_BY_KIND


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
            writer = _Writer(store, run_id, kind)
            batch: RawBatch | None = first
            try:
                while batch is not None:
                    if len(batch) or batch.unreadable:
                        if set(table.columns) - set(targets):
                            targets = apply_mapping(
                                table.columns, mapping, fields=field_names(kind)
                            )
                            rules = replace(rules, targets=targets)
                        writer.submit(batch, validate(batch, rules), kind)
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
    refresh_statistics(store, TABLES_BY_KIND[kind], written=total.imported + total.updated)
    return ImportReport(run_id, kind, source, total, tuple(warnings))


@dataclass(frozen=True)
class _Checked:
    batch: RawBatch
    validated: Validated
    kind: Kind
    rows: pl.DataFrame  # what to write: the valid rows, less repeats of earlier batches


#: Writers per import. PostgreSQL's COPY of a batch keeps one server process busy; facts
#: (whose batches share no key, see :class:`bulk.Repeats`) are written by two connections at
#: once, so a second core works on the server side. Master data is updated in file order.
POSTGRESQL_FACT_WRITERS = 2


class _Writer:
    """Writes checked batches, each in its own transaction, on threads of their own.

    The queue holds one batch per thread, so few batches are in memory at once: one being
    validated, those waiting and one being written per thread. With one thread the batches
    are written in file order.
    """

    def __init__(self, store: Store, run_id: int, kind: Kind) -> None:
        self.store = store
        self.run_id = run_id
        self.counts = Counts()
        self.error: BaseException | None = None
        parallel = store.dialect == "postgresql" and kind in bulk.INSERT_KINDS
        self._repeats = bulk.Repeats(kind) if parallel else None
        workers = POSTGRESQL_FACT_WRITERS if parallel else 1
        self._session = bulk.Session(relaxed_commit=store.dialect == "postgresql")
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Checked | None] = queue.Queue(maxsize=workers)
        self._threads = [
            threading.Thread(target=self._run, name=f"klarsyn-import-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        try:
            with (
                self.store.engine.connect() as connection,
                bulk.import_session(connection, self._session),
            ):
                while self.error is None and (checked := self._queue.get()) is not None:
                    with connection.begin():
                        counts = _write_batch(connection, self._session, checked, self.run_id)
                    with self._lock:
                        self.counts += counts
        except BaseException as exc:
            with self._lock:
                self.error = self.error or exc

    def _alive(self) -> bool:
        return self.error is None and all(thread.is_alive() for thread in self._threads)

    def _put(self, item: _Checked | None) -> None:
        while self._alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def submit(self, batch: RawBatch, validated: Validated, kind: Kind) -> None:
        """Queue a batch; raises what stopped a writer, if anything did."""
        rows = validated.rows
        if self._repeats is not None:
            rows = self._repeats.first_seen(rows)
        self._put(_Checked(batch, validated, kind, rows))
        if self.error is not None:
            raise self.error

    def finish(self, *, failed: bool = False) -> Counts:
        """Write what is queued, stop, and return the counts of all batches written.

        After ``failed`` (the caller is raising already) an error of a writer is not raised.
        """
        for _ in self._threads:
            self._put(None)
        if self.error is not None:
            # A writer stopped: the batches still queued are dropped, and each thread that may
            # be waiting for one gets the signal to stop instead.
            _drain(self._queue)
            for _ in self._threads:
                self._queue.put_nowait(None)
        for thread in self._threads:
            thread.join()
        if self.error is not None and not failed:
            raise self.error
        return self.counts


def _drain(waiting: queue.Queue[_Checked | None]) -> None:
    while True:
        try:
            waiting.get_nowait()
        except queue.Empty:
            return


def _write_batch(
    connection: Connection, session: bulk.Session, checked: _Checked, run_id: int
) -> Counts:
    batch, validated = checked.batch, checked.validated
    rejects = validated.rejects + [(u.row_number, u.reason, u.raw) for u in batch.unreadable]
    written = bulk.write(connection, checked.kind, checked.rows, run_id=run_id, session=session)
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

"""The settings an import runs under, and when it sets the secondary indexes aside."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from sqlalchemy import text

from klarsyn.storage import bulk, deferred_indexes, imports
from klarsyn.storage.store import Store
from klarsyn.storage.tables import customers, events, feedback


def _feedback_rows(start: int, stop: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": ["t"] * (stop - start),
            "external_id": [f"f{i}" for i in range(start, stop)],
            "received_at": [datetime(2026, 1, 1, tzinfo=UTC)] * (stop - start),
            "channel": ["survey"] * (stop - start),
            "nps": [i % 11 for i in range(start, stop)],
            "attributes": ["{}"] * (stop - start),
        }
    )


def _run(store: Store) -> int:
    with store.begin() as connection:
        return imports.start_run(
            connection, kind="feedback", source="t", filename="t.csv", now=datetime.now(UTC)
        )


def test_postgresql_batches_commit_without_waiting_for_the_disk_only_in_an_import(
    store: Store,
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    run_id = _run(store)
    with store.engine.connect() as connection:
        with bulk.import_session(connection) as session, connection.begin():
            bulk.write(connection, "feedback", _feedback_rows(0, 5), run_id=run_id, session=session)
            inside = connection.execute(text("SHOW synchronous_commit")).scalar_one()
        with connection.begin():
            bulk.write(connection, "feedback", _feedback_rows(5, 9), run_id=run_id)
            plain = connection.execute(text("SHOW synchronous_commit")).scalar_one()
        after = connection.execute(text("SHOW synchronous_commit")).scalar_one()
    assert (inside, plain, after) == ("off", "on", "on")


def test_sqlite_import_settings_are_put_back(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("page cache and checkpoints are SQLite settings")
    with store.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        before = raw.execute("PRAGMA cache_size").fetchone()[0]
        with bulk.import_session(connection):
            during = raw.execute("PRAGMA cache_size").fetchone()[0]
        after = raw.execute("PRAGMA cache_size").fetchone()[0]
    assert during == bulk.SQLITE_IMPORT_PRAGMAS["cache_size"] != before == after


def test_only_a_large_import_into_a_smaller_table_sets_its_indexes_aside(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 10)
    run_id = _run(store)
    with store.begin() as connection:
        assert deferred_indexes.worth_deferring(connection, feedback, incoming_rows=10)
        assert not deferred_indexes.worth_deferring(connection, feedback, incoming_rows=9)
        # Customers have no secondary index to set aside.
        assert not deferred_indexes.worth_deferring(connection, customers, incoming_rows=10**6)
        bulk.write(connection, "feedback", _feedback_rows(0, 40), run_id=run_id)
        assert not deferred_indexes.worth_deferring(connection, feedback, incoming_rows=40)
        assert deferred_indexes.worth_deferring(connection, feedback, incoming_rows=41)


def test_the_deferred_block_drops_and_rebuilds_the_indexes_of_its_table_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 10)
    names = [str(i.name) for i in deferred_indexes.secondary_indexes(events)]
    assert names == ["ix_events_customer_id_occurred_at", "ix_events_type_occurred_at"]
    with pytest.raises(KeyboardInterrupt):
        with deferred_indexes.deferred(store, "events", incoming_rows=100) as deferred:
            assert deferred
            with store.engine.connect() as connection:
                missing = deferred_indexes.missing_indexes(connection, events)
                assert [str(i.name) for i in missing] == names
                assert deferred_indexes.missing_indexes(connection, feedback) == []
            raise KeyboardInterrupt
    with store.engine.connect() as connection:
        assert deferred_indexes.missing_indexes(connection, events) == []


def test_a_table_busy_with_readers_keeps_its_indexes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite readers under WAL do not hold up a schema change")
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 10)
    monkeypatch.setattr(deferred_indexes, "LOCK_WAIT", "100ms")
    with store.engine.connect() as reader, reader.begin():
        reader.execute(text("SELECT count(*) FROM feedback")).scalar_one()
        with deferred_indexes.deferred(store, "feedback", incoming_rows=100) as deferred:
            assert not deferred
            missing = deferred_indexes.missing_indexes(reader, feedback)
    assert missing == []

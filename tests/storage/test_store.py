from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select

from klarsyn.errors import InputError
from klarsyn.storage import migrate
from klarsyn.storage.store import Store, normalise_url
from klarsyn.storage.tables import import_runs, metadata


def test_first_open_creates_every_table_at_the_newest_revision(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= tables
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine)


def test_migrations_match_the_table_definitions(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_opening_again_keeps_the_data(database_url: str) -> None:
    with Store.open(database_url) as first, first.begin() as connection:
        connection.execute(
            insert(import_runs).values(
                kind="feedback", source="s", started_at=datetime.now(UTC), status="completed"
            )
        )
    with Store.open(database_url) as second, second.engine.connect() as connection:
        assert connection.execute(select(import_runs.c.source)).scalars().all() == ["s"]


def test_timestamps_come_back_aware_in_utc(store: Store) -> None:
    stockholm_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with store.begin() as connection:
        connection.execute(
            insert(import_runs).values(
                kind="feedback", source="s", started_at=stockholm_noon, status="running"
            )
        )
    with store.engine.connect() as connection:
        stored = connection.execute(select(import_runs.c.started_at)).scalar_one()
    assert stored == stockholm_noon
    assert stored.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_urls_get_the_driver_klarsyn_uses(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls_are_refused_with_a_hint(url: str) -> None:
    with pytest.raises(InputError) as caught:
        normalise_url(url)
    assert caught.value.hint

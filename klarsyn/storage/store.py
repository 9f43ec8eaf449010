"""The store: one SQLAlchemy engine over SQLite (default) or PostgreSQL, chosen by URL."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from klarsyn.errors import BackendUnavailable, InputError
from klarsyn.storage import migrate


def normalise_url(url: str) -> URL:
    """Parse a database URL and pick the driver Klarsyn uses for its dialect.

    ``postgresql://`` and ``postgres://`` mean psycopg 3; SQLite needs no driver.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(
            f"database URL {url!r} is not a URL",
            hint="use e.g. sqlite:///klarsyn.db or postgresql://user@host:5432/db",
        ) from exc
    backend = parsed.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise InputError(
        f"database URL {parsed.render_as_string(hide_password=True)!r} uses {backend!r}; "
        "Klarsyn stores data in SQLite or PostgreSQL",
        hint="use sqlite:///FILE or postgresql://user@host:5432/db",
    )


def default_columnar_dir(url: URL) -> Path:
    if url.get_backend_name() == "sqlite" and url.database not in {None, "", ":memory:"}:
        return Path(str(url.database)).with_suffix(".columnar")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return cache / "klarsyn" / "columnar" / key


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # pysqlite would run DDL outside transactions; let SQLAlchemy's BEGIN govern instead, so a
    # failed migration or import batch rolls back whole.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while an import writes; NORMAL sync is safe under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


class Store:
    """The source of truth for feedback, customers, events, campaigns and imports."""

    def __init__(self, engine: Engine, *, columnar_dir: Path) -> None:
        self.engine = engine
        self.columnar_dir = columnar_dir

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, columnar_dir: Path | None = None) -> Self:
        """Open the store at ``url``, creating and migrating its schema on first use.

        ``columnar_dir`` holds the columnar mirror analytics read (see ``mirror.py``); by default
        it sits beside a SQLite file (``klarsyn.db`` → ``klarsyn.columnar/``) and, for other
        stores, in the user's cache directory under a name derived from the URL.
        """
        parsed = normalise_url(url)
        if parsed.get_backend_name() == "postgresql":
            try:
                import psycopg  # noqa: F401
            except ImportError as exc:
                raise BackendUnavailable(
                    "PostgreSQL needs the psycopg driver",
                    hint="pip install 'klarsyn[postgres]'",
                ) from exc
        engine = create_engine(parsed)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, columnar_dir=columnar_dir or default_columnar_dir(parsed))
        if upgrade:
            try:
                migrate.upgrade(engine)
            except OperationalError as exc:
                engine.dispose()
                raise InputError(
                    f"cannot open the store at {parsed.render_as_string(hide_password=True)}: "
                    f"{exc.orig}",
                    hint="check --db / KLARSYN_DATABASE_URL and that the database is reachable",
                ) from exc
        return store

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction that commits on success and rolls back on error."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

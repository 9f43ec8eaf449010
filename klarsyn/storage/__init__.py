"""The store: SQLAlchemy Core tables, migrations and bulk reads and writes."""

from klarsyn.storage.store import Store

__all__ = ["Store"]

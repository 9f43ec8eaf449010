"""Planner statistics, gathered after bulk writes.

PostgreSQL plans each query from the statistics ``ANALYZE`` gathers. Autovacuum refreshes them
after large changes, but it may be switched off or behind, and a plan made for a table that was
nearly empty (a nested loop over what it takes for a few hundred rows, where 200,000 now match)
is many times slower. So a bulk write of many rows gathers them itself: ``ANALYZE`` samples a
fixed number of rows, under a second at any table size. SQLite plans from its indexes alone.
"""

from __future__ import annotations

from sqlalchemy import Table, text

from klarsyn.storage.store import Store

#: Rows a bulk write must bring before it refreshes its table's statistics.
ANALYZE_MIN_ROWS = 10_000


def refresh_statistics(store: Store, table: Table, *, written: int) -> bool:
    """Gather ``table``'s statistics on PostgreSQL when ``written`` rows make it worthwhile."""
    if store.engine.dialect.name != "postgresql" or written < ANALYZE_MIN_ROWS:
        return False
    with store.begin() as connection:
        connection.execute(text(f'ANALYZE "{table.name}"'))
    return True

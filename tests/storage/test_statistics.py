"""A bulk import or enrichment leaves PostgreSQL's planner statistics up to date."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from klarsyn.collect.importer import import_file
from klarsyn.storage import statistics
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def analysed(store: Store, table: str) -> bool:
    with store.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = :table AND schemaname = current_schema()"
            ),
            {"table": table},
        ).scalar_one()
    return bool(found)


def test_a_bulk_write_gathers_statistics_on_postgresql(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ["id,received_at,channel,nps,text"]
    rows += [
        f"r{i},2026-06-{1 + i % 28:02d}T10:00:00Z,survey,{i % 11},Leveransen var sen"
        for i in range(40)
    ]
    source = tmp_path / "feedback.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    postgres = store.engine.dialect.name == "postgresql"
    monkeypatch.setattr(statistics, "ANALYZE_MIN_ROWS", 41)
    import_file(source, kind="feedback", store=store)  # 40 rows: too few to bother
    if postgres:
        assert not analysed(store, "feedback")
    monkeypatch.setattr(statistics, "ANALYZE_MIN_ROWS", 30)
    more = tmp_path / "more.csv"
    more.write_text("\n".join([rows[0], *(r.replace("r", "s", 1) for r in rows[1:])]) + "\n")
    import_file(more, kind="feedback", store=store)
    enrich_store(store, pipeline=build_pipeline(), now=NOW)
    if postgres:
        assert analysed(store, "feedback") and analysed(store, "enrichments")
    else:
        assert not statistics.refresh_statistics(store, feedback, written=10**6)

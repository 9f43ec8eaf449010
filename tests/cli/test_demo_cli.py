from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from klarsyn.cli.main import app
from klarsyn.demo import CHEATING_CAMPAIGN
from klarsyn.storage.store import Store
from klarsyn.storage.tables import campaigns, customers, events, feedback

runner = CliRunner()


def counts(url: str) -> dict[str, int]:
    with Store.open(url) as store, store.engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in (feedback, customers, events, campaigns)
        }


def test_demo_builds_the_company_through_the_import_and_is_idempotent(database_url: str) -> None:
    args = ["--db", database_url, "demo", "--no-serve", "--feedback", "10000", "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "feedback: imported 10,000 · duplicates 0 · quarantined 0" in result.output
    first = counts(database_url)
    assert first["feedback"] == 10_000 and first["customers"] > 1_000
    with Store.open(database_url) as store, store.engine.connect() as connection:
        names = connection.execute(select(campaigns.c.name)).scalars().all()
    assert CHEATING_CAMPAIGN in names

    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "feedback: imported 0 · duplicates 10,000" in again.output
    assert counts(database_url) == first

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from klarsyn.cli.main import app
from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments
from klarsyn.text.catalogue import save_taxonomy, stored_taxonomy
from klarsyn.text.enrichment import enrich_store, enrichments_frame, pending_count
from klarsyn.text.pipeline import TextPipeline, build_pipeline
from klarsyn.text.taxonomy import Taxonomy, Theme

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
runner = CliRunner()
FEEDBACK = (
    "id,received_at,channel,nps,text,language\n"
    "a,2026-04-01 10:00,survey,2,Kundtjänst svarade aldrig och leveransen var sen,sv\n"
    "b,2026-04-02 10:00,survey,10,Tak for god service,da\n"
    "c,2026-04-03 10:00,survey,9,,sv\n"
    'd,2026-04-04 10:00,email,,"Ring mig på 070-123 45 67, fakturan är fel",sv\n'
)


def load(store: Store, tmp_path: Path, text: str = FEEDBACK) -> None:
    path = tmp_path / "feedback.csv"
    path.write_text(text, encoding="utf-8")
    import_file(path, kind="feedback", store=store)


def count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(enrichments)).scalar_one())


def test_enrich_writes_one_row_per_comment(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    assert pending_count(store, pipeline=pipeline) == 3
    seen: list[tuple[int, int]] = []
    report = enrich_store(
        store, pipeline=pipeline, now=NOW, batch_size=2, progress=lambda d, t: seen.append((d, t))
    )
    assert (report.pending, report.enriched) == (3, 3)
    assert seen == [(0, 3), (2, 3), (3, 3)]
    frame = enrichments_frame(store).sort("id")
    assert frame["id"].to_list() == ["a", "b", "d"]
    a, b, d = frame.to_dicts()
    assert a["sentiment"] == "negative"
    assert "service" in a["themes"] or "service.reachability" in a["themes"]
    # "Tak for god service" is too short to tell Danish from Norwegian: the imported language wins.
    assert b["language"] == "da"
    assert d["text_masked"] == "Ring mig på [PHONE], fakturan är fel"
    assert a["model"] == pipeline.name and a["taxonomy_version"] == pipeline.taxonomy.version


def test_a_second_run_does_nothing_and_new_feedback_is_picked_up(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    enrich_store(store, pipeline=pipeline, now=NOW)
    assert enrich_store(store, pipeline=pipeline, now=NOW).enriched == 0
    load(store, tmp_path, "id,received_at,channel,text\ne,2026-04-05 10:00,chat,Bra app\n")
    assert enrich_store(store, pipeline=pipeline, now=NOW).enriched == 1
    assert count(store) == 4


def test_a_taxonomy_change_re_enriches_everything(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    enrich_store(store, pipeline=pipeline, now=NOW)
    edited = pipeline.taxonomy.with_theme(
        Theme(id="billing.errors", labels={"en": "Billing errors"}, terms={"sv": ("fakturan",)})
    )
    save_taxonomy(store, edited)
    assert stored_taxonomy(store).version == edited.version
    changed = build_pipeline(taxonomy=stored_taxonomy(store))
    assert pending_count(store, pipeline=changed) == 3
    assert enrich_store(store, pipeline=changed, now=NOW).enriched == 3
    assert count(store) == 3
    d = enrichments_frame(store).filter(id="d").row(0, named=True)
    assert "billing.errors" in d["themes"]
    assert d["taxonomy_version"] == edited.version


def test_everything_re_enriches_without_a_change(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    enrich_store(store, pipeline=pipeline, now=NOW)
    assert enrich_store(store, pipeline=pipeline, now=NOW, everything=True).enriched == 3
    assert count(store) == 3


def test_the_stored_taxonomy_defaults_to_the_built_in_one(store: Store, taxonomy: Taxonomy) -> None:
    assert stored_taxonomy(store).version == taxonomy.version
    save_taxonomy(store, taxonomy)
    assert stored_taxonomy(store).themes == taxonomy.themes


def test_importing_feedback_enriches_it_unless_told_not_to(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK, encoding="utf-8")
    skipped = runner.invoke(
        app, ["--db", database_url, "import", "feedback", str(path), "--no-enrich"]
    )
    assert skipped.exit_code == 0, skipped.output
    with Store.open(database_url) as store:
        assert count(store) == 0
    more = tmp_path / "more.csv"
    more.write_text(
        "id,received_at,channel,text\ne,2026-04-05 10:00,chat,Bra app\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["--db", database_url, "import", "feedback", str(more)])
    assert result.exit_code == 0, result.output
    assert "enriched 4 comments" in result.output  # the new one and those skipped before
    with Store.open(database_url) as store:
        assert count(store) == 4

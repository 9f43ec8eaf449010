from __future__ import annotations

import threading
from pathlib import Path

from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from klarsyn.text.background import current_job, start_reenrichment
from klarsyn.text.catalogue import save_taxonomy, stored_taxonomy
from klarsyn.text.enrichment import enrichments_frame, pending_count
from klarsyn.text.pipeline import TextPipeline, build_pipeline
from klarsyn.text.taxonomy import Theme

FEEDBACK = (
    "id,received_at,channel,nps,text,language\n"
    "a,2026-04-01 10:00,survey,2,Kundtjänst svarade aldrig och leveransen var sen,sv\n"
    "b,2026-04-02 10:00,survey,10,Tak for god service,da\n"
    "c,2026-04-03 10:00,survey,9,,sv\n"
    'd,2026-04-04 10:00,email,,"Ring mig på 070-123 45 67, fakturan är fel",sv\n'
)
WAIT = 60.0


def load(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK, encoding="utf-8")
    import_file(path, kind="feedback", store=store)


def stored_pipeline(store: Store, pipeline: TextPipeline) -> TextPipeline:
    # The session pipeline's language model and lexicon, with the taxonomy stored right now.
    return build_pipeline(taxonomy=stored_taxonomy(store), lexicon=pipeline.lexicon)


def edit(store: Store, theme_id: str) -> None:
    theme = Theme(id=theme_id, labels={"en": theme_id}, terms={"sv": ("fakturan",)})
    save_taxonomy(store, stored_taxonomy(store).with_theme(theme))


def test_a_taxonomy_edit_is_applied_in_the_background_with_progress(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    assert current_job(store) is None
    edit(store, "billing.errors")

    job = start_reenrichment(store, pipeline_factory=lambda: stored_pipeline(store, pipeline))

    assert current_job(store) is job
    assert job.wait(WAIT)
    assert (job.state, job.error, job.done, job.total, job.rounds) == ("done", None, 3, 3, 1)
    assert job.fraction == 1.0 and job.finished_at is not None
    assert pending_count(store, pipeline=stored_pipeline(store, pipeline)) == 0
    d = enrichments_frame(store).filter(id="d").row(0, named=True)
    assert "billing.errors" in d["themes"]


def test_an_edit_during_a_run_joins_it_and_the_last_taxonomy_wins(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    built, gate = threading.Event(), threading.Event()
    seen: list[int] = []

    def factory() -> TextPipeline:
        made = stored_pipeline(store, pipeline)
        seen.append(made.taxonomy.version)
        built.set()
        gate.wait(WAIT)  # hold the first round (old taxonomy) until the edit is in
        return made

    before = stored_taxonomy(store).version
    first = start_reenrichment(store, pipeline_factory=factory)
    assert built.wait(WAIT)
    edit(store, "billing.errors")
    second = start_reenrichment(store, pipeline_factory=factory)
    assert second is first and first.state == "running"
    gate.set()

    assert first.wait(WAIT)
    after = stored_taxonomy(store).version
    assert before != after and seen == [before, after]
    assert (first.state, first.rounds, first.done, first.total) == ("done", 2, 3, 3)
    assert pending_count(store, pipeline=stored_pipeline(store, pipeline)) == 0
    d = enrichments_frame(store).filter(id="d").row(0, named=True)
    assert "billing.errors" in d["themes"] and d["taxonomy_version"] == after


def test_a_finished_job_is_replaced_by_the_next_one(
    store: Store, tmp_path: Path, pipeline: TextPipeline
) -> None:
    load(store, tmp_path)
    first = start_reenrichment(store, pipeline_factory=lambda: stored_pipeline(store, pipeline))
    assert first.wait(WAIT) and first.done == 3
    edit(store, "billing.errors")
    second = start_reenrichment(store, pipeline_factory=lambda: stored_pipeline(store, pipeline))
    assert second is not first
    assert second.wait(WAIT) and (second.state, second.done) == ("done", 3)
    assert current_job(store) is second


def test_a_failure_is_reported_on_the_job(store: Store) -> None:
    def broken() -> TextPipeline:
        raise RuntimeError("the taxonomy could not be read")

    job = start_reenrichment(store, pipeline_factory=broken)
    assert job.wait(WAIT)
    assert job.state == "failed"
    assert job.error == "RuntimeError: the taxonomy could not be read"
    assert job.fraction == 1.0

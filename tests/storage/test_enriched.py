from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from klarsyn.collect.importer import import_file
from klarsyn.storage.enriched import enriched_feedback, theme_mentions, with_enrichment
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline

FEEDBACK = (
    "id,received_at,channel,nps,text,language\n"
    "a,2026-04-01 10:00,survey,2,Kundtjänst svarade aldrig och leveransen var sen,sv\n"
    "b,2026-04-02 10:00,survey,10,Tak for god service,da\n"
    "c,2026-04-03 10:00,survey,9,,sv\n"
    "d,2026-04-04 10:00,survey,10,Trevlig personal men leveransen var försenad,sv\n"
)


def enriched_store(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK, encoding="utf-8")
    import_file(path, kind="feedback", store=store)
    enrich_store(store, pipeline=build_pipeline(), now=datetime(2026, 5, 1, tzinfo=UTC))
    return store


def test_enriched_feedback_joins_the_mirror(store: Store, tmp_path: Path) -> None:
    enriched_store(store, tmp_path)
    feedback = scan_feedback(store).collect()
    joined = with_enrichment(feedback, enriched_feedback(store)).sort("id")
    assert joined["id"].to_list() == ["a", "b", "c", "d"]
    assert joined["sentiment"].to_list()[0] == "negative"
    # c has no text: it is not enriched, and has no themes rather than a null list.
    assert joined["themes"].to_list()[2] == []
    assert any(theme.startswith("delivery") for theme in joined["themes"].to_list()[0])


def test_theme_mentions_carry_each_theme_own_sentiment(store: Store, tmp_path: Path) -> None:
    enriched_store(store, tmp_path)
    ids = dict(scan_feedback(store).select("id", "row_id").collect().iter_rows())
    mentions = theme_mentions(store)
    d = mentions.filter(mentions["row_id"] == ids["d"])
    by_theme = dict(zip(d["theme"], d["sentiment"], strict=True))
    staff = [label for theme, label in by_theme.items() if theme.startswith("staff")]
    delivery = [label for theme, label in by_theme.items() if theme.startswith("delivery")]
    assert staff == ["positive"] and delivery == ["negative"]
    assert mentions.filter(mentions["row_id"] == ids["a"]).height >= 2

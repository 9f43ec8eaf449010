from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from klarsyn.errors import SchemaError
from klarsyn.text.discovery import accept_suggestion, discover_themes
from klarsyn.text.pipeline import TextPipeline, analyze, build_pipeline
from klarsyn.text.taxonomy import Taxonomy

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def comments(seed: int = 0) -> pl.DataFrame:
    """Old chatter about the weather, and a new wave of complaints about a QR scanner."""
    rng = random.Random(seed)
    rows = []
    for i in range(60):
        rows.append(
            {
                "text": rng.choice(
                    [
                        "QR-skannern vid entrén piper hela tiden",
                        "Skannern läser inte QR-koden",
                        "QR-koden fungerar inte i skannern",
                    ]
                )
                + f" {i}",
                "received_at": NOW - timedelta(days=rng.randrange(1, 20)),
            }
        )
        rows.append(
            {
                "text": rng.choice(
                    ["Vädret regnigt ute", "Regnigt väder hela veckan", "Snö och regnigt väder"]
                ),
                "received_at": NOW - timedelta(days=rng.randrange(30, 50)),
            }
        )
    return pl.DataFrame(rows)


def test_unexplained_comments_become_ranked_suggestions(pipeline: TextPipeline) -> None:
    analysed = analyze(comments(), pipeline=pipeline, default_language="sv")
    suggestions = discover_themes(
        analysed, time_column="received_at", now=NOW, groups=2, min_comments=5
    )
    assert len(suggestions) == 2
    growing, fading = suggestions
    assert growing.growth > fading.growth
    assert any("skannern" in term or "qr" in term for term in growing.terms)
    assert growing.comments == 60 and growing.recent == 60 and growing.earlier == 0
    assert len(growing.examples) == 3
    assert all(term not in {"och", "i", "hela"} for s in suggestions for term in s.terms)


def test_accepting_a_suggestion_makes_it_a_theme(
    pipeline: TextPipeline, taxonomy: Taxonomy
) -> None:
    analysed = analyze(comments(), pipeline=pipeline, default_language="sv")
    top = discover_themes(analysed, time_column="received_at", now=NOW, groups=2)[0]
    edited = accept_suggestion(taxonomy, top, language="sv", theme_id="store.scanner")
    assert "store.scanner" in edited
    again = analyze(comments(), pipeline=build_pipeline(taxonomy=edited), default_language="sv")
    scanner = again.filter(pl.col("text").str.contains("kann"))
    assert scanner["themes"].list.contains("store.scanner").all()


def test_a_new_parent_is_created_for_a_discovered_id(
    pipeline: TextPipeline, taxonomy: Taxonomy
) -> None:
    analysed = analyze(comments(), pipeline=pipeline, default_language="sv")
    top = discover_themes(analysed, groups=2)[0]
    edited = accept_suggestion(taxonomy, top, language="sv")
    assert top.id in edited and "discovered" in edited


def test_too_few_or_missing_columns() -> None:
    assert discover_themes(pl.DataFrame({"text_masked": ["a"], "themes": [[]]})) == []
    with pytest.raises(SchemaError, match="themes"):
        discover_themes(pl.DataFrame({"text_masked": ["a"]}))

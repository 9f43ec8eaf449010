from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from klarsyn.errors import InputError
from klarsyn.text.base import TextModel, text_model
from klarsyn.text.learned import load_model, save_model
from klarsyn.text.pipeline import TextPipeline, analyze, build_pipeline
from klarsyn.text.training import normalise_labels, train_model, weak_labels

NOW = datetime(2026, 5, 1, tzinfo=UTC)
# Organisation jargon the lexicon cannot know: "gul" (yellow) status means trouble here.
PRAISE = ["Grön status på ordern", "Ordern grön direkt", "Allt grönt, tack", "Grön och klar"]
COMPLAINTS = ["Gul status igen", "Ordern gul i tre dagar", "Gul gul gul", "Status gul, varför"]


def scored_frame(n: int = 240, seed: int = 1) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        good = i % 2 == 0
        text = rng.choice(PRAISE if good else COMPLAINTS) + f" nummer {rng.randrange(99)}"
        rows.append(
            {
                "text": text,
                "nps": rng.choice([9, 10]) if good else rng.choice([0, 3, 6]),
                "theme": "status" if i % 3 else "order",
            }
        )
    return pl.DataFrame(rows)


def test_weak_and_explicit_labels() -> None:
    assert weak_labels([0, 6, 7, 8, 9, 10, None], scale="nps") == [
        "negative",
        "negative",
        None,
        None,
        "positive",
        "positive",
        None,
    ]
    assert weak_labels(["1", "3", "5"], scale="stars5") == ["negative", None, "positive"]
    with pytest.raises(InputError, match="outside"):
        weak_labels([11], scale="nps")
    assert normalise_labels(["Positive", "neu", "-1", "1", "", None]) == [
        "positive",
        "neutral",
        "negative",
        "positive",
        None,
        None,
    ]
    with pytest.raises(InputError, match="meh"):
        normalise_labels(["meh"])


def test_a_learned_model_wins_where_the_lexicon_cannot(
    pipeline: TextPipeline, tmp_path: Path
) -> None:
    model, report = train_model(
        scored_frame(),
        pipeline=pipeline,
        text_column="text",
        score_column="nps",
        theme_column="theme",
        default_language="sv",
        now=NOW,
    )
    swedish = {r.language: r for r in report.languages}["sv"]
    assert swedish.learned_f1 > swedish.lexicon_f1
    assert swedish.learned_wins
    assert report.labels == {"positive": 120, "negative": 120}
    assert report.themes == 2
    version = save_model(model, tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert loaded.version == version
    assert "sv" in loaded.languages
    assert isinstance(loaded, TextModel)
    frame = pl.DataFrame({"text": ["Gul status igen idag", "Grön status, tack"]})
    result = analyze(frame, pipeline=build_pipeline(model=loaded), default_language="sv")
    assert result["sentiment"].to_list() == ["negative", "positive"]
    assert all("status" in themes or "order" in themes for themes in result["themes"])


def test_the_model_abstains_outside_its_languages(pipeline: TextPipeline) -> None:
    model, _ = train_model(
        scored_frame(), pipeline=pipeline, text_column="text", score_column="nps", now=NOW
    )
    verdicts = model.predict(["Gul status", "Gul status"], languages=["sv", "fi"])
    assert verdicts[0] is not None and verdicts[1] is None


def test_training_needs_something_to_learn(pipeline: TextPipeline) -> None:
    with pytest.raises(InputError, match="nothing to learn"):
        train_model(scored_frame(), pipeline=pipeline, text_column="text", now=NOW)
    one_label = scored_frame().with_columns(pl.lit(10).alias("nps"))
    with pytest.raises(InputError, match="two labels"):
        train_model(one_label, pipeline=pipeline, text_column="text", score_column="nps", now=NOW)


def test_backends_are_chosen_by_name(tmp_path: Path) -> None:
    assert text_model("lexicon") is None
    with pytest.raises(InputError, match="unknown"):
        text_model("magic")
    with pytest.raises(InputError, match="model directory"):
        text_model("learned")
    with pytest.raises(InputError, match="not a model directory"):
        text_model("learned", path=tmp_path)

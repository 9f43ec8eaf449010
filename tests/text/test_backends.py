from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from klarsyn.errors import BackendUnavailable, InputError
from klarsyn.text.base import text_model
from klarsyn.text.encoders import MINILM, SentenceEncoder, load_encoder
from klarsyn.text.learned import load_model, save_model
from klarsyn.text.pipeline import TextPipeline, analyze, build_pipeline
from klarsyn.text.training import train_model

INSTALLED = importlib.util.find_spec("sentence_transformers") is not None
needs_extra = pytest.mark.skipif(not INSTALLED, reason="the embeddings extra is not installed")
NOW = datetime(2026, 5, 1, tzinfo=UTC)

# Two themes told apart in training by words that never come back in the test comments below:
# only what the encoder knows of meaning can carry a theme from one wording to the other.
TRAIN = {
    "delivery": [
        "the parcel arrived two weeks late",
        "courier never showed up at my door",
        "shipping took forever",
        "still waiting for the box to be dropped off",
        "the van came on the wrong day",
        "tracking said delivered but nothing came",
    ],
    "billing": [
        "the invoice was wrong",
        "I was charged twice this month",
        "you billed me for something I never ordered",
        "the amount on my statement is too high",
        "refund of the overcharge never came through",
        "the payment was taken two times",
    ],
}
UNSEEN = {
    "delivery": "My package was delayed again and the postman lost it",
    "billing": "There is an error on my bill, a fee I did not agree to",
}


def themed_frame(seed: int = 3) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = [
        {
            "text": f"{rng.choice(['', 'Hi, ', 'Ugh, '])}{text}{rng.choice(['.', '!', ''])}",
            "theme": t,
        }
        for t, texts in TRAIN.items()
        for text in texts
        for _ in range(4)
    ]
    rng.shuffle(rows)
    return pl.DataFrame(rows)


@pytest.mark.skipif(INSTALLED, reason="the extra is installed here")
def test_a_missing_extra_names_the_install_command() -> None:
    with pytest.raises(BackendUnavailable, match=r"pip install 'klarsyn\[embeddings\]'"):
        text_model("sentence-transformers")


def test_an_encoder_must_be_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a sentence-transformers model directory"):
        load_encoder(str(tmp_path))


@needs_extra
def test_the_encoder_gives_unit_vectors_that_put_paraphrases_together() -> None:
    encoder = load_encoder(MINILM)
    vectors = encoder.encode([*UNSEEN.values(), "the parcel arrived two weeks late"])
    assert vectors.shape == (3, encoder.dimensions)
    assert abs(float((vectors * vectors).sum(axis=1).max()) - 1.0) < 1e-4
    billing, delivery = vectors[1], vectors[0]
    late_parcel = vectors[2]
    assert float(late_parcel @ delivery) > float(late_parcel @ billing)
    assert encoder.encode([]).shape == (0, encoder.dimensions)


@needs_extra
def test_layer_3_carries_themes_to_words_it_never_saw(
    pipeline: TextPipeline, tmp_path: Path
) -> None:
    model, report = train_model(
        themed_frame(),
        pipeline=pipeline,
        text_column="text",
        theme_column="theme",
        default_language="en",
        now=NOW,
        encoder=load_encoder(MINILM),
    )
    assert report.themes == 2
    assert model.name == "sentence-transformers"
    version = save_model(model, tmp_path / "model")
    assert load_model(tmp_path / "model").manifest["encoder"]["model"] == MINILM
    loaded = text_model("sentence-transformers", path=tmp_path / "model")
    assert loaded is not None and loaded.version == version
    texts = list(UNSEEN.values())
    assert loaded.predict_themes(texts, languages=["en", "en"]) == [["delivery"], ["billing"]]
    # The same comments through the pipeline, which records the layer by name.
    on_top = build_pipeline(model=loaded)
    assert on_top.name == "lexicon+sentence-transformers"
    analysed = analyze(pl.DataFrame({"text": texts}), pipeline=on_top, default_language="en")
    assert "delivery" in analysed["themes"][0] and "billing" in analysed["themes"][1]


@needs_extra
def test_the_backend_refuses_a_model_without_an_encoder(
    pipeline: TextPipeline, tmp_path: Path
) -> None:
    model, _ = train_model(
        themed_frame(), pipeline=pipeline, text_column="text", theme_column="theme", now=NOW
    )
    save_model(model, tmp_path / "plain")
    with pytest.raises(InputError, match="trained without a sentence encoder"):
        text_model("sentence-transformers", path=tmp_path / "plain")
    with pytest.raises(InputError, match="needs a model directory"):
        text_model("sentence-transformers")


@needs_extra
def test_train_with_an_encoder_then_analyze_from_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from klarsyn.cli.text import text_app

    source = tmp_path / "tickets.csv"
    themed_frame().write_csv(source)
    model = tmp_path / "model"
    runner = CliRunner()
    train = ["train", str(source), "--text-column", "text", "--theme-column", "theme"]
    trained = runner.invoke(
        text_app, [*train, "--language", "en", "--encoder", MINILM, "--out", str(model)]
    )
    assert trained.exit_code == 0, trained.output
    assert "learned 2 themes" in trained.output
    unseen = tmp_path / "unseen.csv"
    pl.DataFrame({"text": list(UNSEEN.values())}).write_csv(unseen)
    out = tmp_path / "out.csv"
    analyse = ["analyze", str(unseen), "--text-column", "text", "--model", str(model)]
    analysed = runner.invoke(text_app, [*analyse, "--language", "en", "--out", str(out)])
    assert analysed.exit_code == 0, analysed.output
    themes = pl.read_csv(out)["themes"].to_list()
    assert "delivery" in themes[0].split(";") and "billing" in themes[1].split(";")
    wrong = runner.invoke(
        text_app, [*train, "--encoder", str(tmp_path), "--out", str(tmp_path / "x")]
    )
    assert isinstance(wrong.exception, InputError) and "modules.json" in str(wrong.exception)


@needs_extra
def test_each_distinct_text_is_encoded_once_across_a_batchs_two_reads() -> None:
    real = load_encoder(MINILM)
    asked: list[list[str]] = []

    class Counting:
        def encode(self, texts: list[str], **options: object) -> object:
            asked.append(list(texts))
            return real.model.encode(texts, **options)

    encoder = SentenceEncoder(name="counting", model=Counting(), dimensions=real.dimensions)
    texts = ["late parcel", "wrong bill", "late parcel", "friendly staff"]
    first = encoder.encode(texts[:2])
    both = encoder.encode(texts)
    assert asked == [["late parcel", "wrong bill"], ["friendly staff"]]
    assert both.shape == (4, real.dimensions)
    assert (both[0] == first[0]).all() and (both[2] == both[0]).all()
    expected = real.model.encode(texts, normalize_embeddings=True)
    assert abs(both - expected).max() < 1e-5

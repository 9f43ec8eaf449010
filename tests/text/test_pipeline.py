from __future__ import annotations

import gc

import polars as pl
import pytest

from klarsyn.errors import SchemaError
from klarsyn.text.pipeline import OUTPUT_COLUMNS, TextPipeline, analyze


def test_analyze_adds_every_column(pipeline: TextPipeline) -> None:
    frame = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "comment": [
                "Trevlig personal men leveransen kom för sent. Ring mig på 070-123 45 67",
                None,
                "Great crew, but my bag was lost!",
            ],
        }
    )
    result = analyze(frame, pipeline=pipeline, text_column="comment")
    assert result.columns == ["id", "comment", *OUTPUT_COLUMNS]
    first, empty, third = result.to_dicts()
    assert first["language"] == "sv"
    assert first["text_masked"].endswith("Ring mig på [PHONE]")
    assert first["sentiment"] == "negative"
    assert first["themes"] == ["staff.attitude", "delivery.time"]
    by_theme = {m["theme"]: m for m in first["mentions"]}
    assert by_theme["staff"]["sentiment"] == "positive"
    assert by_theme["staff.attitude"]["sentiment"] == "positive"
    assert by_theme["delivery.time"]["sentiment"] == "negative"
    mention = by_theme["delivery.time"]
    assert first["text_masked"][mention["start"] : mention["end"]] == mention["text"]
    assert empty["language"] is None and empty["sentiment"] is None and empty["themes"] == []
    assert third["language"] == "en" and set(third["themes"]) >= {"staff", "travel.luggage"}


def test_a_missing_text_column_is_a_schema_error(pipeline: TextPipeline) -> None:
    with pytest.raises(SchemaError, match="'text'"):
        analyze(pl.DataFrame({"body": ["x"]}), pipeline=pipeline)


def test_an_empty_frame_gives_an_empty_result(pipeline: TextPipeline) -> None:
    result = analyze(pl.DataFrame({"text": []}, schema={"text": pl.String}), pipeline=pipeline)
    assert result.columns == ["text", *OUTPUT_COLUMNS]
    assert len(result) == 0


def test_results_do_not_depend_on_batching(pipeline: TextPipeline) -> None:
    texts = ["Bra service", "Dålig leverans", "Asiakaspalvelu oli hyvä", "Too expensive"]
    whole = analyze(pl.DataFrame({"text": texts}), pipeline=pipeline)
    parts = pl.concat([analyze(pl.DataFrame({"text": [t]}), pipeline=pipeline) for t in texts])
    assert whole.equals(parts)


def test_existing_output_columns_are_replaced(pipeline: TextPipeline) -> None:
    frame = pl.DataFrame({"text": ["Hyvä palvelu"], "language": ["sv"]})
    result = analyze(frame, pipeline=pipeline)
    assert result["language"].to_list() == ["fi"]
    assert result.columns.count("language") == 1


def test_repeated_comments_read_like_single_ones(pipeline: TextPipeline) -> None:
    texts = ["Tak for god service", "Bra", "Tak for god service", None, "Bra", None]
    fallbacks = ["da", "sv", "nb", "sv", "sv", None]
    frame = pl.DataFrame({"text": texts, "fallback": fallbacks})
    together = analyze(frame, pipeline=pipeline, language_column="fallback")
    apart = pl.concat(
        [
            analyze(frame.slice(row, 1), pipeline=pipeline, language_column="fallback")
            for row in range(len(texts))
        ]
    )
    assert together.equals(apart)
    # The same words from a Danish and a Norwegian source: each copy keeps its own language.
    languages = together["language"].to_list()
    assert (languages[0], languages[2]) == ("da", "nb")


def test_analysis_leaves_the_cycle_collector_as_it_found_it(pipeline: TextPipeline) -> None:
    frame = pl.DataFrame({"text": ["Bra service", "Dålig leverans"]})
    assert gc.isenabled()
    analyze(frame, pipeline=pipeline)
    assert gc.isenabled()
    gc.disable()
    try:
        analyze(frame, pipeline=pipeline)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leveransen var försenad", ["delivery.time"]),
        ("Tåget var försenat igen", ["travel.delay"]),
        # Nothing tells a late parcel from a late train: both readings stay.
        ("Försenad", ["delivery.time", "travel.delay"]),
        ("The delivery was late again", ["delivery.time"]),
        ("My flight was late again", ["travel.delay"]),
        ("Package delayed by a week", ["delivery.time"]),
        ("Delivery was rescheduled twice", ["delivery.time"]),
        # "tog" is a train, and in Danish and Swedish also "took" (comments read neighbours'
        # terms): alone it is no theme.
        ("Det tog en evighed at få min returnering godkendt", ["returns"]),
        ("Returen tog en evighet att få godkänd", ["returns"]),
        ("Toget var forsinket igjen", ["travel.delay"]),
        # A cancellation is a travel delay only beside a flight, train or bus.
        ("My flight got canceled and I missed my meeting", ["travel.delay"]),
        ("The train was cancelled twice", ["travel.delay"]),
        ("Flyet ble kansellert igjen", ["travel.delay"]),
        ("They cancelled my membership without asking", ["loyalty"]),
        ("Ordren ble kansellert uten beskjed", ["booking", "communication"]),
    ],
)
def test_words_shared_by_two_areas_follow_the_rest_of_the_comment(
    pipeline: TextPipeline, text: str, expected: list[str]
) -> None:
    result = analyze(pl.DataFrame({"text": [text]}), pipeline=pipeline)
    assert sorted(result["themes"][0].to_list()) == expected

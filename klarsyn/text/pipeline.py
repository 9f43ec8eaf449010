"""The text pipeline: language, PII masking, sentiment and themes over a batch of comments.

:func:`analyze` is a pure function from a frame to a frame. Everything it needs (the language
model, lexicon, taxonomy and an optional learned model) is passed in as a :class:`TextPipeline`,
so the same call runs in the CLI, on the store, in a notebook or on one partition of a
distributed job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from klarsyn.errors import SchemaError
from klarsyn.text.base import TextModel
from klarsyn.text.language import LanguageIdentifier, language_identifier
from klarsyn.text.lexicon import Lexicon, default_lexicon
from klarsyn.text.pii import mask_pii
from klarsyn.text.sentiment import THRESHOLD, label, read_sentiment
from klarsyn.text.taxonomy import Taxonomy, default_taxonomy
from klarsyn.text.themes import ThemeMatcher
from klarsyn.text.tokens import tokenize

#: Columns :func:`analyze` adds (replacing any of the same name).
OUTPUT_COLUMNS = (
    "language",
    "language_confidence",
    "text_masked",
    "sentiment",
    "sentiment_score",
    "themes",
    "mentions",
)
MENTION = pl.Struct(
    {
        "theme": pl.String,
        "start": pl.Int32,
        "end": pl.Int32,
        "text": pl.String,
        "sentiment": pl.String,
        "sentiment_score": pl.Float64,
    }
)
SCHEMA: dict[str, pl.DataType] = {
    "language": pl.String(),
    "language_confidence": pl.Float64(),
    "text_masked": pl.String(),
    "sentiment": pl.String(),
    "sentiment_score": pl.Float64(),
    "themes": pl.List(pl.String),
    "mentions": pl.List(MENTION),
}


@dataclass(frozen=True, slots=True)
class TextPipeline:
    """The models one analysis uses; its ``name`` and ``version`` go with every result."""

    identifier: LanguageIdentifier
    lexicon: Lexicon
    taxonomy: Taxonomy
    model: TextModel | None = None
    threshold: float = THRESHOLD
    matcher: ThemeMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", ThemeMatcher(self.taxonomy))

    @property
    def name(self) -> str:
        return "lexicon" if self.model is None else f"lexicon+{self.model.name}"

    @property
    def version(self) -> str:
        """The lexicon's version, plus the learned model's when there is one."""
        if self.model is None:
            return self.lexicon.version
        return f"{self.lexicon.version}+{self.model.version}"[:50]


def build_pipeline(
    *,
    taxonomy: Taxonomy | None = None,
    lexicon: Lexicon | None = None,
    model: TextModel | None = None,
) -> TextPipeline:
    """A pipeline with the built-in parts wherever none is given."""
    return TextPipeline(
        identifier=language_identifier(),
        lexicon=lexicon or default_lexicon(),
        taxonomy=taxonomy or default_taxonomy(),
        model=model,
    )


def analyze(
    frame: pl.DataFrame,
    *,
    pipeline: TextPipeline,
    text_column: str = "text",
    default_language: str | None = None,
    language_column: str | None = None,
) -> pl.DataFrame:
    """Add language, masked text, sentiment and themes to each row of ``frame``.

    Needs the column ``text_column`` (text; nulls are allowed). Adds :data:`OUTPUT_COLUMNS`:
    ``language`` (sv/da/nb/fi/en) and ``language_confidence``; ``text_masked`` (personal data
    replaced); ``sentiment`` (negative/neutral/positive) and ``sentiment_score`` in [-1, 1];
    ``themes`` (theme ids, most specific, in order of first mention); ``mentions`` (theme,
    character span in ``text_masked``, the mentioned words and their own sentiment).
    ``default_language`` is the source's language, used when Danish and Norwegian are too
    close to call; ``language_column`` names a column giving that language per row instead.
    """
    if text_column not in frame.columns:
        raise SchemaError(
            f"the frame has no column {text_column!r}; its columns are {frame.columns}",
            hint="name the column holding the comments with --text-column",
        )
    texts = frame[text_column].cast(pl.String).to_list()
    defaults = frame[language_column].cast(pl.String).to_list() if language_column else None
    languages = pipeline.identifier.identify(texts, default=default_language, defaults=defaults)
    rows = [
        _analyze_one(text, language, pipeline=pipeline)
        for text, language in zip(texts, languages.codes, strict=True)
    ]
    if pipeline.model is not None:
        _apply_model(rows, languages.codes, model=pipeline.model)
    columns: dict[str, Sequence[Any]] = {
        "language": languages.codes,
        "language_confidence": languages.confidences,
        "text_masked": [row[0] for row in rows],
        "sentiment": [row[1] for row in rows],
        "sentiment_score": [row[2] for row in rows],
    }
    added = pl.DataFrame(columns, schema={k: SCHEMA[k] for k in columns}).with_columns(
        _lists([row[3] for row in rows], pl.String()).alias("themes"),
        _mentions([row[4] for row in rows]).alias("mentions"),
    )
    return pl.concat([frame.drop(OUTPUT_COLUMNS, strict=False), added], how="horizontal")


def _offsets(lists: Sequence[Sequence[Any]]) -> pa.Array:
    offsets = [0]
    for items in lists:
        offsets.append(offsets[-1] + len(items))
    return pa.array(offsets, type=pa.int32())


def _lists(lists: Sequence[Sequence[Any]], dtype: pl.DataType) -> pl.Series:
    # Building nested columns through Arrow offsets is ~10x faster than from Python lists.
    values = pl.Series([item for items in lists for item in items], dtype=dtype).to_arrow()
    return pl.Series(pa.ListArray.from_arrays(_offsets(lists), values)).cast(pl.List(dtype))


def _mentions(lists: Sequence[Sequence[dict[str, Any]]]) -> pl.Series:
    flat = [item for items in lists for item in items]
    fields = MENTION.to_schema()
    values = pl.DataFrame(
        {name: [item[name] for item in flat] for name in fields}, schema=fields
    ).to_struct("mention")
    array = pa.ListArray.from_arrays(_offsets(lists), values.to_arrow())
    return pl.Series(array).cast(pl.List(MENTION))


Row = list[Any]  # text_masked, sentiment, sentiment_score, themes, mentions


def _analyze_one(text: str | None, language: str | None, *, pipeline: TextPipeline) -> Row:
    if text is None or not text.strip():
        return [text, None, None, [], []]
    masked = mask_pii(text, language=language).text
    tokens = tokenize(masked)
    lexicon = pipeline.lexicon
    reading = read_sentiment(
        tokens, rules=lexicon.rules(language, fallback="en"), emojis=lexicon.emojis
    )
    mentions = []
    themes: list[str] = []
    for mention in pipeline.matcher.find(tokens, language=language):
        score = reading.score_at(mention.first)
        mentions.append(
            {
                "theme": mention.theme,
                "start": mention.start,
                "end": mention.end,
                "text": masked[mention.start : mention.end],
                "sentiment": label(score, threshold=pipeline.threshold),
                "sentiment_score": round(score, 4),
            }
        )
        if mention.theme not in themes:
            themes.append(mention.theme)
    if len(themes) > 1:
        # "Trevlig personal" says staff attitude; listing "staff" as well would count it twice.
        ancestors = pipeline.matcher.ancestors
        implied = {a for theme in themes for a in ancestors.get(theme, ())}
        themes = [theme for theme in themes if theme not in implied]
    score = reading.score
    return [masked, label(score, threshold=pipeline.threshold), round(score, 4), themes, mentions]


def _apply_model(rows: list[Row], languages: list[str | None], *, model: TextModel) -> None:
    """Use the learned model's verdict where it speaks for that language, and its themes."""
    present = [i for i, row in enumerate(rows) if row[1] is not None]
    texts = [rows[i][0] for i in present]
    langs = [languages[i] for i in present]
    judgements = model.predict(texts, languages=langs)
    learned_themes = model.predict_themes(texts, languages=langs)
    for i, judgement, extra in zip(present, judgements, learned_themes, strict=True):
        if judgement is not None:
            rows[i][1] = judgement.label
            rows[i][2] = round(judgement.score, 4)
        rows[i][3] = rows[i][3] + [theme for theme in extra if theme not in rows[i][3]]

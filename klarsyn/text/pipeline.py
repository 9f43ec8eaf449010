"""The text pipeline: language, PII masking, sentiment and themes over a batch of comments.

:func:`analyze` is a pure function from a frame to a frame. Everything it needs (the language
model, lexicon, taxonomy and an optional learned model) is passed in as a :class:`TextPipeline`,
so the same call runs in the CLI, on the store, in a notebook or on one partition of a
distributed job.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any

import polars as pl
import pyarrow as pa

from klarsyn.errors import SchemaError
from klarsyn.text.base import TextModel
from klarsyn.text.language import LanguageIdentifier, language_identifier
from klarsyn.text.lexicon import Lexicon, default_lexicon
from klarsyn.text.pii import masked_text
from klarsyn.text.sentiment import THRESHOLD, label, read_sentiment
from klarsyn.text.taxonomy import Taxonomy, default_taxonomy
from klarsyn.text.terms import Memo
from klarsyn.text.themes import Mention, ThemeMatcher
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
    with _collection_paused():
        return _analyze(
            frame,
            pipeline=pipeline,
            text_column=text_column,
            default_language=default_language,
            language_column=language_column,
        )


class _CollectionPause:
    """Pauses Python's cycle collector while any thread analyses a batch.

    A batch allocates millions of small lists and tuples, none of them in a cycle; the
    collector would walk all of them again and again as they pile up (a fifth of the run).
    Nested and concurrent pauses are counted, so the last one out turns it back on, and only
    if it was on before the first one came in.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()


_collection_paused = _CollectionPause()


def _analyze(
    frame: pl.DataFrame,
    *,
    pipeline: TextPipeline,
    text_column: str,
    default_language: str | None,
    language_column: str | None,
) -> pl.DataFrame:
    texts = frame[text_column].cast(pl.String).to_list()
    defaults = frame[language_column].cast(pl.String).to_list() if language_column else None
    # Feedback repeats itself ("Bra!", "Good service", a pasted template): read each distinct
    # text (with its fallback language) once and hand every copy the same result.
    keys: list[Any] = texts if defaults is None else list(zip(texts, defaults, strict=True))
    slots: dict[Any, int] = {}
    slot_of = [slots.setdefault(key, len(slots)) for key in keys]
    repeated = len(slots) < len(keys)
    if repeated:
        first_row = _first_rows(slot_of, len(slots))
        texts = [texts[row] for row in first_row]
        if defaults is not None:
            defaults = [defaults[row] for row in first_row]
    languages = pipeline.identifier.identify(texts, default=default_language, defaults=defaults)
    rows = _read_all(texts, languages.codes, pipeline=pipeline)
    if pipeline.model is not None:
        _apply_model(rows, languages.codes, model=pipeline.model)
    codes, confidences = languages.codes, languages.confidences
    if repeated:
        rows = [rows[slot] for slot in slot_of]
        codes = [codes[slot] for slot in slot_of]
        confidences = [confidences[slot] for slot in slot_of]
    masked, sentiments, scores, themes, mentions = (
        zip(*rows, strict=True) if rows else ((), (), (), (), ())
    )
    columns: dict[str, Sequence[Any]] = {
        "language": codes,
        "language_confidence": confidences,
        "text_masked": masked,
        "sentiment": sentiments,
        "sentiment_score": scores,
    }
    added = pl.DataFrame(columns, schema={k: SCHEMA[k] for k in columns}).with_columns(
        _lists(themes, pl.String()).alias("themes"),
        _mentions(mentions).alias("mentions"),
    )
    return pl.concat([frame.drop(OUTPUT_COLUMNS, strict=False), added], how="horizontal")


def _first_rows(slot_of: Sequence[int], count: int) -> list[int]:
    """The first row of each of ``count`` distinct keys, given each row's key number."""
    first = [-1] * count
    for row, slot in enumerate(slot_of):
        if first[slot] < 0:
            first[slot] = row
    return first


def _offsets(lists: Sequence[Sequence[Any]]) -> pa.Array:
    return pa.array([0, *accumulate(map(len, lists))], type=pa.int32())


def _lists(lists: Sequence[Sequence[Any]], dtype: pl.DataType) -> pl.Series:
    # Building nested columns through Arrow offsets is ~10x faster than from Python lists.
    values = pl.Series(list(chain.from_iterable(lists)), dtype=dtype).to_arrow()
    return pl.Series(pa.ListArray.from_arrays(_offsets(lists), values)).cast(pl.List(dtype))


def _mentions(lists: Sequence[Sequence[Mentioned]]) -> pl.Series:
    flat = list(chain.from_iterable(lists))
    fields = MENTION.to_schema()
    columns = zip(*flat, strict=True) if flat else ([] for _ in fields)
    values = pl.DataFrame(dict(zip(fields, columns, strict=True)), schema=fields).to_struct(
        "mention"
    )
    array = pa.ListArray.from_arrays(_offsets(lists), values.to_arrow())
    return pl.Series(array).cast(pl.List(MENTION))


_THEME, _SPAN = itemgetter(0), itemgetter(3, 4)  # of a Mention

# One theme mention as its MENTION fields: theme, start, end, text, sentiment, sentiment_score.
Mentioned = tuple[str, int, int, str, str, float]
Row = list[Any]  # text_masked, sentiment, sentiment_score, themes, mentions


def _read_all(
    texts: Sequence[str | None], languages: Sequence[str | None], *, pipeline: TextPipeline
) -> list[Row]:
    """Mask, tokenise, score and theme each text; the loop every comment goes through."""
    lexicon, matcher, threshold = pipeline.lexicon, pipeline.matcher, pipeline.threshold
    rules_of = {code: lexicon.rules(code, fallback="en") for code in set(languages)}
    emojis, find = lexicon.emojis, matcher.find
    themes_of = Memo(partial(_comment_themes, ancestors=matcher.ancestors))
    # Scores repeat (a clause's sum of a few valences): label and round each distinct one once.
    judged: Memo[float, tuple[str, float]] = Memo(
        lambda score: (label(score, threshold=threshold), round(score, 4))
    )
    rows: list[Row] = []
    for text, language in zip(texts, languages, strict=True):
        if text is None or not text.strip():
            rows.append([text, None, None, (), []])
            continue
        masked = masked_text(text, language=language)
        tokens = tokenize(masked)
        reading = read_sentiment(tokens, rules=rules_of[language], emojis=emojis)
        verdict, score = judged[reading.score]
        found = find(tokens, language=language)
        if not found:
            rows.append([masked, verdict, score, (), []])
            continue
        found = _settle_shared_words(found)
        score_at = reading.score_at
        mentions: list[Mentioned] = [
            (theme, start, end, masked[start:end], *judged[score_at(first)])
            for theme, first, _last, start, end in found
        ]
        rows.append([masked, verdict, score, themes_of[tuple(map(_THEME, found))], mentions])
    return rows


def _comment_themes(
    mentioned: tuple[str, ...], *, ancestors: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """The themes of a comment's mentions, in order of first mention, each once and without
    those that a more specific one present implies: "Trevlig personal" says staff attitude, and
    listing "staff" as well would count it twice."""
    themes = tuple(dict.fromkeys(mentioned))
    if len(themes) < 2:
        return themes
    implied = {a for theme in themes for a in ancestors.get(theme, ())}
    return tuple(theme for theme in themes if theme not in implied)


def _settle_shared_words(found: list[Mention]) -> list[Mention]:
    """Where the same words name themes of different areas, keep the area the comment is about.

    "Leveransen var försenad": "försenad" reads as a late delivery and as a delayed journey;
    "Leveransen" already puts the comment in delivery, so the travel reading goes. With nothing
    else to go by, every reading stays. Only readings that are all sub-themes compete: a
    top-level theme on the same words (an "email" theme beside "service.reachability") is a
    label of its own, not another meaning.
    """
    if len(set(map(_SPAN, found))) == len(found):
        return found  # no two readings of the same words
    areas: dict[tuple[int, int], set[str]] = {}
    specific: dict[tuple[int, int], bool] = {}
    for mention in found:
        span = (mention.start, mention.end)
        areas.setdefault(span, set()).add(mention.theme.split(".")[0])
        specific[span] = specific.get(span, True) and "." in mention.theme
    contested = {span for span, named in areas.items() if len(named) > 1 and specific[span]}
    if not contested:
        return found
    kept = []
    for mention in found:
        span = (mention.start, mention.end)
        if span in contested:
            elsewhere = {
                area
                for other, named in areas.items()
                if other != span and len(named) == 1
                for area in named
            }
            if areas[span] & elsewhere and mention.theme.split(".")[0] not in elsewhere:
                continue
        kept.append(mention)
    return kept


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
        rows[i][3] = (*rows[i][3], *(theme for theme in extra if theme not in rows[i][3]))

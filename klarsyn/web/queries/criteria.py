"""Filters as both a Polars expression (aggregates, from the mirror) and SQL (lists, paged).

The two must select the same rows; ``tests/web/test_criteria.py`` checks that they do. Theme
and sentiment come from the text pipeline: the frame needs the enrichment's ``sentiment`` and
``themes`` columns joined (:func:`klarsyn.storage.enriched.scan_enriched`), the SQL looks them
up in ``enrichments``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
from sqlalchemy import Boolean, ColumnElement, and_, exists, literal, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from klarsyn.errors import InputError
from klarsyn.storage.columnar import FEEDBACK_COLUMNS
from klarsyn.storage.tables import enrichments, feedback
from klarsyn.web.scope import Scope

ScoreName = Literal["nps", "csat", "ces", "rating"]
SentimentName = Literal["negative", "neutral", "positive"]
BASE_COLUMNS = {"row_id", *FEEDBACK_COLUMNS}


@dataclass(frozen=True, slots=True)
class Search:
    """Filters of the Feedback page and ``GET /api/v1/feedback`` beyond the global scope."""

    q: str | None = None
    language: str | None = None
    score: ScoreName | None = None
    min: int | None = None
    max: int | None = None
    customer_id: str | None = None
    theme: str | None = None  # a theme and every theme below it
    sentiment: SentimentName | None = None

    @property
    def reads_enrichment(self) -> bool:
        return bool(self.theme or self.sentiment)

    def params(self) -> dict[str, str | int | None]:
        return {
            "q": self.q,
            "language": self.language,
            "score": self.score,
            "min": self.min,
            "max": self.max,
            "theme": self.theme,
            "sentiment": self.sentiment,
        }


def attribute_column(name: str, available: list[str]) -> str:
    """The mirror column of attribute ``name`` (prefixed when it clashes with a base column)."""
    column = f"attr_{name}" if name in BASE_COLUMNS else name
    if column not in available:
        known = sorted(c for c in available if c not in BASE_COLUMNS)
        raise InputError(
            f"feedback has no attribute {name!r}",
            hint=f"filter by one of: {', '.join(known) or '(no attributes imported yet)'}",
        )
    return column


def frame_filter(scope: Scope, search: Search, *, available: list[str]) -> pl.Expr:
    """The rows of ``scope`` and ``search`` in a mirror frame with columns ``available``."""
    terms: list[pl.Expr] = [pl.lit(True)]
    if scope.since is not None:
        terms.append(pl.col("received_at") >= scope.since)
    if scope.until is not None:
        terms.append(pl.col("received_at") < scope.until)
    if scope.channel:
        terms.append(pl.col("channel") == scope.channel)
    for name, value in scope.segment:
        terms.append(pl.col(attribute_column(name, available)) == value)
    if search.q:
        # A case-insensitive regex of the escaped text: 4x faster than lower-casing every row.
        terms.append(pl.col("text").str.contains("(?i)" + re.escape(search.q)))
    if search.language:
        terms.append(pl.col("language") == search.language)
    if search.customer_id:
        terms.append(pl.col("customer_id") == search.customer_id)
    if search.score:
        terms.append(pl.col(search.score).is_not_null())
        if search.min is not None:
            terms.append(pl.col(search.score) >= search.min)
        if search.max is not None:
            terms.append(pl.col(search.score) <= search.max)
    if search.sentiment:
        terms.append(pl.col("sentiment") == search.sentiment)
    if search.theme:
        theme = pl.element()
        within = (theme == search.theme) | theme.str.starts_with(search.theme + ".")
        terms.append(pl.col("themes").list.eval(within).list.any())
    return pl.all_horizontal(terms)


def _like(text: str, *, anywhere: bool = True) -> str:
    """A LIKE pattern (escaped with ``\\``) for ``text`` anywhere, or at the start."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def sql_filter(scope: Scope, search: Search) -> ColumnElement[bool]:
    """The same rows as :func:`frame_filter`, as a WHERE clause on the feedback table."""
    c = feedback.c
    terms: list[ColumnElement[Any]] = [true()]
    if scope.since is not None:
        terms.append(c.received_at >= scope.since)
    if scope.until is not None:
        terms.append(c.received_at < scope.until)
    if scope.channel:
        terms.append(c.channel == scope.channel)
    for name, value in scope.segment:
        terms.append(c.attributes[name].as_string() == value)
    if search.q:
        terms.append(c.text.ilike(_like(search.q), escape="\\"))
    if search.language:
        terms.append(c.language == search.language)
    if search.customer_id:
        terms.append(c.customer_id == search.customer_id)
    if search.score:
        column = c[search.score]
        terms.append(column.is_not(None))
        if search.min is not None:
            terms.append(column >= search.min)
        if search.max is not None:
            terms.append(column <= search.max)
    if search.sentiment:
        e = enrichments.alias("sentiment_of")
        terms.append(exists().where(e.c.feedback_id == c.id, e.c.sentiment == search.sentiment))
    if search.theme:
        terms.append(HasTheme(search.theme))
    return and_(*terms)


class HasTheme(ColumnElement[bool]):
    """True for feedback whose enrichment names ``theme`` or a theme below it.

    The theme ids are a JSON array inside ``enrichments.themes``; each database unpacks it with
    its own function, so the clause is compiled per dialect.
    """

    type = Boolean()
    inherit_cache = False  # the theme is not a bound parameter SQLAlchemy could cache around

    def __init__(self, theme: str) -> None:
        self.theme = theme


def _has_theme(element: HasTheme, compiler: SQLCompiler, unpacked: str, **kw: Any) -> str:
    exact = compiler.process(literal(element.theme), **kw)
    below = compiler.process(literal(_like(element.theme + ".", anywhere=False)), **kw)
    return (
        f"EXISTS (SELECT 1 FROM enrichments AS themes_of, {unpacked} "
        f"WHERE themes_of.feedback_id = feedback.id "
        f"AND (theme.value = {exact} OR theme.value LIKE {below} ESCAPE '\\'))"
    )


@compiles(HasTheme, "sqlite")
def _has_theme_sqlite(element: HasTheme, compiler: SQLCompiler, **kw: Any) -> str:
    return _has_theme(element, compiler, "json_each(themes_of.themes, '$.themes') AS theme", **kw)


@compiles(HasTheme, "postgresql")
def _has_theme_postgresql(element: HasTheme, compiler: SQLCompiler, **kw: Any) -> str:
    unpacked = "jsonb_array_elements_text(themes_of.themes -> 'themes') AS theme(value)"
    return _has_theme(element, compiler, unpacked, **kw)

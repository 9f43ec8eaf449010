"""Drivers and themes for the dashboard and the API, remembered per data version and filters.

Reading the text pipeline's results for every comment dominates the cost (seconds at a million
comments), so each result is kept in memory, keyed by the filters and by a data version that
changes whenever feedback, enrichments or customers change. A second visit, another user's
visit or the API with the same filters answers from memory; new data recomputes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import polars as pl
from fastapi import FastAPI

from klarsyn.analytics.drivers import KeyDrivers
from klarsyn.storage.driver_inputs import DriverMetric, Level, driver_inputs, drivers_of
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store
from klarsyn.storage.theme_inputs import ThemeOverview, theme_overview
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.queries.criteria import Search, frame_filter
from klarsyn.web.scope import Scope

T = TypeVar("T")
REPLICATES = 200
MAX_ENTRIES = 32


class ResultCache:
    """A small least-recently-used map from (kind, data version, filters) to results."""

    def __init__(self, *, size: int = MAX_ENTRIES) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                found: T = self._entries[key]
                return found
        value = compute()  # outside the lock: a slow analysis must not block cached answers
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value


def result_cache(app: FastAPI) -> ResultCache:
    """The app's cache, created on first use."""
    cache = getattr(app.state, "priority_cache", None)
    if not isinstance(cache, ResultCache):
        cache = ResultCache()
        app.state.priority_cache = cache
    return cache


def current_version(app: FastAPI) -> tuple[Any, ...]:
    """The data version the dashboard's mirror was last checked at, at most a few seconds
    behind the store."""
    mirror: MirrorCache = app.state.mirror
    return mirror.version()


def scope_key(scope: Scope) -> tuple[Any, ...]:
    return (scope.since, scope.until, scope.channel, scope.segment)


def _filters(store: Store, scope: Scope) -> tuple[pl.Expr, pl.Expr | None]:
    available = scan_feedback(store, refreshed=False).collect_schema().names()
    where = frame_filter(scope, Search(), available=available)
    before = scope.previous()
    previous = None if before is None else frame_filter(before, Search(), available=available)
    return where, previous


def cached_drivers(
    app: FastAPI,
    store: Store,
    *,
    scope: Scope,
    metric: DriverMetric,
    level: Level = "top",
    min_customers: int = 30,
) -> KeyDrivers:
    """Key drivers of ``metric`` for the feedback in ``scope`` (see `drivers_of`)."""
    key = ("drivers", current_version(app), scope_key(scope), metric, level, min_customers)

    def compute() -> KeyDrivers:
        where, _ = _filters(store, scope)
        inputs = driver_inputs(store, where=where, level=level, min_customers=min_customers)
        return drivers_of(inputs, metric=metric, replicates=REPLICATES, seed=0)

    return result_cache(app).get(key, compute)


def cached_themes(
    app: FastAPI, store: Store, *, scope: Scope, level: Level = "all", language: str = "en"
) -> ThemeOverview:
    """The theme overview of ``scope``, with a trend against the window before it."""
    taxonomy = stored_taxonomy(store)
    key = (
        "themes",
        current_version(app),
        taxonomy.version,
        scope_key(scope),
        level,
        language,
    )

    def compute() -> ThemeOverview:
        where, previous = _filters(store, scope)
        labels = {theme.id: theme.label(language) for theme in taxonomy.themes}
        return theme_overview(store, where=where, previous=previous, level=level, labels=labels)

    return result_cache(app).get(key, compute)

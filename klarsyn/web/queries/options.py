"""What the filter bar offers: channels, languages and segment values seen in the feedback."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.queries.criteria import BASE_COLUMNS

# Attributes with more values than this (order numbers, free text) make no useful menu.
MAX_VALUES = 60


@dataclass(frozen=True, slots=True)
class Options:
    channels: list[str]
    languages: list[str]
    segments: list[str]


def _compute(mirror: MirrorCache) -> Options:
    scan = mirror.scan()
    names = scan.collect_schema().names()
    attributes = [n for n in names if n not in BASE_COLUMNS]
    counts = scan.select(
        pl.col(["channel", "language", *attributes]).drop_nulls().unique().implode()
    ).collect()
    values = {name: sorted(v for v in counts[name][0] if v != "") for name in counts.columns}
    segments = [
        f"{name.removeprefix('attr_')}:{value}"
        for name in attributes
        if len(values[name]) <= MAX_VALUES
        for value in values[name]
    ]
    return Options(channels=values["channel"], languages=values["language"], segments=segments)


def filter_options(mirror: MirrorCache) -> Options:
    return mirror.memo("options", lambda: _compute(mirror))

"""Validating a batch of raw rows into typed store rows, and the reasons for the rest.

Validation is vectorised with Polars: each field yields its typed value and, where the raw value
is unusable, a precise reason naming the field, the value and what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from klarsyn.collect.fields import FIELDS, SCORE_FIELDS, Field, Kind
from klarsyn.collect.readers import RawBatch
from klarsyn.collect.timestamps import EXPECTED, parse_timestamps

ROW = "_row"
REASON = "_reason"


@dataclass(frozen=True)
class Rules:
    """How a batch is read: everything that is not in the file itself."""

    kind: Kind
    source: str
    targets: dict[str, str]  # source column -> field or attribute name
    time_zone: str
    received_at: datetime  # used when feedback has no received_at column at all
    date_format: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Validated:
    rows: pl.DataFrame  # store columns, ready to write
    rejects: list[tuple[int, str, dict[str, Any]]]  # row number, reason, raw row


def to_frame(batch: RawBatch, targets: dict[str, str]) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {
        target: batch.columns.get(source, [None] * len(batch)) for source, target in targets.items()
    }
    schema = dict.fromkeys(columns, pl.String)
    frame = pl.DataFrame(columns, schema=schema)
    return frame.with_columns(pl.Series(ROW, batch.row_numbers, dtype=pl.Int64))


def _quote(column: str) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), pl.col(column).str.slice(0, 60), pl.lit("'"))


def _number(raw: pl.Expr) -> pl.Expr:
    text = raw.str.strip_chars().str.replace_all(r"[\s\u00a0]", "")
    european = text.str.contains(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
    english = text.str.contains(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
    normal = (
        pl.when(european)
        .then(text.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(english)
        .then(text.str.replace_all(",", ""))
        .otherwise(text.str.replace(",", "."))
    )
    return normal.cast(pl.Float64, strict=False)


def _field(field: Field, rules: Rules) -> tuple[pl.Expr, pl.Expr]:
    """The typed value and the error reason (null when fine) of one field."""
    raw = pl.col(field.name)
    error: pl.Expr
    present = raw.is_not_null() & (raw.str.strip_chars() != "")
    name = field.name
    if field.type == "timestamp":
        value = parse_timestamps(raw, time_zone=rules.time_zone, date_format=rules.date_format)
        error = pl.when(present & value.is_null()).then(
            pl.format(
                f"{name} {{}} is not a date and time in {rules.time_zone} ({EXPECTED})",
                _quote(name),
            )
        )
    elif field.type in {"integer", "number"}:
        number = _number(raw)
        value = number.round(0).cast(pl.Int64) if field.type == "integer" else number
        bad_number = pl.format(f"{name} {{}} is not a number", _quote(name))
        error = pl.when(present & number.is_null()).then(bad_number)
        if field.type == "integer":
            error = error.when(present & (number != number.round(0))).then(
                pl.format(f"{name} {{}} is not a whole number", _quote(name))
            )
            error = error.when(present & ((number < field.low) | (number > field.high))).then(
                pl.format(f"{name} {{}} is outside {field.low}-{field.high}", _quote(name))
            )
    else:
        value = raw.str.strip_chars() if field.type != "text" else raw
        if name == "language":
            value = value.str.to_lowercase()
        error = pl.lit(None, dtype=pl.String)
        if field.max_length:
            error = pl.when(value.str.len_chars() > field.max_length).then(
                pl.lit(f"{name} is longer than {field.max_length} characters")
            )
    value = pl.when(present).then(value)
    if field.required:
        error = pl.when(~present).then(pl.lit(f"missing required field {name}")).otherwise(error)
    return value.alias(field.target), error.cast(pl.String)


def content_ids(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """A stable id from the row's content, for sources that give no id of their own.

    Columns are taken in name order so the same export with reordered columns still matches.
    """
    joined = frame.select(
        pl.concat_str([pl.col(c).fill_null("\x00") for c in sorted(columns)], separator="\x1f")
    ).to_series()
    return pl.Series(
        [f"sha1:{hashlib.sha1(s.encode()).hexdigest()}" for s in joined.to_list()],
        dtype=pl.String,
    )


def validate(batch: RawBatch, rules: Rules) -> Validated:
    """Turn a raw batch into store rows of ``rules.kind`` plus quarantined rejects."""
    frame = to_frame(batch, rules.targets)
    fields = {f.name: f for f in FIELDS[rules.kind]}
    present = [f for f in FIELDS[rules.kind] if f.name in frame.columns]
    typed = [_field(f, rules) for f in present]
    values = [v for v, _ in typed]
    errors = [e for _, e in typed]
    if rules.kind == "feedback":
        scored = [f for f in SCORE_FIELDS if f in frame.columns]
        has_content = pl.any_horizontal(
            [pl.col(f).is_not_null() for f in [*scored, "text"] if f in frame.columns]
            or [pl.lit(False)]
        )
        errors.append(pl.when(~has_content).then(pl.lit("row has no score and no text")))
    attributes = [c for c in frame.columns if c not in fields and c != ROW]
    reason = pl.concat_str(errors, separator="; ", ignore_nulls=True) if errors else pl.lit(None)
    checked = frame.with_columns(reason.alias(REASON))
    bad = checked.filter(pl.col(REASON).is_not_null() & (pl.col(REASON) != ""))
    good = checked.filter(pl.col(REASON).is_null() | (pl.col(REASON) == ""))
    rows = good.select(
        *values,
        _attributes(attributes).alias("attributes"),
        pl.lit(rules.source).alias("source"),
    )
    rows = _complete(rows, good, rules, list(rules.targets.values()))
    sources = {target: source for source, target in rules.targets.items()}
    rejects = [
        (
            record[ROW],
            record[REASON],
            {sources[k]: v for k, v in record.items() if k in sources and v is not None},
        )
        for record in bad.to_dicts()
    ]
    return Validated(rows, rejects)


def _attributes(columns: list[str]) -> pl.Expr:
    if not columns:
        return pl.lit("{}")
    return pl.struct([pl.col(c) for c in columns]).struct.json_encode()


def _complete(
    rows: pl.DataFrame, good: pl.DataFrame, rules: Rules, targets: list[str]
) -> pl.DataFrame:
    """Fill the store columns the file did not give: ids, defaults, the missing received_at."""
    kind = rules.kind
    if kind in {"feedback", "events"}:
        content = [c for c in targets if c != "id"]
        hashed = content_ids(good, content)
        external = (
            rows["id"] if "id" in rows.columns else pl.Series([None] * len(rows), dtype=pl.String)
        )
        rows = rows.with_columns(pl.coalesce(external, hashed).alias("external_id")).drop(
            "id", strict=False
        )
    if kind == "feedback":
        defaults = {
            "received_at": pl.lit(rules.received_at).dt.convert_time_zone("UTC"),
            "channel": pl.lit(rules.channel or "unknown"),
        }
        for column, default in defaults.items():
            if column in rows.columns:
                rows = rows.with_columns(pl.coalesce(pl.col(column), default).alias(column))
            else:
                rows = rows.with_columns(default.alias(column))
    return rows

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

ROW = "__klarsyn_row__"
REASON = "__klarsyn_reason__"


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
    cells = batch.to_frame(list(targets))
    frame = cells.select(pl.col(source).alias(target) for source, target in targets.items())
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


def _typed_name(field: Field) -> str:
    return f"\x1f{field.name}"  # beside the raw columns, under a name no file can give


def _typed(field: Field, frame: pl.DataFrame, rules: Rules) -> pl.Series | pl.Expr:
    """The field's parsed value: a datetime, a float for numbers (integers are checked on it)."""
    raw = pl.col(field.name)
    if field.type == "timestamp":
        return parse_timestamps(
            frame[field.name], time_zone=rules.time_zone, date_format=rules.date_format
        )
    if field.type in {"integer", "number"}:
        return _numbers(frame[field.name])
    value = raw.str.strip_chars() if field.type != "text" else raw
    return value.str.to_lowercase() if field.name == "language" else value


def _present(field: Field) -> pl.Expr:
    raw = pl.col(field.name)
    return raw.is_not_null() & (raw.str.strip_chars() != "")


def _value(field: Field) -> pl.Expr:
    value = pl.col(_typed_name(field))
    if field.type == "integer":
        value = value.round(0).cast(pl.Int64)
    return pl.when(_present(field)).then(value).alias(field.target)


def _error(field: Field, rules: Rules) -> pl.Expr:
    """The reason (null when fine) that the field's raw value is unusable."""
    error: pl.Expr
    present = _present(field)
    name = field.name
    typed = pl.col(_typed_name(field))
    if field.type == "timestamp":
        error = pl.when(present & typed.is_null()).then(
            pl.format(
                f"{name} {{}} is not a date and time in {rules.time_zone} ({EXPECTED})",
                _quote(name),
            )
        )
    elif field.type in {"integer", "number"}:
        bad_number = pl.format(f"{name} {{}} is not a number", _quote(name))
        error = pl.when(present & typed.is_null()).then(bad_number)
        if field.type == "integer":
            error = error.when(present & (typed != typed.round(0))).then(
                pl.format(f"{name} {{}} is not a whole number", _quote(name))
            )
            error = error.when(present & ((typed < field.low) | (typed > field.high))).then(
                pl.format(f"{name} {{}} is outside {field.low}-{field.high}", _quote(name))
            )
    else:
        error = pl.lit(None, dtype=pl.String)
        if field.max_length:
            error = pl.when(typed.str.len_chars() > field.max_length).then(
                pl.lit(f"{name} is longer than {field.max_length} characters")
            )
    if field.required:
        error = pl.when(~present).then(pl.lit(f"missing required field {name}")).otherwise(error)
    return error.cast(pl.String)


def _numbers(raw: pl.Series) -> pl.Series:
    """Parse numbers written the ways exports write them (``1 234,5``, ``1.234,5``, ``1,234.5``).

    Plain digits, by far the most common, are cast directly; only the other values go through
    the full set of patterns, which gives plain digits the same value.
    """
    parsed = raw.cast(pl.Float64, strict=False)
    plain = raw.str.contains(r"^[0-9]{1,15}$")
    rest = (raw.is_not_null() & ~plain).arg_true()
    if rest.len():
        parsed = parsed.scatter(rest, pl.select(_number(pl.lit(raw.gather(rest)))).to_series())
    return parsed


def content_ids(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """A stable id from the row's content, for sources that give no id of their own.

    Columns are taken in name order so the same export with reordered columns still matches.
    """
    joined = frame.select(
        pl.concat_str([pl.col(c).fill_null("\x00") for c in sorted(columns)], separator="\x1f")
    ).to_series()
    sha1 = hashlib.sha1
    return pl.Series(
        [f"sha1:{sha1(s.encode()).hexdigest()}" for s in joined.to_list()], dtype=pl.String
    )


def validate(batch: RawBatch, rules: Rules) -> Validated:
    """Turn a raw batch into store rows of ``rules.kind`` plus quarantined rejects."""
    frame = to_frame(batch, rules.targets)
    fields = {f.name: f for f in FIELDS[rules.kind]}
    present = [f for f in FIELDS[rules.kind] if f.name in frame.columns]
    attributes = [c for c in frame.columns if c not in fields and c != ROW]
    errors = [_error(f, rules) for f in present]
    if rules.kind == "feedback":
        scored = [f for f in SCORE_FIELDS if f in frame.columns]
        has_content = pl.any_horizontal(
            [pl.col(f).is_not_null() for f in [*scored, "text"] if f in frame.columns]
            or [pl.lit(False)]
        )
        errors.append(pl.when(~has_content).then(pl.lit("row has no score and no text")))
    # Each field is parsed once, beside the raw cells that reasons quote.
    frame = frame.with_columns(_typed(f, frame, rules).alias(_typed_name(f)) for f in present)
    reason = pl.concat_str(errors, separator="; ", ignore_nulls=True) if errors else pl.lit(None)
    checked = frame.with_columns(reason.alias(REASON))
    failed = pl.col(REASON).is_not_null() & (pl.col(REASON) != "")
    bad = checked.filter(failed)
    good = checked.filter(~failed)
    rows = good.select(
        *[_value(f) for f in present],
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
        for record in bad.select(list(dict.fromkeys([ROW, REASON, *sources]))).to_dicts()
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
        external = (
            rows["id"] if "id" in rows.columns else pl.Series([None] * len(rows), dtype=pl.String)
        )
        # Only rows without an id of their own need the (slow, per row) content hash.
        missing = external.is_null().arg_true()
        if missing.len():
            content = [c for c in targets if c != "id"]
            external = external.scatter(missing, content_ids(good[missing], content))
        rows = rows.with_columns(external.alias("external_id")).drop("id", strict=False)
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

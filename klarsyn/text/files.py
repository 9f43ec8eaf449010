"""Reading a file of comments into a frame and writing the analysed frame back.

Input goes through the import readers (:func:`klarsyn.collect.readers.open_table`), so a file
that imports also analyses: the same encoding detection, delimiters and Excel handling. Output
keeps the input's format. Nested columns (``themes``, ``mentions``) become text in flat formats:
theme ids joined with ``;`` and mentions as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from klarsyn.collect.readers import open_table
from klarsyn.errors import InputError

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FORMATS |= {".json": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}


def read_comments(path: Path) -> pl.DataFrame:
    """Every row of ``path`` as string columns (rows the reader cannot parse are an error)."""
    table = open_table(path)
    parts = []
    for batch in table.batches:
        if batch.unreadable:
            first = batch.unreadable[0]
            raise InputError(
                f"file {path.name!r}: row {first.row_number} cannot be read: {first.reason}",
                hint="fix the row, or import the file with `klarsyn import` to quarantine it",
            )
        parts.append(
            pl.DataFrame(
                {name: batch.columns[name] for name in table.columns},
                schema=dict.fromkeys(table.columns, pl.String),
            )
        )
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(table.columns, pl.String))
    return pl.concat(parts)


def write_analysis(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` in the format its suffix names."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"output file {path.name!r} has an unknown suffix",
            hint="use .csv, .jsonl, .xlsx or .parquet",
        )
    if kind == "jsonl":
        frame.write_ndjson(path)
    elif kind == "parquet":
        frame.write_parquet(path)
    elif kind == "csv":
        flat(frame).write_csv(path, separator="\t" if path.suffix.lower() == ".tsv" else ",")
    else:
        _write_xlsx(flat(frame), path)


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested columns as text: lists of strings joined with ``;``, structs as JSON."""
    columns = []
    for name, dtype in frame.schema.items():
        if dtype == pl.List(pl.String):
            columns.append(pl.col(name).list.join(";"))
        elif isinstance(dtype, pl.List | pl.Struct):
            columns.append(
                pl.col(name).map_elements(
                    lambda value: json.dumps(_plain(value), ensure_ascii=False),
                    return_dtype=pl.String,
                )
            )
    return frame.with_columns(columns) if columns else frame


def _plain(value: object) -> object:
    if isinstance(value, pl.Series):
        return value.to_list()
    return value


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("analysis")
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    workbook.save(path)

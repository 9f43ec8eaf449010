"""Excel (.xlsx) input, streamed row by row with openpyxl's read-only mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from klarsyn.collect.readers import RawBatch, Table, _check_header, _empty_batch
from klarsyn.errors import InputError


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float; a score of 9 must not become "9.0".
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def open_workbook(path: Path, *, batch_size: int, sheet: str | None) -> Table:
    """Open the first (or the named) worksheet of an .xlsx file; row 1 is the header."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise InputError(
            f"workbook {path.name!r} has no sheet {sheet!r}",
            hint=f"choose one of {workbook.sheetnames}",
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        workbook.close()
        raise InputError(f"sheet {worksheet.title!r} of {path.name!r} is empty") from None
    columns = [str(c).strip() if c is not None else "" for c in header_row]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(path, columns)
    total = worksheet.max_row or 0
    position = {"at": 0}

    def batches() -> Iterator[RawBatch]:
        batch = _empty_batch(columns)
        try:
            for row_number, values in enumerate(rows, start=2):
                position["at"] = row_number
                cells = [_cell(v) for v in values[: len(columns)]]
                if all(c is None for c in cells):
                    continue
                cells += [None] * (len(columns) - len(cells))
                batch.row_numbers.append(row_number)
                for name, cell in zip(columns, cells, strict=True):
                    batch.columns[name].append(cell)
                if len(batch) >= batch_size:
                    yield batch
                    batch = _empty_batch(columns)
        finally:
            workbook.close()
        if len(batch):
            yield batch

    return Table(path, columns, batches(), total, lambda: position["at"], None)

"""Column mappings: ``--map "Date received=received_at,Consumer complaint narrative=text"``.

A mapping renames source columns to fields of the default format (or to attribute names).
Mapping a column to nothing (``Tags=``) leaves it out of the import.
"""

from __future__ import annotations

from collections.abc import Mapping

from klarsyn.errors import MappingError

ColumnMapping = dict[str, str | None]


def parse_mapping(spec: str | None) -> ColumnMapping:
    """Parse ``source=field,source2=field2``; a source may contain spaces but not ``=`` or ``,``.

    Raises:
        MappingError: an item has no ``=``, names no source, or a source appears twice.
    """
    mapping: ColumnMapping = {}
    if not spec:
        return mapping
    for item in spec.split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise MappingError(
                f"mapping item {item.strip()!r} has no '='",
                hint="write SOURCE_COLUMN=FIELD, e.g. --map 'Date received=received_at'",
            )
        source, target = (part.strip() for part in item.split("=", 1))
        if not source:
            raise MappingError(f"mapping item {item.strip()!r} names no source column")
        if source in mapping:
            raise MappingError(f"mapping names the source column {source!r} twice")
        mapping[source] = target or None
    return mapping


def apply_mapping(
    columns: list[str], mapping: Mapping[str, str | None], *, fields: list[str]
) -> dict[str, str]:
    """Return ``{source column: target name}`` for every column that is kept.

    Unmapped columns whose name matches a field regardless of case and surrounding spaces
    (``NPS``, ``Text``) are taken as that field.

    Raises:
        MappingError: the mapping names a column the file lacks, or two columns end up with
            the same target name.
    """
    missing = [source for source in mapping if source not in columns]
    if missing:
        raise MappingError(
            f"the mapping names columns the file does not have: {missing}",
            hint=f"the file's columns are {columns}",
        )
    renamed: dict[str, str] = {}
    owners: dict[str, str] = {}
    by_lower = {name.lower(): name for name in fields}
    for column in columns:
        target = mapping[column] if column in mapping else by_lower.get(column.lower(), column)
        if target is None:
            continue
        if target in owners:
            raise MappingError(
                f"columns {owners[target]!r} and {column!r} would both become {target!r}",
                hint=f"map one of them elsewhere, e.g. --map '{column}='",
            )
        owners[target] = column
        renamed[column] = target
    return renamed

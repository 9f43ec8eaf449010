"""Errors that Klarsyn raises on purpose.

The core raises these; only the edges (CLI, web) format them for people::

    KlarsynError
    ├── InputError            400  the caller gave something unusable
    │   ├── SchemaError       422  a table lacks a column or has the wrong type
    │   └── MappingError      400  a --map / column mapping is malformed or names unknown fields
    ├── NotFound              404
    ├── Conflict              409
    ├── Forbidden             403
    └── BackendUnavailable    501  an optional extra or service is missing

Each class carries an HTTP ``status`` and a short ``title``; the message names the thing, the
value and what was expected, then the fix.
"""

from __future__ import annotations

from typing import Any, ClassVar


class KlarsynError(Exception):
    """Root of every error Klarsyn raises on purpose."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Klarsyn error"

    def __init__(self, message: str, *, hint: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.hint = hint
        self.extensions = extensions

    @property
    def type_uri(self) -> str:
        """A stable identifier of the error kind, used as the problem+json ``type``."""
        return f"https://klarsyn.dev/problems/{type(self).__name__.lower()}"


class InputError(KlarsynError):
    status = 400
    title = "Invalid input"


class SchemaError(InputError):
    status = 422
    title = "Table does not have the expected shape"


class MappingError(InputError):
    status = 400
    title = "Invalid column mapping"


class NotFound(KlarsynError):
    status = 404
    title = "Not found"


class Conflict(KlarsynError):
    status = 409
    title = "Conflict"


class Forbidden(KlarsynError):
    status = 403
    title = "Forbidden"


class BackendUnavailable(KlarsynError):
    status = 501
    title = "Backend unavailable"

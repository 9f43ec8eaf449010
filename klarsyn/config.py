"""Settings, read from the environment (``KLARSYN_`` prefix) and overridden by CLI options.

Settings are built where they are needed (``Settings()``), never imported as a global.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///klarsyn.db"


class Settings(BaseSettings):
    """Everything Klarsyn can be configured with.

    Attributes:
        database_url: SQLAlchemy URL of the store. ``sqlite:///klarsyn.db`` (a file in the working
            directory) by default; ``postgresql://user@host/db`` for PostgreSQL.
        timezone: IANA zone in which timestamps without a zone are read on import.
        smtp_host: SMTP server that alert e-mails go through; e-mail alerts are off while empty.
        smtp_port: its port (587 for STARTTLS submission).
        smtp_user: login name, if the server wants one.
        smtp_password: password of ``smtp_user``.
        smtp_starttls: upgrade the connection with STARTTLS before logging in.
        smtp_sender: the From address of alert e-mails.
    """

    model_config = SettingsConfigDict(env_prefix="KLARSYN_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/Stockholm"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_sender: str = "klarsyn@localhost"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"timezone {value!r} is not an IANA zone name (expected e.g. 'Europe/Stockholm')"
            ) from exc
        return value

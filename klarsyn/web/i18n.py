"""The interface in English and Swedish: a small catalog, and numbers and dates per locale.

Strings are looked up by their English text (as gettext does), so a missing Swedish entry falls
back to English rather than to a key; ``tests/web/test_i18n.py`` checks that none is missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from klarsyn.web.catalog_sv import SWEDISH

LOCALES = {"en": "English", "sv": "Svenska"}
MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "sv": "jan. feb. mars apr. maj juni juli aug. sep. okt. nov. dec.".split(),
}
CATALOGS = {"en": {}, "sv": SWEDISH}
NBSP = "\u00a0"
MINUS = "\u2212"
NONE = "\u2013"  # an en dash where a number is unknown


def pick_locale(accept_language: str | None) -> str:
    """The first supported language in an ``Accept-Language`` header, English otherwise."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return "en"


@dataclass(frozen=True, slots=True)
class Formatter:
    """Translation and formatting for one locale and time zone; templates call its methods."""

    locale: str
    time_zone: str

    def t(self, text: str, **values: object) -> str:
        translated = CATALOGS[self.locale].get(text, text)
        return translated.format(**values) if values else translated

    def number(self, value: float | None, decimals: int = 0, *, signed: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return NONE
        text = f"{value:{'+' if signed else ''},.{decimals}f}"
        if self.locale == "sv":
            text = text.replace(",", NBSP).replace(".", ",").replace("-", MINUS)
        return text

    def p_value(self, value: float | None) -> str:
        """``p = 0.042``, or ``p < 0.001`` where three decimals would show a misleading 0."""
        if value is not None and value < 0.001:
            return f"p < {self.number(0.001, 3)}"
        return f"p = {self.number(value, 3)}"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(self.time_zone)).date()
        return f"{value.day} {MONTHS[self.locale][value.month - 1]} {value.year}"

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(ZoneInfo(self.time_zone))
        return f"{self.date(local.date())} {local:%H:%M}"

"""Every interface string has a Swedish translation; numbers and dates follow the locale."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from klarsyn.web import i18n
from klarsyn.web.catalog_sv import SWEDISH
from klarsyn.web.pages.context import PERIOD_LABELS

WEB = Path(i18n.__file__).parent
CALL = re.compile(r"""\bt\(\s*(["'])(.+?)\1""")


def interface_strings() -> set[str]:
    found: set[str] = set(PERIOD_LABELS.values()) | {"day", "week", "month"}
    for path in [*WEB.rglob("*.html"), *WEB.rglob("*.py")]:
        found |= {match[1] for match in CALL.findall(path.read_text(encoding="utf-8"))}
    return found


def test_every_string_has_a_swedish_translation() -> None:
    missing = sorted(s for s in interface_strings() if s not in SWEDISH)
    assert missing == []


def test_translations_keep_their_placeholders() -> None:
    for english, swedish in SWEDISH.items():
        assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", swedish), english


@pytest.mark.parametrize(
    ("locale", "value", "decimals", "signed", "expected"),
    [
        ("en", 1234567.891, 1, False, "1,234,567.9"),
        ("sv", 1234567.891, 1, False, "1\u00a0234\u00a0567,9"),
        ("en", -3.25, 1, True, "-3.2"),
        ("sv", -3.25, 1, True, "\u22123,2"),
        ("sv", 4.0, 1, True, "+4,0"),
        ("en", None, 0, False, "\u2013"),
        ("en", float("nan"), 0, False, "\u2013"),
    ],
)
def test_numbers(
    locale: str, value: float | None, decimals: int, signed: bool, expected: str
) -> None:
    fmt = i18n.Formatter(locale=locale, time_zone="Europe/Stockholm")
    assert fmt.number(value, decimals, signed=signed) == expected


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("en", 0.0423, "p = 0.042"),
        ("en", 0.0004, "p < 0.001"),
        ("en", 0.0, "p < 0.001"),
        ("sv", 0.0004, "p < 0,001"),
        ("en", None, "p = \u2013"),
    ],
)
def test_p_values_never_read_as_zero(locale: str, value: float | None, expected: str) -> None:
    assert i18n.Formatter(locale, "UTC").p_value(value) == expected


def test_dates_are_local_and_localised() -> None:
    moment = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # already April 1st in Stockholm
    assert i18n.Formatter("en", "Europe/Stockholm").datetime(moment) == "1 Apr 2026 00:30"
    assert i18n.Formatter("sv", "Europe/Stockholm").datetime(moment) == "1 apr. 2026 00:30"
    assert i18n.Formatter("sv", "UTC").date(date(2026, 6, 5)) == "5 juni 2026"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("sv-SE,sv;q=0.9,en;q=0.8", "sv"), ("da, en-GB;q=0.8", "en"), (None, "en"), ("fi", "en")],
)
def test_login_page_language_comes_from_the_browser(header: str | None, expected: str) -> None:
    assert i18n.pick_locale(header) == expected

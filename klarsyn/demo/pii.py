"""Made-up personal data that customers paste into their messages.

It is there so that redaction can be tested on realistic formats: e-mail addresses, Nordic phone
numbers and national identity numbers with valid check digits (Swedish personnummer, Danish CPR,
Norwegian fødselsnummer). All values are random.
"""

from __future__ import annotations

import random
import unicodedata

PII_KINDS = ("email", "phone", "order", "national_id")

_DOMAINS = {
    "SE": ("gmail.com", "hotmail.com", "outlook.com", "live.se", "telia.com", "icloud.com"),
    "DK": ("gmail.com", "hotmail.com", "outlook.dk", "live.dk", "mail.dk", "yahoo.dk"),
    "NO": ("gmail.com", "hotmail.com", "online.no", "outlook.com", "live.no", "icloud.com"),
}


def email(first: str, last: str, country: str, rng: random.Random) -> str:
    """An address built the way people build theirs: names, initials, birth years."""
    first, last = _ascii(first.lower()), _ascii(last.lower())
    year = rng.randint(55, 99) if rng.random() < 0.7 else rng.randint(0, 9)
    local = rng.choice(
        (f"{first}.{last}", f"{first}{last}{year:02d}", f"{first[0]}{last}", f"{first}_{year:02d}")
    )
    return f"{local}@{rng.choice(_DOMAINS[country])}"


def phone(country: str, rng: random.Random) -> str:
    """A mobile number in one of the ways it is commonly written in ``country``."""
    digits = [rng.randint(0, 9) for _ in range(8)]
    d = "".join(map(str, digits))
    if country == "SE":
        mobile = f"7{rng.choice('0236')}{d[:7]}"
        return rng.choice(
            (
                f"0{mobile[:2]}-{mobile[2:5]} {mobile[5:7]} {mobile[7:]}",
                f"+46 {mobile[:2]} {mobile[2:5]} {mobile[5:7]} {mobile[7:]}",
                f"0{mobile}",
            )
        )
    if country == "DK":
        number = f"{rng.choice('2345')}{d[:7]}"
        pairs = " ".join(number[i : i + 2] for i in range(0, 8, 2))
        return rng.choice((f"+45 {pairs}", pairs, number))
    number = f"{rng.choice('49')}{d[:7]}"
    return rng.choice(
        (f"+47 {number[:3]} {number[3:5]} {number[5:]}", f"{number[:3]} {number[3:5]} {number[5:]}")
    )


def national_id(country: str, rng: random.Random) -> str:
    """A national identity number with a valid check digit where the country has one."""
    year, month, day = rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)
    if country == "SE":
        body = f"{year % 100:02d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        return f"{body[:6]}-{body[6:]}{_luhn(body)}"
    if country == "DK":
        return f"{day:02d}{month:02d}{year % 100:02d}-{rng.randint(0, 9999):04d}"
    while True:
        individual = rng.randint(0, 499) if year < 2000 else rng.randint(500, 999)
        digits = [int(c) for c in f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"]
        first = _mod11(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2))
        second = _mod11([*digits, first], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) if first < 10 else 10
        if first < 10 and second < 10:
            return "".join(map(str, digits)) + f"{first}{second}"


def _luhn(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _mod11(digits: list[int], weights: tuple[int, ...]) -> int:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def _ascii(text: str) -> str:
    folded = text.replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()

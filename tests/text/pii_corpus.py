"""A generated corpus of identifiers with valid and invalid check digits, embedded in comments.

Every record is ``(language, text, kind or None, start, end)``: ``kind`` is ``None`` for a number
that must survive (a wrong check digit, an impossible date, an order number).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from klarsyn.text.pii import luhn_is_valid

Record = tuple[str, str, str | None, int, int]

TEMPLATES = {
    "sv": [
        "Hej, mitt nummer är {} och jag väntar fortfarande på leveransen.",
        "Ring mig gärna på {} så kan vi reda ut fakturan",
        "Kundtjänst bad om {}, varför?",
    ],
    "da": [
        "Mit nummer er {} og pakken er ikke kommet.",
        "I kan skrive til {} hvis der er spørgsmål om regningen",
        "Kundeservice spurgte efter {} i telefonen",
    ],
    "nb": [
        "Nummeret mitt er {} og pakken har ikke kommet.",
        "Dere kan kontakte meg på {} angående fakturaen",
        "Kundeservice ba om {} på telefonen",
    ],
    "fi": [
        "Numeroni on {} ja paketti ei ole vieläkään tullut.",
        "Voitte soittaa {} laskusta",
    ],
    "en": [
        "My details: {} - still waiting for a refund.",
        "Please contact me at {} about the invoice",
    ],
}


def _random_date(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if luhn_is_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


def _break_last(rng: random.Random, value: str) -> str:
    last = value[-1]
    return value[:-1] + rng.choice([d for d in "0123456789" if d != last])


def personnummer(rng: random.Random, *, valid: bool) -> str:
    born = _random_date(rng)
    day = born.day + (60 if rng.random() < 0.2 else 0)  # samordningsnummer
    body = f"{born:%y%m}{day:02d}" + "".join(rng.choice("0123456789") for _ in range(3))
    digits = _luhn_complete(rng, body, 10)
    if not valid:
        digits = _break_last(rng, digits)
    style = rng.randrange(3)
    if style == 0:
        return f"{digits[:6]}-{digits[6:]}"
    if style == 1:
        return f"{born.year // 100}{digits[:6]}-{digits[6:]}"
    return f"{born.year // 100}{digits}"


def cpr(rng: random.Random, *, valid: bool) -> str:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    while True:
        born = _random_date(rng)
        body = f"{born:%d%m%y}" + "".join(rng.choice("0123456789") for _ in range(4))
        good = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 == 0
        if good == valid:
            return f"{body[:6]}-{body[6:]}" if rng.random() < 0.7 else body


def fodselsnummer(rng: random.Random, *, valid: bool) -> str:
    while True:
        born = _random_date(rng)
        day = born.day + (40 if rng.random() < 0.1 else 0)
        digits = [int(d) for d in f"{day:02d}{born:%m%y}"]
        digits += [rng.randrange(10) for _ in range(3)]
        k1 = (
            11 - sum(d * w for d, w in zip(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True))
        ) % 11
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (
            11 - sum(d * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
        ) % 11
        if k2 == 10:
            continue
        digits.append(k2)
        value = "".join(map(str, digits))
        return value if valid else _break_last(rng, value)


def hetu(rng: random.Random, *, valid: bool) -> str:
    born = _random_date(rng)
    sign = "-" if born.year < 2000 else "A"
    serial = f"{rng.randrange(2, 900):03d}"
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{born:%d%m%y}{serial}") % 31]
    if not valid:
        check = rng.choice([c for c in "0123456789ABCDEFHJKLMNPRSTUVWXY" if c != check])
    return f"{born:%d%m%y}{sign}{serial}{check}"


def card(rng: random.Random, *, valid: bool) -> str:
    prefix = rng.choice(["4", "51", "55", "37", "6011"])
    length = 15 if prefix == "37" else 16
    digits = _luhn_complete(rng, prefix, length)
    if not valid:
        digits = _break_last(rng, digits)
    if rng.random() < 0.5:
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return digits


def iban(rng: random.Random, *, valid: bool) -> str:
    country, length = rng.choice([("SE", 24), ("DK", 18), ("NO", 15), ("FI", 18)])
    bban = "".join(rng.choice("0123456789") for _ in range(length - 4))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    if not valid:
        check = (check + rng.randrange(1, 90)) % 97 + 2
    value = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def email(rng: random.Random) -> str:
    name = rng.choice(["anna.svensson", "lars_h", "mette+kunde", "ola.nordmann", "m.virtanen"])
    return f"{name}{rng.randrange(100)}@{rng.choice(['gmail.com', 'telia.se', 'mail.dk'])}"


def phone(rng: random.Random) -> str:
    def d(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    forms = [
        f"07{rng.choice('02369')}-{d(3)} {d(2)} {d(2)}",
        f"08-{d(3)} {d(3)} {d(2)}",
        f"+46 7{rng.choice('02369')} {d(3)} {d(2)} {d(2)}",
        f"+45 {d(2)} {d(2)} {d(2)} {d(2)}",
        f"{rng.randrange(20, 99)} {d(2)} {d(2)} {d(2)}",
        f"+47 {rng.randrange(400, 999)} {d(2)} {d(3)}",
        f"{rng.randrange(400, 999)} {d(2)} {d(3)}",
        f"040 {d(3)} {d(4)}",
        f"+358 40 {d(3)} {d(4)}",
        f"+44 20 {d(4)} {d(4)}",
        f"0046 70{d(7)}",
    ]
    return rng.choice(forms)


def url_with_token(rng: random.Random) -> str:
    token = "".join(rng.choice("abcdefABCDEF0123456789") for _ in range(24))
    return rng.choice(
        [
            f"https://shop.example.se/order/track?token={token}",
            f"https://example.dk/reset/{token}",
            f"http://minside.example.no/login?session={token}&lang=no",
        ]
    )


def survivors(rng: random.Random) -> str:
    """Numbers and links that are not personal data."""
    return rng.choice(
        [
            f"ordernummer {rng.randrange(100000, 999999)}",
            f"{rng.randrange(100, 5000)} kr",
            f"{rng.randrange(1, 28)}/{rng.randrange(1, 12)} kl {rng.randrange(8, 20)}:00",
            "https://www.example.se/kundservice",
            f"{rng.randrange(2, 9)} veckor",
        ]
    )


GENERATORS = {
    "personnummer": ("sv", personnummer),
    "cpr": ("da", cpr),
    "fodselsnummer": ("nb", fodselsnummer),
    "hetu": ("fi", hetu),
    "card": (None, card),
    "iban": (None, iban),
}


def build_corpus(*, seed: int = 7, per_kind: int = 300) -> list[Record]:
    """Valid and invalid ids of every kind, e-mails, phones, token URLs and harmless numbers."""
    rng = random.Random(seed)
    records: list[Record] = []

    def embed(language: str, value: str, kind: str | None) -> None:
        template = rng.choice(TEMPLATES[language])
        text = template.format(value)
        start = template.index("{}")
        records.append((language, text, kind, start, start + len(value)))

    for kind, (home, make) in GENERATORS.items():
        for index in range(per_kind):
            language = home or rng.choice(list(TEMPLATES))
            embed(language, make(rng, valid=True), kind)
            if index % 2 == 0:
                embed(language, make(rng, valid=False), None)
    for _ in range(per_kind):
        embed(rng.choice(list(TEMPLATES)), email(rng), "email")
        embed(rng.choice(list(TEMPLATES)), phone(rng), "phone")
        embed(rng.choice(list(TEMPLATES)), url_with_token(rng), "url")
        embed(rng.choice(list(TEMPLATES)), survivors(rng), None)
    return records

"""The demo company's comments: phrasebooks are complete, compose cleanly, data is well-formed."""

import random
import re
import string
from dataclasses import fields

import pytest

from klarsyn.demo import THEMES
from klarsyn.demo.catalogue import CATEGORIES
from klarsyn.demo.geography import LANGUAGES
from klarsyn.demo.languages import PHRASEBOOKS
from klarsyn.demo.phrasebook import Phrasebook
from klarsyn.demo.pii import email, national_id, phone
from klarsyn.demo.text import CommentSpec, compose

PLACEHOLDERS = {
    "very", "item", "store", "partner", "days", "minutes", "weeks", "campaign", "fee", "n",
    "email", "phone", "order", "national_id", "name",
}  # fmt: skip
SETUPS = {"purchase_web", "purchase_store", "delivery", "use", "support", "return"}
SWEDISH = PHRASEBOOKS["sv"]


def banks(book: Phrasebook) -> dict[str, tuple[str, ...]]:
    """Every bank of phrases in a book, by a readable path."""
    found: dict[str, tuple[str, ...]] = {}
    for field in fields(book):
        value = getattr(book, field.name)
        if isinstance(value, tuple):
            found[field.name] = value
        elif field.name == "themes":
            for theme, by_polarity in value.items():
                for polarity, bank in by_polarity.items():
                    found[f"themes.{theme}.{polarity}"] = bank
        elif field.name != "plain_letters" and not isinstance(value, str):
            for key, bank in value.items():
                found[f"{field.name}.{key}"] = bank
    return found


def spec(**changes: object) -> CommentSpec:
    values: dict[str, object] = {
        "tone": "negative",
        "experiences": (("delivery", "negative"),),
        "story": "",
        "channel": "survey",
        "setup": "delivery",
        "country": "SE",
        "category": "furniture",
        "store": "Göteborg Nordstan",
        "partner": "Budgo",
        "days_late": 3,
        "campaign": "Sommarrea Max",
        "cheat_variant": "discount",
        "fee": "79 kr",
        "order": "NH-3100042",
        "loud_number": 12,
        "pii": (),
    }
    values.update(changes)
    return CommentSpec(**values)  # type: ignore[arg-type]


def test_every_language_has_a_phrasebook() -> None:
    assert tuple(PHRASEBOOKS) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_phrasebooks_cover_the_same_ground(language: str) -> None:
    book = PHRASEBOOKS[language]
    assert set(book.themes) == set(THEMES)
    for theme in THEMES:
        assert set(book.themes[theme]) == set(SWEDISH.themes[theme]), theme
    assert set(book.items) == set(CATEGORIES)
    assert set(book.setups) == SETUPS
    assert set(book.cheated_offer) == {"discount", "membership"}
    assert set(book.pii) == {"email", "phone", "order", "national_id"}
    for tone in ("negative", "neutral", "positive"):
        for field in (book.openers, book.closers, book.otherwise, book.short_replies):
            assert field[tone], tone


@pytest.mark.parametrize("language", LANGUAGES)
def test_phrases_use_only_known_placeholders(language: str) -> None:
    for path, bank in banks(PHRASEBOOKS[language]).items():
        assert bank, path
        for phrase in bank:
            names = {name for _, name, _, _ in string.Formatter().parse(phrase) if name}
            assert names <= PLACEHOLDERS, (path, phrase)
            if path != "very":  # intensifiers carry the space that follows them
                assert phrase == phrase.strip(), (path, phrase)


def test_danish_and_norwegian_are_written_differently() -> None:
    danish = {p for bank in PHRASEBOOKS["da"].themes.values() for b in bank.values() for p in b}
    norwegian = {p for bank in PHRASEBOOKS["nb"].themes.values() for b in bank.values() for p in b}
    assert len(danish & norwegian) / len(danish) < 0.1


@pytest.mark.parametrize("language", LANGUAGES)
def test_compose_fills_every_placeholder(language: str) -> None:
    rng = random.Random(1)
    book = PHRASEBOOKS[language]
    for theme in THEMES:
        for polarity in book.themes[theme]:
            for channel in ("survey", "email", "chat"):
                for tone in ("negative", "neutral", "positive"):
                    text = compose(
                        spec(
                            tone=tone,
                            experiences=((theme, polarity),),
                            channel=channel,
                            pii=("email", "phone", "order", "national_id"),
                        ),
                        book,
                        rng,
                    )
                    assert "{" not in text and "}" not in text, text
                    assert text.strip() == text and text, text


@pytest.mark.parametrize("story", ["cheating_campaign", "loud_customer", "late_delivery"])
def test_stories_have_their_own_words(story: str) -> None:
    rng = random.Random(2)
    experiences = {
        "cheating_campaign": (("price", "negative"), ("waiting_time", "negative")),
        "loud_customer": (("packaging", "negative"),),
        "late_delivery": (("delivery", "negative"),),
    }[story]
    texts = [compose(spec(story=story, experiences=experiences), SWEDISH, rng) for _ in range(60)]
    if story == "cheating_campaign":
        assert sum("sommarrea max" in t.lower() for t in texts) > 50  # a few carry typos
    if story == "loud_customer":
        assert sum("plast" in t.lower() for t in texts) > 40
    if story == "late_delivery":
        assert any("Budgo" in t for t in texts)


def test_swedish_personnummer_has_a_valid_check_digit() -> None:
    rng = random.Random(4)
    for _ in range(200):
        number = national_id("SE", rng)
        assert re.fullmatch(r"\d{6}-\d{4}", number)
        digits = [int(c) for c in number.replace("-", "")]
        total = sum(sum(divmod(d * (2 - i % 2), 10)) for i, d in enumerate(digits))
        assert total % 10 == 0


def test_norwegian_fodselsnummer_has_valid_check_digits() -> None:
    rng = random.Random(5)
    for _ in range(200):
        number = national_id("NO", rng)
        assert re.fullmatch(r"\d{11}", number)
        d = [int(c) for c in number]
        first = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
        second = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
        assert sum(a * b for a, b in zip(d, first, strict=False)) % 11 == 0
        assert sum(a * b for a, b in zip(d, second, strict=True)) % 11 == 0


def test_danish_cpr_and_contact_details_look_real() -> None:
    rng = random.Random(6)
    assert re.fullmatch(r"\d{6}-\d{4}", national_id("DK", rng))
    assert re.fullmatch(r"(\+46 |0)7[\d -]{8,12}", phone("SE", rng))
    assert re.fullmatch(r"[a-z0-9._]+@[a-z.]+", email("Søren", "Jørgensen", "DK", rng))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ["discount", "membership"])
def test_cheated_customers_name_the_campaign(language: str, variant: str) -> None:
    book = PHRASEBOOKS[language]
    assert all("{campaign}" in phrase for phrase in book.cheated_offer[variant])
    rng = random.Random(7)
    experiences = (("billing", "negative"), ("marketing", "negative"))
    texts = [
        compose(spec(story="cheating_campaign", experiences=experiences, cheat_variant=variant),
                book, rng)
        for _ in range(40)
    ]  # fmt: skip
    assert sum("sommarrea max" in text.lower() for text in texts) >= 34  # a few carry typos

from __future__ import annotations

import pytest

from klarsyn.text.taxonomy import Taxonomy, parse_taxonomy
from klarsyn.text.terms import TermIndex
from klarsyn.text.themes import ThemeMatcher
from klarsyn.text.tokens import tokenize


def themes_in(text: str, language: str, taxonomy: Taxonomy) -> list[tuple[str, str]]:
    matcher = ThemeMatcher(taxonomy)
    return [
        (m.theme, text[m.start : m.end]) for m in matcher.find(tokenize(text), language=language)
    ]


@pytest.mark.parametrize(
    ("language", "text", "theme", "words"),
    [
        ("sv", "Leveranstiden var alldeles för lång", "delivery.time", "Leveranstiden"),
        ("sv", "Paketleveransen var skadad", "delivery.damage", "skadad"),
        ("sv", "Lång väntetid i telefonkön", "service.waiting_time", "telefonkön"),
        ("sv", "Kundtjänsten var bra", "service", "Kundtjänsten"),
        ("sv", "Bra öppettider", "store.opening_hours", "öppettider"),
        ("sv", "Fakturan var fel", "billing", "Fakturan"),
        ("da", "Kundeservicen var god", "service", "Kundeservicen"),
        ("da", "Leveringstiden var lang", "delivery.time", "Leveringstiden"),
        ("nb", "Dårlige åpningstider", "store.opening_hours", "åpningstider"),
        ("fi", "Asiakaspalvelussa oli jonoa", "service", "Asiakaspalvelussa"),
        ("fi", "Toimitus kesti kauan", "delivery", "Toimitus"),
        ("en", "Customer service hung up on me", "service", "Customer service"),
        ("en", "Way too long opening hours", "store.opening_hours", "opening hours"),
    ],
)
def test_themes_are_found_with_their_spans(
    language: str, text: str, theme: str, words: str, taxonomy: Taxonomy
) -> None:
    assert (theme, words) in themes_in(text, language, taxonomy)


def test_the_most_specific_theme_wins(taxonomy: Taxonomy) -> None:
    found = themes_in("Leveranstiden", "sv", taxonomy)
    assert found == [("delivery.time", "Leveranstiden")]


def test_a_neighbour_language_helps_when_the_own_one_is_silent(taxonomy: Taxonomy) -> None:
    # "kundtjänst" is Swedish; a comment identified as Norwegian still finds the theme.
    assert ("service", "kundtjänst") in themes_in("kundtjänst", "nb", taxonomy)


def test_no_language_no_themes(taxonomy: Taxonomy) -> None:
    assert themes_in("leverans", "de", taxonomy) == []


def test_term_patterns() -> None:
    index: TermIndex[str] = TermIndex()
    index.add("pris", "exact")
    index.add("leverans*", "prefix")
    index.add("*kö", "suffix")
    index.add("*strul*", "infix")
    index.add("ingen svarar", "phrase")
    assert [h.value for h in index.lookup("pris")] == ["exact"]
    assert index.lookup("priset") == ()
    assert [h.value for h in index.lookup("leveransen")] == ["prefix"]
    assert [h.value for h in index.lookup("telefonkö")] == ["suffix"]
    assert [h.value for h in index.lookup("leveransstrulet")] == ["prefix", "infix"]
    tokens = ["ingen", "svarar", "ingen"]
    assert [h.value for h in index.match(tokens, 0)] == ["phrase"]
    assert index.match(tokens, 2) == []


def test_a_user_theme_is_matched() -> None:
    taxonomy = parse_taxonomy(
        "themes:\n  - id: parking\n    terms: {sv: ['parkering*', '*parkering*']}\n"
    )
    assert themes_in("Gratis kundparkering!", "sv", taxonomy) == [("parking", "kundparkering")]


@pytest.mark.parametrize(
    ("language", "text", "luggage"),
    [
        ("en", "I put my groceries in a plastic bag", False),
        ("en", "Great crew, but my bag was lost!", True),
        ("en", "They lost my luggage", True),
        ("sv", "Väskan jag köpte gick sönder", False),  # a bag the shop sold
        ("sv", "Mitt bagage kom inte med flyget", True),
        ("da", "Tasken var flot", False),
        ("fi", "Laukku oli kaunis", False),
    ],
)
def test_only_travel_bags_are_luggage(
    language: str, text: str, luggage: bool, taxonomy: Taxonomy
) -> None:
    found = {theme for theme, _ in themes_in(text, language, taxonomy)}
    assert ("travel.luggage" in found) == luggage

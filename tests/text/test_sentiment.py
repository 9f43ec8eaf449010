from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klarsyn.text.lexicon import Lexicon, default_lexicon
from klarsyn.text.sentiment import label, read_sentiment
from klarsyn.text.tokens import tokenize

LEXICON = default_lexicon()


def score(text: str, language: str, lexicon: Lexicon) -> float:
    return read_sentiment(
        tokenize(text), rules=lexicon.rules(language), emojis=lexicon.emojis
    ).score


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("sv", "Priset är alldeles för högt", "negative"),
        ("sv", "Jättebra bemötande i kassan", "positive"),
        ("sv", "Inte bra alls", "negative"),
        ("sv", "Väntade 40 minuter i telefonkön och ingen svarade", "negative"),
        ("sv", "Kundtjänst svarade aldrig", "negative"),
        ("sv", "Leveransen kom i tisdags", "neutral"),
        ("da", "Kundeservice var ikke god, pakken kom aldrig", "negative"),
        ("da", "Super hurtig levering og søde medarbejdere", "positive"),
        ("nb", "Veldig fornøyd med leveringen", "positive"),
        ("nb", "Altfor lang ventetid på telefon", "negative"),
        ("fi", "Asiakaspalvelu oli todella ystävällinen", "positive"),
        ("fi", "Toimitus oli myöhässä eikä kukaan vastannut", "negative"),
        ("en", "Not bad at all :)", "positive"),
        ("en", "Still waiting on hold, unacceptable!", "negative"),
        ("en", "Can you change my booking to Friday?", "neutral"),
        ("en", "Thanks 👍", "positive"),
        # "Better" in "has been better" is a complaint, in every language.
        ("sv", "Det kunde ha varit bättre", "negative"),
        ("da", "I har været bedre", "negative"),
        ("nb", "Dere har vært bedre", "negative"),
        ("fi", "Palvelu on ollut parempi", "negative"),
        ("en", "The service could have been better", "negative"),
        ("sv", "Kvaliteten överträffade förväntningarna. Fortsätt så!", "positive"),
        ("da", "Der var en revne i billedet", "negative"),
        ("da", "Øv. Har skrevet tre gange uden svar.", "negative"),
        ("en", "Found the same thing for half the price elsewhere.", "negative"),
        # A question answered with a bare no is its negation.
        ("sv", "Prisvärt? Knappast.", "negative"),
        ("en", "Good value? Not really.", "negative"),
        ("nb", "God service? Nei.", "negative"),
        ("fi", "Hyvä palvelu? Ei todellakaan.", "negative"),
        ("en", "Good value? Yes!", "positive"),
        # Sign-offs and courtesy formulas are no verdict; e-mails and tickets end with them.
        ("sv", "Hur lång är leveranstiden? Med vänliga hälsningar, Eva", "neutral"),
        ("da", "Hvornår kommer pakken? Venlig hilsen Hanne", "neutral"),
        ("nb", "Når kommer pakken? Vennlig hilsen Per", "neutral"),
        ("en", "Where is my parcel? Kind regards, John", "neutral"),
        ("fi", "Missä pakettini on? Ystävällisin terveisin Matti", "neutral"),
        ("en", "Kindly refund my money", "neutral"),
        ("nb", "Det samme kostet halvparten hos konkurrenten. Takk på forhånd", "negative"),
        ("sv", "Öppettiderna passar inte någon som jobbar. Skärpning!", "negative"),
        ("sv", "Vänlig personal", "positive"),
        ("sv", "Vilseledande marknadsföring. Kundtjänst lade på.", "negative"),
        ("nb", "Kundeservicen er helt overbelastet, kommer ikke gjennom.", "negative"),
        # A verb's negation follows it in Scandinavian word order.
        ("sv", "Min beställning dröjde en evighet. Rekommenderar inte.", "negative"),
        ("da", "Anbefales ikke", "negative"),
        ("nb", "Jeg anbefaler ikke denne butikken", "negative"),
        ("sv", "Klagar inte!", "positive"),
        ("en", "My order took forever. Wouldn't recommend.", "negative"),
        ("en", "Couldn't be happier!", "positive"),
        # Words that start like a verdict but are not one: an order ("bestilling"), a call.
        ("nb", "Ringte dere om bestillingen min.", "neutral"),
        ("da", "Kan man ringe til jer om aftenen?", "neutral"),
        ("da", "Ringe kvalitet", "negative"),
    ],
)
def test_comment_sentiment(language: str, text: str, expected: str, lexicon: Lexicon) -> None:
    assert label(score(text, language, lexicon)) == expected


def test_negation_flips_and_softens(lexicon: Lexicon) -> None:
    assert score("bra", "sv", lexicon) > 0 > score("inte bra", "sv", lexicon)
    assert score("not bad", "en", lexicon) > 0
    assert score("not bad", "en", lexicon) < -score("bad", "en", lexicon)


def test_a_short_comment_read_as_a_neighbour_language_keeps_its_negation(
    lexicon: Lexicon,
) -> None:
    # Language ID often takes "Inte bra" for Norwegian.
    assert score("Inte bra", "nb", lexicon) < 0 < score("bra", "nb", lexicon)
    assert score("Ikke god", "sv", lexicon) < 0


def test_only_a_whole_denial_answers_a_question(lexicon: Lexicon) -> None:
    asked = score("Bra service?", "sv", lexicon)
    assert asked > 0
    assert score("Bra service? Nej.", "sv", lexicon) < 0
    # Not a bare no: the question keeps its own reading.
    assert score("Bra service? Nej, det tycker jag.", "sv", lexicon) == asked


def test_intensifiers_and_shouting_strengthen(lexicon: Lexicon) -> None:
    assert score("väldigt bra", "sv", lexicon) > score("bra", "sv", lexicon)
    assert score("ganska bra", "sv", lexicon) < score("bra", "sv", lexicon)
    assert score("jättedålig", "sv", lexicon) < score("dålig", "sv", lexicon)
    assert score("TERRIBLE", "en", lexicon) < score("terrible", "en", lexicon)


def test_after_but_the_second_half_outweighs_the_first(lexicon: Lexicon) -> None:
    assert score("Trevlig personal men dålig mat", "sv", lexicon) < 0
    assert score("Dålig mat men trevlig personal", "sv", lexicon) > 0


def test_each_clause_has_its_own_score(lexicon: Lexicon) -> None:
    tokens = tokenize("Friendly crew, but the flight was delayed")
    reading = read_sentiment(tokens, rules=lexicon.rules("en"), emojis=lexicon.emojis)
    crew = tokens.text.index("crew")
    delayed = tokens.text.index("delayed")
    assert reading.score_at(crew) > 0 > reading.score_at(delayed)


def test_unknown_language_falls_back(lexicon: Lexicon) -> None:
    assert lexicon.rules("de").language == "en"
    assert lexicon.rules(None, fallback="sv").language == "sv"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["sv", "da", "nb", "fi", "en"]))
def test_scores_stay_within_bounds(text: str, language: str) -> None:
    # Hypothesis cannot take function-scoped fixtures; the lexicon is read once per module.
    lexicon = LEXICON
    reading = read_sentiment(tokenize(text), rules=lexicon.rules(language), emojis=lexicon.emojis)
    assert -1.0 <= reading.score <= 1.0
    assert all(-1.0 <= s <= 1.0 for s in reading.clause_scores)


@pytest.mark.parametrize(
    ("read_as", "text"),
    [
        # Short Scandinavian comments are often identified as a neighbour language: its rules
        # must still find the complaint written in the other.
        ("nb", "Paketet kom aldrig."),
        ("sv", "Pakken kom aldri"),
        ("nb", "Pakken kom aldrig frem"),
        ("sv", "Lång väntetid i kundtjänst"),
        ("da", "Lang ventetid hos kundeservice"),
        ("nb", "Lange køer i butikken"),
        ("fi", "Pitkä jonotusaika asiakaspalvelussa"),
        ("en", "Long wait time at customer service"),
        ("en", "I was charged twice"),
        ("sv", "De har dragit dubbelt på kortet"),
        ("sv", "Har väntat i tre veckor på min beställning"),
    ],
)
def test_complaints_read_negative_in_any_scandinavian_reading(read_as: str, text: str) -> None:
    assert label(score(text, read_as, LEXICON)) == "negative"


def test_a_neighbours_partial_words_do_not_read_a_swedish_compound() -> None:
    # Norwegian "best*" (best) is not the start of Swedish "beställning" (order).
    assert score("min beställning", "sv", LEXICON) == 0.0
    assert score("utmerket service", "sv", LEXICON) > 0  # a neighbour's whole word still counts

"""Words of intent to leave, in every supported language."""

from __future__ import annotations

import pytest

from klarsyn.actions.intent import LEAVE_INTENT, leave_intent


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Jag kommer att säga upp mitt medlemskap.", "säga upp"),
        ("Vi SÄGER UPP avtalet nu", "SÄGER UPP"),
        ("Jeg vil opsige mit abonnement", "opsige"),
        ("Jeg har opsagt kortet", "opsagt"),
        ("Jeg kommer til å si  opp avtalen", "si  opp"),
        ("Aion irtisanoa sopimuksen", "irtisano"),
        ("I want to cancel my membership", "cancel"),
        ("Switching to another shop after this", "Switching to"),
        ("Aldri igjen 😠", "Aldri igjen"),
        ("Tyvärr inte nöjd. Handlar nog inte här igen", "inte här igen"),
    ],
)
def test_intent_is_found_in_each_language(text: str, found: str) -> None:
    assert leave_intent(text) == found


@pytest.mark.parametrize(
    "text",
    ["Vi bytte storlek och det gick bra", "Bra service, tack!", "", None, "reconcile the bill"],
)
def test_ordinary_comments_are_not_intent(text: str | None) -> None:
    assert leave_intent(text) is None


def test_every_language_has_phrases_and_rules_can_add_their_own() -> None:
    assert set(LEAVE_INTENT) == {"sv", "da", "nb", "fi", "en"}
    assert leave_intent("Jag flyttar till konkurrenten") is None
    assert leave_intent("Jag flyttar till konkurrenten", extra=("Flyttar till",)) == "flyttar till"

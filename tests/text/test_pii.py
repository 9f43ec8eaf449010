from __future__ import annotations

from collections import Counter

import pytest
from pii_corpus import build_corpus

from klarsyn.text.pii import (
    KINDS,
    card_is_valid,
    cpr_is_valid,
    fodselsnummer_is_valid,
    hetu_is_valid,
    iban_is_valid,
    mask_pii,
    personnummer_is_valid,
)

CHECKSUMMED = ("card", "iban", "personnummer", "cpr", "fodselsnummer", "hetu")


def score_corpus() -> dict[str, tuple[float, float]]:
    """Precision and recall per kind; a hit must have the right kind and the exact span."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for language, text, kind, start, end in build_corpus():
        findings = mask_pii(text, language=language).findings
        for finding in findings:
            if kind == finding.kind and (finding.start, finding.end) == (start, end):
                tp[kind] += 1
            else:
                fp[finding.kind] += 1
        if kind is not None and not any(
            f.kind == kind and (f.start, f.end) == (start, end) for f in findings
        ):
            fn[kind] += 1
    return {
        kind: (
            tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0,
            tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0,
        )
        for kind in KINDS
    }


def test_precision_and_recall_per_identifier() -> None:
    scores = score_corpus()
    for kind in CHECKSUMMED:
        precision, recall = scores[kind]
        assert recall >= 0.98, (kind, recall)
        assert precision >= 0.95, (kind, precision)
    for kind in ("email", "phone", "url"):
        precision, recall = scores[kind]
        assert recall >= 0.95 and precision >= 0.9, (kind, scores[kind])


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mejla anna.svensson@telia.se tack", "Mejla [EMAIL] tack"),
        ("Ring 070-123 45 67 efter kl 17", "Ring [PHONE] efter kl 17"),
        ("Mitt personnummer är 811218-9876", "Mitt personnummer är [PERSONNUMMER]"),
        ("Kort 4111 1111 1111 1111 drogs två gånger", "Kort [CARD] drogs två gånger"),
        ("IBAN SE45 5000 0000 0583 9825 7466", "IBAN [IBAN]"),
        ("Se https://x.se/track?token=abc123def456ghi789", "Se [URL]"),
        ("Läs https://www.example.se/kundservice", "Läs https://www.example.se/kundservice"),
        ("Order 4711 kostade 1 299 kr", "Order 4711 kostade 1 299 kr"),
    ],
)
def test_masks_in_swedish_text(text: str, masked: str) -> None:
    assert mask_pii(text, language="sv").text == masked


def test_findings_point_into_the_original_text() -> None:
    text = "CPR 070761-4285, tlf 12 34 56 78"
    result = mask_pii(text, language="da")
    assert [(f.kind, text[f.start : f.end]) for f in result.findings] == [
        ("cpr", "070761-4285"),
        ("phone", "12 34 56 78"),
    ]
    assert result.text == "CPR [CPR], tlf [PHONE]"


def test_text_without_candidates_is_returned_as_is() -> None:
    text = "Inga siffror här"
    assert mask_pii(text).text is text


def test_validators() -> None:
    assert personnummer_is_valid("811218-9876")
    assert personnummer_is_valid("19811218-9876")
    assert personnummer_is_valid("811278-9873")  # samordningsnummer: day + 60
    assert not personnummer_is_valid("811218-9875")
    assert not personnummer_is_valid("811318-9871")  # month 13
    assert cpr_is_valid("070761-4285")
    assert not cpr_is_valid("070761-4286")
    assert cpr_is_valid("010203-1234", require_modulus=False)
    assert not cpr_is_valid("320103-1234", require_modulus=False)
    assert fodselsnummer_is_valid("01010750160")
    assert not fodselsnummer_is_valid("01010750161")
    assert hetu_is_valid("131052-308T")
    assert not hetu_is_valid("131052-308U")
    assert card_is_valid("4111 1111 1111 1111")
    assert not card_is_valid("4111 1111 1111 1112")
    assert iban_is_valid("SE45 5000 0000 0583 9825 7466")
    assert not iban_is_valid("SE46 5000 0000 0583 9825 7466")
    assert iban_is_valid("NO9386011117947")

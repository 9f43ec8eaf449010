from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE
from py3langid.langid import LanguageIdentifier as Model

from klarsyn.text.language import LanguageIdentifier, language_identifier

SENTENCES = {
    "sv": "Leveransen kom för sent och kundtjänsten svarade aldrig på mina mejl.",
    "da": "Pakken kom alt for sent, og kundeservice svarede aldrig på mine mails.",
    "nb": "Pakken kom altfor sent, og kundeservice svarte aldri på e-postene mine.",
    "fi": "Paketti tuli aivan liian myöhään eikä asiakaspalvelu vastannut viesteihini.",
    "en": "The parcel arrived far too late and customer service never answered my emails.",
}


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return language_identifier()


def test_each_language_is_recognised(identifier: LanguageIdentifier) -> None:
    result = identifier.identify(list(SENTENCES.values()))
    assert result.codes == list(SENTENCES)
    assert all(c is not None and 0.5 < c <= 1.0 for c in result.confidences)


def test_norwegian_is_stored_as_bokmal(identifier: LanguageIdentifier) -> None:
    assert "no" not in identifier.languages
    assert identifier.identify([SENTENCES["nb"]]).codes == ["nb"]


def test_texts_without_letters_have_no_language(identifier: LanguageIdentifier) -> None:
    result = identifier.identify([None, "", "   ", "12345", "👍"])
    assert result.codes == [None] * 5
    assert result.confidences == [None] * 5


def test_an_unsure_danish_norwegian_call_takes_the_source_language(
    identifier: LanguageIdentifier,
) -> None:
    text = "Tak for god service"
    guess = identifier.identify([text])
    assert guess.codes[0] in {"da", "nb"}
    assert guess.confidences[0] is not None and guess.confidences[0] < 0.9
    assert identifier.identify([text], default="nb").codes == ["nb"]
    assert identifier.identify([text], default="da").codes == ["da"]
    # A confident call in another language is never overridden.
    assert identifier.identify([SENTENCES["fi"]], default="da").codes == ["fi"]


def test_the_batch_walk_agrees_with_py3langid(identifier: LanguageIdentifier) -> None:
    model = Model.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(["sv", "da", "no", "fi", "en"])
    texts = [*SENTENCES.values(), "Hej!", "Bra service men dyrt", "Kiitos", "meh"]
    ours = identifier.identify(texts)
    for text, code, confidence in zip(texts, ours.codes, ours.confidences, strict=True):
        expected, probability = model.classify(text)
        assert code == {"no": "nb"}.get(expected, expected)
        assert confidence == pytest.approx(probability, abs=1e-3)


def test_only_known_languages_can_be_asked_for() -> None:
    with pytest.raises(ValueError, match="de"):
        LanguageIdentifier(["sv", "de"])

"""Words of intent to leave, in every language Klarsyn reads (sv, da, nb, fi, en).

Matching is on word prefixes of the lower-cased text, so inflections ("opsiger", "irtisanon",
"cancelling") are found without a stemmer. Phrases are kept short and specific: "byta" alone
would flag "byta storlek", so the Swedish entry is "byta till" and similar.
"""

from __future__ import annotations

import re
from functools import cache

LEAVE_INTENT: dict[str, tuple[str, ...]] = {
    "sv": ("säga upp", "säger upp", "sagt upp", "avsluta mitt", "byter till", "byta till",
           "handlar aldrig mer", "aldrig mer handla", "aldrig igen", "inte här igen",
           "sista gången"),
    "da": ("opsige", "opsiger", "opsagt", "skifter til", "skifte til", "handler aldrig mere",
           "aldrig igen", "aldrig mere", "sidste gang"),
    "nb": ("si opp", "sier opp", "sagt opp", "bytter til", "bytte til", "handler aldri mer",
           "aldri igjen", "aldri mer", "siste gang"),
    "fi": ("irtisano", "irtisanon", "lopetan", "vaihdan", "en enää", "ei enää koskaan",
           "viimeinen kerta"),
    "en": ("cancel", "unsubscribe", "close my account", "switch to", "switching to",
           "never again", "never shop", "last time i", "take my business"),
}  # fmt: skip


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)
    # A phrase must start at a word boundary; its end may run on ("opsige" → "opsigelse").
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def all_words(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every built-in phrase, in all languages, plus ``extra`` ones a rule adds."""
    return tuple(word for words in LEAVE_INTENT.values() for word in words) + extra


def leave_intent(text: str | None, *, extra: tuple[str, ...] = ()) -> str | None:
    """The first phrase of intent to leave found in ``text``, or ``None``."""
    if not text:
        return None
    found = _pattern(all_words(tuple(word.lower() for word in extra))).search(text)
    return found.group(0) if found else None

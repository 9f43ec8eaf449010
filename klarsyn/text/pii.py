"""Masking personal data in free text before anyone reads it.

Each identifier is found by a pattern and then validated the way its issuer does (Luhn for cards
and Swedish personnummer, mod 97 for IBAN, both mod-11 digits of a Norwegian fødselsnummer, the
check character of a Finnish HETU, a real calendar date for every national id), so order numbers
and prices survive while real identifiers do not. Swedish, Danish and Norwegian ids share
shapes; the comment's language decides which is tried first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

#: What each kind of identifier is replaced by.
MASKS = {
    "url": "[URL]",
    "email": "[EMAIL]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "personnummer": "[PERSONNUMMER]",
    "cpr": "[CPR]",
    "fodselsnummer": "[FODSELSNUMMER]",
    "hetu": "[HETU]",
    "phone": "[PHONE]",
}
KINDS = tuple(MASKS)


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifier found in a text: its kind and where it was."""

    kind: str
    start: int
    end: int


# Not frozen: one is built per comment, and a frozen one costs twice as much to build.
@dataclass(slots=True)
class Masked:
    """A text with its identifiers replaced, and what was replaced."""

    text: str
    findings: tuple[Finding, ...]


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_URL_SECRET_KEYS = re.compile(
    r"[?&#;](?:access_?token|token|api_?key|key|sig|signature|auth|session(?:id)?|sid|code|"
    r"password|pwd|pass|secret|otp|hash|reset|jwt|t)=",
    re.IGNORECASE,
)
# A path or query part long and mixed enough to be a generated secret, not a word.
_URL_TOKEN_PART = re.compile(r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# Every identifier pattern starts with a character class: what must not come before the
# identifier is checked just after its first character (a look-behind that includes it), so
# the regular expression engine skips ahead to candidates instead of testing every position.
_IBAN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"\d(?<![\d-]\d)(?:[ -]?\d){12,18}(?![\d-])")
_PERSONNUMMER = re.compile(
    r"\d(?<![\d-]\d)(?:(?<=1)9\d{2}|(?<=2)0\d{2}|\d)\d{4}[-+]?\d{4}(?![\d-])"  # (19|20)?YYMMDD
)
_CPR = re.compile(r"\d(?<![\d-]\d)\d{5}-?\d{4}(?![\d-])")
_FODSELSNUMMER = re.compile(r"\d(?<![\d-]\d)\d{5} ?\d{5}(?![\d-])")
_HETU = re.compile(r"\d(?<![\w-]\d)\d{5}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![\w-])")


# A phone number is never a run inside a longer spaced digit sequence (a card, an IBAN):
# nothing word-like, no + or - and no "digit space" before its first character.
def _not_in_digits(first: str) -> str:
    return rf"(?<![\w+-]{first})(?<!\d {first})"


_PLUS, _ZERO, _DIGIT = _not_in_digits(r"\+"), _not_in_digits("0"), _not_in_digits(r"\d")
_PHONE_INTERNATIONAL = re.compile(
    rf"(?:\+{_PLUS}|0{_ZERO}0)"
    r"\d{1,3}[ -]?(?:\(0\)[ -]?)?\d(?:[ -]?\d){5,12}(?! ?\d)"
)
_PHONE_NATIONAL = re.compile(
    # 070-123 45 67, 08-123 456 78, 040 123 4567: an area code with a leading 0, then groups.
    # Bare ten digits only for Swedish mobiles (07x), since DDMMYYXXXX dates look the same.
    rf"0{_ZERO}"
    r"(?:\d{1,3}[ -]\d{2,4}(?:[ -]?\d{2,4}){1,3}|7[02369]\d{7})(?![\w-]| \d)"
)
_PHONE_GROUPED = re.compile(
    # Danish and Norwegian numbers have eight digits, usually grouped 2-2-2-2 or 3-2-3.
    rf"\d{_DIGIT}"
    r"(?:\d \d{2} \d{2} \d{2}|\d{2} \d{2} \d{3})(?![\w-]| \d)"
)
_PHONE_BARE = re.compile(
    r"(?:tlf|tel|telefon\w*|mobil\w*|mob|phone|ring\w*|sms|puh|puhelin\w*|gsm)\W{1,4}"
    r"(?:nr\W{0,3}|nummer\W{0,3}|number\W{0,3}|numero\W{0,3})?(\d{8})(?!\d)",
    re.IGNORECASE,
)
_SIX_DIGITS = re.compile(r"\d(?:[ ()-]{0,2}\d){5}")
_TEN_DIGITS = re.compile(r"\d(?:[ +-]?\d){9}")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_HINT = re.compile(r"[\d@]|www|http")
_CPR_KEYWORD = re.compile(r"cpr", re.IGNORECASE)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "A": 2000}
_IBAN_LENGTHS = {"SE": 24, "DK": 18, "NO": 15, "FI": 18, "DE": 22, "GB": 22, "NL": 18, "FR": 27}

# National ids tried first for a comment in each language (the shapes overlap).
_NATIONAL_ORDER = {
    "sv": ("personnummer", "hetu", "fodselsnummer", "cpr"),
    "da": ("cpr", "hetu", "fodselsnummer", "personnummer"),
    "nb": ("fodselsnummer", "cpr", "hetu", "personnummer"),
    "fi": ("hetu", "personnummer", "fodselsnummer", "cpr"),
}
_DEFAULT_ORDER = ("personnummer", "hetu", "fodselsnummer", "cpr")


def mask_pii(text: str, *, language: str | None = None) -> Masked:
    """Replace every identifier in ``text`` by its mask (see :data:`MASKS`).

    ``language`` (sv, da, nb, fi, en) decides which national id wins when a number is valid as
    more than one.
    """
    if not _may_hold_pii(text):
        return Masked(text=text, findings=())
    taken: list[Finding] = []
    # Every number worth masking has six digits at least; most comments have none.
    numbers = _SIX_DIGITS.search(text) is not None
    order: tuple[str, ...] = ()
    if "http" in text or "www" in text:
        order += ("url",)
    if "@" in text:
        order += ("email",)
    if numbers:
        order += ("iban",)
        # Cards and national ids all hold ten digits or more; an order number does not.
        if _TEN_DIGITS.search(text) is not None:
            order += ("card", *_NATIONAL_ORDER.get(language or "", _DEFAULT_ORDER))
        else:
            order += ("hetu",)
        order += ("phone",)
    for kind in order:
        for start, end in _FINDERS[kind](text):
            if not taken or not any(start < f.end and f.start < end for f in taken):
                taken.append(Finding(kind=kind, start=start, end=end))
    if not taken:
        return Masked(text=text, findings=())
    taken.sort(key=lambda f: f.start)
    parts: list[str] = []
    position = 0
    for finding in taken:
        parts.append(text[position : finding.start])
        parts.append(MASKS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return Masked(text="".join(parts), findings=tuple(taken))


def masked_text(text: str, *, language: str | None = None) -> str:
    """The text of :func:`mask_pii`, without building findings for the many texts with none."""
    return text if not _may_hold_pii(text) else mask_pii(text, language=language).text


def _may_hold_pii(text: str) -> bool:
    # Most comments hold no digit, no @ and no link: skip the patterns for them.
    return _HINT.search(text) is not None


Spans = list[tuple[int, int]]


def _urls(text: str) -> Spans:
    spans = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)]}")
        if _URL_SECRET_KEYS.search(url) or _URL_TOKEN_PART.search(url.split("/", 3)[-1]):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def _emails(text: str) -> Spans:
    return [m.span() for m in _EMAIL.finditer(text)]


def _ibans(text: str) -> Spans:
    return [m.span() for m in _IBAN.finditer(text) if iban_is_valid(m.group())]


def _cards(text: str) -> Spans:
    return [m.span() for m in _CARD.finditer(text) if card_is_valid(m.group())]


def _personnummer(text: str) -> Spans:
    return [m.span() for m in _PERSONNUMMER.finditer(text) if personnummer_is_valid(m.group())]


def _cpr(text: str) -> Spans:
    spans = []
    for match in _CPR.finditer(text):
        # CPR numbers issued since 2007 need not pass modulus 11; accept those when the writer
        # says it is a CPR number.
        keyword = bool(_CPR_KEYWORD.search(text, max(0, match.start() - 40), match.start()))
        if cpr_is_valid(match.group(), require_modulus=not keyword):
            spans.append(match.span())
    return spans


def _fodselsnummer(text: str) -> Spans:
    return [m.span() for m in _FODSELSNUMMER.finditer(text) if fodselsnummer_is_valid(m.group())]


def _hetu(text: str) -> Spans:
    return [m.span() for m in _HETU.finditer(text) if hetu_is_valid(m.group())]


def _phones(text: str) -> Spans:
    spans: Spans = []
    for pattern in (_PHONE_INTERNATIONAL, _PHONE_NATIONAL, _PHONE_GROUPED):
        spans.extend(m.span() for m in pattern.finditer(text))
    if _EIGHT_DIGITS.search(text) is not None:  # what a bare number must have
        spans.extend(m.span(1) for m in _PHONE_BARE.finditer(text))
    return spans


_FINDERS: dict[str, Callable[[str], Spans]] = {
    "url": _urls,
    "email": _emails,
    "iban": _ibans,
    "card": _cards,
    "personnummer": _personnummer,
    "cpr": _cpr,
    "fodselsnummer": _fodselsnummer,
    "hetu": _hetu,
    "phone": _phones,
}


def luhn_is_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment cards and Swedish personnummer."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_is_valid(candidate: str) -> bool:
    """A 13-19 digit card number that passes Luhn and starts like a card (2-6)."""
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_is_valid(digits)


def iban_is_valid(candidate: str) -> bool:
    """An IBAN with the right length for its country (where known) and mod 97 == 1."""
    compact = candidate.replace(" ", "").upper()
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def personnummer_is_valid(candidate: str) -> bool:
    """Swedish personnummer or samordningsnummer (day + 60): a real date and Luhn."""
    digits = re.sub(r"\D", "", candidate)
    if len(digits) == 12:
        century = int(digits[:2])
        if century not in (19, 20):
            return False
        digits = digits[2:]
        years = [century * 100 + int(digits[:2])]
    else:
        years = [1900 + int(digits[:2]), 2000 + int(digits[:2])]
    month, day = int(digits[2:4]), int(digits[4:6])
    if day > 60:
        day -= 60
    if not any(_is_date(year, month, day) for year in years):
        return False
    return luhn_is_valid(digits)


def cpr_is_valid(candidate: str, *, require_modulus: bool = True) -> bool:
    """Danish CPR: a real date (DDMMYY) and, for numbers before 2007, modulus 11."""
    digits = candidate.replace("-", "")
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if not (_is_date(1900 + year, month, day) or _is_date(2000 + year, month, day)):
        return False
    if not require_modulus:
        return True
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def fodselsnummer_is_valid(candidate: str) -> bool:
    """Norwegian fødselsnummer (or D-/H-number): a real date and both mod-11 check digits."""
    digits = [int(d) for d in candidate.replace(" ", "")]
    day, month = digits[0] * 10 + digits[1], digits[2] * 10 + digits[3]
    year = digits[4] * 10 + digits[5]
    if day > 40:  # D-number
        day -= 40
    if month > 40:  # H-number
        month -= 40
    if not (_is_date(1900 + year, month, day) or _is_date(2000 + year, month, day)):
        return False
    first = 11 - sum(d * w for d, w in zip(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=False)) % 11
    second_weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    second = 11 - sum(d * w for d, w in zip(digits, second_weights, strict=False)) % 11
    first, second = first % 11, second % 11
    return first != 10 and second != 10 and digits[9] == first and digits[10] == second


def hetu_is_valid(candidate: str) -> bool:
    """Finnish HETU: a real date with its century sign and the mod-31 check character."""
    candidate = candidate.upper()
    day, month, year = int(candidate[:2]), int(candidate[2:4]), int(candidate[4:6])
    sign = candidate[6]
    century = _HETU_CENTURY.get(sign, 2000 if sign in "BCDEF" else 1900)
    if not _is_date(century + year, month, day):
        return False
    return _HETU_CHECK[int(candidate[:6] + candidate[7:10]) % 31] == candidate[10]

"""Writing one customer comment from what the customer went through.

A comment mentions every experience it was given, each in one clause from the language's
phrasebook, and nothing else that a theme model could pick up: openers, closers and short
replies carry only a tone. Clauses of the same polarity are joined with "and" or stand as their
own sentences; opposite ones meet at a "but". When the clauses do not carry the overall tone
(a promoter who mentions one problem), a turning closer ("apart from that, great") does.
Written contacts get greetings and sign-offs, chats are terse, and a share of comments carries
personal data and typing slips.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from klarsyn.demo import pii
from klarsyn.demo.keyboard import roughen
from klarsyn.demo.phrasebook import Bank, Phrasebook


@dataclass(frozen=True, slots=True)
class CommentSpec:
    """What one comment is about and who writes it."""

    tone: str  # negative, neutral or positive
    experiences: tuple[tuple[str, str], ...]  # (theme, polarity)
    story: str
    channel: str
    setup: str  # a key of Phrasebook.setups
    country: str
    category: str
    store: str
    partner: str
    days_late: int
    campaign: str
    cheat_variant: str  # discount or membership
    fee: str
    order: str
    loud_number: int
    pii: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    polarity: str


class _Slots(dict[str, str]):
    """Placeholder values for one comment, drawn when first asked for."""

    def __init__(self, spec: CommentSpec, book: Phrasebook, rng: random.Random) -> None:
        super().__init__()
        self.spec, self.book, self.rng = spec, book, rng
        self.name = rng.choice(book.first_names)

    def __missing__(self, key: str) -> str:
        spec, book, rng = self.spec, self.book, self.rng
        if key == "very":  # drawn afresh each time, never stored
            return rng.choice(book.very)
        value = {
            "item": lambda: rng.choice(book.items[spec.category]),
            "store": lambda: spec.store,
            "partner": lambda: spec.partner,
            "days": lambda: str(max(spec.days_late, rng.randint(2, 6))),
            "minutes": lambda: str(rng.choice((20, 25, 30, 35, 40, 45, 50, 55, 60, 75, 90))),
            "weeks": lambda: str(rng.randint(2, 6)),
            "campaign": lambda: spec.campaign,
            "fee": lambda: spec.fee,
            "n": lambda: str(max(spec.loud_number, 2)),
            "name": lambda: self.name,
            "email": lambda: pii.email(self.name, rng.choice(book.surnames), spec.country, rng),
            "phone": lambda: pii.phone(spec.country, rng),
            "order": lambda: spec.order,
            "national_id": lambda: pii.national_id(spec.country, rng),
        }[key]()
        self[key] = value
        return value


def compose(spec: CommentSpec, book: Phrasebook, rng: random.Random) -> str:
    """The comment's text."""
    slots = _Slots(spec, book, rng)
    if spec.story == "cheating_campaign":
        sentences = _cheated(spec, book, rng)
    elif spec.story == "loud_customer":
        sentences = _rant(book, rng)
    elif not spec.experiences:
        sentences = _without_subject(spec, book, rng)
    else:
        sentences = _about_experiences(spec, book, rng)
    sentences += [_sentence(_lower_first(rng.choice(book.pii[kind]))) for kind in spec.pii]
    body = _wrap(" ".join(sentences), spec=spec, book=book, rng=rng)
    text = body.format_map(slots)
    text = _capitalise_sentences(text)
    return roughen(
        text, tone=spec.tone, channel=spec.channel, plain_letters=book.plain_letters, rng=rng
    )


def _about_experiences(spec: CommentSpec, book: Phrasebook, rng: random.Random) -> list[str]:
    clauses = [
        _Clause(_lower_first(rng.choice(_bank(theme, polarity, spec, book, rng))), polarity)
        for theme, polarity in spec.experiences
    ]
    rng.shuffle(clauses)
    questions = [c for c in clauses if c.polarity == "neutral"]
    positive = [c for c in clauses if c.polarity == "positive"]
    negative = [c for c in clauses if c.polarity == "negative"]
    main, minor = (positive, negative) if spec.tone == "positive" else (negative, positive)
    if spec.tone == "neutral" and rng.random() < 0.5:
        main, minor = minor, main
    groups = [minor, main] if rng.random() < 0.6 else [main, minor]
    sentences = _join_groups([g for g in groups if g], book, rng)
    sentences += [_sentence(c.text) for c in questions]
    carries_tone = {
        "positive": bool(positive),
        "negative": bool(negative),
        "neutral": bool(questions) or (bool(positive) and bool(negative)),
    }[spec.tone]
    if not carries_tone:
        sentences.append(rng.choice(book.otherwise[spec.tone]))
    elif rng.random() < 0.3:
        sentences.append(rng.choice(book.closers[spec.tone]))
    if rng.random() < 0.22:
        sentences.insert(0, rng.choice(book.openers[spec.tone]))
    elif rng.random() < 0.25 and spec.channel != "chat":
        sentences.insert(0, rng.choice(book.setups[spec.setup]))
    return sentences


def _bank(
    theme: str, polarity: str, spec: CommentSpec, book: Phrasebook, rng: random.Random
) -> Bank:
    """The clauses for one experience; the planted stories have their own words."""
    if theme == "waiting_time" and polarity == "negative" and spec.setup == "purchase_store":
        return book.store_queue
    if spec.story == "late_delivery" and theme == "delivery" and rng.random() < 0.6:
        return book.late_partner
    if spec.story == "returns_policy" and theme == "returns" and rng.random() < 0.75:
        return book.returns_policy
    return book.themes[theme][polarity]


def _join_groups(groups: list[list[_Clause]], book: Phrasebook, rng: random.Random) -> list[str]:
    """Clauses into sentences: same polarity with "and" or full stops, a "but" between."""
    sentences: list[str] = []
    current: list[str] = []
    for number, group in enumerate(groups):
        for position, clause in enumerate(group):
            if not current:
                current.append(clause.text)
            elif number > 0 and position == 0:
                if rng.random() < 0.25:
                    sentences.append(_sentence(" ".join(current)))
                    current = [f"{rng.choice(book.contrast)} {clause.text}"]
                else:
                    comma = "," if rng.random() < 0.6 else ""
                    current[-1] += comma
                    current.append(f"{rng.choice(book.contrast)} {clause.text}")
            elif len(current) == 1 and rng.random() < 0.4 and not current[-1].endswith("?"):
                current.append(f"{rng.choice(book.additive)} {clause.text}")
            else:
                sentences.append(_sentence(" ".join(current)))
                current = [clause.text]
    if current:
        sentences.append(_sentence(" ".join(current)))
    return sentences


def _without_subject(spec: CommentSpec, book: Phrasebook, rng: random.Random) -> list[str]:
    if rng.random() < 0.7:
        return [rng.choice(book.short_replies[spec.tone])]
    return [rng.choice(book.openers[spec.tone]), rng.choice(book.closers[spec.tone])]


def _cheated(spec: CommentSpec, book: Phrasebook, rng: random.Random) -> list[str]:
    """What happened with the offer, how it feels, what customer service did, what now."""
    themes = {theme for theme, _ in spec.experiences}
    sentences = [_sentence(rng.choice(book.cheated_offer[spec.cheat_variant]))]
    if rng.random() < 0.6:
        feeling = _sentence(rng.choice(book.cheated_feeling), rng.choice(".!"))
        sentences.insert(0 if rng.random() < 0.35 else 1, feeling)
    if "waiting_time" in themes:
        sentences.append(_sentence(rng.choice(book.cheated_queue)))
    elif "customer_service" in themes:
        sentences.append(_sentence(rng.choice(book.cheated_unhelpful)))
    if rng.random() < 0.45:
        sentences.append(_sentence(rng.choice(book.cheated_closers), rng.choice(".!")))
    return sentences


def _rant(book: Phrasebook, rng: random.Random) -> list[str]:
    """A loud customer's message: the same complaint again, in slightly new words."""
    first, second = rng.sample(book.packaging_rants, 2)
    sentences = [_sentence(first)]
    if rng.random() < 0.4:
        sentences.append(_sentence(second))
    if rng.random() < 0.3:
        sentences.append(rng.choice(book.closers["negative"]))
    return sentences


def _wrap(body: str, *, spec: CommentSpec, book: Phrasebook, rng: random.Random) -> str:
    """Greetings and sign-offs for e-mails and tickets; the terse style of chats."""
    if spec.channel == "email":
        if rng.random() < 0.8:
            body = f"{rng.choice(book.greetings)}\n\n{body}"
        if rng.random() < 0.75:
            body = f"{body}\n\n{rng.choice(book.signoffs)}"
    elif spec.channel == "ticket":
        if rng.random() < 0.35:
            greeting = rng.choice(book.greetings)
            if greeting[-1].isalnum():
                greeting += rng.choice(",!")
            body = f"{greeting} {_lower_first(body) if greeting.endswith(',') else body}"
        if rng.random() < 0.25:
            body = f"{body} {rng.choice(book.signoffs).replace(chr(10), ' ')}"
    elif spec.channel == "chat":
        if rng.random() < 0.6 and body.endswith("."):
            body = body[:-1]
        if rng.random() < 0.15:
            body = f"{rng.choice(book.greetings).rstrip('!,.')}, {_lower_first(body)}"
    return body


def _sentence(clause: str, end: str = ".") -> str:
    """A clause closed as a sentence, unless it already ends with ? or !."""
    return clause if clause[-1:] in "?!.:" else f"{clause}{end}"


def _lower_first(clause: str) -> str:
    """Lower-case a clause's first letter so it can follow a conjunction; proper nouns, English
    "I" and placeholders keep theirs."""
    if len(clause) < 2 or clause[0] == "{" or not clause[0].isupper() or clause[1].isupper():
        return clause
    if clause.startswith(("I ", "I'", "Max")):
        return clause
    return clause[0].lower() + clause[1:]


_SENTENCE_START = re.compile(r"(^|[.!?][ \n]+|\n+)([^\W\d_])")


def _capitalise_sentences(text: str) -> str:
    """Upper-case the first letter of the text and of every sentence after . ! ? or a new line."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)

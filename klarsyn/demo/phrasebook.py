"""The shape of one language's phrases, from which comments are composed.

Clauses are written as a customer would type them, without a final full stop; the composer adds
punctuation, joins clauses with the language's conjunctions, and capitalises. Placeholders in
braces are filled per comment:

``{very}``      an intensifier, often empty (``väldigt ``, ``jätte``, ``skikkelig ``)
``{item}``      the product, in the form the language's phrases expect (``soffan``, ``sofaen``)
``{store}``     the store's name
``{partner}``   the delivery partner
``{days}``, ``{minutes}``, ``{weeks}``   small numbers that customers quote
``{campaign}``  the campaign's name; ``{fee}`` its monthly membership fee; ``{n}`` a count
``{email}``, ``{phone}``, ``{order}``, ``{national_id}``   personal data (see :mod:`pii`)
``{name}``      the writer's first name, in sign-offs
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Bank = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """Everything the composer needs to write in one language.

    Attributes:
        language: ISO 639-1 code (``nb`` for Norwegian bokmål).
        themes: theme -> polarity (negative, neutral, positive) -> clauses about it.
        openers: tone -> a first sentence that sets the tone.
        closers: tone -> a last sentence.
        otherwise: tone -> a last sentence that turns the verdict ("apart from that, great").
        short_replies: tone -> a whole, terse answer ("Bra!").
        setups: journey key -> a neutral first sentence that tells what happened.
        contrast: conjunctions that join clauses of opposite polarity ("men").
        additive: conjunctions that join clauses of the same polarity ("och").
        very: intensifiers, with their trailing space where the language writes one.
        items: product category -> product nouns.
        greetings, signoffs: how written contacts begin and end.
        first_names, surnames: for sign-offs and e-mail addresses.
        cheated_offer: "discount" / "membership" -> what the campaign did to the customer.
        cheated_feeling: how being cheated feels.
        cheated_queue: trying to reach customer service about it (waiting).
        cheated_unhelpful: reaching customer service and getting nowhere.
        cheated_closers: what the customer will do now.
        store_queue: complaints about queueing at a store's tills (waiting time in stores).
        returns_policy: praise of the free 100-day returns.
        late_partner: complaints about a late delivery partner by name.
        packaging_rants: a loud customer's repeated complaint about plastic and packaging.
        pii: kind (email, phone, order, national_id) -> clauses that carry it.
        plain_letters: how letters are typed on a keyboard without them.
    """

    language: str
    themes: Mapping[str, Mapping[str, Bank]]
    openers: Mapping[str, Bank]
    closers: Mapping[str, Bank]
    otherwise: Mapping[str, Bank]
    short_replies: Mapping[str, Bank]
    setups: Mapping[str, Bank]
    contrast: Bank
    additive: Bank
    very: Bank
    items: Mapping[str, Bank]
    greetings: Bank
    signoffs: Bank
    first_names: Bank
    surnames: Bank
    cheated_offer: Mapping[str, Bank]
    cheated_feeling: Bank
    cheated_queue: Bank
    cheated_unhelpful: Bank
    cheated_closers: Bank
    store_queue: Bank
    returns_policy: Bank
    late_partner: Bank
    packaging_rants: Bank
    pii: Mapping[str, Bank]
    plain_letters: Mapping[str, str]

"""The feedback table in the default import format, and the evaluation truth beside it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.demo.campaigns import Campaign
from klarsyn.demo.catalogue import CATEGORIES
from klarsyn.demo.columns import labels, scores
from klarsyn.demo.customers import Customers
from klarsyn.demo.experiences import STORY_KEYS, TONES, Experiences
from klarsyn.demo.geography import (
    COUNTRIES,
    LANGUAGES,
    MEMBERSHIP_FEE,
    PARTNERS,
    REGION_NAMES,
    REGIONS,
    STORES,
    TIME_ZONES,
)
from klarsyn.demo.identifiers import customer_ids, external_ids, order_ids
from klarsyn.demo.incidence import NEGATIVE, NEUTRAL, POSITIVE
from klarsyn.demo.languages import PHRASEBOOKS
from klarsyn.demo.occasions import CHANNELS, EMAIL, STAGES, TICKET, Occasions
from klarsyn.demo.pii import PII_KINDS
from klarsyn.demo.stories import THEMES
from klarsyn.demo.text import CommentSpec, compose
from klarsyn.demo.timeline import iso_local

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_POLARITY_NAMES = {NEGATIVE: "negative", NEUTRAL: "neutral", POSITIVE: "positive"}
# Sources that record the language of a comment: survey tools usually do, helpdesks rarely.
_LANGUAGE_KNOWN = np.array([0.9, 0.45, 0.35, 0.25, 0.45])
_TOUCHPOINTS = (
    "web_checkout",
    "app",
    "store_checkout",
    "home_delivery",
    "pickup_point",
    "product_page",
    "review_site",
    "customer_service_phone",
    "customer_service_chat",
    "customer_service_email",
    "contact_form",
    "returns_portal",
    "store_returns",
)


@dataclass(frozen=True, slots=True)
class FeedbackTables:
    """The feedback table and its truth, row for row."""

    feedback: pl.DataFrame
    truth: pl.DataFrame


def feedback_tables(
    rng: np.random.Generator,
    *,
    occasions: Occasions,
    experiences: Experiences,
    customers: Customers,
    campaign: Ints,
    campaigns: list[Campaign],
    order_numbers: Ints,
) -> FeedbackTables:
    """Both tables, sorted by time, with ids ``fb-000001`` onwards."""
    order = np.lexsort((occasions.customer, occasions.time))
    pii = _draw_pii(rng, occasions, experiences)
    language_known = rng.random(occasions.size) < _LANGUAGE_KNOWN[occasions.channel]
    touchpoint = _touchpoints(rng, occasions)
    texts = _write_texts(
        random.Random(int(rng.integers(0, 2**63))),
        order,
        occasions=occasions,
        experiences=experiences,
        customers=customers,
        campaign=campaign,
        campaigns=campaigns,
        order_numbers=order_numbers,
        pii=pii,
    )
    ids = external_ids("fb-", np.arange(1, occasions.size + 1, dtype=np.int64), width=6)
    feedback = _feedback_frame(
        order,
        ids=ids,
        texts=texts,
        language_known=language_known,
        touchpoint=touchpoint,
        occasions=occasions,
        experiences=experiences,
        customers=customers,
        campaign=campaign,
        campaigns=campaigns,
    )
    truth = _truth_frame(
        order, ids=ids, pii=pii, occasions=occasions, experiences=experiences, customers=customers
    )
    return FeedbackTables(feedback, truth)


def _draw_pii(rng: np.random.Generator, occasions: Occasions, experiences: Experiences) -> Bools:
    """Which kinds of personal data each comment carries (rows x PII_KINDS).

    People paste contact details into tickets and e-mails, order numbers into any written
    contact, and hardly anything into survey answers.
    """
    written = occasions.channel >= TICKET
    letter = np.isin(occasions.channel, [TICKET, EMAIL])
    chance = np.column_stack(
        [
            np.where(letter, 0.05, np.where(written, 0.02, 0.003)),
            np.where(letter, 0.04, np.where(written, 0.02, 0.003)),
            np.where(written, 0.07, 0.01) * occasions.has_order,
            np.where(letter, 0.006, 0.0),
        ]
    )
    return (rng.random(chance.shape) < chance) & experiences.has_text[:, None]


def _touchpoints(rng: np.random.Generator, occasions: Occasions) -> Ints:
    """Where the experience happened: checkout, delivery, product page, service channel, ..."""
    t = {name: index for index, name in enumerate(_TOUCHPOINTS)}
    coin = rng.random(occasions.size)
    web = occasions.web
    purchase = np.where(web, np.where(coin < 0.3, t["app"], t["web_checkout"]), t["store_checkout"])
    delivery = np.where(coin < 0.55, t["home_delivery"], t["pickup_point"])
    use = np.where(coin < 0.7, t["product_page"], t["review_site"])
    # in the order of occasions.CONTACT_CHANNELS: phone, chat, email, web form
    service = np.array(
        [
            t["customer_service_phone"],
            t["customer_service_chat"],
            t["customer_service_email"],
            t["contact_form"],
        ]
    )
    support = service[np.maximum(occasions.contact_channel, 0)]
    returned = np.where(web, t["returns_portal"], t["store_returns"])
    stages = [purchase, delivery, use, support, returned]
    return np.asarray(np.choose(occasions.stage, stages), dtype=np.int64)


def _write_texts(
    text_rng: random.Random,
    order: Ints,
    *,
    occasions: Occasions,
    experiences: Experiences,
    customers: Customers,
    campaign: Ints,
    campaigns: list[Campaign],
    order_numbers: Ints,
    pii: Bools,
) -> list[str | None]:
    """Compose every comment, in time order so that the result depends only on the seed."""
    country = [COUNTRIES[c] for c in customers.country[occasions.customer].tolist()]
    books = [PHRASEBOOKS[LANGUAGES[x]] for x in customers.language[occasions.customer].tolist()]
    region = customers.region[occasions.customer].tolist()
    store = [
        STORES[s] if s >= 0 else (REGIONS[r].stores or STORES)[0]
        for s, r in zip(occasions.store.tolist(), region, strict=True)
    ]
    partner = [PARTNERS[max(p, 0)] for p in occasions.partner.tolist()]
    campaign_names = [c.name for c in campaigns]
    campaign_name = [campaign_names[c] if c >= 0 else "" for c in campaign.tolist()]
    orders = order_ids(np.maximum(order_numbers, 0)).to_list()
    stage = [STAGES[x] for x in occasions.stage.tolist()]
    web = occasions.web.tolist()
    channel = [CHANNELS[x] for x in occasions.channel.tolist()]
    category = [CATEGORIES[x] for x in occasions.category.tolist()]
    days_late = (-(-occasions.late_minutes // 1440)).tolist()
    loud_number = occasions.loud_number.tolist()
    tone = [TONES[x] for x in experiences.tone.tolist()]
    story = [STORY_KEYS[x] for x in experiences.story.tolist()]
    variant = ["membership" if x else "discount" for x in experiences.cheat_variant.tolist()]
    has_text = experiences.has_text.tolist()
    polarity = experiences.polarity.tolist()
    pii_flags = pii.tolist()
    texts: list[str | None] = [None] * occasions.size
    for i in order.tolist():
        if not has_text[i]:
            continue
        spec = CommentSpec(
            tone=tone[i],
            experiences=tuple(
                (THEMES[t], _POLARITY_NAMES[p]) for t, p in enumerate(polarity[i]) if p
            ),
            story=story[i],
            channel=channel[i],
            setup=f"purchase_{'web' if web[i] else 'store'}"
            if stage[i] == "purchase"
            else stage[i],
            country=country[i],
            category=category[i],
            store=store[i],
            partner=partner[i],
            days_late=days_late[i],
            campaign=campaign_name[i],
            cheat_variant=variant[i],
            fee=MEMBERSHIP_FEE[country[i]],
            order=orders[i],
            loud_number=loud_number[i],
            pii=tuple(kind for kind, flag in zip(PII_KINDS, pii_flags[i], strict=True) if flag),
        )
        texts[i] = compose(spec, books[i], text_rng)
    return texts


def _feedback_frame(
    order: Ints,
    *,
    ids: pl.Series,
    texts: list[str | None],
    language_known: Bools,
    touchpoint: Ints,
    occasions: Occasions,
    experiences: Experiences,
    customers: Customers,
    campaign: Ints,
    campaigns: list[Campaign],
) -> pl.DataFrame:
    o = occasions
    c = customers
    country = c.country[o.customer]
    frame = pl.DataFrame(
        {
            "time": o.time,
            "channel": labels(CHANNELS, o.channel),
            "customer_id": customer_ids(o.customer),
            "nps": scores(experiences.nps),
            "csat": scores(experiences.csat),
            "ces": scores(experiences.ces),
            "rating": scores(experiences.rating),
            "text": pl.Series(texts, dtype=pl.String),
            "language": labels(
                LANGUAGES, c.language[o.customer], language_known & experiences.has_text
            ),
            "country": labels(COUNTRIES, country),
            "region": labels(REGION_NAMES, c.region[o.customer]),
            "store": labels(STORES, o.store),
            "sales_channel": labels(("store", "web"), o.web.astype(np.int64), o.has_order),
            "product_category": labels(CATEGORIES, o.category, o.has_order),
            "touchpoint": labels(_TOUCHPOINTS, touchpoint),
            "journey_stage": labels(STAGES, o.stage),
            "delivery_partner": labels(PARTNERS, o.partner, o.has_delivery),
            "campaign": labels([x.name for x in campaigns], campaign),
        }
    ).select(pl.all().gather(order))
    zones = [TIME_ZONES[code] for code in COUNTRIES]
    received_at = iso_local(o.time[order], country[order], zones)
    return frame.with_columns(id=ids, received_at=received_at).select(
        "id", "received_at", *[name for name in frame.columns if name != "time"]
    )


def _truth_frame(
    order: Ints,
    *,
    ids: pl.Series,
    pii: Bools,
    occasions: Occasions,
    experiences: Experiences,
    customers: Customers,
) -> pl.DataFrame:
    """What each text really says: themes, their sentiments, overall tone, story, language."""
    written = experiences.has_text
    themes: list[str | None] = []
    sentiments: list[str | None] = []
    for row, has_text in zip(experiences.polarity.tolist(), written.tolist(), strict=True):
        present = [(THEMES[t], _POLARITY_NAMES[p]) for t, p in enumerate(row) if p]
        themes.append((";".join(t for t, _ in present) or None) if has_text else None)
        sentiments.append((";".join(f"{t}:{p}" for t, p in present) or None) if has_text else None)
    kinds = [
        ";".join(kind for k, kind in enumerate(PII_KINDS) if flags[k]) or None
        for flags in pii.tolist()
    ]
    frame = pl.DataFrame(
        {
            "themes": pl.Series(themes, dtype=pl.String),
            "theme_sentiments": pl.Series(sentiments, dtype=pl.String),
            "sentiment": labels(TONES, experiences.tone, written),
            "story": labels(STORY_KEYS, experiences.story, experiences.story > 0),
            "language": labels(LANGUAGES, customers.language[occasions.customer], written),
            "pii": pl.Series(kinds, dtype=pl.String),
        }
    ).select(pl.all().gather(order))
    return frame.with_columns(id=ids).select("id", *frame.columns)

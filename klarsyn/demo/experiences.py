"""What each customer went through (themes with polarity), which story it belongs to, and the
scores that follow from it.

Causality runs one way: experiences are drawn first, from the journey stage and the planted
stories; scores are then computed from the experiences with the effects in
:mod:`klarsyn.demo.stories`; the text (written later) mentions exactly those experiences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from klarsyn.demo.customers import Customers
from klarsyn.demo.deliveries import late_region_index
from klarsyn.demo.geography import COUNTRIES, PARTNERS
from klarsyn.demo.incidence import NEGATIVE, NEUTRAL, NONE, POSITIVE, base_probabilities
from klarsyn.demo.occasions import (
    CAMPAIGN_SURGE,
    DELIVERY,
    LOUD_MESSAGE,
    NPS_SURVEY,
    ORDINARY,
    PURCHASE,
    RETURN,
    REVIEW,
    SUPPORT,
    SUPPORT_SURVEY,
    SURVEY,
    TICKET,
    USE,
    Occasions,
)
from klarsyn.demo.stories import THEMES, Stories, effect
from klarsyn.demo.timeline import DAY, seconds

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

STORY_KEYS = (
    "",
    "cheating_campaign",
    "late_delivery",
    "returns_policy",
    "opening_hours",
    "loud_customer",
)
CHEATING, LATE, RETURNS_POLICY, OPENING_HOURS, LOUD = range(1, 6)
TONES = ("negative", "neutral", "positive")
_T = {theme: index for index, theme in enumerate(THEMES)}
_MAX_THEMES = 3


@dataclass(frozen=True, slots=True)
class Experiences:
    """Per occasion: the experience matrix, story, scores and tone of what the customer writes.

    ``polarity[i, t]`` is NONE, NEGATIVE, NEUTRAL or POSITIVE for theme ``THEMES[t]``.
    Missing scores are -1. ``tone`` indexes :data:`TONES`.
    """

    polarity: npt.NDArray[np.int8]
    story: Ints
    cheat_variant: Ints  # 0: discount not applied, 1: membership charged
    nps: Ints
    csat: Ints
    ces: Ints
    rating: Ints
    tone: Ints
    has_text: Bools


def draw_experiences(
    rng: np.random.Generator,
    occasions: Occasions,
    *,
    customers: Customers,
    campaign: Ints,
    cheating: int,
    stories: Stories,
) -> Experiences:
    """Experiences, stories and scores for every occasion."""
    probabilities = base_probabilities(occasions.stage, occasions.web, occasions.channel)
    _late_deliveries(probabilities, occasions)
    in_policy = _returns_policy(probabilities, occasions, customers=customers, stories=stories)
    polarity = _draw(rng, probabilities)
    _ensure_subject(rng, polarity, occasions)
    story = np.zeros(occasions.size, dtype=np.int64)
    cheat_variant = (rng.random(occasions.size) < 0.3).astype(np.int64)
    _label_ordinary_stories(story, polarity, occasions, customers, stories, in_policy)
    cheated = _cheated(
        rng, occasions, polarity, campaign=campaign, cheating=cheating, stories=stories
    )
    _plant_cheating(rng, polarity, story, cheated, cheat_variant)
    loud = occasions.origin == LOUD_MESSAGE
    polarity[loud] = NONE
    polarity[loud, _T["packaging"]] = NEGATIVE
    story[loud] = LOUD
    return _score(rng, polarity, story, cheat_variant, occasions, customers)


def _late_deliveries(probabilities: Floats, occasions: Occasions) -> None:
    """Late parcels make delivery complaints likely, mostly right after the delivery."""
    late = occasions.late_minutes
    pull = np.where(late > 0, 0.80 * (1 - np.exp(-late / 900.0)), 0.0)
    weight = np.select(
        [occasions.stage == DELIVERY, np.isin(occasions.stage, [USE, RETURN])], [1.0, 0.3], 0.0
    )
    column = probabilities[:, _T["delivery"], :]
    column[:, 0] = np.minimum(column[:, 0] + pull * weight * occasions.has_delivery, 0.9)


def _returns_policy(
    probabilities: Floats, occasions: Occasions, *, customers: Customers, stories: Stories
) -> Bools:
    """After the free 100-day returns arrive, customers there praise returns and complain less."""
    country = COUNTRIES.index(stories.returns_policy_country)
    in_policy = (
        (customers.country[occasions.customer] == country)
        & (occasions.time >= seconds(stories.returns_policy_from))
        & np.isin(occasions.stage, [PURCHASE, DELIVERY, USE, RETURN])
    )
    column = probabilities[:, _T["returns"], :]
    boost = np.where(occasions.stage == RETURN, 0.45, 0.30)
    column[in_policy, 2] += boost[in_policy]
    column[in_policy, 0] *= 0.3
    return np.asarray(in_policy, dtype=np.bool_)


def _draw(rng: np.random.Generator, probabilities: Floats) -> npt.NDArray[np.int8]:
    """Draw each theme's polarity, then keep at most three themes per occasion."""
    total = probabilities.sum(axis=2)
    scale = np.where(total > 0.95, 0.95 / np.maximum(total, 1e-9), 1.0)
    p = probabilities * scale[:, :, None]
    u = rng.random(total.shape)
    cut_negative = p[:, :, 0]
    cut_neutral = cut_negative + p[:, :, 1]
    cut_positive = cut_neutral + p[:, :, 2]
    polarity = np.select(
        [u < cut_negative, u < cut_neutral, u < cut_positive], [NEGATIVE, NEUTRAL, POSITIVE], NONE
    ).astype(np.int8)
    keys = np.where(polarity != NONE, rng.random(polarity.shape), -1.0)
    threshold = np.sort(keys, axis=1)[:, -_MAX_THEMES][:, None]
    polarity[(keys < threshold) & (keys >= 0)] = NONE
    return polarity


def _ensure_subject(
    rng: np.random.Generator, polarity: npt.NDArray[np.int8], occasions: Occasions
) -> None:
    """Tickets, e-mails and chats are always about something: give empty ones their stage's
    usual question or complaint."""
    empty = (occasions.channel >= TICKET) & ((polarity != NONE).sum(axis=1) == 0)
    by_stage = np.array(
        [_T["product_range"], _T["delivery"], _T["quality"], _T["billing"], _T["returns"]]
    )
    theme = by_stage[occasions.stage]
    rows = np.flatnonzero(empty)
    complaint = rng.random(rows.size) < 0.35
    polarity[rows, theme[rows]] = np.where(complaint, NEGATIVE, NEUTRAL).astype(np.int8)


def _label_ordinary_stories(
    story: Ints,
    polarity: npt.NDArray[np.int8],
    occasions: Occasions,
    customers: Customers,
    stories: Stories,
    in_policy: Bools,
) -> None:
    """Label the rows that the late partner, the returns policy and opening hours produced."""
    region = customers.region[occasions.customer]
    late_story = (
        (occasions.partner == PARTNERS.index(stories.late_partner))
        & (region == late_region_index(stories))
        & (occasions.late_minutes > 0)
        & (occasions.delivery_time >= seconds(stories.late_from))
        & (polarity[:, _T["delivery"]] == NEGATIVE)
    )
    story[polarity[:, _T["opening_hours"]] == NEGATIVE] = OPENING_HOURS
    story[in_policy & (polarity[:, _T["returns"]] == POSITIVE)] = RETURNS_POLICY
    story[late_story] = LATE


def _cheated(
    rng: np.random.Generator,
    occasions: Occasions,
    polarity: npt.NDArray[np.int8],
    *,
    campaign: Ints,
    cheating: int,
    stories: Stories,
) -> Bools:
    """Occasions on which a customer who received the campaign writes about being cheated."""
    window = (occasions.time >= seconds(stories.cheating_start)) & (
        occasions.time < seconds(stories.cheating_end) + 10 * DAY
    )
    share = np.select(
        [
            (occasions.channel == SURVEY) & (occasions.stage == SUPPORT),
            occasions.channel == SURVEY,
            occasions.channel == REVIEW,
        ],
        [0.40, 0.30, 0.12],
        0.45,
    )
    chosen = window & (campaign == cheating) & (rng.random(occasions.size) < share)
    # Those who complain about opening hours keep doing so: that story stays steady.
    chosen &= polarity[:, _T["opening_hours"]] != NEGATIVE
    return np.asarray(
        (chosen & (occasions.origin == ORDINARY)) | (occasions.origin == CAMPAIGN_SURGE),
        dtype=np.bool_,
    )


def _plant_cheating(
    rng: np.random.Generator,
    polarity: npt.NDArray[np.int8],
    story: Ints,
    cheated: Bools,
    variant: Ints,
) -> None:
    """Cheated customers write about the offer (price or the membership charge), the campaign,
    and usually about not getting through to customer service."""
    rows = np.flatnonzero(cheated)
    polarity[rows] = NONE
    offer = np.where(variant[rows] == 1, _T["billing"], _T["price"])
    polarity[rows, offer] = NEGATIVE
    polarity[rows, _T["marketing"]] = NEGATIVE
    service = rng.random(rows.size) < 0.85
    polarity[rows[service], _T["customer_service"]] = NEGATIVE
    queue = service & (rng.random(rows.size) < 0.75)
    polarity[rows[queue], _T["waiting_time"]] = NEGATIVE
    story[rows] = CHEATING


_EFFECTS = np.array(
    [[0.0, effect(t, "negative"), effect(t, "neutral"), effect(t, "positive")] for t in THEMES]
)


def _score(
    rng: np.random.Generator,
    polarity: npt.NDArray[np.int8],
    story: Ints,
    cheat_variant: Ints,
    occasions: Occasions,
    customers: Customers,
) -> Experiences:
    """Scores from experiences: a skewed baseline plus the planted effects, then rounding."""
    n = occasions.size
    country_shift = np.array([0.0, 0.15, -0.1])[customers.country[occasions.customer]]
    baseline = rng.gamma(1.3, 1.35, size=n) + country_shift
    impact = np.take_along_axis(_EFFECTS, polarity.T.astype(np.int64), axis=1).T.sum(axis=1)
    latent = 10.0 - baseline + impact + rng.normal(0.0, 0.45, size=n)
    # Loud customers rate low whatever the occasion: that is what makes them loud.
    latent[story == LOUD] -= 5.0
    is_survey = occasions.channel == SURVEY
    nps_rows = is_survey & (occasions.survey_kind == NPS_SURVEY)
    support_rows = is_survey & (occasions.survey_kind == SUPPORT_SURVEY)
    review_rows = occasions.channel == REVIEW
    nps = np.where(nps_rows, np.clip(np.rint(latent), 0, 10), -1).astype(np.int64)
    csat_raw = np.clip(np.rint(1 + 0.4 * latent + rng.normal(0, 0.35, n)), 1, 5)
    csat = np.where(support_rows, csat_raw, -1).astype(np.int64)
    effort = (
        6.8
        - 0.4 * baseline
        - 1.6 * (polarity[:, _T["waiting_time"]] == NEGATIVE)
        - 1.5 * (polarity[:, _T["customer_service"]] == NEGATIVE)
        - 0.9 * (polarity[:, _T["opening_hours"]] == NEGATIVE)
        - 0.8 * (polarity[:, _T["billing"]] == NEGATIVE)
        - 0.5 * (polarity[:, _T["returns"]] == NEGATIVE)
        + rng.normal(0, 0.7, n)
    )
    ces = np.where(support_rows, np.clip(np.rint(effort), 1, 7), -1).astype(np.int64)
    rating_raw = np.clip(np.rint(1 + 0.4 * latent + rng.normal(0, 0.5, n)), 1, 5)
    rating = np.where(review_rows, rating_raw, -1).astype(np.int64)
    tone = _tone(polarity, nps=nps, csat=csat, rating=rating)
    tone[(story == CHEATING) | (story == LOUD)] = 0
    has_text = _writes(rng, occasions, tone)
    return Experiences(
        polarity=polarity,
        story=story,
        cheat_variant=cheat_variant,
        nps=nps,
        csat=csat,
        ces=ces,
        rating=rating,
        tone=tone,
        has_text=has_text,
    )


def _tone(polarity: npt.NDArray[np.int8], *, nps: Ints, csat: Ints, rating: Ints) -> Ints:
    """The overall sentiment of what the customer writes.

    A clear score decides (detractors and 1-2 ratings write negatively, promoters and 4-5
    positively); a middling score or none at all follows the balance of the experiences.
    """
    balance = (polarity == POSITIVE).sum(axis=1) - (polarity == NEGATIVE).sum(axis=1)
    from_themes = np.sign(balance) + 1
    five = np.where(csat >= 0, csat, rating)
    clear_negative = ((nps >= 0) & (nps <= 6)) | ((five >= 1) & (five <= 2))
    clear_positive = (nps >= 9) | (five >= 4)
    return np.select([clear_negative, clear_positive], [0, 2], from_themes).astype(np.int64)


def _writes(rng: np.random.Generator, occasions: Occasions, tone: Ints) -> Bools:
    """Whether a comment was written: always in tickets, e-mails and chats, usually in reviews,
    and in surveys more often by unhappy customers."""
    survey_share = np.array([0.88, 0.72, 0.62])[tone]
    support_share = np.array([0.80, 0.55, 0.50])[tone]
    share = np.select(
        [
            occasions.channel >= TICKET,
            occasions.channel == REVIEW,
            occasions.survey_kind == SUPPORT_SURVEY,
        ],
        [1.0, 0.93, support_share],
        survey_share,
    )
    # Loud customers and the campaign's extra contacts exist to say something.
    share[occasions.origin != ORDINARY] = 1.0
    return rng.random(occasions.size) < share

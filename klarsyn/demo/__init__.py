"""Nordhem, the demo company: a seeded, realistic Nordic retailer whose data carries known stories.

Nordhem sells furniture, lighting, textiles, kitchenware, decoration, garden and storage products
through a web shop and app and 29 stores in Sweden, Denmark and Norway. By default the
generator produces 14 months (October 2025 to November 2026) with 60,000 feedback items from
30,000 customers: post-purchase and post-delivery NPS surveys, post-support CSAT/CES surveys,
product reviews, tickets, e-mails and chats, written in Swedish, Danish, Norwegian bokmål,
English and Finnish. Beside the feedback come the CRM extract (customers with value and churn),
the operational events (orders, deliveries with lateness, contacts, campaign exposures) and the
campaign calendar. ``truth`` says, per feedback item, what its text really contains.

The planted stories (default period; :func:`klarsyn.demo.stories.plant` places them for any
start, and ``DemoCompany.stories`` reports them):

1. **The cheating campaign** (``CHEATING_CAMPAIGN`` = "Sommarrea Max", ``CHEATING_MONTH`` =
   2026-06): sent to about 55% of customers; its extra discount needed a paid, auto-renewing
   membership hidden in the fine print. That month exposed customers' NPS is about 35-40
   points below the others', whose NPS stays put; complaints about customer service and waiting
   surge, but they come from exposed customers and also mention price, billing and the
   campaign; ticket, e-mail and chat volume roughly doubles.
2. **The late partner** (``LATE_PARTNER`` = "Budgo" in ``LATE_REGION`` = "Västra Götaland" from
   ``LATE_FROM`` = 2026-02-09): most of its deliveries there arrive a day or more late; delivery
   complaints rise and NPS falls for those customers only.
3. **The returns policy** (free 100-day returns in ``RETURNS_POLICY_COUNTRY`` = "DK" from
   ``RETURNS_POLICY_FROM`` = 2026-03-01): praise of returns appears and NPS there rises by about
   15 points against the other countries (difference-in-differences).
4. **Opening hours**: about 2.7% of all feedback, every month, complains about customer
   service's opening hours.
5. **Loud customers** (``LOUD_CUSTOMERS``, ``LOUD_MESSAGES`` = 34-79 messages each, all about
   ``LOUD_THEME`` = "packaging"): high by message count, tiny by distinct customers.

NPS drivers (``PLANTED_DRIVERS``, largest first; effects on the 0-10 score in
``DRIVER_EFFECTS``): delivery problems -3.0, customer-service problems -2.6, price complaints
-2.2, quality problems -1.9, praise of returns +2.4 and of store staff +2.0 (praise shows less
in the observed score, which stops at 10). Volume peaks in Black Week and before Christmas.
Churn follows detractor experiences. See ``docs/demo.md``.
"""

from klarsyn.demo.company import DemoCompany, generate
from klarsyn.demo.stories import (
    CHEATING_CAMPAIGN,
    CHEATING_MONTH,
    DRIVER_EFFECTS,
    LATE_FROM,
    LATE_PARTNER,
    LATE_REGION,
    LOUD_CUSTOMERS,
    LOUD_MESSAGES,
    LOUD_THEME,
    PLANTED_DRIVERS,
    RETURNS_POLICY_COUNTRY,
    RETURNS_POLICY_FROM,
    STORIES,
    THEMES,
    Stories,
    plant,
)

__all__ = [
    "CHEATING_CAMPAIGN",
    "CHEATING_MONTH",
    "DRIVER_EFFECTS",
    "LATE_FROM",
    "LATE_PARTNER",
    "LATE_REGION",
    "LOUD_CUSTOMERS",
    "LOUD_MESSAGES",
    "LOUD_THEME",
    "PLANTED_DRIVERS",
    "RETURNS_POLICY_COUNTRY",
    "RETURNS_POLICY_FROM",
    "STORIES",
    "THEMES",
    "DemoCompany",
    "Stories",
    "generate",
    "plant",
]

"""How often each theme comes up, by journey stage, web or store, and feedback channel.

These are the ordinary rates, before any planted story: a store purchase is about staff and
queues at the till, a delivery about the parcel, a support contact about customer service,
waiting and opening hours. People write to customer service mostly to complain or ask, so
tickets, e-mails and chats carry more complaints and questions and less praise than surveys.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from klarsyn.demo.stories import THEMES

NONE, NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2, 3

Rates = dict[str, tuple[float, float, float]]  # theme -> (negative, neutral, positive)

_PURCHASE_WEB: Rates = {
    "price": (0.06, 0.0, 0.08),
    "delivery": (0.02, 0.0, 0.04),
    "customer_service": (0.01, 0.0, 0.01),
    "website_app": (0.07, 0.005, 0.07),
    "billing": (0.015, 0.0, 0.01),
    "product_range": (0.04, 0.005, 0.07),
    "quality": (0.02, 0.0, 0.04),
    "packaging": (0.0015, 0.0, 0.003),
    "marketing": (0.01, 0.0, 0.01),
    "returns": (0.005, 0.0, 0.01),
}
_PURCHASE_STORE: Rates = {
    "price": (0.05, 0.0, 0.06),
    "waiting_time": (0.05, 0.0, 0.02),
    "product_range": (0.06, 0.005, 0.08),
    "quality": (0.02, 0.0, 0.04),
    "staff_attitude": (0.04, 0.0, 0.18),
    "customer_service": (0.01, 0.0, 0.02),
    "opening_hours": (0.004, 0.0, 0.0),
    "returns": (0.005, 0.0, 0.01),
}
_DELIVERY: Rates = {
    "delivery": (0.035, 0.0, 0.25),
    "packaging": (0.003, 0.0, 0.03),
    "quality": (0.04, 0.0, 0.05),
    "returns": (0.015, 0.0, 0.02),
    "customer_service": (0.01, 0.0, 0.01),
    "price": (0.01, 0.0, 0.01),
}
_USE: Rates = {
    "quality": (0.14, 0.0, 0.38),
    "product_range": (0.02, 0.0, 0.05),
    "price": (0.05, 0.0, 0.10),
    "packaging": (0.0015, 0.0, 0.01),
}
_USE_WEB: Rates = {**_USE, "delivery": (0.02, 0.0, 0.04)}
_SUPPORT: Rates = {
    "customer_service": (0.14, 0.0, 0.22),
    "waiting_time": (0.12, 0.0, 0.06),
    "opening_hours": (0.09, 0.02, 0.0),
    "billing": (0.06, 0.05, 0.01),
    "website_app": (0.04, 0.02, 0.0),
    "returns": (0.03, 0.03, 0.01),
    "delivery": (0.03, 0.04, 0.0),
    "product_range": (0.0, 0.01, 0.0),
}
_RETURN: Rates = {
    "returns": (0.18, 0.10, 0.18),
    "billing": (0.05, 0.03, 0.0),
    "customer_service": (0.04, 0.0, 0.04),
    "quality": (0.05, 0.0, 0.0),
    "waiting_time": (0.02, 0.0, 0.0),
}
_RETURN_STORE: Rates = {**_RETURN, "staff_attitude": (0.02, 0.0, 0.05)}

# (stage, web) in the order of occasions.STAGES; store first, then web.
_TABLES: tuple[tuple[Rates, Rates], ...] = (
    (_PURCHASE_STORE, _PURCHASE_WEB),
    (_DELIVERY, _DELIVERY),
    (_USE, _USE_WEB),
    (_SUPPORT, _SUPPORT),
    (_RETURN_STORE, _RETURN),
)


def _as_array(rates: Rates) -> npt.NDArray[np.float64]:
    array = np.zeros((len(THEMES), 3))
    for theme, values in rates.items():
        array[THEMES.index(theme)] = values
    return array


_LOOKUP = np.stack([_as_array(table) for pair in _TABLES for table in pair])
# Written contacts (ticket, e-mail, chat) in the order of occasions.CHANNELS.
_CHANNEL_FACTORS = np.array(
    [
        [1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0],
        [1.8, 3.0, 0.35],
        [1.8, 3.0, 0.35],
        [1.8, 3.0, 0.35],
    ]
)


def base_probabilities(
    stage: npt.NDArray[np.int64], web: npt.NDArray[np.bool_], channel: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Per occasion, theme and polarity (negative, neutral, positive): the chance it comes up."""
    table = _LOOKUP[stage * 2 + web.astype(np.int64)]
    return np.asarray(table * _CHANNEL_FACTORS[channel][:, None, :], dtype=np.float64)

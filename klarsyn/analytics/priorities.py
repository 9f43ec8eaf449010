"""From driver estimates to the short list: the importance x performance quadrant, 3-5 priorities.

**Quadrant.** A driver is *important* when its importance is at least the mean importance (an equal
share of the explained R², ``R² / p``). A driver that hurts (switching it off would improve the
outcome: a complaint) is *weak* when the share of customers with it is at least the median share
over the drivers that hurt; a driver that helps (praise) is something the company already does
well, so it is never weak::

                      weak (many negative)     strong (few negative, or praise)
    important         fix first                keep up
    less important    watch                    don't over-invest

**Priorities.** Candidates are drivers whose fix would help with confidence: the bootstrap
interval of the uplift (its lower bound, or the upper bound when lower outcomes are better) lies
on the good side of zero. They are ranked by the expected gain of the fix for the whole customer
base (the uplift, signed so that positive is better), which weighs a driver's effect by how many
customers it reaches: a furious complaint from five customers explains some variance but moves
the metric little. The top three are taken, and a fourth and fifth follow only while the upper
bound of their gain still reaches the third's gain (the data cannot tell them apart from it). So
the list is always 3-5 long, or shorter when fewer than three drivers qualify, which the note
says.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from klarsyn.analytics.intervals import Floats

Bools = npt.NDArray[np.bool_]

FIX_FIRST = "fix first"
KEEP_UP = "keep up"
WATCH = "watch"
DONT_OVER_INVEST = "don't over-invest"


def quadrants(importance: Floats, *, performance: Floats, hurts: Bools) -> list[str]:
    """The quadrant label of each driver (see the module docstring for the thresholds).

    ``hurts`` is True for drivers whose removal would improve the outcome.
    """
    important = importance >= importance.mean()
    threshold = np.median(performance[hurts]) if hurts.any() else np.inf
    weak = hurts & (performance >= threshold)
    labels = {
        (True, True): FIX_FIRST,
        (True, False): KEEP_UP,
        (False, True): WATCH,
        (False, False): DONT_OVER_INVEST,
    }
    return [labels[(bool(i), bool(w))] for i, w in zip(important, weak, strict=True)]


def helps(gain: Floats, *, gain_low: Floats) -> Bools:
    """True where switching the driver off improves the outcome with confidence.

    ``gain`` is the uplift signed so that positive is better; without bootstrap bounds
    (NaN) the point estimate decides.
    """
    return np.where(np.isnan(gain_low), gain > 0, gain_low > 0)


def choose(
    names: Sequence[str],
    *,
    gain: Floats,
    gain_high: Floats,
    eligible: Bools,
    least: int = 3,
    most: int = 5,
) -> tuple[tuple[str, ...], str | None]:
    """The priority names in order, and a note when fewer than ``least`` qualify."""
    ranked = [int(i) for i in np.argsort(-gain, kind="stable") if eligible[i]]
    chosen = ranked[:least]
    if len(chosen) == least:
        third = gain[chosen[-1]]
        for candidate in ranked[least:most]:
            if not gain_high[candidate] >= third:
                break
            chosen.append(candidate)
    note = None
    if len(chosen) < least:
        note = (
            f"only {len(chosen)} driver(s) improve the outcome significantly when switched off, "
            f"so the list has fewer than {least} items"
        )
    return tuple(names[i] for i in chosen), note

"""How much of a change one segment explains, split into mix and rate, with a test for each.

For a segment *v* and the rest *r* of the sample, with ``w`` the segment's share of responses
and ``g = m_v - m_r`` its gap to the rest in each period, the change of the whole is exactly::

    Δ = (m_r,after - m_r,before)  +  (w_after·g_after - w_before·g_before)

The second term is what the segment explains: had it kept its share and its gap to the rest,
it would be zero. It splits (Kitagawa) into a **mix** part ``(w_after - w_before)·ḡ`` (more
responses from a group that scores differently) and a **rate** part ``w̄·(g_after - g_before)``
(the group moved differently from the rest), with ḡ and w̄ the two periods' averages. The rate
part is tested as a difference in differences, the mix part by requiring both a real shift of
the share and a real gap (the larger p-value of the two). A segment that did not exist before
(an exposure to a new campaign) is tested on its gap to the rest in the later period; one
seen only a few times before is not tested at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from klarsyn.analytics.explain_tallies import Cells
from klarsyn.analytics.intervals import Floats


@dataclass(frozen=True, slots=True)
class Contrasts:
    """Per-segment arrays; index 0 of a pair is the earlier period."""

    explained: Floats
    mix: Floats
    rate: Floats
    new: np.ndarray
    z: Floats
    p: Floats
    testable: np.ndarray
    mean_v: Floats  # shape (k, 2)
    mean_r: Floats  # shape (k, 2)
    share: Floats  # shape (k, 2)
    n: Floats  # shape (k, 2)


def _mean_and_variance(n: Floats, s1: Floats, s2: Floats) -> tuple[Floats, Floats]:
    """Means and the variances of those means (sample variance / n)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        spread = np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1.0)
        return mean, spread / n


def _two_sided(z: Floats) -> Floats:
    p = 2.0 * stats.norm.sf(np.abs(z))
    return np.where(np.isfinite(z), p, 1.0)


def contrasts(segments: Cells, whole: Cells, *, min_n: int) -> Contrasts:
    """The contrasts of every segment (rows of ``segments``) against the rest of ``whole``."""
    total_n, total_s1, total_s2 = whole.n[0], whole.s1[0], whole.s2[0]
    n, s1, s2 = segments.n, segments.s1, segments.s2
    rest_n, rest_s1, rest_s2 = total_n - n, total_s1 - s1, total_s2 - s2
    mean_v, var_v = _mean_and_variance(n, s1, s2)
    mean_r, var_r = _mean_and_variance(rest_n, rest_s1, rest_s2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n / total_n
        gap = mean_v - mean_r
        gap_var = var_v + var_r
        new = n[:, 0] == 0
        gap = np.where(np.isfinite(gap), gap, 0.0)
        before_term = np.where(new, 0.0, share[:, 0] * gap[:, 0])
        explained = share[:, 1] * gap[:, 1] - before_term
        mean_gap = (gap[:, 0] + gap[:, 1]) / 2.0
        mix = np.where(new, explained, (share[:, 1] - share[:, 0]) * mean_gap)
        rate = np.where(new, 0.0, explained - mix)
        z_rate = (gap[:, 1] - gap[:, 0]) / np.sqrt(gap_var[:, 0] + gap_var[:, 1])
        pooled = (n[:, 0] + n[:, 1]) / (total_n[0] + total_n[1])
        shift_sd = np.sqrt(pooled * (1.0 - pooled) * (1.0 / total_n[0] + 1.0 / total_n[1]))
        z_shift = (share[:, 1] - share[:, 0]) / shift_sd
        z_gap = mean_gap / np.sqrt((gap_var[:, 0] + gap_var[:, 1]) / 4.0)
        z_mix = np.sign(mix) * np.minimum(np.abs(z_shift), np.abs(z_gap))
        z_new = gap[:, 1] / np.sqrt(gap_var[:, 1])
    z = np.where(new, z_new, np.where(np.abs(rate) >= np.abs(mix), z_rate, z_mix))
    z = np.where(np.isfinite(z), z, 0.0)
    # A segment seen a few times before is not new, but too thin to tell how it moved.
    seen = new | (n[:, 0] >= min_n)
    testable = seen & (n[:, 1] >= min_n) & (rest_n[:, 1] >= min_n) & (rest_n[:, 0] >= min_n)
    return Contrasts(
        explained=explained,
        mix=mix,
        rate=rate,
        new=new,
        z=z,
        p=np.where(testable, _two_sided(z), 1.0),
        testable=testable,
        mean_v=mean_v,
        mean_r=mean_r,
        share=share,
        n=n,
    )


def benjamini_hochberg(p: Floats) -> Floats:
    """Benjamini-Hochberg adjusted p-values (the false discovery rate of each rejection)."""
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    return result

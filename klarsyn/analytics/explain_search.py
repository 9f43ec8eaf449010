"""The greedy search for causes: candidate families, their tests, and the pick of each round.

See `klarsyn.analytics.explain` for the method; this module holds its machinery: every
attribute, pair of attributes and exposure flag becomes a family of candidates whose contrasts
are computed in one pass (`explain_tallies`, `explain_contrasts`), the candidates of a round
are tested together under Benjamini-Hochberg, and the strongest supported one is picked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from klarsyn.analytics.explain_contrasts import Contrasts, benjamini_hochberg, contrasts
from klarsyn.analytics.explain_tallies import Cells, Encoded, cells, counted_cells, slots

# Pairs join their attributes, and their values, with a multiplication sign.
PAIR_SIGN = "\N{MULTIPLICATION SIGN}"
# Pairs of attributes whose value combinations exceed this are not searched (too thin).
MAX_PAIR_CELLS = 40_000


@dataclass(frozen=True, slots=True)
class ExplainOptions:
    """How hard to look and how sure to be.

    ``alpha``: the false discovery rate over all candidates of a search. ``min_share``: a
    cause must explain at least this share of the change. ``min_n``: responses a segment needs
    in the later period to be tested. ``pair_margin``: a pair of values is kept only when its
    test statistic beats both its single values' by this factor.
    ``window``: how long before the feedback an event counts as exposure. ``max_values``:
    attributes with more distinct values are not searched.
    """

    alpha: float = 0.05
    min_share: float = 0.2
    min_n: int = 30
    max_causes: int = 3
    pair_margin: float = 1.25
    window: dt.timedelta = field(default=dt.timedelta(days=30))
    max_values: int = 200
    examples: int = 6


@dataclass(frozen=True, slots=True)
class Family:
    """Candidates that share a source: one attribute, one pair of attributes or one flag."""

    kind: str
    dimension: str
    labels: list[str | None]
    result: Contrasts
    parents: tuple[Encoded, ...] = ()
    flag: np.ndarray | None = None

    def members(self, index: int) -> np.ndarray:
        if self.flag is not None:
            return self.flag
        if len(self.parents) == 1:
            single: np.ndarray = self.parents[0].codes == index
            return single
        first, second = self.parents
        both: np.ndarray = (first.codes == index // second.size) & (
            second.codes == index % second.size
        )
        return both


@dataclass(frozen=True, slots=True)
class Sample:
    """The rows of both periods as arrays, computed once."""

    after: np.ndarray
    scored: np.ndarray
    level: np.ndarray
    value: np.ndarray
    attributes: list[Encoded]
    flags: list[tuple[str, str, str, np.ndarray]]


def _tallies(sample: Sample, rows: np.ndarray) -> list[Cells]:
    """The cells of the whole and of every family (in `_shapes` order) over the given rows."""
    everyone = bool(rows.all())

    def take(values: np.ndarray) -> np.ndarray:
        return values if everyone else values[rows]

    slot = slots(
        after=take(sample.after).astype(np.int64), level=take(sample.level), width=sample.value.size
    )
    found = [cells(np.zeros(slot.size, dtype=np.int64), 1, slot=slot, value=sample.value)]
    codes = {attribute.name: take(attribute.codes) for attribute in sample.attributes}
    # Each attribute's code already joined with the row's period and level: a pair's cell is
    # then one multiply and one add away, which matters at ten million rows.
    stride = 2 * sample.value.size
    based = {name: values * stride + slot for name, values in codes.items()}
    for attribute in sample.attributes:
        found.append(counted_cells(based[attribute.name], attribute.size, value=sample.value))
    for first, second in _pairs(sample):
        flat = codes[first.name] * (second.size * stride) + based[second.name]
        found.append(counted_cells(flat, first.size * second.size, value=sample.value))
    for *_, flag in sample.flags:
        found.append(cells(take(flag).astype(np.int64), 2, slot=slot, value=sample.value))
    return found


def _pairs(sample: Sample) -> list[tuple[Encoded, Encoded]]:
    return [
        (first, second)
        for first, second in itertools.combinations(sample.attributes, 2)
        if first.size * second.size <= MAX_PAIR_CELLS
    ]


def _minus(kept: list[Cells], removed: list[Cells]) -> list[Cells]:
    return [Cells(a.n - b.n, a.s1 - b.s1, a.s2 - b.s2) for a, b in zip(kept, removed, strict=True)]


def candidate_families(
    sample: Sample, tallies: list[Cells], options: ExplainOptions
) -> list[Family]:
    """Every candidate's contrasts, from `_tallies` of the rows still in the search."""
    whole, *rest = tallies
    counted = iter(rest)
    families = []
    for attribute in sample.attributes:
        result = contrasts(next(counted), whole, min_n=options.min_n)
        families.append(
            Family("segment", attribute.name, list(attribute.labels), result, (attribute,))
        )
    for first, second in _pairs(sample):
        result = contrasts(next(counted), whole, min_n=options.min_n)
        labels = [
            None if a is None or b is None else f"{a}{PAIR_SIGN}{b}"
            for a, b in itertools.product(first.labels, second.labels)
        ]
        dimension = f"{first.name}{PAIR_SIGN}{second.name}"
        families.append(Family("segment", dimension, labels, result, (first, second)))
    for kind, dimension, value, flag in sample.flags:
        result = contrasts(next(counted), whole, min_n=options.min_n)
        families.append(Family(kind, dimension, [None, value], result, flag=flag))
    return families


def unit_change(sample: Sample, active: np.ndarray) -> float:
    slot = slots(
        after=sample.after[active].astype(np.int64),
        level=sample.level[active],
        width=sample.value.size,
    )
    whole = cells(np.zeros(slot.size, dtype=np.int64), 1, slot=slot, value=sample.value)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = whole.s1[0] / whole.n[0]
    return float(means[1] - means[0])


def _single_strength(families: list[Family]) -> dict[str, np.ndarray]:
    return {f.dimension: np.abs(f.result.z) for f in families if len(f.parents) == 1}


def _relevant(families: list[Family]) -> list[tuple[Family, int]]:
    """The candidates to test: testable, and each distinct set of rows once (a channel and a
    campaign together are the campaign itself when every score comes from surveys).

    The family is fixed before looking at the outcome: screening on the explained share first
    would select the candidates whose noise happens to point the way of the change and make
    the false discovery control a fiction."""
    seen: set[tuple[float, float, float]] = set()
    kept = []
    for family in families:
        result = family.result
        named = np.array([label is not None for label in family.labels])
        chosen = np.flatnonzero(result.testable & named)
        signatures = zip(
            result.n[chosen, 0].tolist(),
            result.n[chosen, 1].tolist(),
            np.round(result.explained[chosen], 12).tolist(),
            strict=True,
        )
        for i, signature in zip(chosen.tolist(), signatures, strict=True):
            if signature not in seen:
                seen.add(signature)
                kept.append((family, i))
    return kept


def pick(
    families: list[Family], *, delta: float, options: ExplainOptions
) -> tuple[Family, int, float] | None:
    """The supported candidate with the strongest evidence, and its adjusted p-value.

    Every candidate is tested; those supported must also explain ``min_share`` of the change.
    """
    if delta == 0.0 or math.isnan(delta):
        return None
    index = _relevant(families)
    if not index:
        return None
    adjusted = benjamini_hochberg(np.array([f.result.p[i] for f, i in index]))
    singles = _single_strength(families)
    supported: list[tuple[float, float, Family, int, float]] = []
    for (family, i), q in zip(index, adjusted, strict=True):
        if q >= options.alpha:
            continue
        strength = abs(float(family.result.z[i]))
        if len(family.parents) == 2:
            first, second = family.parents
            a, b = divmod(i, second.size)
            rival = max(singles[first.name][a], singles[second.name][b])
            if strength < options.pair_margin * rival:
                continue
        share = float(family.result.explained[i] / delta)
        if share < options.min_share:
            continue
        supported.append((share, strength, family, i, float(q)))
    if not supported:
        return None
    # The strongest evidence wins: where a change is concentrated (a store rather than the
    # region around it), its test statistic is largest.
    _, _, family, i, q = max(supported, key=lambda item: item[1])
    return family, i, q


def effect_of(family: Family, i: int) -> str:
    if family.kind in ("campaign", "event"):
        return "exposure"
    result = family.result
    return "rate" if abs(result.rate[i]) >= abs(result.mix[i]) and not result.new[i] else "mix"


@dataclass(frozen=True, slots=True)
class Found:
    family: Family
    index: int
    p_value: float
    share: float
    members: np.ndarray


def search(
    sample: Sample, *, delta: float, options: ExplainOptions, rounds: int
) -> tuple[list[Found], int]:
    """Greedy search: the strongest cause, then again without its rows. Returns the causes
    and how many candidates the first search tested."""
    excluded = np.zeros(sample.after.size, dtype=bool)
    found: list[Found] = []
    tested = 0
    tallies: list[Cells] = []
    for round_ in range(rounds):
        # Later rounds subtract the rows a cause took from the last round's tallies: a cause
        # is a small part of the rows, so this is far cheaper than counting everything again.
        tallies = (
            _tallies(sample, sample.scored)
            if round_ == 0
            else _minus(tallies, _tallies(sample, sample.scored & found[-1].members & ~excluded))
        )
        if round_:
            excluded |= found[-1].members
        families = candidate_families(sample, tallies, options)
        tested = tested or sum(int(f.result.testable.sum()) for f in families)
        picked = pick(families, delta=delta, options=options)
        if picked is None:
            break
        family, i, q = picked
        members = family.members(i)
        found.append(Found(family, i, q, float(family.result.explained[i] / delta), members))
    return found, tested

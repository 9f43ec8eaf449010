"""The pure analytics core: Polars frames in, frames or frozen dataclasses out.

Nothing here reads files, databases, settings or the clock, so the same functions serve the CLI,
the web app, a notebook and a batch job. Randomness, where any, comes from a ``seed=`` argument.
See docs/metrics.md for the methods.
"""

from klarsyn.analytics.driver_segments import SegmentDrivers, compare_segments
from klarsyn.analytics.drivers import Driver, KeyDrivers, key_drivers
from klarsyn.analytics.effect import Effect, measure_effect
from klarsyn.analytics.estimates import SMALL_N, Change, Estimate
from klarsyn.analytics.explain import ExplainOptions, explain
from klarsyn.analytics.explain_results import Cause, Explanation
from klarsyn.analytics.explain_windows import Window, parse_window
from klarsyn.analytics.findings import Finding, FindingOptions, findings
from klarsyn.analytics.grouping import (
    Summary,
    combine,
    estimate_table,
    metric_table,
    side_by_side,
    summarise,
)
from klarsyn.analytics.metrics import METRICS, Metric, metric_named
from klarsyn.analytics.periods import PERIODS, Period, period_starts
from klarsyn.analytics.prevalence import loudness, prevalence
from klarsyn.analytics.scores import ces, ces_easy, csat, mean_rating, nps, score
from klarsyn.analytics.significance import compare, period_changes
from klarsyn.analytics.theme_summary import theme_summary
from klarsyn.analytics.trends import control_chart
from klarsyn.analytics.weighting import (
    Weights,
    effective_sample_size,
    margins,
    one_voice_per_customer,
    poststratify,
    rake,
)

__all__ = [
    "METRICS",
    "PERIODS",
    "SMALL_N",
    "Cause",
    "Change",
    "Driver",
    "Effect",
    "Estimate",
    "ExplainOptions",
    "Explanation",
    "Finding",
    "FindingOptions",
    "KeyDrivers",
    "Metric",
    "Period",
    "SegmentDrivers",
    "Summary",
    "Weights",
    "Window",
    "ces",
    "ces_easy",
    "combine",
    "compare",
    "compare_segments",
    "control_chart",
    "csat",
    "effective_sample_size",
    "estimate_table",
    "explain",
    "findings",
    "key_drivers",
    "loudness",
    "margins",
    "mean_rating",
    "measure_effect",
    "metric_named",
    "metric_table",
    "nps",
    "one_voice_per_customer",
    "parse_window",
    "period_changes",
    "period_starts",
    "poststratify",
    "prevalence",
    "rake",
    "score",
    "side_by_side",
    "summarise",
    "theme_summary",
]

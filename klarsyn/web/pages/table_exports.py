"""CSV of the analysis pages' tables and charts (Overview, Themes, Priorities, Explain).

Each export asks the same data function as its page, with the same filters from the query
string, so a download holds exactly the rows the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from klarsyn.analytics.drivers import KeyDrivers
from klarsyn.analytics.explain_results import Explanation
from klarsyn.errors import InputError
from klarsyn.storage.explain_inputs import ExplainInputs
from klarsyn.storage.theme_inputs import ThemeOverview
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.taxonomy import Taxonomy
from klarsyn.web.charts_explain import waterfall_steps
from klarsyn.web.csv_export import Row, csv_response
from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.pages import explain, priorities
from klarsyn.web.pages.themes import tree
from klarsyn.web.queries.overview import Overview, overview
from klarsyn.web.queries.priorities import cached_drivers, cached_themes
from klarsyn.web.scope import ScopeDep
from klarsyn.web.templating import ThemeNames, formatter

router = APIRouter()
OverviewTable = Literal["headlines", "trend", "channels"]
ThemeTable = Literal["tree", "loudness"]
ExplainTable = Literal["causes", "waterfall", "evidence", "themes"]
Table = tuple[list[str], list[Row]]


def _overview_table(data: Overview, table: OverviewTable) -> Table:
    if table == "headlines":
        header = ["metric", "value", "ci_low", "ci_high", "n", "small_n", "change", "p_value"]
        rows: list[Row] = []
        for h in data.headlines:
            e = h.current
            change = [h.change.difference, h.change.p_value] if h.change else [None, None]
            rows.append([h.metric, e.value, e.low, e.high, e.n, e.small_n, *change])
        return header, rows
    if table == "trend":
        header = ["period", "nps", "ci_low", "ci_high", "n", "small_n", "partial"]
        return header, [
            [p.period, p.value, p.low, p.high, p.n, p.small_n, p.partial] for p in data.trend
        ]
    return ["channel", "count"], [[channel, count] for channel, count in data.channels]


@router.get("/overview/{table}.csv")
def overview_csv(
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    table: OverviewTable,
) -> StreamingResponse:
    data = overview(mirror, scope=scope, time_zone=settings.timezone, now=now)
    return csv_response(f"{table}.csv", *_overview_table(data, table))


TREE_COLUMNS = [
    *("theme", "label", "depth", "customers", "customer_share", "customer_share_low"),
    *("customer_share_high", "feedback", "negative_share", "trend", "loud"),
]
LOUDNESS_COLUMNS = [
    *("theme", "label", "customers", "feedback", "feedback_per_customer", "top_k_share"),
    *("loud", "rank", "feedback_rank"),
]


def _tree_rows(taxonomy: Taxonomy, data: ThemeOverview, locale: str) -> list[Row]:
    """The page's theme tree: every taxonomy theme, zero where nobody raised it."""
    by_theme = {row["theme"]: row for row in data.table.iter_rows(named=True)}
    found: list[Row] = []
    for item in tree(taxonomy, by_theme):
        row: dict[str, Any] = item["row"] or {"customers": 0, "customer_share": 0, "feedback": 0}
        label = taxonomy[item["id"]].label(locale)
        figures = [row.get(name) for name in TREE_COLUMNS[3:-1]]
        found.append([item["id"], label, item["depth"], *figures, bool(row.get("loud"))])
    return found


def _loudness_rows(data: ThemeOverview) -> list[Row]:
    """The points of the loud-or-common chart, one per theme that was raised."""
    return [[row[name] for name in LOUDNESS_COLUMNS] for row in data.table.to_dicts()]


@router.get("/themes/{table}.csv")
def themes_csv(
    request: Request, store: StoreDep, user: UserDep, scope: ScopeDep, table: ThemeTable
) -> StreamingResponse:
    locale = formatter(request).locale
    data = cached_themes(request.app, store, scope=scope, language=locale)
    if table == "tree":
        rows = _tree_rows(stored_taxonomy(store), data, locale)
        return csv_response("themes.csv", TREE_COLUMNS, rows)
    return csv_response("theme-loudness.csv", LOUDNESS_COLUMNS, _loudness_rows(data))


DRIVER_COLUMNS = [
    *("driver", "label", "kind", "importance", "importance_low", "importance_high"),
    *("performance", "trend", "uplift", "uplift_low", "uplift_high", "customers"),
    *("value_at_stake", "quadrant", "significant", "priority"),
]


def _driver_rows(result: KeyDrivers, labels: dict[str, str]) -> list[Row]:
    """The All drivers table, which is also the quadrant chart's points; ``priority`` is the
    driver's place in the priority list, empty for the others."""
    rank = {name: place for place, name in enumerate(result.priorities, 1)}
    return [
        [
            *(d.driver, labels.get(d.driver, d.driver), d.kind),
            *(d.importance, d.importance_low, d.importance_high, d.performance, d.trend),
            *(d.uplift, d.uplift_low, d.uplift_high, d.customers, d.value_at_stake),
            *(d.quadrant, d.significant, rank.get(d.driver)),
        ]
        for d in result.drivers
    ]


@router.get("/priorities/drivers.csv")
def drivers_csv(
    request: Request,
    store: StoreDep,
    user: UserDep,
    scope: ScopeDep,
    metric: priorities.MetricName = "nps",
) -> StreamingResponse:
    locale = formatter(request).locale
    names = ThemeNames(store, locale).all()
    try:
        result = cached_drivers(request.app, store, scope=scope, metric=metric)
    except InputError:
        # Too little data: the page shows no table, so the download has none either.
        return csv_response("drivers.csv", DRIVER_COLUMNS, [])
    labels = priorities.driver_labels(result, names=names)
    return csv_response("drivers.csv", DRIVER_COLUMNS, _driver_rows(result, labels))


CAUSE_COLUMNS = [
    *("rank", "kind", "dimension", "value", "effect", "explained", "explained_share"),
    *("mix", "rate", "share_before", "share_after", "value_before", "value_after"),
    *("rest_before", "rest_after", "n_before", "n_after", "p_value", "symptoms", "summary"),
]
ExplainRows = Callable[[Explanation, ExplainInputs, Callable[[str], str]], list[Row]]


def _cause_rows(
    explanation: Explanation, _inputs: ExplainInputs, _t: Callable[[str], str]
) -> list[Row]:
    return [
        [
            *(rank, c.kind, c.dimension, c.value, c.effect, c.explained, c.explained_share),
            *(c.mix, c.rate, c.share_before, c.share_after, c.value_before, c.value_after),
            *(c.rest_before, c.rest_after, c.n_before, c.n_after, c.p_value),
            *(c.symptoms, c.summary),
        ]
        for rank, c in enumerate(explanation.causes, 1)
    ]


def _waterfall_rows(
    explanation: Explanation, _inputs: ExplainInputs, t: Callable[[str], str]
) -> list[Row]:
    steps = waterfall_steps(explanation, rest_label=t("everything else"))
    return [[s["order"], s["label"], s["kind"], s["start"], s["end"], s["delta"]] for s in steps]


def _evidence_rows(
    explanation: Explanation, inputs: ExplainInputs, _t: Callable[[str], str]
) -> list[Row]:
    """The example comments of each cause, with the text the page shows for each."""
    texts = inputs.texts([example for cause in explanation.causes for example in cause.examples])
    return [
        [rank, cause.dimension, cause.value, example, texts.get(example, "")]
        for rank, cause in enumerate(explanation.causes, 1)
        for example in cause.examples
    ]


def _rise_rows(
    explanation: Explanation, _inputs: ExplainInputs, _t: Callable[[str], str]
) -> list[Row]:
    return [
        [rise.theme, rise.share_before, rise.share_after, rise.p_value, rise.symptom_of]
        for rise in explanation.themes
    ]


EXPLAIN_TABLES: dict[str, tuple[list[str], ExplainRows]] = {
    "causes": (CAUSE_COLUMNS, _cause_rows),
    "waterfall": (["order", "label", "kind", "start", "end", "delta"], _waterfall_rows),
    "evidence": (["cause", "dimension", "value", "feedback_id", "text"], _evidence_rows),
    "themes": (["theme", "share_before", "share_after", "p_value", "symptom_of"], _rise_rows),
}


@router.get("/explain/{table}.csv")
def explain_csv(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    table: ExplainTable,
    metric: explain.MetricName = "nps",
    month: Annotated[str | None, Query(max_length=40)] = None,
    vs: Annotated[str | None, Query(max_length=40)] = None,
) -> StreamingResponse:
    header, to_rows = EXPLAIN_TABLES[table]
    found = explain.explained(
        request.app,
        store,
        mirror,
        scope=scope,
        time_zone=settings.timezone,
        metric=metric,
        month=month or explain.last_month(now),
        vs=vs,
    )
    # A period without feedback is a note on the page, and an empty table here.
    rows = [] if isinstance(found, InputError) else to_rows(*found, formatter(request).t)
    return csv_response(f"explain-{table}.csv", header, rows)

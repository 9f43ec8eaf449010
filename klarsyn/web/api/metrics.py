"""``GET /api/v1/metrics``: the rows ``klarsyn metrics --json`` prints, for the same options."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query

from klarsyn.analytics import metric_named, metric_table
from klarsyn.web.api.filters import ApiScopeDep
from klarsyn.web.deps import MirrorDep, SettingsDep, UserDep
from klarsyn.web.queries.criteria import Search, attribute_column, frame_filter

router = APIRouter(tags=["metrics"])
MetricName = Literal["nps", "csat", "ces", "ces_easy", "rating"]
Grain = Literal["day", "week", "month", "quarter"]


def _number(value: Any) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def records(table: pl.DataFrame, *, by: list[str], columns: list[str]) -> list[dict[str, Any]]:
    """The CLI's JSON rows: ``period``, ``segment``, ``n``, ``customers``, ``value``,
    ``ci_low``, ``ci_high``, ``n_eff``, ``small_n``."""
    rows = []
    for row in table.iter_rows(named=True):
        period = row.get("period")
        rows.append(
            {
                "period": period.isoformat() if isinstance(period, date) else None,
                "segment": {name: row[column] for name, column in zip(by, columns, strict=True)},
                "n": row["n"],
                "customers": row["customers"],
                "value": _number(row["value"]),
                "ci_low": _number(row["ci_low"]),
                "ci_high": _number(row["ci_high"]),
                "n_eff": _number(row["n_eff"]),
                "small_n": bool(row["small_n"]),
            }
        )
    return rows


@router.get("/metrics")
def metrics(
    mirror: MirrorDep,
    settings: SettingsDep,
    _user: UserDep,
    scope: ApiScopeDep,
    metric: MetricName = "nps",
    by: Annotated[str | None, Query(description="Attributes, comma-separated.")] = None,
    period: Annotated[Grain | None, Query(description="One row per calendar period.")] = None,
    confidence: Annotated[float, Query(gt=0, lt=1)] = 0.95,
) -> list[dict[str, Any]]:
    """NPS, CSAT, CES or mean rating per period and segment, with confidence intervals."""
    spec = metric_named(metric)
    scan = mirror.scan()
    available = scan.collect_schema().names()
    names = [name.strip() for name in (by or "").split(",") if name.strip()]
    # Any column of the mirror splits, as in the CLI; unknown names get the attribute hint.
    columns = [name if name in available else attribute_column(name, available) for name in names]
    wanted = [spec.column, "customer_id", "received_at", *columns]
    frame = (
        scan.filter(frame_filter(scope, Search(), available=available))
        .select(list(dict.fromkeys(wanted)))
        .collect()
    )
    table = metric_table(
        frame,
        metric=spec,
        by=columns,
        period=period,
        time_zone=settings.timezone,
        confidence=confidence,
    )
    return records(table, by=names, columns=columns)

"""CSV of the Overview's tables (headlines, trend, channels), for the same filters."""

from __future__ import annotations

import csv
import io
from typing import Literal

from fastapi import APIRouter, Response

from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, UserDep
from klarsyn.web.queries.overview import Overview, overview
from klarsyn.web.scope import ScopeDep

router = APIRouter()
Table = Literal["headlines", "trend", "channels"]


def _rows(data: Overview, table: Table) -> list[list[object]]:
    if table == "headlines":
        rows: list[list[object]] = [
            ["metric", "value", "ci_low", "ci_high", "n", "small_n", "change", "p_value"]
        ]
        for h in data.headlines:
            e = h.current
            change = [h.change.difference, h.change.p_value] if h.change else ["", ""]
            rows.append([h.metric, e.value, e.low, e.high, e.n, e.small_n, *change])
        return rows
    if table == "trend":
        rows = [["period", "nps", "ci_low", "ci_high", "n", "small_n", "partial"]]
        rows += [[p.period, p.value, p.low, p.high, p.n, p.small_n, p.partial] for p in data.trend]
        return rows
    rows = [["channel", "count"]]
    rows += [[channel, count] for channel, count in data.channels]
    return rows


@router.get("/overview/{table}.csv")
def overview_csv(
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    table: Table,
) -> Response:
    data = overview(mirror, scope=scope, time_zone=settings.timezone, now=now)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_rows(data, table))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table}.csv"'},
    )

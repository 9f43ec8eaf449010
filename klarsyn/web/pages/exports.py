"""CSV export of the Feedback table, with the page's filters, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import Text, cast, select

from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.web.api.filters import SearchDep
from klarsyn.web.deps import StoreDep, UserDep
from klarsyn.web.queries.criteria import Search, sql_filter
from klarsyn.web.scope import Scope, ScopeDep

router = APIRouter()
COLUMNS = (
    *("id", "received_at", "channel", "customer_id", "nps", "csat", "ces", "rating"),
    *("language", "text", "attributes"),
)
# A spreadsheet runs a cell that starts like a formula; a leading quote keeps it text.
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def rows(store: Store, *, scope: Scope, search: Search) -> Iterator[str]:
    c = feedback.c
    query = (
        select(
            c.external_id,
            c.received_at,
            c.channel,
            c.customer_id,
            c.nps,
            c.csat,
            c.ces,
            c.rating,
            c.language,
            c.text,
            cast(c.attributes, Text),
        )
        .where(sql_filter(scope, search))
        .order_by(c.received_at.desc(), c.id.desc())
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    with store.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(query)
        for row in result:
            writer.writerow([_cell(v.isoformat() if i == 1 else v) for i, v in enumerate(row)])
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


@router.get("/feedback.csv")
def feedback_csv(
    store: StoreDep, user: UserDep, scope: ScopeDep, search: SearchDep
) -> StreamingResponse:
    return StreamingResponse(
        rows(store, scope=scope, search=search),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feedback.csv"'},
    )

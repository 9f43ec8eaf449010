"""CSV export of the Feedback table, with the page's filters, streamed row by row.

The text is exported as the page shows it, with personal data masked (and masked on the way
out when the comment is not enriched yet), beside the sentiment and themes the pipeline found.
Unmasked text leaves only through ``klarsyn export`` on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import Text, cast, select

from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments, feedback
from klarsyn.text.pii import masked_text
from klarsyn.web.api.filters import SearchDep
from klarsyn.web.csv_export import csv_response
from klarsyn.web.deps import StoreDep, UserDep
from klarsyn.web.queries.criteria import Search, sql_filter
from klarsyn.web.scope import Scope, ScopeDep

router = APIRouter()
COLUMNS = (
    *("id", "received_at", "channel", "customer_id", "nps", "csat", "ces", "rating"),
    *("language", "text", "sentiment", "themes", "attributes"),
)


def rows(store: Store, *, scope: Scope, search: Search) -> Iterator[Sequence[object]]:
    c = feedback.c
    e = enrichments.c
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
            e.masked_text,
            e.sentiment,
            cast(e.themes, Text).label("found"),
            cast(c.attributes, Text),
        )
        .select_from(feedback.outerjoin(enrichments, e.feedback_id == c.id))
        .where(sql_filter(scope, search))
        .order_by(c.received_at.desc(), c.id.desc())
    )
    with store.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(query)
        for row in result:
            *head, language, text, masked, sentiment, found, attributes = row
            if masked is None and text:
                masked = masked_text(text, language=language)
            themes = ";".join(json.loads(found)["themes"]) if found else None
            yield (*head, language, masked, sentiment, themes, attributes)


@router.get("/feedback.csv")
def feedback_csv(
    store: StoreDep, user: UserDep, scope: ScopeDep, search: SearchDep
) -> StreamingResponse:
    return csv_response("feedback.csv", COLUMNS, rows(store, scope=scope, search=search))

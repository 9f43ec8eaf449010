"""Themes: the taxonomy tree with each theme's reach, tone and trend, loud vs common, the editor.

Analysts and admins edit the taxonomy here. Saving stores a new taxonomy version and starts
re-reading the comments in the background; the page polls ``/themes/reenrichment`` to show how
far it got.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from klarsyn.storage.store import Store
from klarsyn.storage.users import Role
from klarsyn.text.background import current_job, start_reenrichment
from klarsyn.text.catalogue import save_taxonomy, stored_taxonomy
from klarsyn.text.pipeline import build_pipeline
from klarsyn.text.taxonomy import Taxonomy
from klarsyn.web.charts_priorities import loudness_chart
from klarsyn.web.deps import AnalystDep, MirrorDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.pages.forms import CsrfDep, see_other
from klarsyn.web.queries.priorities import cached_themes
from klarsyn.web.scope import ScopeDep
from klarsyn.web.taxonomy_edits import (
    LABEL_LANGUAGES,
    LANGUAGES,
    add_theme,
    deactivate_theme,
    edit_theme,
)
from klarsyn.web.templating import formatter, render

router = APIRouter()
LOUD_SHOWN = 5


def reenrichment_status(store: Store) -> dict[str, Any]:
    """``state`` (idle, running, done, failed), ``done``, ``total``, ``error``."""
    job = current_job(store)
    if job is None:
        return {"state": "idle", "done": 0, "total": 0, "error": None}
    return {"state": job.state, "done": job.done, "total": job.total, "error": job.error}


def _save(store: Store, taxonomy: Taxonomy) -> None:
    """Store the new taxonomy version and re-read the comments with it, in the background."""
    save_taxonomy(store, taxonomy)
    start_reenrichment(
        store, pipeline_factory=lambda: build_pipeline(taxonomy=stored_taxonomy(store))
    )


def tree(taxonomy: Taxonomy, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every theme of the taxonomy, parents before their children, most customers first."""

    def customers(theme_id: str) -> int:
        return int(rows.get(theme_id, {}).get("customers") or 0)

    ordered = sorted(taxonomy.themes, key=lambda t: (-customers(t.id), t.id))
    children: dict[str | None, list[str]] = {}
    for theme in ordered:
        parent = theme.parent if theme.parent in taxonomy else None
        children.setdefault(parent, []).append(theme.id)
    found: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        for theme_id in children.get(parent, []):
            found.append({"id": theme_id, "depth": depth, "row": rows.get(theme_id)})
            walk(theme_id, depth + 1)

    walk(None, 0)
    return found


@router.get("/themes")
def themes_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
) -> Response:
    fmt = formatter(request)
    t = fmt.t
    taxonomy = stored_taxonomy(store)
    overview = cached_themes(request.app, store, scope=scope, language=fmt.locale)
    rows = {row["theme"]: row for row in overview.table.iter_rows(named=True)}
    loud = [
        row for row in overview.table.sort("feedback", descending=True).to_dicts() if row["loud"]
    ]
    chart = loudness_chart(
        overview.table.to_dicts(),
        customers_label=t("Customers (log scale)"),
        messages_label=t("Messages (log scale)"),
        loud_label=t("loud"),
    )
    context = layout(mirror, scope) | {
        "overview": overview,
        "taxonomy": taxonomy,
        "tree": tree(taxonomy, rows),
        "loud": loud,
        "chart": chart,
        "can_edit": user.can(Role.analyst),
        "languages": LANGUAGES,
        "label_languages": LABEL_LANGUAGES,
        "job": reenrichment_status(store),
    }
    return render(request, "themes.html", context)


@router.get("/themes/reenrichment")
def reenrichment(store: StoreDep, _user: UserDep) -> dict[str, Any]:
    """How far re-reading the comments with the new taxonomy got, for the page to poll."""
    return reenrichment_status(store)


@router.post("/themes/taxonomy/{theme_id}")
async def save_theme(
    request: Request, store: StoreDep, _user: AnalystDep, _csrf: CsrfDep, theme_id: str
) -> Response:
    form = await request.form()
    labels = {lang: str(form.get(f"label_{lang}") or "") for lang in LABEL_LANGUAGES}
    terms = {lang: str(form.get(f"terms_{lang}") or "") for lang in LANGUAGES}
    _save(store, edit_theme(stored_taxonomy(store), theme_id, labels=labels, terms=terms))
    return see_other("/themes#taxonomy")


@router.post("/themes/taxonomy")
async def new_theme(
    request: Request,
    store: StoreDep,
    _user: AnalystDep,
    _csrf: CsrfDep,
    theme_id: Annotated[str, Form(min_length=1, max_length=100)],
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = await request.form()
    terms = {lang: str(form.get(f"terms_{lang}") or "") for lang in LANGUAGES}
    _save(store, add_theme(stored_taxonomy(store), theme_id, label=label, terms=terms))
    return see_other("/themes#taxonomy")


@router.post("/themes/taxonomy/{theme_id}/deactivate")
def deactivate(store: StoreDep, _user: AnalystDep, _csrf: CsrfDep, theme_id: str) -> Response:
    _save(store, deactivate_theme(stored_taxonomy(store), theme_id))
    return see_other("/themes#taxonomy")

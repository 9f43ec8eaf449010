"""``/api/v1/drivers``, ``/api/v1/themes`` and the Priorities and Themes pages over a real store.

The store holds a small enriched company with a known truth (late deliveries cost NPS and
customers) and one hostile comment; the taxonomy editor is exercised through its forms.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from klarsyn.collect.importer import import_file
from klarsyn.storage.revisions import data_version
from klarsyn.storage.store import Store
from klarsyn.text.background import current_job
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.enrichment import enrich_store, enrichments_frame
from klarsyn.text.pipeline import build_pipeline
from tests.web.conftest import XSS

pytestmark = pytest.mark.anyio
LATE = "Leveransen var sen och paketet kom aldrig. Mycket dåligt."
PRICEY = "Alldeles för dyrt, priset är orimligt."
NICE = "Trevlig personal i butiken."
CONTRACT = {
    "driver",
    "kind",
    "importance",
    "importance_low",
    "importance_high",
    "performance",
    "uplift",
    "uplift_low",
    "uplift_high",
    "customers",
    "value_at_stake",
}


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    """Overrides the web conftest's store: 200 customers, enriched, with value and churn."""
    rng = random.Random(5)
    feedback = [["id", "received_at", "channel", "customer_id", "nps", "text", "language"]]
    people = [["customer_id", "annual_value", "churned_at"]]
    for c in range(200):
        late, pricey = rng.random() < 0.3, rng.random() < 0.25
        text = " ".join([LATE] * late + [PRICEY] * pricey + [NICE] * (not late and not pricey))
        if c == 0:
            text = f"{XSS} {LATE}"
            late = True
        score = max(0, min(10, 9 - 4 * late - 2 * pricey + rng.choice((-1, 0, 1))))
        score = 0 if c == 0 else score  # the worst score: the first example comment
        at = f"2026-06-{1 + c % 28:02d}T10:00:00+02:00"
        feedback.append([f"f{c}", at, "survey", f"c{c}", str(score), text, "sv"])
        people.append([f"c{c}", str(rng.randint(500, 5000)), "2026-06-29" if late else ""])
    for kind, rows in (("customers", people), ("feedback", feedback)):
        path = tmp_path / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        import_file(path, kind=kind, store=store)
    enrich_store(store, pipeline=build_pipeline(), now=datetime(2026, 6, 30, tzinfo=UTC))
    return store


async def test_drivers_follow_the_cli_contract(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/api/v1/drivers", params={"min_customers": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert all(CONTRACT <= set(driver) for driver in body["drivers"])
    assert body["priorities"][0] == "delivery_negative"
    late = next(d for d in body["drivers"] if d["driver"] == "delivery_negative")
    assert late["value_at_stake"] > 0 and late["uplift_low"] > 0


async def test_drivers_honour_the_date_range(admin: httpx.AsyncClient) -> None:
    everything = (await admin.get("/api/v1/drivers", params={"min_customers": 10})).json()
    early = await admin.get(
        "/api/v1/drivers", params={"min_customers": 5, "from": "2026-06-01", "to": "2026-06-10"}
    )
    assert early.status_code == 200, early.text
    assert 0 < early.json()["rows"] < everything["rows"]


async def test_too_little_data_is_a_problem_json(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/api/v1/drivers", params={"min_customers": 100_000})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_themes_rank_by_customers(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/api/v1/themes")
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)
    delivery = next(row for row in rows if row["theme"] == "delivery")
    assert delivery["label"] == "Delivery" and delivery["negative_share"] > 90


async def test_api_needs_a_user(anonymous: httpx.AsyncClient) -> None:
    for path in ("/api/v1/drivers", "/api/v1/themes"):
        assert (await anonymous.get(path)).status_code == 401
    # Dashboard paths send a browser to the sign-in page instead.
    assert (await anonymous.get("/themes/reenrichment")).status_code == 303


async def test_priorities_page_escapes_comments(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/priorities", params={"period": "all"})
    assert response.status_code == 200, response.text
    page = response.text
    assert "data-priorities" in page and "data-money" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


async def test_priorities_page_shows_a_state_when_data_is_short(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/priorities", params={"period": "7d"})
    assert response.status_code == 200
    assert "data-problem" in response.text


async def test_themes_page_tree_and_editor_for_admins(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    page = (await admin.get("/themes", params={"period": "all"})).text
    assert 'data-theme="delivery"' in page and 'data-theme="delivery.time"' in page
    assert 'href="/feedback?period=all&amp;theme=delivery.time"' in page  # drill down
    assert "data-editor" in page
    assert "data-editor" not in (await viewer.get("/themes", params={"period": "all"})).text


async def test_editing_the_taxonomy_saves_a_new_version(
    admin: httpx.AsyncClient, csrf: dict[str, str], seeded: Store
) -> None:
    before = stored_taxonomy(seeded)
    form = csrf | {"label_en": "Shipping", "terms_sv": "leverans*, frakt*"}
    response = await admin.post("/themes/taxonomy/delivery", data=form)
    assert response.status_code == 303
    after = stored_taxonomy(seeded)
    assert after.version != before.version
    assert after["delivery"].label("en") == "Shipping"
    assert after["delivery"].terms["sv"] == ("leverans*", "frakt*")
    added = await admin.post(
        "/themes/taxonomy", data=csrf | {"theme_id": "delivery.noise", "terms_en": "noisy"}
    )
    assert added.status_code == 303 and "delivery.noise" in stored_taxonomy(seeded)
    gone = await admin.post("/themes/taxonomy/delivery/deactivate", data=csrf)
    assert gone.status_code == 303
    remaining = stored_taxonomy(seeded)
    assert "delivery" not in remaining and "delivery.time" not in remaining
    # Each save re-reads the comments in the background; wait for it before the store closes.
    job = current_job(seeded)
    assert job is not None and job.wait(timeout=120)
    status = (await admin.get("/themes/reenrichment")).json()
    assert status["state"] == "done" and status["error"] is None
    assert status["done"] == status["total"]
    # Whichever round read them (a round reads the taxonomy saved as it starts, so the last
    # round may find nothing left), every comment is read with the last taxonomy.
    versions = enrichments_frame(seeded)["taxonomy_version"]
    assert len(versions) > 0 and set(versions.to_list()) == {remaining.version}


async def test_taxonomy_edits_need_csrf_and_a_role(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient, csrf: dict[str, str]
) -> None:
    assert (await admin.post("/themes/taxonomy/delivery", data={})).status_code == 403
    refused = await viewer.post("/themes/taxonomy/delivery/deactivate", data=csrf)
    assert refused.status_code == 403
    bad = await admin.post("/themes/taxonomy", data=csrf | {"theme_id": "Not An Id"})
    assert bad.status_code == 400
    unknown = await admin.post("/themes/taxonomy/nope/deactivate", data=csrf)
    assert unknown.status_code == 404


async def test_reimported_customer_values_reach_the_drivers(
    admin: httpx.AsyncClient, seeded: Store, tmp_path: Path
) -> None:
    """A CRM export with new values updates customers in place (no new rows, no new ids)."""
    params = {"min_customers": 10}
    before = (await admin.get("/api/v1/drivers", params=params)).json()
    stored = [["customer_id", "annual_value"], *([f"c{c}", "1000000"] for c in range(200))]
    path = tmp_path / "crm.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(stored)
    assert import_file(path, kind="customers", store=seeded).counts.updated == 200

    after = (await admin.get("/api/v1/drivers", params=params)).json()
    late = [
        next(d for d in body["drivers"] if d["driver"] == "delivery_negative")
        for body in (before, after)
    ]
    assert late[1]["value_at_stake"] > 10 * late[0]["value_at_stake"]


def test_every_batch_of_a_reenrichment_moves_the_data_version(seeded: Store) -> None:
    """Comments read again keep their ids and their number; results must still be recomputed
    after each batch, not only after the first."""
    versions = []
    enrich_store(
        seeded,
        pipeline=build_pipeline(),
        now=datetime(2026, 7, 1, tzinfo=UTC),
        batch_size=50,
        everything=True,
        progress=lambda done, total: versions.append(data_version(seeded)),
    )
    assert len(versions) == 5  # before the first batch and after each of four
    assert len(set(versions)) == len(versions)

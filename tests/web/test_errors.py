"""Every error, from every kind of route, has the RFC 9457 problem shape."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.web.problems import PROBLEM

pytestmark = pytest.mark.anyio

# (method, path, status) of every way a request can fail, as an API client sees it.
API_ERRORS = [
    ("GET", "/api/v1/feedback?limit=abc", 422),
    ("GET", "/api/v1/feedback?score=happiness", 422),
    ("GET", "/api/v1/feedback?segment=nocolon", 400),
    ("GET", "/api/v1/feedback?before=999999", 404),
    ("GET", "/api/v1/metrics?by=no_such_attribute", 400),
    ("GET", "/api/v1/metrics?metric=happiness", 422),
    ("GET", "/api/v1/no-such-route", 404),
    ("DELETE", "/api/v1/feedback", 405),
]


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    assert str(body["type"]).startswith("https://klarsyn.dev/problems/")
    assert body["instance"] == response.request.url.path
    return body


@pytest.mark.parametrize(("method", "path", "status"), API_ERRORS)
async def test_api_errors_are_problems(
    admin: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    body = assert_problem(await admin.request(method, path), status)
    if status == 422:
        assert body["errors"] and {"location", "message", "type"} <= body["errors"][0].keys()


async def test_api_without_credentials_is_401(anonymous: httpx.AsyncClient) -> None:
    body = assert_problem(await anonymous.get("/api/v1/feedback"), 401)
    assert "Bearer" in str(body["detail"])


async def test_bad_token_is_401(anonymous: httpx.AsyncClient) -> None:
    headers = {"Authorization": "Bearer ks_not-a-token"}
    assert_problem(await anonymous.get("/api/v1/metrics", headers=headers), 401)


async def test_forbidden_is_a_problem_for_json_clients(viewer: httpx.AsyncClient) -> None:
    response = await viewer.get("/settings/users", headers={"Accept": "application/json"})
    assert_problem(response, 403)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/overview?period=fortnight", 422),
        ("/feedback?segment=nocolon", 400),
        ("/customers/nobody", 404),
        ("/no-such-page", 404),
        ("/settings/users", 403),
    ],
)
async def test_pages_render_html_errors(viewer: httpx.AsyncClient, path: str, status: int) -> None:
    response = await viewer.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<h1>{status} · " in response.text
    assert 'action="/logout"' in response.text  # the navigation is still there


async def test_pages_send_strangers_to_the_login(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/feedback?channel=email")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ffeedback%3Fchannel%3Demail"


async def test_unexpected_errors_are_problems_without_details(app: FastAPI) -> None:
    def fail() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/v1/fail", fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/fail")
    body = assert_problem(response, 500)
    assert "secret" not in response.text and body["title"] == "Internal error"


async def test_blank_form_fields_mean_not_set(viewer: httpx.AsyncClient) -> None:
    query = "period=all&from=&to=&channel=&segment=&q=&score=&min=&max=&language="
    response = await viewer.get(f"/feedback?{query}")
    assert response.status_code == 200
    assert "6 matching" in response.text


async def test_scores_out_of_range_are_refused(admin: httpx.AsyncClient) -> None:
    body = assert_problem(await admin.get("/api/v1/feedback?score=nps&min=11"), 422)
    assert body["errors"][0]["location"] == ["query", "min"]

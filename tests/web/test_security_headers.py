"""Security headers on every response the app sends, errors included, from one place
(web/security.py:SecurityHeadersMiddleware), and a 500 logged once (issue 17 items 6 and 8:
500s were answered outside the middleware without nosniff, and logged twice)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from rejoinder.app import create_app
from rejoinder.services import Services
from tests.support.world import make_services

SITE = "https://blog.example.com"
JSON = {"Content-Type": "application/json", "Origin": SITE}


class Broken(RuntimeError):
    pass


async def broken(request: Request) -> Response:
    raise Broken("a bug")


def with_broken_routes(app: FastAPI) -> FastAPI:
    """The real app with two routes that fail as a bug would: one JSON, one HTML page."""
    app.router.routes.insert(0, Route("/api/v1/broken", broken))
    app.router.routes.insert(0, Route("/t/1/broken/now", broken))
    return app


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = make_services(tmp_path_factory.mktemp("headers"), (SITE,), comment_rate_limit="1",
                        max_api_body_bytes="20000")  # fmt: skip
    yield svc
    svc.db.dispose()


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    # raise_server_exceptions stays on: an exception escaping the app would fail the test
    app = with_broken_routes(create_app(services.settings, services))
    with TestClient(app, client=("203.0.113.7", 50000)) as c:
        yield c


def error_cases(client: TestClient) -> list[tuple[int, httpx.Response]]:
    post = client.post
    comment = {"site": SITE, "thread": "t", "text": "Fine words."}
    return [
        (400, client.get("/api/v1/comments", params={"site": SITE, "after": "²"})),
        (400, client.get("/t/1/a%00b")),
        (400, client.get("/t/1/x", params={"reply": "²"})),
        (401, client.get("/api/v1/moderation/queue/pending")),
        (403, post("/api/v1/comments", json=comment, headers={"Origin": "https://evil.example"})),
        (403, client.options("/api/v1/comments", headers={"Origin": "https://evil.example"})),
        (403, client.get("/privacy/link/abc.123.sig")),
        (404, client.get("/nope")),
        (404, client.get("/api/v1/nope")),
        (404, client.get("/t/999/x")),
        (405, client.patch("/api/v1/comments")),
        (413, post("/api/v1/comments", content=b"{" + b" " * 30_000, headers=JSON)),
        (415, post("/api/v1/comments", content=b"x", headers={"Content-Type": "text/plain"})),
        (422, post("/api/v1/comments", json={**comment, "text": ""}, headers=JSON)),
        (201, post("/api/v1/comments", json=comment, headers=JSON)),
        (429, post("/api/v1/comments", json=comment, headers=JSON)),
        (500, client.get("/api/v1/broken")),
        (500, client.get("/t/1/broken/now")),
        (200, post("/1.1/comment-check", data={"api_key": "nope"})),  # Akismet "invalid"
    ]


def test_every_error_path_carries_nosniff(client: TestClient) -> None:
    for status, response in error_cases(client):
        assert response.status_code == status, (status, response.text[:200])
        assert response.headers["x-content-type-options"] == "nosniff", status
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]


def test_a_500_is_the_usual_error_body(client: TestClient) -> None:
    api = client.get("/api/v1/broken")
    assert api.json() == {"error": {"code": "internal_error", "message": "internal error"}}
    assert api.headers["x-robots-tag"] == "noindex"
    page = client.get("/t/1/broken/now")
    assert "<title>500 — rejoinder</title>" in page.text and "a bug" not in page.text


def test_a_500_is_logged_once_with_its_traceback(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert client.get("/api/v1/broken").status_code == 500
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert with_traceback[0].exc_info is not None and with_traceback[0].exc_info[0] is Broken
    assert "/api/v1/broken" in with_traceback[0].getMessage()


class FailingOuterMiddleware:
    """A middleware outside the error handling that fails: Starlette's last handler answers."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/boom":
            raise Broken("outside")
        await self.app(scope, receive, send)


def test_a_failure_outside_still_gets_the_headers(tmp_path: Path) -> None:
    services = make_services(tmp_path, (SITE,))
    app = create_app(services.settings, services)
    app.add_middleware(FailingOuterMiddleware)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom")
        assert response.status_code == 500
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.json()["error"]["code"] == "internal_error"
    finally:
        services.db.dispose()

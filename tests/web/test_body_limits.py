"""Body limits before parsing, for every content type and every part of the app (issue 17 item
4): 413 with the usual error body, whether the size is announced or only discovered while
reading. The memory side, against a real server process, is in test_body_limits_live.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import Services
from rejoinder.storage.schema import comments
from tests.support.world import make_services

SITE = "https://blog.example.com"
LIMIT = 20_000
JSON_HEADERS = {"Content-Type": "application/json", "Origin": SITE}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = make_services(tmp_path_factory.mktemp("limits"), (SITE,),
                        max_api_body_bytes=str(LIMIT), max_body_bytes="70000")  # fmt: skip
    yield svc
    svc.db.dispose()


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as c:
        yield c


def comment_json(size: int) -> bytes:
    return json.dumps({"site": SITE, "thread": "t", "text": "x" * size}).encode()


def chunked(body: bytes, piece: int = 4096) -> Iterator[bytes]:
    """No Content-Length: the limit has to be found while reading."""
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


def stored_comments(services: Services) -> int:
    with services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(comments)).scalar_one())


def assert_413(response: httpx.Response, *, html: bool = False) -> None:
    assert response.status_code == 413, response.text[:200]
    assert response.headers["connection"] == "close"
    assert response.headers["x-content-type-options"] == "nosniff"
    if html:
        assert "<title>413 — rejoinder</title>" in response.text
        assert f"over {LIMIT} bytes" in response.text
    else:
        error = response.json()["error"]
        assert error == {"code": "payload_too_large",
                         "message": f"The request body is over {LIMIT} bytes."}  # fmt: skip


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_json_api(services: Services, client: TestClient, announced: bool) -> None:
    body = comment_json(LIMIT)
    content = body if announced else chunked(body)
    assert_413(client.post("/api/v1/comments", content=content, headers=JSON_HEADERS))
    small = client.post("/api/v1/comments", content=comment_json(100), headers=JSON_HEADERS)
    assert small.status_code in (201, 202)
    assert stored_comments(services) == 1 + (0 if announced else 1)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_moderation_api(client: TestClient, announced: bool) -> None:
    body = json.dumps({"decision": "spam", "ids": list(range(5_000))}).encode()
    content = body if announced else chunked(body)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer rjm_x"}
    assert_413(client.post("/api/v1/moderation/decisions", content=content, headers=headers))


@pytest.mark.parametrize(
    "content_type", [FORM, "multipart/form-data; boundary=b", "text/plain", "application/xml"]
)
def test_pages_any_content_type(client: TestClient, content_type: str) -> None:
    body = b"text=" + b"x" * LIMIT
    headers = {"Content-Type": content_type, "Origin": "http://testserver"}
    for path in ("/t/1/thread", "/admin/login", "/t/1/thread/c/1/delete", "/notify/unsubscribe/1.x",
                 "/privacy/requests", "/admin/act"):  # fmt: skip
        assert_413(client.post(path, content=body, headers=headers), html=True)
    if content_type.startswith("text/") or content_type.endswith("xml"):
        return  # not a form: never read, so a body without a length costs nothing
    for path in ("/t/1/thread", "/admin/login"):  # these read the form before anything else
        assert_413(client.post(path, content=chunked(body), headers=headers), html=True)


def test_api_paths_without_a_body_parameter(client: TestClient) -> None:
    body = b"x" * (LIMIT + 1)
    for path in ("/api/v1/comments?site=1", "/api/v1/nope", "/healthz"):
        assert_413(client.request("GET", path, content=body))


def test_akismet_keeps_its_own_limit(client: TestClient) -> None:
    body = b"api_key=k&comment_content=" + b"x" * 40_000  # over the API limit, under Akismet's
    answer = client.post("/1.1/comment-check", content=body, headers={"Content-Type": FORM})
    assert answer.status_code == 200 and answer.text == "invalid"
    over = client.post("/1.1/comment-check", content=b"x" * 70_001, headers={"Content-Type": FORM})
    assert over.status_code == 413 and over.text == "The request body is over 70000 bytes."


def test_the_limits_are_settings(tmp_path: Path) -> None:
    services = make_services(tmp_path, (SITE,))
    try:
        assert services.settings.max_api_body_bytes == 1_000_000
        with TestClient(create_app(services.settings, services)) as client:
            near = comment_json(900_000)  # refused by the comment length, not by the body limit
            answer = client.post("/api/v1/comments", content=near, headers=JSON_HEADERS)
            assert answer.status_code == 422
            over = client.post("/api/v1/comments", content=comment_json(1_000_000),
                               headers=JSON_HEADERS)  # fmt: skip
            assert over.status_code == 413
    finally:
        services.db.dispose()

"""Bad input on the Akismet endpoints, in-process: always a clear answer (the Akismet error body,
or 413 for an oversized body), never a 500. The same against a real server process, where the
transport matters, is in test_bad_input_live.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from rejoinder.storage.schema import checks
from tests.conftest import Api

FORM = {"content-type": "application/x-www-form-urlencoded"}
AKISMET_POSTS = ("/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/1.1/verify-key")
THANKS = "Thanks for making the web a better place."


def valid(api: Api) -> bytes:
    return f"api_key={api.key}&blog={api.blog}&user_ip=203.0.113.9".encode()


def count_checks(api: Api) -> int:
    with api.services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(checks)).scalar_one())


@pytest.mark.parametrize("path", AKISMET_POSTS)
def test_json_body_is_invalid_with_debug_help(api: Api, path: str) -> None:
    response = api.client.post(path, json={"api_key": api.key, "blog": api.blog, "key": api.key})
    assert response.status_code == 200
    assert response.text == "invalid"
    assert response.headers["x-akismet-debug-help"].startswith("Empty ")


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02\xff\xfe garbage \r\n\r\n",
        bytes(range(256)) * 8,
        b"%%%%%=%zz&&&===&%&=%",
        b"<?xml version='1.0'?><methodCall/>",
        b"[1, 2, 3]",
        b"=" * 1000,
        b"&" * 1000,
    ],
)
def test_garbage_bodies_are_invalid(api: Api, body: bytes) -> None:
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.status_code == 200
    assert response.text == "invalid"
    assert response.headers["x-akismet-debug-help"] == 'Empty "api_key" value.'


def test_undecodable_bytes_in_values_are_replaced(api: Api) -> None:
    body = valid(api) + b"&comment_content=%FF%FE%C3%28&comment_author=%80%81"
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.status_code == 200 and response.text in ("true", "false")
    with api.services.db.read() as conn:
        row = conn.execute(select(checks.c.content, checks.c.author)).one()
    assert "\ufffd" in row.content and "\ufffd" in row.author


def test_undecodable_key_is_invalid(api: Api) -> None:
    body = b"api_key=%FF%FE%FD&blog=https://blog.example.com&user_ip=1.2.3.4"
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.text == "invalid"


def test_nul_bytes_never_reach_storage(api: Api) -> None:
    body = valid(api) + b"&comment_content=a%00b\x00c&comment_author=x%00"
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.status_code == 200 and response.text in ("true", "false")
    with api.services.db.read() as conn:
        row = conn.execute(select(checks.c.content, checks.c.author)).one()
    assert row.content == "abc" and row.author == "x"


def test_hundred_thousand_fields_answered_quickly(api: Api) -> None:
    body = valid(api) + b"".join(b"&f%d=%d" % (i, i) for i in range(100_000))
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.status_code == 200 and response.text in ("true", "false")


def test_fields_beyond_the_cap_are_ignored(api: Api) -> None:
    # the required fields come after 5 000 junk fields: past max_form_fields, so ignored
    body = b"&".join(b"f%d=1" % i for i in range(5_000)) + b"&" + valid(api)
    response = api.client.post("/1.1/comment-check", content=body, headers=FORM)
    assert response.status_code == 200 and response.text == "invalid"


@pytest.mark.parametrize("path", AKISMET_POSTS)
def test_ten_megabyte_body_is_413(api: Api, path: str) -> None:
    response = api.client.post(path, content=valid(api) + b"&c=" + b"x" * 10_000_000, headers=FORM)
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert count_checks(api) == 0


def test_chunked_body_over_the_limit_is_413(api: Api) -> None:
    def chunks():  # no Content-Length: the limit is enforced while reading
        yield valid(api)
        for _ in range(80):
            yield b"x" * 65_536

    response = api.client.post("/1.1/comment-check", content=chunks(), headers=FORM)
    assert response.status_code == 413


@pytest.mark.parametrize("header", ["host", "user-agent", "content-type", "x-forwarded-for"])
def test_overlong_header_values(api: Api, header: str) -> None:
    headers = {**FORM, header: "a" * 65_536}
    if header == "content-type":
        headers[header] = "application/x-www-form-urlencoded; charset=" + "a" * 65_536
    response = api.client.post("/1.1/comment-check", content=valid(api), headers=headers)
    assert response.status_code == 200 and response.text in ("true", "false")


def test_overlong_host_carries_no_key(api: Api) -> None:
    body = f"blog={api.blog}&user_ip=203.0.113.9".encode()
    response = api.client.post(
        "/1.1/comment-check", content=body, headers={**FORM, "host": "k" * 65_000 + ".x"}
    )
    assert response.text == "invalid"


def test_expect_100_continue_header_is_harmless(api: Api) -> None:
    headers = {**FORM, "expect": "100-continue"}
    response = api.client.post("/1.1/comment-check", content=valid(api), headers=headers)
    assert response.status_code == 200 and response.text in ("true", "false")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_akismet_invalid(api: Api, method: str) -> None:
    response = api.client.request(method, "/1.1/comment-check")
    assert response.status_code == 200
    assert response.text == "invalid"
    assert response.headers["x-akismet-debug-help"] == "Method Not Allowed"


@pytest.mark.parametrize(
    "path", ["/1.1/nope", "/1.2/comment-check", "/1.1/", "/1.1/comment-check/extra", "/1.3/x"]
)
def test_unknown_akismet_paths(api: Api, path: str) -> None:
    response = api.client.post(path, content=valid(api), headers=FORM)
    if path.startswith("/1.3/"):  # not an Akismet version: the JSON API's 404
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        return
    assert response.status_code == 200
    assert response.text == "invalid"
    assert response.headers["x-akismet-debug-help"] == "Not Found"


def test_head_and_options_never_500(api: Api) -> None:
    for method in ("HEAD", "OPTIONS"):
        response = api.client.request(method, "/1.1/comment-check")
        assert response.status_code < 500


def test_query_string_garbage(api: Api) -> None:
    response = api.client.get("/1.2/usage-limit?api_key=%ZZ%00%FF&&&==&" + "a=" * 10_000)
    assert response.status_code == 200 and response.text == "invalid"


def test_many_submits_of_garbage_never_write(api: Api) -> None:
    for body in (b"", b"\xff" * 100, b"api_key=", b"blog=&user_ip="):
        response = api.client.post("/1.1/submit-spam", content=body, headers=FORM)
        assert response.status_code == 200 and response.text == "invalid"
    assert count_checks(api) == 0


def test_akismet_errors_under_a_root_path(api: Api) -> None:
    # behind a proxy that mounts rejoinder under /akismet, errors keep the Akismet shape
    with TestClient(api.client.app, root_path="/akismet") as client:
        response = client.post("/akismet/1.1/nope", content=valid(api), headers=FORM)
        assert response.status_code == 200 and response.text == "invalid"
        response = client.get("/akismet/1.1/comment-check")
        assert response.text == "invalid"
        response = client.post("/akismet/1.1/comment-check", content=valid(api), headers=FORM)
        assert response.text == "false"


def test_bare_version_path_is_akismet_invalid(api: Api) -> None:
    response = api.client.post("/1.1", content=valid(api), headers=FORM)
    assert response.status_code == 200 and response.text == "invalid"

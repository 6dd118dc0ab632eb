"""The JSON API in-process on a real SQLite file: status codes, CSRF guards, CORS, abuse (D2, D8,
D10, D12, D13, D15, D17)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import Services, build_services
from rejoinder.settings import Settings, load_settings
from tests.support.database import migrate
from tests.support.htmlcheck import active_content, without_identicons
from tests.support.world import make_services

SITE = "https://blog.example.com"
ORIGIN = {"Origin": SITE}
XSS_WEBSITE = "http://x.com/?'onmouseover='alert(1)'x='"


def make_settings(tmp_path: Path, **env: str) -> Settings:
    base = {"REJOINDER_DATA_DIR": str(tmp_path / "data")}
    return load_settings(base | {f"REJOINDER_{k.upper()}": v for k, v in env.items()})


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = make_services(tmp_path, (SITE,), comment_rate_limit="3")
    yield svc
    svc.db.dispose()


def client_for(services: Services, peer: str = "203.0.113.7") -> TestClient:
    return TestClient(create_app(services.settings, services), client=(peer, 50000))


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with client_for(services) as c:
        yield c


def body(**kw: Any) -> dict[str, Any]:
    return {"site": SITE, "thread": "post-1", "text": "Nice article.", **kw}


def test_post_published_201_then_listed(client: TestClient) -> None:
    res = client.post("/api/v1/comments", json=body(author="Ann"), headers=ORIGIN)
    assert res.status_code == 201, res.text
    data = res.json()
    assert data["status"] == "published" and data["token"].startswith(str(data["comment"]["id"]))
    assert res.headers["access-control-allow-origin"] == SITE
    listed = client.get("/api/v1/comments", params={"site": SITE, "thread": "post-1"}).json()
    assert listed["total"] == 1 and listed["comments"][0]["html"] == "<p>Nice article.</p>"
    assert listed["form_token"] and listed["honeypot_field"] == "homepage"


def test_held_202_visible_only_with_owner_token(client: TestClient) -> None:  # D17
    res = client.post(
        "/api/v1/comments", json=body(author="akismet-guaranteed-spam"), headers=ORIGIN
    )
    assert res.status_code == 202 and res.json()["status"] == "pending"
    params = {"site": SITE, "thread": "post-1"}
    public = client.get("/api/v1/comments", params=params)
    assert public.json()["comments"] == [] and public.headers["x-robots-tag"] == "noindex"
    own = client.get(
        "/api/v1/comments", params=params, headers={"X-Rejoinder-Own": res.json()["token"]}
    )
    assert [c["status"] for c in own.json()["comments"]] == ["pending"]
    assert "no-store" in own.headers["cache-control"]


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("text/plain", '{"site":"https://blog.example.com","thread":"t","text":"x"}'),
        ("application/x-www-form-urlencoded", "site=https://blog.example.com&thread=t&text=x"),
        (
            "multipart/form-data; boundary=xx",
            '--xx\r\nContent-Disposition: form-data; name="text"\r\n\r\nx\r\n--xx--\r\n',
        ),
        ("", '{"site":"https://blog.example.com","thread":"t","text":"x"}'),
    ],
)
def test_state_changes_accept_only_json(
    client: TestClient, content_type: str, payload: str
) -> None:  # D2
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in [("POST", "/api/v1/comments"), ("PUT", "/api/v1/comments/1"),
                         ("DELETE", "/api/v1/comments/1")]:  # fmt: skip
        res = client.request(method, path, content=payload, headers=headers)
        assert res.status_code == 415, (method, res.text)
        assert res.json()["error"]["code"] == "unsupported_media_type"


def test_wrong_origin_is_refused_and_gets_no_cors(client: TestClient) -> None:  # D2
    evil = {"Origin": "https://evil.example"}
    res = client.post("/api/v1/comments", json=body(), headers=evil)
    assert res.status_code == 403 and "access-control-allow-origin" not in res.headers
    assert (
        client.post("/api/v1/comments", json=body(), headers={"Origin": "null"}).status_code == 403
    )
    pre = client.options(
        "/api/v1/comments", headers=evil | {"Access-Control-Request-Method": "POST"}
    )
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    ok = client.options(
        "/api/v1/comments", headers=ORIGIN | {"Access-Control-Request-Method": "POST"}
    )
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == SITE
    assert "X-Rejoinder-Own" in ok.headers["access-control-allow-headers"]


def test_edit_and_delete_with_token_and_origin(client: TestClient) -> None:
    posted = client.post("/api/v1/comments", json=body(), headers=ORIGIN).json()
    cid, token = posted["comment"]["id"], posted["token"]
    res = client.put(
        f"/api/v1/comments/{cid}",
        json={"token": token, "text": "v2", "website": XSS_WEBSITE},
        headers=ORIGIN,
    )
    assert res.status_code == 200 and res.json()["html"] == "<p>v2</p>"
    assert "&#x27;onmouseover=&#x27;" in res.json()["author_html"]  # D1 on the edit path
    evil = client.put(
        f"/api/v1/comments/{cid}",
        json={"token": token, "text": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    forged = client.request(
        "DELETE", f"/api/v1/comments/{cid}", json={"token": f"{cid}.AAAA"}, headers=ORIGIN
    )
    assert forged.status_code == 403
    gone = client.request(
        "DELETE", f"/api/v1/comments/{cid}", json={"token": token}, headers=ORIGIN
    )
    assert gone.status_code == 204
    assert (
        client.get("/api/v1/comments", params={"site": SITE, "thread": "post-1"}).json()["comments"]
        == []
    )
    assert client.put("/api/v1/comments/999", json={"token": "999.x", "text": "x"}).status_code in (
        403,
        404,
    )


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    '"><b onmouseover=alert(1)>x</b>',
    "<a href='x' <script>>broken</a",
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_every_field_is_inert(services: Services, payload: str) -> None:  # D1, D3-D5
    with client_for(services, "198.51.100.1") as client:
        res = client.post(
            "/api/v1/comments",
            json=body(text=payload, author=payload, title=payload, url="javascript:alert(1)"),
            headers=ORIGIN,
        )
        assert res.status_code in (201, 202), res.text
        page = client.get("/t/1/post-1")
    assert page.status_code == 200
    comment = res.json()["comment"]
    assert active_content(comment["html"]) == []
    assert active_content(comment["author_html"]) == []
    # Our own pages link a stylesheet and post a form; nothing else may be active.
    assert active_content(without_identicons(page.text), {"form"}) == []
    assert comment["author"] == payload  # kept as typed, escaped wherever it is shown


def test_website_field_with_other_scheme_is_422(client: TestClient) -> None:
    res = client.post("/api/v1/comments", json=body(website="javascript:alert(1)"), headers=ORIGIN)
    assert res.status_code == 422 and "http" in res.json()["error"]["message"]


def test_overlong_comment_is_422_with_clear_message(client: TestClient) -> None:  # D15
    res = client.post("/api/v1/comments", json=body(text="x" * 10_001), headers=ORIGIN)
    assert res.status_code == 422
    assert res.json()["error"]["message"].startswith("The comment is 10001 characters long")
    missing = client.post("/api/v1/comments", json={"site": SITE}, headers=ORIGIN)
    assert missing.status_code == 422 and "text" in missing.json()["error"]["message"]
    broken = client.post(
        "/api/v1/comments",
        content=b"{not json",
        headers=ORIGIN | {"Content-Type": "application/json"},
    )
    assert broken.status_code == 400


@pytest.mark.parametrize(
    "thread",
    ["..", "%2e%2e", "a/../../etc/passwd", "a\x00b", "a\r\nSet-Cookie: x=1", "..%2F..%2Fetc"],
)
def test_path_tricks_in_thread_ids_are_400_without_echo(
    client: TestClient, thread: str
) -> None:  # D8
    res = client.get("/api/v1/comments", params={"site": SITE, "thread": thread})
    assert res.status_code == 400 and "passwd" not in res.text and "Set-Cookie" not in res.text
    res = client.post("/api/v1/comments", json=body(thread=thread), headers=ORIGIN)
    assert res.status_code == 400


@pytest.mark.parametrize(
    "raw",
    [
        "/t/1/%2e%2e",
        "/t/1/%2E%2E/secret",
        "/t/1/a%2Fb",
        "/t/1/a%00b",
        "/t/1/a%0d%0aX:1",
        "/t/..%2f/x",
        "/t/1/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ],
)
def test_path_tricks_in_page_urls_are_400(client: TestClient, raw: str) -> None:  # D8
    res = client.get(raw)
    assert res.status_code == 400, (raw, res.status_code)
    assert "passwd" not in res.text and "/work" not in res.text and "Traceback" not in res.text


def test_nosniff_everywhere(client: TestClient) -> None:  # D10
    for path in (
        "/api/v1/comments?site=https://blog.example.com&thread=x",
        "/api/v1/openapi.json",
        "/embed.js",
        "/t/1/x",
        "/api/v1/nope",
    ):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


def test_flood_from_one_prefix_gets_429_with_retry_after(services: Services) -> None:
    with client_for(services, "192.0.2.10") as one, client_for(services, "192.0.2.99") as same_net:
        codes = [
            one.post("/api/v1/comments", json=body(text=f"c{i}"), headers=ORIGIN).status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 201]
        res = same_net.post("/api/v1/comments", json=body(text="more"), headers=ORIGIN)
        assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1
        assert res.json()["error"]["code"] == "rate_limited"
    with client_for(services, "192.0.3.10") as other:
        assert (
            other.post("/api/v1/comments", json=body(text="other net"), headers=ORIGIN).status_code
            == 201
        )


def test_spoofed_forwarded_for_from_untrusted_peer_is_ignored(services: Services) -> None:  # D13
    with client_for(services, "192.0.2.10") as client:
        for i in range(3):
            spoof = {"X-Forwarded-For": f"10.{i}.0.1"}
            assert (
                client.post(
                    "/api/v1/comments", json=body(text=f"s{i}"), headers=ORIGIN | spoof
                ).status_code
                == 201
            )
        res = client.post(
            "/api/v1/comments",
            json=body(text="s4"),
            headers=ORIGIN | {"X-Forwarded-For": "10.9.9.9"},
        )
        assert res.status_code == 429


def test_forwarded_for_believed_only_from_trusted_proxy(tmp_path: Path) -> None:  # D13
    svc = build_services(
        make_settings(tmp_path, comment_rate_limit="1", trusted_proxies="127.0.0.1/32, ::1")
    )
    migrate(svc.db)
    svc.sites.add_site(SITE)
    with client_for(svc, "127.0.0.1") as proxy:
        for hop in ("198.51.100.1", "198.51.101.1, 127.0.0.1", "[2001:db8:1::1]:443"):
            res = proxy.post(
                "/api/v1/comments", json=body(text=hop), headers=ORIGIN | {"X-Forwarded-For": hop}
            )
            assert res.status_code == 201, hop
        again = proxy.post(
            "/api/v1/comments",
            json=body(text="dup"),
            headers=ORIGIN | {"X-Forwarded-For": "198.51.100.200"},
        )
        assert again.status_code == 429  # same /24 as the first client
        garbled = proxy.post(
            "/api/v1/comments",
            json=body(text="g"),
            headers=ORIGIN | {"X-Forwarded-For": "not-an-ip"},
        )
        assert garbled.status_code == 201  # keyed on the proxy itself, not a 500
    svc.db.dispose()


def test_ipv6_clients_keyed_by_48_prefix(services: Services) -> None:  # D12
    with (
        client_for(services, "2001:db8:aaaa:1::1") as a,
        client_for(services, "2001:db8:aaaa:2::9") as b,
    ):
        for i in range(3):
            assert (
                a.post("/api/v1/comments", json=body(text=f"v6 {i}"), headers=ORIGIN).status_code
                == 201
            )
        assert (
            b.post("/api/v1/comments", json=body(text="same /48"), headers=ORIGIN).status_code
            == 429
        )
    with client_for(services, "2001:db8:bbbb::1") as c:
        assert (
            c.post("/api/v1/comments", json=body(text="other /48"), headers=ORIGIN).status_code
            == 201
        )


def test_counts_endpoint(client: TestClient) -> None:
    client.post("/api/v1/comments", json=body(thread="a"), headers=ORIGIN)
    client.post(
        "/api/v1/comments", json=body(thread="b", url="https://blog.example.com/b"), headers=ORIGIN
    )
    res = client.get(
        "/api/v1/counts",
        params=[("site", SITE), ("thread", "a"), ("thread", "b"), ("thread", "zzz")],
    )
    assert res.json() == {"counts": {"a": 1, "b": 1, "zzz": 0}}
    bad = client.get("/api/v1/counts", params=[("site", SITE), ("thread", "../x")])
    assert bad.status_code == 400


def test_unknown_site_is_404(client: TestClient) -> None:
    res = client.get("/api/v1/comments", params={"site": "https://nope.example", "thread": "x"})
    assert res.status_code == 404 and res.json()["error"]["code"] == "not_found"


def test_openapi_documents_the_api(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/comments"])
    assert {"put", "delete"} <= set(paths["/api/v1/comments/{comment_id}"])
    assert "/api/v1/counts" in paths
    assert "202" in paths["/api/v1/comments"]["post"]["responses"]
    # no browsable page: FastAPI's loads Swagger UI from a public CDN, a third-party script
    # the privacy notice says no page loads (issue 17)
    assert client.get("/api/v1/docs").status_code == 404
    assert "cdn" not in client.get("/api/v1/openapi.json").text.lower()


def test_cached_listing_follows_every_write(client: TestClient, services: Services) -> None:
    from rejoinder.core.records.comments import Status
    from rejoinder.storage import comments as store

    params = {"site": SITE, "thread": "post-1"}
    assert client.get("/api/v1/comments", params=params).json()["total"] == 0
    posted = client.post("/api/v1/comments", json=body(text="one"), headers=ORIGIN).json()
    first = client.get("/api/v1/comments", params=params).json()
    assert first["total"] == 1
    second = client.post("/api/v1/comments", json=body(text="two"), headers=ORIGIN).json()
    listed = client.get("/api/v1/comments", params=params).json()  # the thread existed: same key
    assert listed["total"] == 2 and listed["comments"][-1]["id"] == second["comment"]["id"]
    page_html = client.get("/t/1/post-1").text
    assert "<p>one</p>" in page_html
    cid, token = posted["comment"]["id"], posted["token"]
    client.put(
        f"/api/v1/comments/{cid}", json={"token": token, "text": "one, edited"}, headers=ORIGIN
    )
    assert (
        client.get("/api/v1/comments", params=params).json()["comments"][0]["html"]
        == "<p>one, edited</p>"
    )
    assert "<p>one, edited</p>" in client.get("/t/1/post-1").text
    with services.db.begin() as conn:  # a moderator's decision goes through the same store
        store.update_comment(conn, cid, status=Status.SPAM)
    left = client.get("/api/v1/comments", params=params).json()["comments"]
    assert [c["id"] for c in left] == [second["comment"]["id"]]
    assert "one, edited" not in client.get("/t/1/post-1").text
    again = client.get("/api/v1/comments", params=params).json()
    signer, site_id = services.comments.signer, services.comments.site(SITE).id
    assert (
        signer.form_age(again["form_token"], site_id, "post-1", services.comments.clock())
        is not None
    )
    html_token = re.search(r'name="_form" value="([^"]+)"', client.get("/t/1/post-1").text)
    assert html_token and "@@" not in html_token.group(1)

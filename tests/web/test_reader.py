"""Reader features in-process, on SQLite and PostgreSQL: sorting, votes, previews, Atom feeds,
the no-JS delete confirmation and vote forms, avatars and the voting/Gravatar site switches."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.comments.reader import ReaderService
from rejoinder.comments.records import Client
from rejoinder.core.inputs import parse_id
from rejoinder.errors import RateLimited
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.storage.schema import comment_votes, comments
from tests.support.database import migrate

SITE = "https://blog.example.com"
ORIGIN = {"Origin": SITE}
OWN = {"Origin": "http://testserver", "Referer": "http://testserver/t/1/x"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def services(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data = tmp_path_factory.mktemp("reader")
    settings = load_settings({
        "REJOINDER_DATA_DIR": str(data), "REJOINDER_DATABASE_URL": backend_url,
        "REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_READER_RATE_LIMIT": "0",
        "REJOINDER_SIGNAL_BUDGET_MS": "2000",
    })  # fmt: skip
    svc = build_services(settings)
    migrate(svc.db)
    svc.sites.add_site(SITE)
    yield svc
    svc.db.dispose()


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services), client=("203.0.113.7", 1)) as c:
        yield c


def post(client: TestClient, thread: str, text: str, **kw: Any) -> dict[str, Any]:
    body = {"site": SITE, "thread": thread, "text": text, "author": "Ann", **kw}
    res = client.post("/api/v1/comments", json=body, headers=ORIGIN)
    assert res.status_code in (201, 202), res.text
    return dict(res.json())


def listing(client: TestClient, thread: str, **params: Any) -> dict[str, Any]:
    res = client.get("/api/v1/comments", params={"site": SITE, "thread": thread, **params})
    assert res.status_code == 200, res.text
    return dict(res.json())


def vote(client: TestClient, comment_id: int, value: int, voter: str = "") -> dict[str, Any]:
    res = client.post(
        f"/api/v1/comments/{comment_id}/vote",
        json={"value": value, "voter": voter},
        headers=ORIGIN,
    )
    assert res.status_code == 200, res.text
    return dict(res.json())


def texts(data: dict[str, Any]) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c["html"]) for c in data["comments"]]


def test_sort_oldest_newest_top_and_pages(client: TestClient) -> None:
    ids = [post(client, "sorting", f"number {i}")["comment"]["id"] for i in range(4)]
    vote(client, ids[2], 1)
    vote(client, ids[2], 1)  # a second reader
    vote(client, ids[1], 1)
    vote(client, ids[0], -1)
    assert texts(listing(client, "sorting")) == [f"number {i}" for i in range(4)]
    assert texts(listing(client, "sorting", sort="newest")) == [f"number {i}" for i in (3, 2, 1, 0)]
    top = listing(client, "sorting", sort="top")
    assert texts(top) == [f"number {i}" for i in (2, 1, 3, 0)]
    assert [c["score"] for c in top["comments"]] == [2, 1, 0, -1] and top["sort"] == "top"
    # keyset pages in every order: two by two, nothing lost or repeated
    for sort, order in (("newest", [3, 2, 1, 0]), ("top", [2, 1, 3, 0])):
        first = listing(client, "sorting", sort=sort, limit=2)
        second = listing(client, "sorting", sort=sort, limit=2, after=first["next"])
        assert texts(first) + texts(second) == [f"number {i}" for i in order]
    assert (
        client.get(
            "/api/v1/comments", params={"site": SITE, "thread": "x", "sort": "best"}
        ).status_code
        == 422
    )
    assert client.get("/t/1/sorting?sort=best").status_code == 400
    page = client.get("/t/1/sorting?sort=newest").text
    assert page.index("number 3") < page.index("number 0")
    assert 'aria-current="true">Newest' in page


def test_a_vote_counts_once_per_voter_and_can_change(
    client: TestClient, services: Services
) -> None:
    cid = post(client, "votes", "vote on me")["comment"]["id"]
    first = vote(client, cid, 1)
    voter = first["voter"]
    assert first["score"] == 1 and voter.startswith("v.")
    assert vote(client, cid, 1, voter)["score"] == 1  # the same reader again: still one
    assert vote(client, cid, -1, voter) | {"voter": ""} == {
        "id": cid, "value": -1, "score": -1, "up": 0, "down": 1, "voter": ""}  # fmt: skip
    assert vote(client, cid, 0, voter)["score"] == 0  # taken back
    forged = vote(client, cid, 1, "v.AAAAAAAAAAAAAAAAAAAA.forged")  # not ours: a new voter id
    assert forged["voter"] != "v.AAAAAAAAAAAAAAAAAAAA.forged" and forged["score"] == 1
    listed = listing(client, "votes")["comments"][0]
    assert (listed["score"], listed["up"], listed["down"]) == (1, 1, 0)
    with services.db.read() as conn:
        rows = conn.execute(select(comment_votes)).mappings().all()
    assert all(len(r["voter_hash"]) == 32 and voter not in r["voter_hash"] for r in rows)
    for bad in ({"value": 2}, {"value": "up"}, {}):
        res = client.post(f"/api/v1/comments/{cid}/vote", json=bad, headers=ORIGIN)
        assert res.status_code == 422, bad
    assert (
        client.post("/api/v1/comments/99999/vote", json={"value": 1}, headers=ORIGIN).status_code
        == 404
    )
    evil = client.post(
        f"/api/v1/comments/{cid}/vote",
        json={"value": 1},
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403


def test_held_comments_take_no_votes_and_voting_can_be_off(
    client: TestClient, services: Services
) -> None:
    held = post(client, "off", "hold me", author="akismet-guaranteed-spam")
    assert held["status"] == "pending"
    res = client.post(
        f"/api/v1/comments/{held['comment']['id']}/vote", json={"value": 1}, headers=ORIGIN
    )
    assert res.status_code == 404
    cid = post(client, "off", "no votes here")["comment"]["id"]
    assert 'aria-label="Vote up"' in client.get("/t/1/off").text
    site = services.comments.site(SITE)
    services.comments.set_policy(SITE, replace(services.comments.policy(site.id), voting=False))
    try:
        res = client.post(f"/api/v1/comments/{cid}/vote", json={"value": 1}, headers=ORIGIN)
        assert res.status_code == 403 and "turned off" in res.text
        assert listing(client, "off")["voting"] is False
        assert 'aria-label="Vote up"' not in client.get("/t/1/off").text  # the cached page too
    finally:
        services.comments.set_policy(SITE, replace(services.comments.policy(site.id), voting=True))


def test_no_js_vote_sets_a_voter_cookie_and_counts_once(client: TestClient) -> None:
    cid = post(client, "plainvote", "vote without script")["comment"]["id"]
    page = client.get("/t/1/plainvote").text
    token = re.search(r'name="_form" value="([^"]+)"', page)
    assert token
    for _ in range(2):
        res = client.post("/t/1/plainvote/vote", data={"_form": token.group(1), "vote": f"{cid}:1"},
                          headers=OWN, follow_redirects=False)  # fmt: skip
        assert res.status_code == 303 and res.headers["location"].endswith(f"status=voted#c{cid}")
    assert (
        "rejoinder_voter" in client.cookies
        and listing(client, "plainvote")["comments"][0]["score"] == 1
    )
    assert f'name="vote" value="{cid}:1"' in page and 'action="/t/1/plainvote/vote"' in page
    for bad in (f"{cid}:9", "x:1", f"{cid}", ""):
        res = client.post(
            "/t/1/plainvote/vote", data={"_form": token.group(1), "vote": bad}, headers=OWN
        )
        assert res.status_code == 400, bad


def test_preview_renders_like_a_posted_comment(client: TestClient) -> None:
    text = "Some *emphasis* and <script>alert(1)</script> [x](javascript:alert(1))"
    res = client.post("/api/v1/preview", json={"site": SITE, "text": text}, headers=ORIGIN)
    assert res.status_code == 200, res.text
    posted = post(client, "preview", text)["comment"]
    assert res.json()["html"] == posted["html"] and "<em>emphasis</em>" in posted["html"]
    assert (
        client.post(
            "/api/v1/preview", json={"site": SITE, "text": "  "}, headers=ORIGIN
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/preview", json={"site": SITE, "text": "x" * 10_001}, headers=ORIGIN
        ).status_code
        == 422
    )
    assert client.post("/api/v1/preview", content=b"text=x", headers=ORIGIN).status_code == 415


def test_votes_and_previews_are_rate_limited_per_network(services: Services) -> None:
    reader = ReaderService(services.comments, per_minute=6)  # and 1 new voter per hour
    client = Client(parse_ip("198.51.100.9"))
    assert reader.preview("hi", client) == "<p>hi</p>"
    with pytest.raises(RateLimited):
        for _ in range(6):
            reader.preview("again", client)


def parse_ip(text: str) -> Any:
    return ipaddress.ip_address(text)


def atom(client: TestClient, path: str) -> ET.Element:
    res = client.get(path)
    assert res.status_code == 200 and res.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(res.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author", "link"):
        assert root.find(f"{ATOM}{required}") is not None, required
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "author/" + ATOM + "name", "link", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return root


def entries(root: ET.Element) -> list[str]:
    return [e.findtext(f"{ATOM}content") or "" for e in root.findall(f"{ATOM}entry")]


def test_feeds_are_atom_with_published_comments_only(client: TestClient) -> None:
    post(client, "feed", "published one")
    post(client, "feed", "a held one", author="akismet-guaranteed-spam")
    gone = post(client, "feed", "deleted one")
    client.request("DELETE", f"/api/v1/comments/{gone['comment']['id']}",
                   json={"token": gone["token"]}, headers=ORIGIN)  # fmt: skip
    post(client, "feed", "published <two> & more")
    thread = atom(client, "/feed/1/feed")
    assert entries(thread) == ["<p>published &lt;two&gt; &amp; more</p>", "<p>published one</p>"]
    assert thread.findtext(f"{ATOM}title") == "Comments on feed"
    site = atom(client, "/feed/1")
    assert "<p>published one</p>" in entries(site)
    assert not any("held" in e or "deleted one" in e for e in entries(site))
    assert entries(atom(client, "/feed/1/nobody-here")) == []
    page = client.get("/t/1/feed").text
    assert (
        '<link rel="alternate" type="application/atom+xml"' in page
        and 'href="/feed/1/feed"' in page
    )
    assert client.get("/feed/x").status_code == 400 and client.get("/feed/1/..%2f").status_code in (
        400,
        404,
    )


def test_no_js_delete_asks_first(client: TestClient) -> None:
    page = client.get("/t/1/confirm").text
    token = re.search(r'name="_form" value="([^"]+)"', page)
    assert token
    res = client.post("/t/1/confirm", data={"_form": token.group(1), "text": "delete me later", "author": "D"},
                      headers=OWN, follow_redirects=False)  # fmt: skip
    cid = parse_id(res.headers["location"].rsplit("#c", 1)[1])
    thread = client.get("/t/1/confirm").text
    assert f'href="/t/1/confirm/c/{cid}/delete"' in thread  # a link, not a one-click form
    ask = client.get(f"/t/1/confirm/c/{cid}/delete")
    assert (
        ask.status_code == 200
        and "Delete this comment?" in ask.text
        and "delete me later" in ask.text
    )
    assert f'href="/t/1/confirm#c{cid}"' in ask.text  # Cancel goes back
    assert "delete me later" in client.get("/t/1/confirm").text  # asking deleted nothing
    done = client.post(f"/t/1/confirm/c/{cid}/delete", data={"_form": token.group(1)}, headers=OWN,
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and "delete me later" not in client.get("/t/1/confirm").text


def test_identicons_by_default_gravatar_only_when_turned_on(
    client: TestClient, services: Services
) -> None:
    a = post(client, "faces", "with email", email="ada@example.org")["comment"]
    b = post(client, "faces", "same email", email="ADA@example.org ")["comment"]
    c = post(client, "faces", "other", email="bob@example.org")["comment"]
    assert a["avatar"] == b["avatar"] != c["avatar"] and len(a["avatar"]) == 16
    assert a["gravatar"] is None
    page = client.get("/t/1/faces")
    assert page.text.count('<svg class="rj-avatar"') == 3 and "gravatar" not in page.text
    assert "img-src 'self' data:;" in page.headers["content-security-policy"]
    assert "turn Gravatar on (" not in client.get("/privacy").text
    site = services.comments.site(SITE)
    services.comments.set_policy(SITE, replace(services.comments.policy(site.id), gravatar=True))
    try:
        d = post(client, "faces", "with gravatar", email="Ada@Example.org")["comment"]
        assert d["gravatar"] == hashlib.sha256(b"ada@example.org").hexdigest()
        page = client.get("/t/1/faces")
        assert "https://www.gravatar.com/avatar/" + d["gravatar"] in page.text
        assert "https://www.gravatar.com" in page.headers["content-security-policy"]
        assert f"turn Gravatar on ({SITE})" in client.get("/privacy").text
    finally:
        services.comments.set_policy(
            SITE, replace(services.comments.policy(site.id), gravatar=False)
        )
    with services.db.read() as conn:
        stored = conn.execute(
            select(comments.c.avatar).where(comments.c.id == a["id"])
        ).scalar_one()
    assert stored == a["avatar"]


def test_embed_stays_small(client: TestClient) -> None:
    raw = client.get("/embed.js").content
    assert len(gzip.compress(raw, 9)) < 15 * 1024


def test_a_voters_two_clicks_at_once_count_once(client: TestClient, services: Services) -> None:
    """Two requests of one voter racing (a double click): one vote, never a 500."""
    cid = post(client, "race", "click me twice")["comment"]["id"]
    voter = vote(client, cid, 1)["voter"]
    vote(client, cid, 0, voter)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: vote(client, cid, 1, voter)["score"], range(4)))
    assert answers == [1, 1, 1, 1]

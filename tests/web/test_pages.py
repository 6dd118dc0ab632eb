"""Pages without JavaScript, the embed script, the demo page (CSRF, PRG, D17)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.comments.demo import seed_demo
from rejoinder.services import Services, build_services
from rejoinder.web.i18n import STRINGS, pick_language
from tests.support.database import migrate
from tests.support.htmlcheck import active_content, without_identicons
from tests.support.world import Clock, make_services
from tests.web.test_comments_api import SITE, make_settings

# What a browser sends with a same-site form post (the spam engine reads the Referer).
OWN = {"Origin": "http://testserver", "Referer": "http://testserver/t/1/post-1"}
EMBED_GZIP_BUDGET = 15 * 1024  # issue 19: stay under 15 KB gzipped


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = make_services(tmp_path, (SITE,), comment_rate_limit="0")
    yield svc
    svc.db.dispose()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services), client=("203.0.113.7", 5000)) as c:
        yield c


def form_token(html: str) -> str:
    match = re.search(r'name="_form" value="([^"]+)"', html)
    assert match, "the form has no signed token"
    return match.group(1)


def post_form(
    client: TestClient,
    path: str = "/t/1/post-1",
    headers: dict[str, str] | None = None,
    **fields: str,
):  # type: ignore[no-untyped-def]
    token = fields.pop("_form", None) or form_token(
        client.get(path.split("/c/", maxsplit=1)[0]).text
    )
    data = {"_form": token, "author": "Nora", "text": "No script needed.", **fields}
    return client.post(
        path, data=data, headers=OWN if headers is None else headers, follow_redirects=False
    )


def test_thread_page_renders_form_with_notice_and_honeypot(client: TestClient) -> None:
    res = client.get("/t/1/post-1")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    html = res.text
    for needle in ('<label for="rj-text">', 'name="homepage"', 'tabindex="-1"',
                   "This site uses rejoinder to reduce spam.", 'href="/privacy"', "Leave a Reply"):  # fmt: skip
        assert needle in html
    assert "noindex" not in html and "content-security-policy" in res.headers


def test_post_redirect_get_publishes(client: TestClient) -> None:
    res = post_form(client)
    assert res.status_code == 303
    location = res.headers["location"]
    assert location.startswith("/t/1/post-1?status=published#c")
    page = client.get(location)
    assert "No script needed." in page.text and "Your comment was published." in page.text
    assert "rejoinder_own" in res.headers["set-cookie"] and "HttpOnly" in res.headers["set-cookie"]
    assert "SameSite=lax" in res.headers["set-cookie"]


def test_own_cookie_is_secure_when_public_url_is_https(tmp_path: Path) -> None:
    """Behind a TLS proxy the app sees http; public_url says readers use https (issue 17)."""
    assert "secure" not in post_form_with(tmp_path / "plain", "").lower()
    cookie = post_form_with(tmp_path / "tls", "https://comments.example.com")
    assert "rejoinder_own=" in cookie and "; secure" in cookie.lower()


def post_form_with(tmp_path: Path, public_url: str) -> str:
    env = {"public_url": public_url} if public_url else {}
    services = make_services(tmp_path, (SITE,), comment_rate_limit="0", **env)
    try:
        with TestClient(create_app(services.settings, services)) as client:
            res = post_form(client)
        assert res.status_code == 303
        return str(res.headers["set-cookie"])
    finally:
        services.db.dispose()


def test_reply_through_the_form(client: TestClient) -> None:
    first = post_form(client, text="parent")
    cid = first.headers["location"].rsplit("#c", 1)[1]
    page = client.get(f"/t/1/post-1?reply={cid}")
    assert "Reply to Nora" in page.text and f'name="parent" value="{cid}"' in page.text
    res = post_form(client, text="child", parent=cid)
    assert res.status_code == 303
    listed = client.get("/api/v1/comments", params={"site": SITE, "thread": "post-1"}).json()
    assert listed["comments"][0]["replies"][0]["html"] == "<p>child</p>"


def test_held_comment_shown_only_to_its_author_and_never_indexable(
    client: TestClient, services: Services
) -> None:  # D17
    res = post_form(client, author="akismet-guaranteed-spam", text="held one")
    assert "status=pending" in res.headers["location"]
    mine = client.get("/t/1/post-1")
    assert "held one" in mine.text and "Your comment is awaiting moderation." in mine.text
    assert '<meta name="robots" content="noindex' in mine.text
    assert mine.headers["x-robots-tag"] == "noindex" and "no-store" in mine.headers["cache-control"]
    with TestClient(create_app(services.settings, services)) as stranger:
        public = stranger.get("/t/1/post-1")
        assert "held one" not in public.text and "awaiting" not in public.text
        fragment = stranger.get("/t/1/post-1/fragment")
        assert "held one" not in fragment.text


@pytest.mark.parametrize(
    ("fields", "headers"),
    [
        ({"_form": "1700000000000.forged"}, OWN),
        ({"_form": "garbage"}, OWN),
        ({}, {"Origin": "https://evil.example"}),
        ({}, {"Referer": "https://evil.example/page"}),
        ({}, {"Origin": "null"}),
    ],
)
def test_csrf_forged_or_cross_site_form_posts_refused(
    client: TestClient, fields: dict[str, str], headers: dict[str, str]
) -> None:
    res = post_form(client, headers=headers, **fields)
    assert res.status_code == 403
    assert "text/html" in res.headers["content-type"] and "noindex" in res.text
    assert (
        client.get("/api/v1/comments", params={"site": SITE, "thread": "post-1"}).json()["total"]
        == 0
    )


def test_token_for_another_thread_refused(client: TestClient) -> None:
    other = form_token(client.get("/t/1/other").text)
    assert post_form(client, _form=other).status_code == 403


def test_form_from_the_sites_own_origin_accepted(client: TestClient) -> None:
    assert post_form(client, headers={"Origin": SITE}).status_code == 303
    assert post_form(client, headers={"Referer": SITE + "/2024/post"}).status_code == 303
    assert post_form(client, headers={}).status_code == 303  # no Origin/Referer: token decides


def test_edit_and_delete_without_javascript(client: TestClient, services: Services) -> None:
    res = post_form(client, text="draft")
    cid = res.headers["location"].rsplit("#c", 1)[1]
    page = client.get("/t/1/post-1")
    assert f'href="/t/1/post-1/c/{cid}/edit"' in page.text
    edit = client.get(f"/t/1/post-1/c/{cid}/edit")
    assert edit.status_code == 200 and ">draft</textarea>" in edit.text and "noindex" in edit.text
    done = post_form(client, f"/t/1/post-1/c/{cid}/edit", text="final *words*")
    assert done.status_code == 303 and "status=edited" in done.headers["location"]
    assert "<em>words</em>" in client.get("/t/1/post-1").text
    with TestClient(create_app(services.settings, services)) as stranger:
        assert stranger.get(f"/t/1/post-1/c/{cid}/edit").status_code == 403
        token = form_token(stranger.get("/t/1/post-1").text)
        hijack = stranger.post(
            f"/t/1/post-1/c/{cid}/delete",
            data={"_form": token},
            headers=OWN,
            follow_redirects=False,
        )
        assert hijack.status_code == 403
    gone = post_form(client, f"/t/1/post-1/c/{cid}/delete")
    assert gone.status_code == 303 and "status=deleted" in gone.headers["location"]
    assert "final" not in client.get("/t/1/post-1").text


def test_edit_and_delete_pages_only_for_the_own_live_comment_on_its_thread(
    tmp_path: Path,
) -> None:
    clock = Clock()
    svc = make_services(tmp_path, (SITE,), clock, comment_rate_limit="0")
    with TestClient(create_app(svc.settings, svc), client=("203.0.113.7", 5000)) as client:
        cid = post_form(client, text="mine").headers["location"].rsplit("#c", 1)[1]
        for page in ("edit", "delete"):
            assert client.get(f"/t/1/post-2/c/{cid}/{page}").status_code == 403  # not its thread
        edit = client.get(f"/t/1/post-1/c/{cid}/edit?lang=de")
        assert edit.status_code == 200 and ">mine</textarea>" in edit.text
        assert f'action="/t/1/post-1/c/{cid}/edit?lang=de"' in edit.text
        saved = post_form(client, f"/t/1/post-1/c/{cid}/edit", _form=form_token(edit.text),
                          text="mine, edited")  # fmt: skip
        assert saved.status_code == 303  # the edit page's own form token is accepted
        clock.advance(svc.settings.comment_edit_window_s + 1)
        late = client.get(f"/t/1/post-1/c/{cid}/edit")
        assert late.status_code == 403 and "can no longer be edited" in late.text
        late = client.get(f"/t/1/post-1/c/{cid}/delete")
        assert late.status_code == 403 and "can no longer be deleted" in late.text
        fresh = post_form(client, text="gone soon").headers["location"].rsplit("#c", 1)[1]
        assert post_form(client, f"/t/1/post-1/c/{fresh}/delete").status_code == 303
        assert client.get(f"/t/1/post-1/c/{fresh}/edit").status_code == 403  # deleted
    svc.db.dispose()


def test_validation_errors_render_as_html(client: TestClient) -> None:
    res = post_form(client, text="x" * 10_001)
    assert res.status_code == 422 and "10001 characters" in res.text and "<html" in res.text


def test_fragment_is_embeddable_html(client: TestClient, services: Services) -> None:
    post_form(client, text="in the fragment")
    res = client.get("/t/1/post-1/fragment")
    assert res.status_code == 200 and "<html" not in res.text and "in the fragment" in res.text
    assert f'action="{services.settings.public_url}/t/1/post-1"' in res.text
    assert active_content(without_identicons(res.text), {"form"}) == []


def test_language_by_query_and_accept_language(client: TestClient) -> None:
    assert "Schreibe einen Kommentar" in client.get("/t/1/post-1?lang=de").text
    assert (
        "Laisser un commentaire"
        in client.get("/t/1/post-1", headers={"Accept-Language": "fr-CH, en;q=0.5"}).text
    )
    assert pick_language("xx", "") == "en"


def test_every_language_has_every_string() -> None:
    keys = set(STRINGS["en"])
    assert len(STRINGS) >= 3
    for lang, table in STRINGS.items():
        assert set(table) == keys, lang
        assert table["reply_to"].count("{name}") == 1


def test_embed_js_small_with_strings_inlined(client: TestClient) -> None:
    res = client.get("/embed.js", headers={"Accept-Encoding": "gzip"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/javascript")
    assert res.headers["content-encoding"] == "gzip"
    raw = client.get("/embed.js", headers={"Accept-Encoding": "identity"}).content
    size = len(gzip.compress(raw, 9))
    assert size < EMBED_GZIP_BUDGET, size
    text = raw.decode()
    assert "__STRINGS__" not in text and "__CSS__" not in text and "Kommentar abschicken" in text
    assert 'createElement("iframe")' not in text and "<iframe" not in text
    again = client.get("/embed.js", headers={"If-None-Match": res.headers["etag"]})
    assert again.status_code == 304


def test_demo_page_only_in_demo_mode(client: TestClient, tmp_path: Path) -> None:
    assert client.get("/demo/").status_code == 404
    settings = make_settings(tmp_path / "demo", demo="true", port="8123")
    svc = build_services(settings)
    migrate(svc.db)
    svc.sites.ensure_site("http://127.0.0.1:8123")
    seed_demo(svc.comments, "http://127.0.0.1:8123", 8123)
    seed_demo(svc.comments, "http://127.0.0.1:8123", 8123)  # idempotent
    with TestClient(create_app(settings, svc)) as demo:
        page = demo.get("/demo/")
        assert page.status_code == 200
        assert '<script src="http://127.0.0.1:8123/embed.js" defer></script>' in page.text
        assert "script-src 'self' http://127.0.0.1:8123" in page.headers["content-security-policy"]
        assert 'data-rejoinder-thread="welcome"' in page.text and 'href="/privacy"' in page.text
        listed = demo.get(
            "/api/v1/comments", params={"site": "http://127.0.0.1:8123", "thread": "welcome"}
        ).json()
        assert listed["total"] == 2
        site = svc.comments.site("http://127.0.0.1:8123")
        assert "http://localhost:8123" in svc.comments.allowed_origins(site)
    svc.db.dispose()


def test_privacy_page(client: TestClient) -> None:
    res = client.get("/privacy")
    assert res.status_code == 200 and "comment data" in res.text

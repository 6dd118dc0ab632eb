"""The admin pages over HTTP: CSRF on every form, XSS through every shown field, site scoping,
huge bulk selections, keyboard shortcuts documented. None of it may produce a 500."""

from __future__ import annotations

import re

import pytest

from rejoinder.core.records.comments import Status
from rejoinder.storage import comments as comment_store
from tests.moderation.conftest import ORIGIN, SITE_A, SITE_B, Browser, World
from tests.support.htmlcheck import active_content
from tests.support.world import shown_id

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def assert_no_unescaped(html: str) -> None:
    """Only our own script tag and forms: nothing a commenter typed became markup."""
    assert active_content(html, {"script", "form"}) == []
    assert html.count("<script") == 1 and '<script src="/static/admin.js" defer>' in html


def forms(world: World, cid: int) -> list[tuple[str, dict[str, object]]]:
    """Every state-changing admin form, with valid fields (except the token)."""
    site = world.site_id(SITE_A)
    return [
        ("/admin/act", {"single": f"{cid}:approve", "back": "/admin/queue/pending"}),
        ("/admin/act", {"decision": "spam", "id": [cid]}),
        (f"/admin/c/{cid}/edit", {"text": "edited", "author": "A", "email": "", "website": ""}),
        ("/admin/bans", {"site": site, "kind": "word", "value": "casino"}),
        ("/admin/bans", {"comment": cid, "kind": "ip"}),
        ("/admin/bans/1/delete", {}),
        (f"/admin/sites/{site}/policy", {"mode": "hold_all", "close_after_days": "0"}),
        ("/admin/logout", {}),
    ]


@pytest.mark.parametrize(
    "case",
    ["missing", "wrong", "non-ascii", "cross-site", "bad-referer", "no-origin", "other-user"],
)
def test_csrf_on_every_admin_form(world: World, browser: Browser, case: str) -> None:
    cid = world.held("CSRF target")
    browser.login("boss@example.com")
    token = browser.csrf()
    if case == "other-user":  # a token from another moderator's session is worth nothing
        other = world.services.auth.login("admin@a.example.com", "correct horse battery", None)
        token = world.services.auth.csrf_token(other.cookie)
    for path, data in forms(world, cid):
        fields = dict(data)
        headers = {"Origin": ORIGIN}
        if case != "missing":
            fields["_csrf"] = {"wrong": "0" * 64, "non-ascii": "é" * 64}.get(case, token)
        if case == "cross-site":
            headers = {"Origin": "https://evil.example"}
        if case == "bad-referer":  # unparsable, and no Origin: names no allowed origin
            headers = {"Referer": "http://[x"}
        if case == "no-origin":
            response = browser.client.post(path, data=fields, follow_redirects=False)
        else:
            response = browser.client.post(
                path, data=fields, headers=headers, follow_redirects=False
            )
        assert response.status_code == 403, (case, path, response.status_code)
    with world.services.db.read() as conn:
        stored = comment_store.comment_by_id(conn, cid)
    assert stored is not None and stored.comment.status is Status.PENDING
    assert stored.comment.text == "CSRF target"
    assert world.services.rules.list(None) == []


def test_forms_work_with_the_right_token(world: World, browser: Browser) -> None:
    cid = world.held("Right token")
    browser.login("boss@example.com")
    token = browser.csrf()
    for path, data in forms(world, cid)[:-1]:
        response = browser.post(path, {**data, "_csrf": token})
        assert response.status_code == 303, (path, response.text)


def test_a_referer_from_this_server_is_enough_without_origin(
    world: World, browser: Browser
) -> None:
    cid = world.held("referer")
    browser.login("boss@example.com")
    token = browser.csrf()
    response = browser.client.post(
        "/admin/act", data={"_csrf": token, "single": f"{cid}:spam"},
        headers={"Referer": f"{ORIGIN}/admin/queue/pending"}, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303


def test_xss_through_every_field_shown_is_escaped(world: World, browser: Browser) -> None:
    cid = world.held(
        f"{XSS} text [link](javascript:alert(1))", author=XSS[:100], email="x@example.com",
        website="http://x.com/?'onmouseover='alert(1)'x='", title=XSS, thread="xss-thread",
    )  # fmt: skip
    reply_parent = shown_id(world.post(f"parent {XSS}", thread="xss-thread"))
    reply = world.held(f"child {XSS}", thread="xss-thread", parent=reply_parent, author=XSS[:100])
    world.services.rules.add(SITE_A, kind_word(), "casino <b>bonus</b>", note=XSS)
    browser.login("boss@example.com")
    pages = [
        "/admin/queue/pending", f"/admin/c/{cid}", f"/admin/c/{reply}", "/admin/bans",
        "/admin/log", f"/admin/queue/pending?q={XSS}&author={XSS}&thread={XSS}&signal={XSS}",
        f"/admin/sites/{world.site_id(SITE_A)}/policy",
    ]  # fmt: skip
    token = browser.csrf()
    browser.post("/admin/act", {"_csrf": token, "single": f"{cid}:spam"})
    pages += ["/admin/queue/spam", f"/admin/queue/spam?done={XSS}"]
    for path in pages:
        response = browser.client.get(path)
        assert response.status_code == 200, path
        assert_no_unescaped(response.text)
        assert "onmouseover='" not in response.text and 'href="javascript' not in response.text
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "private, no-store"


def kind_word():  # type: ignore[no-untyped-def]
    from rejoinder.spam.rules import RuleKind

    return RuleKind.WORD


def test_moderator_of_site_b_gets_403_on_site_a_over_http(world: World, browser: Browser) -> None:
    on_a = world.held("only for site A")
    browser.login("mod@b.example.com")
    token = browser.csrf()
    assert browser.client.get(f"/admin/c/{on_a}").status_code == 403
    assert (
        browser.client.get(f"/admin/queue/pending?site={world.site_id(SITE_A)}").status_code == 403
    )
    assert browser.client.get(f"/admin/sites/{world.site_id(SITE_A)}/policy").status_code == 403
    for path, data in forms(world, on_a)[:-1]:
        response = browser.post(path, {**data, "_csrf": token})
        assert response.status_code in (403, 404), (path, response.status_code)
    assert "only for site A" not in browser.client.get("/admin/queue/pending").text


def test_only_admins_change_policy(world: World, browser: Browser) -> None:
    browser.login("mod@b.example.com")
    token = browser.csrf()
    site_b = world.site_id(SITE_B)
    page = browser.client.get(f"/admin/sites/{site_b}/policy")
    assert page.status_code == 200 and "Only an admin" in page.text
    denied = browser.post(f"/admin/sites/{site_b}/policy", {"_csrf": token, "mode": "hold_all"})
    assert denied.status_code == 403


def test_huge_bulk_selection_gets_a_clear_4xx(world: World, browser: Browser) -> None:
    browser.login("boss@example.com")
    token = browser.csrf()
    over = browser.post("/admin/act", {"_csrf": token, "decision": "spam",
                                       "id": [str(i) for i in range(1, 1102)]})  # fmt: skip
    assert over.status_code == 422 and "at most 1000" in over.text
    huge = browser.post("/admin/act", {"_csrf": token, "decision": "spam",
                                       "id": [str(i) for i in range(1, 5001)]})  # fmt: skip
    assert huge.status_code == 400 and "Too many fields" in huge.text


def test_bad_input_is_4xx_never_500(world: World, browser: Browser) -> None:
    browser.login("boss@example.com")
    token = browser.csrf()
    for path in ("/admin/queue/nope", "/admin/c/abc", "/admin/c/99999", "/admin/sites/x/policy",
                 "/admin/queue/pending?since=2026-13-45", "/admin/sites/999/policy",
                 "/admin/sites/1/policy?hold=abc"):  # fmt: skip
        assert 400 <= browser.client.get(path).status_code < 500, path
    for data in ({"single": "abc:approve"}, {"single": "1:explode"}, {"decision": "approve"},
                 {"single": "99999999999999999999:spam"}):  # fmt: skip
        response = browser.post("/admin/act", {"_csrf": token, **data})
        assert 400 <= response.status_code < 500, data
    bad_ban = browser.post("/admin/bans", {"_csrf": token, "site": "1", "kind": "ip", "value": "x"})
    assert bad_ban.status_code == 422


def test_queue_page_documents_keyboard_shortcuts_and_shows_reasons(
    world: World, browser: Browser
) -> None:
    world.held("links " + " ".join(f"http://k{i}.example" for i in range(6)))
    browser.login("boss@example.com")
    page = browser.client.get("/admin/queue/pending").text
    for key in ("j", "k", "a", "s", "d"):
        assert f"<kbd>{key}</kbd>" in page
    assert "LINKS_MANY" in page and "6 links in the comment" in page
    assert re.search(r"Spam probability <strong>\d+%</strong>", page)
    assert "203.0.113.0/24" in page and "203.0.113.7" not in page

"""Reader features in a real Chromium against a real `rejoinder serve --demo` (issue 19): sorting,
votes, avatars without third-party requests, the dark scheme, Atom feeds, comment counts,
relative times, live "(edited)", the Markdown preview, the no-JS demo thread, a phone's width."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import serious_violations, visitor
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"
HELD_NAME = "akismet-guaranteed-spam"


def article(thread: str, extra: str = "", attrs: str = "") -> str:
    return (
        "<!doctype html><html lang='en'><head><title>Article</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<script src='/embed.js' defer></script></head><body><main><h1>Article</h1>"
        f"{extra}<div data-rejoinder-thread='{thread}'{attrs}></div></main></body></html>"
    )


def open_article(ctx: BrowserContext, server: LiveServer, thread: str, **kw: str) -> Page:
    """A page of the demo site's origin embedding ``thread`` (the widget, as on a blog)."""
    page = ctx.new_page()
    url = f"{server.url}/articles/{thread}"
    body = article(thread, **kw)
    page.route(url, lambda route: route.fulfill(status=200, body=body, content_type="text/html"))
    page.goto(url)
    expect(page.locator("form.rj-form")).to_be_visible()
    return page


def post(page: Page, text: str, name: str = "Ada", email: str = "", shown: str = "") -> None:
    form = page.locator("form.rj-form")
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label(re.compile("^Email")).fill(email)
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator("article.rj-comment", has_text=shown or text)).to_be_visible()


def bodies(page: Page) -> list[str]:
    return [
        t.strip()
        for t in page.locator(
            "ol.rj-list:not(.rj-replies) > li > article .rj-body"
        ).all_inner_texts()
    ]


@pytest.fixture
def ctx(browser: Browser) -> Iterator[BrowserContext]:
    c = visitor(browser, bypass_csp=True)
    yield c
    c.close()


def site_id(server: LiveServer, thread: str) -> int:
    res = httpx.get(f"{server.url}/api/v1/comments", params={"site": server.url, "thread": thread})
    return int(res.json()["site_id"])


def test_sorting_and_one_vote_per_reader(
    ctx: BrowserContext, browser: Browser, demo_server: LiveServer
) -> None:
    page = open_article(ctx, demo_server, "sorting-e2e")
    for text in ("first words", "second words", "third words"):
        post(page, text)
    page.reload()
    expect(page.locator("article.rj-comment")).to_have_count(3)
    second = page.locator("article.rj-comment", has_text="second words")
    up = second.get_by_role("button", name="Vote up")
    up.click()
    expect(second.locator(".rj-score")).to_have_text("1")
    expect(up).to_have_attribute("aria-pressed", "true")
    page.reload()  # the same reader: still one vote, shown pressed; pressing again takes it back
    up = page.locator("article.rj-comment", has_text="second words").get_by_role(
        "button", name="Vote up"
    )
    expect(up).to_have_attribute("aria-pressed", "true")
    voter = page.evaluate("JSON.parse(localStorage.getItem('rejoinder.voter'))")
    comment_id = int(
        page.locator("article.rj-comment", has_text="second words")
        .get_attribute("id")
        .rsplit("c", 1)[1]
    )  # type: ignore[union-attr]
    again = httpx.post(f"{demo_server.url}/api/v1/comments/{comment_id}/vote",
                       json={"value": 1, "voter": voter}, headers={"Origin": demo_server.url})  # fmt: skip
    assert again.json()["score"] == 1  # the same voter token replayed counts once
    other = visitor(browser)
    try:
        page2 = open_article(other, demo_server, "sorting-e2e")
        page2.locator("article.rj-comment", has_text="second words").get_by_role(
            "button", name="Vote up"
        ).click()
        expect(
            page2.locator("article.rj-comment", has_text="second words").locator(".rj-score")
        ).to_have_text("2")
    finally:
        other.close()

    assert bodies(page) == ["first words", "second words", "third words"]
    page.get_by_role("button", name="Newest").click()
    expect(page.get_by_role("button", name="Newest")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("ol.rj-list > li > article .rj-body").first).to_have_text("third words")
    assert bodies(page) == ["third words", "second words", "first words"]
    page.get_by_role("button", name="Top").click()
    expect(page.locator("ol.rj-list > li > article .rj-body").first).to_have_text("second words")

    plain = visitor(browser, java_script_enabled=False)
    try:  # without JavaScript: the sort links and the vote form
        p = plain.new_page()
        p.goto(f"{demo_server.url}/t/{site_id(demo_server, 'sorting-e2e')}/sorting-e2e")
        p.get_by_role("link", name="Newest").click()
        assert bodies(p) == ["third words", "second words", "first words"]
        third = p.locator("article.rj-comment", has_text="third words")
        third.get_by_role("button", name="Vote up").click()
        expect(p.get_by_role("status")).to_have_text("Thanks, your vote was counted.")
        p.locator("article.rj-comment", has_text="third words").get_by_role(
            "button", name="Vote up"
        ).click()
        expect(
            p.locator("article.rj-comment", has_text="third words").locator(".rj-score")
        ).to_have_text("1")
        assert bodies(p) == ["third words", "second words", "first words"]  # the sort is kept
    finally:
        plain.close()


def test_avatars_times_edit_preview_without_leaving_the_host(
    ctx: BrowserContext, demo_server: LiveServer
) -> None:
    hosts: set[str] = set()
    ctx.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
    page = open_article(ctx, demo_server, "faces-e2e")
    form = page.locator("form.rj-form")
    form.get_by_label("Comment", exact=True).fill("Some *emphasis* here")
    form.get_by_role("button", name="Preview").click()
    expect(page.locator(".rj-preview em")).to_have_text("emphasis")
    form.get_by_label("Comment", exact=True).fill("")
    post(page, "with an avatar", email="ada@example.org")
    post(page, "same person", email="ada@example.org")
    post(page, "someone else", name="Bob", email="bob@example.org")
    avatars = page.locator("article .rj-meta svg.rj-avatar")
    expect(avatars).to_have_count(3)
    paths = [avatars.nth(i).locator("path").get_attribute("d") for i in range(3)]
    assert paths[0] == paths[1] != paths[2]
    time = page.locator("article.rj-comment", has_text="with an avatar").locator("time")
    expect(time).to_have_text(re.compile(r"now|second|minute"))
    assert re.match(r"\d{4}-\d\d-\d\dT", time.get_attribute("datetime") or "")
    assert re.search(r"20\d\d", time.get_attribute("title") or "")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('a.rj-time')).textDecorationLine")
        == "none"
    )

    mine = page.locator("article.rj-comment", has_text="someone else")
    expect(mine.locator(".rj-edited")).to_have_count(0)
    mine.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment").fill("someone else, edited")
    page.get_by_role("button", name="Save").click()
    expect(
        page.locator("article.rj-comment", has_text="someone else, edited").locator(".rj-edited")
    ).to_have_text("(edited)")

    delete = page.locator("article.rj-comment", has_text="same person").get_by_role(
        "button", name="Delete"
    )
    delete.click()
    page.get_by_role("button", name="Cancel").click()  # the JS confirmation has a Cancel
    expect(
        page.locator("article.rj-comment", has_text="same person").get_by_role(
            "button", name="Delete"
        )
    ).to_be_visible()

    plain = ctx.new_page()  # the no-JS page draws the same identicons
    plain.goto(f"{demo_server.url}/t/{site_id(demo_server, 'faces-e2e')}/faces-e2e")
    expect(plain.locator("svg.rj-avatar")).to_have_count(3)
    assert plain.locator("svg.rj-avatar path").first.get_attribute("d") == paths[0]
    assert hosts == {"127.0.0.1"}, hosts  # nothing asked of any other host


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dark_scheme_follows_the_reader_and_can_be_forced(
    browser: Browser, demo_server: LiveServer, axe_source: str, scheme: str
) -> None:
    c = visitor(browser, bypass_csp=True, color_scheme=scheme)
    try:
        page = open_article(c, demo_server, "scheme-e2e")
        post(page, f"in the {scheme} scheme")
        background = "getComputedStyle(document.querySelector('section.rj')).backgroundColor"
        assert page.evaluate(background) == (
            "rgb(22, 24, 28)" if scheme == "dark" else "rgb(255, 255, 255)"
        )
        assert serious_violations(page, axe_source) == []
        forced = "light" if scheme == "dark" else "dark"
        page2 = open_article(
            c, demo_server, "scheme-e2e", attrs=f" data-rejoinder-theme='{forced}'"
        )
        assert page2.evaluate(background) == (
            "rgb(22, 24, 28)" if forced == "dark" else "rgb(255, 255, 255)"
        )
        plain = c.new_page()
        plain.goto(f"{demo_server.url}/t/{site_id(demo_server, 'scheme-e2e')}/scheme-e2e")
        body = plain.evaluate("getComputedStyle(document.body).backgroundColor")
        assert body == ("rgb(22, 24, 28)" if scheme == "dark" else "rgb(255, 255, 255)")
        assert serious_violations(plain, axe_source) == []
    finally:
        c.close()


def test_thread_feed_is_atom_with_published_comments_only(
    ctx: BrowserContext, demo_server: LiveServer
) -> None:
    page = open_article(ctx, demo_server, "feed-e2e")
    post(page, "a published comment")
    post(page, "a held comment", name=HELD_NAME)
    post(page, "another published one")
    plain = ctx.new_page()
    plain.goto(f"{demo_server.url}/t/{site_id(demo_server, 'feed-e2e')}/feed-e2e")
    href = plain.locator("link[rel=alternate][type='application/atom+xml']").first.get_attribute(
        "href"
    )
    assert href
    res = plain.request.get(f"{demo_server.url}{href}")
    assert res.status == 200 and res.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(res.body())
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author", "link"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated", "author", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    assert [e.findtext(f"{ATOM}content") for e in entries] == [
        "<p>another published one</p>", "<p>a published comment</p>"]  # fmt: skip


def test_count_elements_show_the_numbers(ctx: BrowserContext, demo_server: LiveServer) -> None:
    page = open_article(ctx, demo_server, "counted-e2e")
    post(page, "A thoughtful first comment on this article.")
    post(page, "I agree, and here is a second thought about it.", name="Bob")
    post(page, "held", name=HELD_NAME)
    published = httpx.get(
        f"{demo_server.url}/api/v1/comments",
        params={"site": demo_server.url, "thread": "counted-e2e"},
    ).json()["total"]
    assert published >= 1
    listing = (
        "<ul><li>Counted: <span data-rejoinder-count='counted-e2e'>?</span></li>"
        "<li>Nobody: <span data-rejoinder-count='nobody-e2e'>?</span></li></ul>"
    )
    counts: list[str] = []
    ctx.on("request", lambda r: counts.append(r.url) if "/api/v1/counts" in r.url else None)
    page2 = open_article(ctx, demo_server, "list-e2e", extra=listing)
    expect(page2.locator("[data-rejoinder-count='counted-e2e']")).to_have_text(str(published))
    expect(page2.locator("[data-rejoinder-count='nobody-e2e']")).to_have_text("0")
    assert len(counts) == 1  # one batched request for the whole list


def test_demo_without_javascript_and_on_a_phone(browser: Browser, demo_server: LiveServer) -> None:
    plain = visitor(browser, java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(f"{demo_server.url}/demo/")
        expect(page.get_by_role("heading", name=re.compile(r"^Comments \(\d+\)$"))).to_be_visible()
        expect(page.locator("article.rj-comment").first).to_be_visible()
        expect(page.locator("form#rj-form")).to_be_visible()
    finally:
        plain.close()
    phone = visitor(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = open_article(phone, demo_server, "phone-e2e")
        code = "```\n" + "a_very_long_line_of_code() " * 12 + "\n```\nand " + "x" * 200
        post(page, code, shown="a_very_long_line_of_code()")
        page.goto(f"{demo_server.url}/demo/")
        expect(page.locator("[data-rejoinder-thread] form.rj-form")).to_be_visible()
        for p in (page, open_article(phone, demo_server, "phone-e2e")):
            assert p.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()

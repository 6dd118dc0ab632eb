"""The widget and the no-JS pages in a real Chromium against a real `rejoinder serve --demo`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import assert_hidden_from_readers, serious_violations, visitor
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser
HELD_NAME = "akismet-guaranteed-spam"


def open_demo(context: BrowserContext, server: LiveServer) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/demo/")
    expect(page.locator("form.rj-form")).to_be_visible()
    return page


def widget_post(page: Page, text: str, name: str = "Ada") -> None:
    form = page.locator("form.rj-form")
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_role("button", name="Post Comment").click()


def comment(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator("article.rj-comment", has_text=text)


def test_widget_post_reply_edit_delete(context: BrowserContext, demo_server: LiveServer) -> None:
    page = open_demo(context, demo_server)
    heading = page.get_by_role("heading", name=re.compile(r"^Comments \(\d+\)$"))
    before = int(re.findall(r"\d+", heading.inner_text())[0])
    widget_post(page, "A first comment from the widget")
    first = comment(page, "A first comment from the widget")
    expect(first).to_be_visible()
    expect(first).to_be_focused()  # focus moves to the new comment
    expect(page.locator(".rj-status")).to_have_text("Your comment was published.")
    expect(heading).to_have_text(f"Comments ({before + 1})")

    first.get_by_role("button", name="Reply").click()
    expect(page.get_by_role("heading", name="Reply to Ada")).to_be_visible()
    expect(page.locator("form.rj-form").get_by_label("Comment", exact=True)).to_be_focused()
    widget_post(page, "A reply, nested", name="Bob")
    reply = page.locator(".rj-replies article.rj-comment", has_text="A reply, nested")
    expect(reply).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()

    reply.get_by_role("button", name="Edit").click()
    editor = page.get_by_label("Edit your comment")
    expect(editor).to_have_value("A reply, nested")
    editor.fill("A reply, *edited*")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".rj-replies .rj-body em", has_text="edited")).to_be_visible()
    expect(page.locator(".rj-status")).to_have_text("Your comment was updated.")

    first.get_by_role("button", name="Delete").click()
    first.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".rj-status")).to_have_text("Your comment was deleted.")
    expect(page.locator(".rj-deleted")).to_have_text("This comment was deleted.")  # has a reply

    page.reload()
    expect(page.locator(".rj-replies .rj-body em", has_text="edited")).to_be_visible()
    expect(page.get_by_text("A first comment from the widget")).to_have_count(0)


def test_widget_held_comment_awaits_moderation(
    context: BrowserContext, browser: Browser, demo_server: LiveServer
) -> None:
    page = open_demo(context, demo_server)
    widget_post(page, "Please hold me", name=HELD_NAME)
    held = comment(page, "Please hold me")
    expect(held.get_by_text("Your comment is awaiting moderation.")).to_be_visible()
    expect(page.locator(".rj-status")).to_have_text("Your comment is awaiting moderation.")
    page.reload()  # the owner token in this browser still shows it, to its author only
    expect(comment(page, "Please hold me").get_by_text("awaiting moderation")).to_be_visible()
    assert_hidden_from_readers(browser, demo_server, "Please hold me")


def test_save_my_details_is_opt_in_and_local(
    context: BrowserContext, demo_server: LiveServer
) -> None:
    page = open_demo(context, demo_server)
    save = page.get_by_label(re.compile("Save my name"))
    expect(save).not_to_be_checked()
    widget_post(page, "Not saving details", name="Cleo")
    expect(comment(page, "Not saving details")).to_be_visible()
    assert page.evaluate("localStorage.getItem('rejoinder.details')") is None
    save.check()
    widget_post(page, "Saving details now", name="Cleo")
    expect(comment(page, "Saving details now")).to_be_visible()
    page.reload()
    expect(page.locator("form.rj-form").get_by_label("Name", exact=True)).to_have_value("Cleo")


def test_xss_through_the_widget_does_not_execute(
    context: BrowserContext, demo_server: LiveServer
) -> None:
    page = open_demo(context, demo_server)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payloads = [
        "<img src=x onerror=\"window.__xss=1;alert('img')\">",
        "<script>window.__xss=1;alert('script')</script>",
        "[click me](javascript:window.__xss=1;alert('link'))",
        "<svg onload=alert('svg')></svg>",
    ]
    form = page.locator("form.rj-form")
    for i, payload in enumerate(payloads):
        form.get_by_label("Comment", exact=True).fill(f"xss {i} {payload}")
        form.get_by_label("Name", exact=True).fill("<img src=y onerror=alert('name')>")
        form.get_by_label("Website (optional)", exact=True).fill(
            "http://x.example/?'onmouseover='alert(1)'x='"
        )
        form.get_by_role("button", name="Post Comment").click()
        expect(comment(page, f"xss {i}")).to_be_visible()
    page.reload()
    expect(comment(page, "xss 3")).to_be_visible()
    page.locator(".rj-author a").first.hover()
    expect(page.get_by_role("link", name="click me")).to_have_count(0)  # left as plain text
    page.wait_for_timeout(300)
    injected = page.evaluate(
        "document.querySelectorAll('.rj script, .rj img, .rj svg:not(.rj-meta > svg.rj-avatar),"
        " .rj svg.rj-avatar *:not(rect, path), .rj iframe,"
        " .rj [onerror], .rj [onload], .rj [onmouseover]').length"
    )
    assert injected == 0 and dialogs == [] and page.evaluate("window.__xss") is None
    assert page.locator(".rj-body svg, .rj-author svg").count() == 0  # only identicons we draw
    names = page.locator(".rj-author", has_text="onerror")
    expect(names.first).to_contain_text("<img src=y onerror=alert('name')>")  # shown as text


def test_cross_origin_embed_uses_cors(context: BrowserContext, demo_server: LiveServer) -> None:
    """The demo opened as localhost loads the embed from 127.0.0.1: a real cross-origin embed."""
    page = context.new_page()
    page.goto(f"http://localhost:{demo_server.port}/demo/?lang=fr")
    expect(page.get_by_role("heading", name="Laisser un commentaire")).to_be_visible()
    form = page.locator("form.rj-form")
    form.get_by_label("Commentaire", exact=True).fill("Bonjour depuis un autre domaine")
    form.get_by_label("Nom", exact=True).fill("Élodie 🦊")
    form.get_by_role("button", name="Publier le commentaire").click()
    posted = comment(page, "Bonjour depuis un autre domaine")
    expect(posted).to_contain_text("Élodie 🦊")
    page.reload()  # listing with X-Rejoinder-Own: a preflighted cross-origin request
    expect(posted.get_by_role("button", name="Modifier")).to_be_visible()


def test_without_javascript_post_reply_held_edit_delete(
    browser: Browser, demo_server: LiveServer
) -> None:
    ctx = visitor(browser, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{demo_server.url}/demo/")
        page.get_by_role("link", name="the plain page").click()
        form = page.locator("form#rj-form")
        form.get_by_label("Comment", exact=True).fill("Plain HTML works")
        form.get_by_label("Name", exact=True).fill("Nojs")
        form.get_by_role("button", name="Post Comment").click()
        expect(page.get_by_role("status")).to_have_text("Your comment was published.")
        posted = comment(page, "Plain HTML works")
        expect(posted).to_be_visible()

        posted.get_by_role("link", name="Reply").click()
        expect(page.get_by_role("heading", name="Reply to Nojs")).to_be_visible()
        form.get_by_label("Comment", exact=True).fill("Plain reply")
        form.get_by_role("button", name="Post Comment").click()
        expect(page.locator(".rj-replies article", has_text="Plain reply")).to_be_visible()

        form.get_by_label("Comment", exact=True).fill("Plain held one")
        form.get_by_label("Name", exact=True).fill(HELD_NAME)
        form.get_by_role("button", name="Post Comment").click()
        expect(page.get_by_role("status")).to_have_text("Your comment is awaiting moderation.")
        expect(comment(page, "Plain held one").get_by_text("awaiting moderation")).to_be_visible()
        assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"

        comment(page, "Plain reply").get_by_role("link", name="Edit").click()
        page.get_by_label("Comment", exact=True).fill("Plain reply, edited")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text("Your comment was updated.")
        expect(comment(page, "Plain reply, edited")).to_be_visible()

        comment(page, "Plain reply, edited").get_by_role("link", name="Delete").click()
        expect(page.get_by_role("heading", name="Delete this comment?")).to_be_visible()
        page.get_by_role("link", name="Cancel").click()  # asks first; Cancel keeps it
        expect(comment(page, "Plain reply, edited")).to_be_visible()
        comment(page, "Plain reply, edited").get_by_role("link", name="Delete").click()
        page.get_by_role("button", name="Yes, delete it").click()
        expect(page.get_by_role("status")).to_have_text("Your comment was deleted.")
        expect(page.get_by_text("Plain reply, edited")).to_have_count(0)
    finally:
        ctx.close()


def test_accessibility_widget_and_plain_page(
    context: BrowserContext, demo_server: LiveServer, axe_source: str
) -> None:
    page = open_demo(context, demo_server)
    widget_post(page, "Checking accessibility")
    expect(comment(page, "Checking accessibility")).to_be_visible()
    comment(page, "Checking accessibility").get_by_role("button", name="Reply").click()
    assert serious_violations(page, axe_source) == []
    plain = context.new_page()
    plain.goto(f"{demo_server.url}/demo/")
    plain.get_by_role("link", name="the plain page").click()
    expect(plain.locator("form#rj-form")).to_be_visible()
    assert serious_violations(plain, axe_source) == []


def test_embed_config_from_data_attributes_is_validated(
    context: BrowserContext, demo_server: LiveServer
) -> None:  # D6
    """Hostile data-attributes are ignored: the widget falls back to safe defaults."""
    url = f"{demo_server.url}/articles/hostile-attributes"
    html = (
        "<!doctype html><html lang='en'><head><title>Hostile</title>"
        "<script src='/embed.js' defer></script></head><body><main>"
        "<div data-rejoinder-thread='../../etc/passwd' data-rejoinder-site='javascript:alert(1)'"
        " data-rejoinder-lang='&lt;img src=x onerror=alert(1)&gt;'"
        " data-rejoinder-title='&lt;script&gt;alert(1)&lt;/script&gt;'></div>"
        "</main></body></html>"
    )
    page = context.new_page()
    dialogs: list[str] = []
    warnings: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.route(url, lambda route: route.fulfill(status=200, body=html, content_type="text/html"))
    page.goto(url)
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()  # English fallback
    widget_post(page, "Posted despite hostile attributes")
    expect(comment(page, "Posted despite hostile attributes")).to_be_visible()
    assert (
        dialogs == []
        and page.evaluate("document.querySelectorAll('main img, main script').length") == 0
    )
    assert any("invalid thread id" in w for w in warnings) and any(
        "invalid site" in w for w in warnings
    )

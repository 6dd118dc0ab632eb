"""Moderation in a real Chromium against a real `rejoinder serve --demo`: the queue with its
reasons, approve, spam and the learning it causes, bulk actions, keyboard, bans, accessibility,
notifications through the development outbox and a local webhook receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import (
    assert_hidden_from_readers,
    fresh_address,
    serious_violations,
    visitor,
)
from tests.support.server import LiveServer, run_cli, start_server
from tests.support.webhook_receiver import Receiver, webhook_receiver

pytestmark = pytest.mark.browser
PASSWORD = "a long demo password"
MODERATOR = "mod@example.com"


def links(tag: str) -> str:
    """Four links, to hosts of the test's own: a moderator's decision in one test teaches the
    engine about the links it saw, and must not decide another test's comment."""
    return " ".join(f"http://{tag}{i}.example/offer" for i in range(4))


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as found:
        yield found


@pytest.fixture(scope="module")
def mod_server(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[LiveServer]:
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_NOTIFY_POLL_SECONDS": "0.3",
           "REJOINDER_WEBHOOK_ALLOW_PRIVATE": "true", "REJOINDER_WEBHOOK_BACKOFF_S": "0.5",
           "REJOINDER_TRUSTED_PROXIES": "127.0.0.1"}  # visitors' own networks (see visitor)  # fmt: skip
    server = start_server(tmp_path_factory.mktemp("moderation"), env=env, args=("--demo",))
    site = f"http://127.0.0.1:{server.port}"
    run_cli(server.data_dir, "sites", "set-thresholds", site, "--hold", "0.5", "--spam", "0.97",
            "--discard", "0.999", env=env)  # fmt: skip
    # Whatever the shipped model thinks of the test texts, what it flags waits in the queue.
    run_cli(server.data_dir, "sites", "policy", site, "--on-spam", "hold", "--on-discard", "hold",
            env=env)  # fmt: skip
    added = run_cli(server.data_dir, "moderators", "add", MODERATOR, "--role", "admin",
                    "--password-stdin", env=env, input_text=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    run_cli(server.data_dir, "moderators", "notify", MODERATOR, "each", env=env)
    run_cli(server.data_dir, "webhooks", "add", receiver.url, "--site", site, env=env)
    yield server
    server.stop()


def sign_in(context: BrowserContext, server: LiveServer) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/admin/")
    page.get_by_label("Email").fill(MODERATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Pending")).to_be_visible()
    return page


def widget_post(context: BrowserContext, server: LiveServer, text: str, name: str = "Ada",
                email: str = "") -> Page:  # fmt: skip
    page = context.new_page()
    page.goto(f"{server.url}/demo/")
    form = page.locator("form.rj-form")
    expect(form).to_be_visible()
    page.wait_for_timeout(1200)  # a person takes a moment to type (form timing evidence)
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_label("Name", exact=True).fill(name)
    if email:
        form.get_by_label("Email (optional, never shown)", exact=True).fill(email)
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator("article.rj-comment", has_text=text[:30])).to_be_visible()
    return page


def item(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator("article.rm-item", has_text=text)


def test_held_comment_shows_its_reasons_and_approving_publishes_it(
    context: BrowserContext, mod_server: LiveServer
) -> None:
    posted = widget_post(context, mod_server, f"Held by the engine for its links {links('held')}")
    expect(posted.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
    admin = sign_in(context, mod_server)
    held = item(admin, "Held by the engine")
    expect(held).to_be_visible()
    expect(held.get_by_text("LINKS_MANY")).to_be_visible()
    expect(held.get_by_text("links in the comment")).to_be_visible()
    expect(held.get_by_text("Spam probability")).to_be_visible()
    held.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status")).to_contain_text("approve: 1 changed")
    expect(item(admin, "Held by the engine")).to_have_count(0)
    reader = visitor(context.browser)  # type: ignore[arg-type]
    try:
        page = reader.new_page()
        page.goto(f"{mod_server.url}/demo/")
        expect(page.locator("article.rj-comment", has_text="Held by the engine")).to_be_visible()
    finally:
        reader.close()


def test_spam_removes_a_comment_and_a_near_duplicate_is_caught(
    context: BrowserContext, mod_server: LiveServer
) -> None:
    text = ("I earn 500 dollars a day working from home with one simple trick, "
            "ask me how on my profile page, it changed my whole life")  # fmt: skip
    widget_post(context, mod_server, text, name="Jenny")
    admin = sign_in(context, mod_server)
    # the shipped model may already hold it
    first = find_in_queues(admin, mod_server, ("published", "pending"), "500 dollars")
    assert first is not None
    first.get_by_role("button", name="Spam").click()
    expect(admin.get_by_role("status")).to_contain_text("spam: 1 changed")
    assert_hidden_from_readers(context.browser, mod_server, "500 dollars")  # type: ignore[arg-type]
    again = widget_post(context, mod_server, text.replace("500", "700"), name="Jen")
    expect(again.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
    caught = find_in_queues(admin, mod_server, ("pending", "spam"), "700 dollars")
    assert caught is not None
    expect(caught.get_by_text("NEAR_DUPLICATE", exact=False).first).to_be_visible()


def find_in_queues(
    admin: Page, server: LiveServer, queues: tuple[str, ...], text: str
) -> Locator | None:
    """The queue item showing ``text`` in the first of ``queues`` that has one."""
    for queue in queues:
        admin.goto(f"{server.url}/admin/queue/{queue}?q={text.replace(' ', '+')}")
        if item(admin, text).count():
            return item(admin, text)
    return None


def api_post(server: LiveServer, text: str, **extra: object) -> dict:  # type: ignore[type-arg]
    site = f"http://127.0.0.1:{server.port}"
    headers = {"Origin": site, "X-Forwarded-For": fresh_address()}
    response = httpx.post(f"{server.url}/api/v1/comments", headers=headers,
                          json={"site": site, "thread": "welcome", "text": text, **extra})  # fmt: skip
    assert response.status_code in (201, 202), response.text
    return response.json()  # type: ignore[no-any-return]


def test_bulk_actions_and_keyboard_shortcuts(
    context: BrowserContext, mod_server: LiveServer
) -> None:
    for i in range(3):
        api_post(mod_server, f"Bulk candidate {i} {links('bulk')}")
    api_post(mod_server, f"Keyboard candidate {links('bulk')}")
    admin = sign_in(context, mod_server)
    admin.goto(f"{mod_server.url}/admin/queue/pending?q=bulk+candidate")
    expect(admin.locator("article.rm-item")).to_have_count(3)
    admin.get_by_label("Select all on this page").check()
    admin.get_by_label("Action").select_option("spam")
    admin.get_by_role("button", name="Apply to selected").click()
    expect(admin.get_by_role("status")).to_contain_text("spam: 3 changed")
    admin.goto(f"{mod_server.url}/admin/queue/spam?q=bulk+candidate")
    expect(admin.locator("article.rm-item")).to_have_count(3)

    admin.goto(f"{mod_server.url}/admin/queue/pending?q=keyboard+candidate")
    expect(item(admin, "Keyboard candidate")).to_be_visible()
    admin.locator("body").press("j")
    expect(item(admin, "Keyboard candidate")).to_be_focused()
    admin.keyboard.press("a")
    expect(admin.get_by_role("status")).to_contain_text("approve: 1 changed")
    expect(item(admin, "Keyboard candidate")).to_have_count(0)


def test_a_ban_takes_effect_on_the_next_comment(
    context: BrowserContext, mod_server: LiveServer
) -> None:
    posted = api_post(mod_server, "An ordinary remark from a future troll",
                      email="troll@example.net", author="Troll")  # fmt: skip
    comment_id = posted["comment"]["id"]
    admin = sign_in(context, mod_server)
    admin.goto(f"{mod_server.url}/admin/c/{comment_id}")
    admin.get_by_label("this email address").check()
    admin.get_by_role("button", name="Ban", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("banned")
    admin.goto(f"{mod_server.url}/admin/bans")
    expect(admin.get_by_role("cell", name="troll@example.net", exact=True)).to_be_visible()
    page = widget_post(context, mod_server, "Another ordinary remark", name="Troll",
                       email="troll@example.net")  # fmt: skip
    expect(page.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()


def test_admin_pages_have_no_serious_accessibility_violations(
    context: BrowserContext, mod_server: LiveServer, axe_source: str
) -> None:
    posted = api_post(mod_server, f"For the accessibility check {links('access')}")
    login = context.new_page()
    login.goto(f"{mod_server.url}/admin/login")
    assert serious_violations(login, axe_source, min_passes=5) == []
    admin = sign_in(context, mod_server)
    pages = ["/admin/queue/pending", "/admin/queue/spam", f"/admin/c/{posted['comment']['id']}",
             "/admin/bans", "/admin/log", "/admin/sites/1/policy?hold=0.3"]  # fmt: skip
    for path in pages:
        admin.goto(mod_server.url + path)
        assert serious_violations(admin, axe_source, min_passes=5) == [], path
    admin.set_viewport_size({"width": 375, "height": 740})  # a phone
    admin.goto(f"{mod_server.url}/admin/queue/pending")
    width = admin.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # no sideways scrolling


def test_notifications_reach_the_outbox_and_the_webhook(
    mod_server: LiveServer, receiver: Receiver
) -> None:
    posted = api_post(mod_server, f"Notify the moderators {links('notify')}")
    comment_id = posted["comment"]["id"]
    outbox = Path(mod_server.data_dir) / "outbox"
    deadline = time.monotonic() + 20
    mail = ""
    hook = None
    while time.monotonic() < deadline and not (mail and hook):
        for path in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
            text = path.read_text()
            if f"/admin/c/{comment_id}" in text:
                mail = text
        for request in receiver.requests:
            if json.loads(request.body)["comments"][0]["id"] == comment_id:
                hook = request
        time.sleep(0.2)
    assert mail and f"To: {MODERATOR}" in mail and "notify0.example" not in mail
    assert hook is not None and hook.headers["x-rejoinder-signature"].startswith("sha256=")
    log = run_cli(mod_server.data_dir, "webhooks", "log").stdout
    assert "\twebhook 1\tsent\t" in log


def test_a_returning_commenter_is_known_by_their_browser_not_their_email(
    context: BrowserContext, mod_server: LiveServer
) -> None:  # D18
    site = f"http://127.0.0.1:{mod_server.port}"
    run_cli(mod_server.data_dir, "sites", "policy", site, "--hold-first-time")
    try:
        first = widget_post(
            context, mod_server, "Hello, my first visit here.", email="ada@example.com"
        )
        expect(first.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
        stored = first.evaluate("() => JSON.parse(localStorage.getItem('rejoinder.commenter'))")
        token = stored[site]
        token_out = run_cli(mod_server.data_dir, "moderators", "token", MODERATOR).stdout
        api_token = token_out.strip().splitlines()[-1]
        approved = httpx.post(f"{mod_server.url}/api/v1/moderation/decisions",
                              json={"decision": "approve", "ids": [int(token.split(".")[0])]},
                              headers={"Authorization": f"Bearer {api_token}"})  # fmt: skip
        assert approved.json()["changed"] == [int(token.split(".")[0])]
        again = widget_post(
            context, mod_server, "Back again, same browser.", email="ada@example.com"
        )
        expect(again.locator(".rj-status")).to_have_text("Your comment was published.")
        stranger = visitor(context.browser)  # type: ignore[arg-type]
        try:
            other = widget_post(stranger, mod_server, "Ada here, honest.", email="ada@example.com")
            expect(other.locator(".rj-status")).to_have_text("Your comment is awaiting moderation.")
        finally:
            stranger.close()
    finally:
        run_cli(mod_server.data_dir, "sites", "policy", site, "--no-hold-first-time")

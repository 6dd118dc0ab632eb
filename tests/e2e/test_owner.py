"""The site owner's half in a real Chromium against a real `rejoinder serve --demo` that mails
through a real local SMTP server: the Spam count in the admin navigation, a daily-digest link
that approves a held comment once and then expires, the Stats page's SVG against the numbers,
the access log without addresses, axe-core on the new pages."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import BrowserContext, Page, expect

from rejoinder.core.anonymize import load_or_create_secret
from rejoinder.core.records.moderation import Decision
from rejoinder.notify.digest import DigestLinks
from tests.e2e.conftest import fresh_address, serious_violations
from tests.support.server import LiveServer, free_port, run_cli, start_server

pytestmark = pytest.mark.browser
PASSWORD = "a long owner password"
OWNER = "owner@example.com"
SPAMMER = "akismet-guaranteed-spam"


@dataclass
class Sink:
    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[Sink, int]]:
    found, port = Sink(), free_port()
    controller = Controller(found, hostname="127.0.0.1", port=port)
    controller.start()
    yield found, port
    controller.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, sink: tuple[Sink, int]
) -> Iterator[LiveServer]:
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_TRUSTED_PROXIES": "127.0.0.1",
           "REJOINDER_SMTP_HOST": "127.0.0.1", "REJOINDER_SMTP_PORT": str(sink[1]),
           "REJOINDER_SMTP_STARTTLS": "false", "REJOINDER_DAILY_DIGEST_HOUR": "-1"}  # fmt: skip
    started = start_server(tmp_path_factory.mktemp("owner"), env=env, args=("--demo",))
    site = f"http://127.0.0.1:{started.port}"
    run_cli(started.data_dir, "sites", "policy", site, "--hold-all", "--on-spam", "spam",
            "--on-discard", "spam", env=env)  # fmt: skip
    added = run_cli(started.data_dir, "moderators", "add", OWNER, "--role", "admin",
                    "--password-stdin", env=env, input_text=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    run_cli(started.data_dir, "moderators", "notify", OWNER, "digest", env=env)
    started.env = env  # type: ignore[attr-defined]
    yield started
    started.stop()


def post(server: LiveServer, text: str, author: str = "Ada") -> dict[str, Any]:
    site = f"http://127.0.0.1:{server.port}"
    headers = {"Origin": site, "X-Forwarded-For": fresh_address()}
    response = httpx.post(f"{server.url}/api/v1/comments", headers=headers, json={
        "site": site, "thread": "owner", "text": text, "author": author})  # fmt: skip
    assert response.status_code == 202, response.text  # held or filed: "awaits moderation"
    return response.json()  # type: ignore[no-any-return]


def sign_in(context: BrowserContext, server: LiveServer) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/admin/")
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Pending")).to_be_visible()
    return page


def test_the_spam_count_appears_in_the_admin_navigation(
    context: BrowserContext, server: LiveServer, axe_source: str
) -> None:
    post(server, "Buy cheap watches today, best prices online", author=SPAMMER)
    admin = sign_in(context, server)
    nav = admin.get_by_role("navigation")
    spam_link = nav.get_by_role("link", name=re.compile(r"^Spam"))
    expect(spam_link.locator(".rm-count")).to_have_text("1")
    assert serious_violations(admin, axe_source, min_passes=5) == []
    spam_link.click()
    row = admin.locator("article.rm-item", has_text="cheap watches")
    expect(row.get_by_role("button", name="Spam", exact=True)).to_have_count(0)
    row.get_by_role("button", name="Not spam").click()  # one click; teaches the engine
    expect(admin.get_by_role("status")).to_contain_text("not_spam: 1 changed")
    expect(nav.get_by_role("link", name=re.compile(r"^Spam")).locator(".rm-count")).to_have_count(0)


def digest_for(sink: Sink, server: LiveServer) -> str:
    sink.messages.clear()
    env = {**server.env, "REJOINDER_PUBLIC_URL": server.url}  # type: ignore[attr-defined]
    done = run_cli(server.data_dir, "moderators", "digest", OWNER, "--send", env=env)
    assert done.returncode == 0, done.stderr
    (raw,) = sink.messages  # through the real SMTP conversation
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == OWNER and "Daily digest" in str(mail["Subject"])
    return str(mail.get_content())  # type: ignore[attr-defined]


def test_a_digest_link_approves_a_held_comment_once_and_then_expires(
    context: BrowserContext, server: LiveServer, sink: tuple[Sink, int], axe_source: str
) -> None:
    posted = post(server, "A held comment about the tram timetable, for the digest")
    assert posted["comment"]["status"] == "pending"
    body = digest_for(sink[0], server)
    cid = posted["comment"]["id"]
    found = re.search(rf"Approve: (\S+/notify/act/{cid}-a-\S+)", body)
    assert found is not None, body
    link = found.group(1)
    page = context.new_page()  # no session: the link is the credential
    page.goto(link)
    expect(page.get_by_text("tram timetable")).to_be_visible()
    assert serious_violations(page, axe_source, min_passes=5) == []
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Done: the comment was approved.")
    shown = httpx.get(f"{server.url}/api/v1/comments", params={
        "site": f"http://127.0.0.1:{server.port}", "thread": "owner"}).json()  # fmt: skip
    assert cid in [c["id"] for c in shown["comments"]]  # readers see it now
    again = page.goto(link)
    assert again is not None and again.status == 410
    expect(page.get_by_role("status")).to_have_text("This link was already used.")
    secret = load_or_create_secret(server.data_dir / "secret.key")
    stale = DigestLinks(secret).make(cid, Decision.SPAM, 1, datetime.now(UTC) - timedelta(hours=1))
    late = page.goto(f"{server.url}/notify/act/{stale}")
    assert late is not None and late.status == 410
    expect(page.get_by_role("alert")).to_contain_text("This link has expired")


def test_the_stats_page_draws_the_day_as_svg_with_the_right_numbers(
    context: BrowserContext, server: LiveServer, axe_source: str
) -> None:
    admin = sign_in(context, server)
    admin.goto(f"{server.url}/admin/sites")
    row = admin.locator("tr", has_text=f"127.0.0.1:{server.port}")
    row.get_by_role("link", name=re.compile(r"^Stats")).click()
    token = run_cli(server.data_dir, "moderators", "token", OWNER,
                    env=server.env).stdout.strip().splitlines()[-1]  # type: ignore[attr-defined]  # fmt: skip
    site_id = re.search(r"/admin/sites/(\d+)/stats", admin.url).group(1)  # type: ignore[union-attr]
    api = httpx.get(f"{server.url}/api/v1/moderation/sites/{site_id}/stats?days=30",
                    headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    today = api["days"][-1]
    assert today["held"] >= 1 and today["spam"] >= 1 and today["false_positives"] >= 1
    chart = admin.locator("svg.rm-chart")
    expect(chart).to_be_visible()
    for kind in ("published", "held", "spam", "discarded"):
        bars = chart.locator(f'rect[data-day="{today["day"]}"][data-kind="{kind}"]')
        if today[kind]:
            expect(bars).to_have_attribute("data-count", str(today[kind]))
        else:
            expect(bars).to_have_count(0)
    cells = admin.locator(f'tr[data-day="{today["day"]}"] td')
    expect(cells.nth(1)).to_have_text(str(today["held"]))
    expect(admin.locator('dd[data-total="spam"]')).to_have_text(str(api["totals"]["spam"]))
    assert serious_violations(admin, axe_source, min_passes=5) == []
    for path in ("/admin/sites", "/admin/team", "/admin/queue/discarded"):
        admin.goto(server.url + path)
        assert serious_violations(admin, axe_source, min_passes=5) == [], path
    admin.set_viewport_size({"width": 375, "height": 740})
    admin.goto(f"{server.url}/admin/sites/{site_id}/stats")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 380  # no sideways scrolling


def test_access_log_lines_name_no_address(server: LiveServer) -> None:
    icon = httpx.get(f"{server.url}/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    secret_path = "/notify/act/1-a-1-deadbeef.1.c2VjcmV0LWxvb2tpbmc"
    assert httpx.get(server.url + secret_path).status_code in (403, 410)
    time.sleep(0.3)  # the log line is written after the answer
    lines = [x for x in server.log_path.read_text().splitlines() if "rejoinder.access" in x]
    assert any(re.search(r"GET /favicon.ico 200 [\d.]+ms client=[0-9a-f]{8}$", x) for x in lines)
    assert any("GET /notify/act/{token} " in x for x in lines)  # the template, not the token
    text = "\n".join(lines)
    assert "deadbeef" not in text and not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", text)

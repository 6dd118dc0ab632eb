"""Moderators, roles and webhooks from /admin/team: admins only, their own sites only, CSRF
like every admin form, nobody removes their own role, the webhook secret shown once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.webhook import WebhookSender
from tests.moderation.conftest import PASSWORD, SITE_A, SITE_B, Browser, World, make_world
from tests.support.world import Clock


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    made = make_world(tmp_path, clock, webhook_allow_private="true")
    yield made
    made.services.db.dispose()


@pytest.fixture
def browser(world: World) -> Iterator[Browser]:
    with TestClient(create_app(world.settings, world.services)) as client:
        yield Browser(client)


def test_an_admin_adds_a_moderator_who_can_then_sign_in(world: World, browser: Browser) -> None:
    browser.login("admin@a.example.com")
    page = browser.client.get("/admin/team").text
    assert 'href="/admin/team"' in page and 'data-moderator="boss@example.com"' in page
    assert 'data-moderator="mod@b.example.com"' not in page  # not on this admin's sites
    assert '<option value="all">' not in page  # "every site" is for admins of every site
    site_a, site_b = world.site_id(SITE_A), world.site_id(SITE_B)
    token = browser.csrf("/admin/team")
    added = browser.post("/admin/team/roles", {"_csrf": token, "email": "New@Example.com",
                                               "site": site_a, "role": "moderator",
                                               "password": PASSWORD})  # fmt: skip
    assert added.status_code == 303  # type: ignore[attr-defined]
    assert 'data-moderator="new@example.com"' in browser.client.get("/admin/team").text
    refused = browser.post("/admin/team/roles", {"_csrf": token, "email": "x@example.com",
                                                 "site": site_b, "role": "admin",
                                                 "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 403  # type: ignore[attr-defined]
    no_password = browser.post("/admin/team/roles", {"_csrf": token, "email": "y@example.com",
                                                     "site": site_a, "role": "moderator"})  # fmt: skip
    assert no_password.status_code == 422  # type: ignore[attr-defined]
    own = browser.post("/admin/team/roles/delete", {"_csrf": token, "site": site_a,
                                                    "moderator": world.admin.id})  # fmt: skip
    assert own.status_code == 422  # type: ignore[attr-defined]
    forged = browser.post("/admin/team/roles", {"email": "z@example.com", "site": site_a,
                                                "role": "admin", "password": PASSWORD})  # fmt: skip
    assert forged.status_code == 403  # type: ignore[attr-defined]
    other = Browser(browser.client.__class__(browser.client.app))
    assert other.login("new@example.com").status_code == 303  # type: ignore[attr-defined]
    new_id = next(m.id for m in world.services.auth.all() if m.email == "new@example.com")
    gone = browser.post("/admin/team/roles/delete", {"_csrf": token, "site": site_a,
                                                     "moderator": new_id})  # fmt: skip
    assert "moderator+removed" in gone.headers["location"]  # type: ignore[attr-defined]
    assert other.client.get("/admin/queue/pending", follow_redirects=False).status_code == 303


def test_moderators_do_not_manage_the_team(world: World, browser: Browser) -> None:
    browser.login("mod@b.example.com")
    assert 'href="/admin/team"' not in browser.client.get("/admin/queue/pending").text
    assert browser.client.get("/admin/team").status_code == 403


def test_webhooks_are_added_with_a_secret_shown_once_and_removed(
    world: World, browser: Browser
) -> None:
    browser.login("admin@a.example.com")
    token = browser.csrf("/admin/team")
    added = browser.post("/admin/team/webhooks", {"_csrf": token, "site": world.site_id(SITE_A),
                                                  "url": "http://127.0.0.1:9/hook"})  # fmt: skip
    assert added.status_code == 201  # type: ignore[attr-defined]
    secret = re.search(r'<code class="rm-secret">([0-9a-f]{64})</code>', added.text)  # type: ignore[attr-defined]
    assert secret is not None
    page = browser.client.get("/admin/team").text
    assert secret.group(1) not in page and "http://127.0.0.1:9/hook" in page
    (hook_id,) = re.findall(r'data-webhook="(\d+)"', page)
    hooks = WebhookAdmin(world.services.db, WebhookSender(True, 1.0))
    b_hook, _secret = hooks.add(SITE_B, "http://127.0.0.1:9/b")
    assert browser.post(f"/admin/team/webhooks/{b_hook}/delete",
                        {"_csrf": token}).status_code == 403  # type: ignore[attr-defined]  # fmt: skip
    removed = browser.post(f"/admin/team/webhooks/{hook_id}/delete", {"_csrf": token})
    assert removed.status_code == 303  # type: ignore[attr-defined]
    assert "http://127.0.0.1:9/hook" not in browser.client.get("/admin/team").text

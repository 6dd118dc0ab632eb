"""Fixtures for moderation: real services on a real SQLite file, two sites, three moderators,
an in-process client signed in through the real login form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.comments.records import Posted
from rejoinder.core.records.comments import Disposition
from rejoinder.core.records.moderation import Actor, Moderator, Role
from rejoinder.services import Services
from rejoinder.settings import Settings
from tests.support.world import Clock, make_services, post_comment, reader

SITE_A = "https://a.example.com"
SITE_B = "https://b.example.com"
PASSWORD = "correct horse battery"
ORIGIN = "http://testserver"


@dataclass
class World:
    services: Services
    settings: Settings
    clock: Clock
    admin: Moderator  # admin of site A only
    mod_b: Moderator  # moderator of site B only
    boss: Moderator  # admin of every site

    def post(
        self, text: str = "Nice article, thanks.", *, site: str = SITE_A, thread: str = "post-1",
        ip: str = "203.0.113.7", **kw: object,
    ) -> Posted:  # fmt: skip
        client = reader(ip, "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
        return post_comment(self.services, site, thread, text, client, **kw)

    def held(self, text: str = "Held for a look", **kw: object) -> int:
        """A comment the site's policy holds (hold everything on site A for the moment)."""
        site = kw.get("site", SITE_A)
        comments = self.services.comments
        row = comments.site(str(site))
        policy = comments.policy(row.id)
        held = Disposition.HOLD
        comments.set_policy(
            str(site), replace(policy, hold_all=True, on_spam=held, on_discard=held)
        )
        try:
            posted = self.post(text, **kw)  # type: ignore[arg-type]
        finally:
            comments.set_policy(str(site), policy)
        assert posted.comment is not None
        return int(posted.comment["id"])

    def actor(self, moderator: Moderator) -> Actor:
        return Actor(moderator)

    def site_id(self, url: str) -> int:
        return self.services.comments.site(url).id


def make_world(tmp_path: Path, clock: Clock, **env: str) -> World:
    services = make_services(tmp_path, (SITE_A, SITE_B), clock, comment_rate_limit="0", **env)
    auth = services.auth
    admin, _ = auth.add("admin@a.example.com", PASSWORD, SITE_A, Role.ADMIN)
    mod_b, _ = auth.add("mod@b.example.com", PASSWORD, SITE_B, Role.MODERATOR)
    boss, _ = auth.add("boss@example.com", PASSWORD, None, Role.ADMIN)
    return World(services, services.settings, clock, admin, mod_b, boss)


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    made = make_world(tmp_path, clock)
    yield made
    made.services.db.dispose()


_CSRF_RE = re.compile(r'name="_csrf" value="([0-9a-f]+)"')
_FORM_RE = re.compile(r'name="_form" value="([^"]+)"')


class Browser:
    """A TestClient that behaves like a browser on the admin pages (same-origin Origin)."""

    def __init__(self, client: TestClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, next_path: str = "") -> object:
        page = self.client.get("/admin/login" + (f"?next={next_path}" if next_path else ""))
        token = _FORM_RE.search(page.text)
        assert token is not None
        return self.client.post(
            "/admin/login",
            data={"_form": token.group(1), "email": email, "password": password,
                  "next": next_path},
            headers={"Origin": ORIGIN}, follow_redirects=False,
        )  # fmt: skip

    def csrf(self, path: str = "/admin/queue/pending") -> str:
        found = _CSRF_RE.search(self.client.get(path).text)
        assert found is not None, "no CSRF token on the page"
        return found.group(1)

    def post(self, path: str, data: dict[str, object], **kw: object) -> object:
        headers = {"Origin": ORIGIN, **kw.pop("headers", {})}  # type: ignore[dict-item]
        return self.client.post(path, data=data, headers=headers, follow_redirects=False, **kw)  # type: ignore[arg-type]


@pytest.fixture
def app_client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, world.services)) as client:
        yield client


@pytest.fixture
def browser(app_client: TestClient) -> Browser:
    return Browser(app_client)

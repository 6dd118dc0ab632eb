"""D18 over HTTP: under "hold first-time commenters", a returning commenter is recognised by the
signed commenter token their browser got with their first comment (the JSON API returns it; the
form without JavaScript keeps it in a cookie) once a moderator approved that comment — never by
an e-mail address anyone can type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.core.records.moderation import Actor, Decision
from tests.moderation.conftest import SITE_A, World, make_world
from tests.support.world import Clock

JSON = {"Content-Type": "application/json", "Origin": SITE_A}
ALICE = "alice@example.com"
_FORM = re.compile(r'name="_form" value="([^"]+)"')


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = make_world(tmp_path, Clock())
    site = made.site_id(SITE_A)
    made.services.policies.save(Actor(made.boss), site, {"mode": "hold_first_time"})
    yield made
    made.services.db.dispose()


def browser(world: World, ip: str) -> TestClient:
    return TestClient(create_app(world.settings, world.services), client=(ip, 50000))


def approve(world: World, comment_id: int) -> None:
    world.services.moderation.decide(Actor(world.boss), [comment_id], Decision.APPROVE)


def post_json(client: TestClient, text: str, token: str = "", **extra: str) -> dict[str, object]:
    body = {"site": SITE_A, "thread": "t", "text": text, "email": ALICE, **extra}
    if token:
        body["commenter_token"] = token
    response = client.post("/api/v1/comments", json=body, headers=JSON)
    assert response.status_code in (201, 202), response.text
    return dict(response.json())


def test_widget_api(world: World) -> None:
    with browser(world, "203.0.113.7") as alice, browser(world, "198.51.100.9") as mallory:
        first = post_json(alice, "Hello, a first comment here.")
        assert first["status"] == "pending" and isinstance(first["commenter_token"], str)
        assert isinstance(first["comment"], dict)
        approve(world, int(first["comment"]["id"]))
        forged = post_json(mallory, "It is me, Alice, honestly.")  # her e-mail, not her browser
        assert forged["status"] == "pending"
        again = post_json(alice, "Back again with more.", str(first["commenter_token"]))
        assert again["status"] == "published"
        assert again["commenter_token"] == first["commenter_token"]
        stolen_shape = post_json(mallory, "Guessing.", "1.99999999999.AAAA")
        assert stolen_shape["status"] == "pending"


def form_post(client: TestClient, site_id: int, text: str) -> str:
    page = client.get(f"/t/{site_id}/t")
    token = _FORM.search(page.text)
    assert token is not None
    data = {"_form": token.group(1), "text": text, "email": ALICE}
    response = client.post(f"/t/{site_id}/t", data=data, follow_redirects=False,
                           headers={"Origin": "http://testserver"})  # fmt: skip
    assert response.status_code == 303
    return str(response.headers["location"])


def test_form_without_javascript(world: World) -> None:
    site_id = world.site_id(SITE_A)
    with browser(world, "203.0.113.7") as alice, browser(world, "198.51.100.9") as mallory:
        assert "status=pending" in form_post(alice, site_id, "Hello, a first comment here.")
        cookie = alice.cookies.get("rejoinder_commenter")
        assert cookie is not None
        first_id = int(cookie.split(".")[0])
        approve(world, first_id)
        assert "status=pending" in form_post(mallory, site_id, "It is me, Alice, honestly.")
        assert "status=published" in form_post(alice, site_id, "Back again with more.")
        assert alice.cookies.get("rejoinder_commenter") == cookie


def test_commenter_cookie_attributes(world: World) -> None:
    site_id = world.site_id(SITE_A)
    with browser(world, "203.0.113.7") as alice:
        page = alice.get(f"/t/{site_id}/t")
        token = _FORM.search(page.text)
        assert token is not None
        response = alice.post(f"/t/{site_id}/t", follow_redirects=False,
                              data={"_form": token.group(1), "text": "Hello there, first."},
                              headers={"Origin": "http://testserver"})  # fmt: skip
    cookies = response.headers.get_list("set-cookie")
    [commenter] = [c for c in cookies if c.startswith("rejoinder_commenter=")]
    lowered = commenter.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/t/" in lowered
    assert f"max-age={365 * 24 * 3600}" in lowered

"""A spam campaign reported by one site is caught on another site that never saw it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import Services
from rejoinder.settings import Settings
from tests.support.server import LiveServer, run_cli, start_server

SITE_A = "https://a.example.org"
SITE_B = "https://b.example.net"
# A campaign the content model alone cannot call (an obvious one it flags by itself): only
# the report from site A makes site B distrust it.
CAMPAIGN = "I read this on the train this morning and agree with most of it."
REWORDED = "I read this on the train this morning and I agree with most of it."
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def fields(key: str, blog: str, content: str, ip: str) -> dict[str, str]:
    return {
        "api_key": key, "blog": blog, "user_ip": ip, "user_agent": BROWSER,
        "referrer": f"{blog}/post", "comment_type": "comment", "comment_author": "Linda",
        "comment_author_email": "linda@example.com", "comment_content": content,
    }  # fmt: skip


@dataclass
class TwoSites:
    client: TestClient
    key_a: str
    key_b: str


@pytest.fixture
def two_sites(settings: Settings, services: Services) -> Iterator[TwoSites]:
    services.sites.add_site(SITE_A)
    services.sites.add_site(SITE_B)
    key_a = services.sites.create_key([SITE_A])
    key_b = services.sites.create_key([SITE_B])
    with TestClient(create_app(settings, services)) as client:
        yield TwoSites(client, key_a, key_b)


def verdict_of(client: httpx.Client | TestClient, key: str, guid: str) -> dict[str, object]:
    response = client.get(f"/api/v1/verdicts/{guid}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_campaign_reported_on_a_is_caught_on_b(two_sites: TwoSites) -> None:
    c = two_sites.client
    before = c.post(
        "/1.1/comment-check", data=fields(two_sites.key_b, SITE_B, REWORDED, "198.51.100.7")
    )
    assert before.text == "false"  # B alone has no reason to distrust it
    first = verdict_of(c, two_sites.key_b, before.headers["x-akismet-guid"])
    assert "NEAR_DUPLICATE_SPAM" not in [h["symbol"] for h in first["hits"]]  # type: ignore[union-attr]

    reported = c.post(
        "/1.1/submit-spam", data=fields(two_sites.key_a, SITE_A, CAMPAIGN, "203.0.113.9")
    )
    assert reported.text == "Thanks for making the web a better place."

    after = c.post(
        "/1.1/comment-check", data=fields(two_sites.key_b, SITE_B, REWORDED, "192.0.2.77")
    )
    verdict = verdict_of(c, two_sites.key_b, after.headers["x-akismet-guid"])
    symbols = [h["symbol"] for h in verdict["hits"]]  # type: ignore[union-attr]
    assert "NEAR_DUPLICATE_SPAM" in symbols
    assert verdict["action"] in ("hold", "spam", "discard")


@pytest.fixture
def live_two_sites(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    server = start_server(tmp_path / "live", blog=SITE_A)
    try:
        run_cli(server.data_dir, "sites", "add", SITE_B)
        key_b = (
            run_cli(server.data_dir, "keys", "create", "--site", SITE_B)
            .stdout.strip()
            .splitlines()[-1]
        )
        yield server, key_b
    finally:
        server.stop()


@pytest.mark.slow
def test_campaign_across_sites_on_a_real_server(live_two_sites: tuple[LiveServer, str]) -> None:
    server, key_b = live_two_sites
    with httpx.Client(base_url=server.url, timeout=10) as c:
        reported = c.post(
            "/1.1/submit-spam", data=fields(server.key, SITE_A, CAMPAIGN, "203.0.113.9")
        )
        assert reported.text == "Thanks for making the web a better place."
        after = c.post("/1.1/comment-check", data=fields(key_b, SITE_B, REWORDED, "192.0.2.77"))
        assert after.status_code == 200
        verdict = verdict_of(c, key_b, after.headers["x-akismet-guid"])
    assert "NEAR_DUPLICATE_SPAM" in [h["symbol"] for h in verdict["hits"]]  # type: ignore[union-attr]
    assert verdict["action"] in ("hold", "spam", "discard")

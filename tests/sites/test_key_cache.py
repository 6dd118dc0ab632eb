"""API key lookups are cached for a few seconds; revocation still takes effect promptly."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from rejoinder.core.ttlcache import MISS, TtlCache
from rejoinder.services import build_services
from rejoinder.settings import Settings
from rejoinder.sites.service import SiteService
from tests.conftest import BLOG, Api
from tests.support.database import migrate
from tests.support.server import run_cli, start_server


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ttl_cache_expires_and_is_bounded() -> None:
    clock = FakeClock()
    cache: TtlCache[str] = TtlCache(5.0, max_entries=3, clock=clock)
    cache.put("a", "A")
    assert cache.get("a") == "A"
    clock.now += 4.9
    assert cache.get("a") == "A"
    clock.now += 0.2
    assert cache.get("a") is MISS
    for k in "bcde":
        cache.put(k, k.upper())
    assert len(cache._entries) <= 3
    off: TtlCache[str] = TtlCache(0.0)
    off.put("a", "A")
    assert off.get("a") is MISS


def test_revoked_in_this_process_is_invalid_at_once(api: Api) -> None:
    form = {"api_key": api.key, "blog": api.blog, "user_ip": "203.0.113.9"}
    assert api.client.post("/1.1/comment-check", data=form).text == "false"  # now cached
    api.services.sites.revoke_key(api.key)
    assert api.client.post("/1.1/comment-check", data=form).text == "invalid"


def test_revoked_elsewhere_is_invalid_after_the_ttl(settings: Settings) -> None:
    services = build_services(settings)
    migrate(services.db)
    key = services.sites.create_key([])
    clock = FakeClock()
    worker = SiteService(services.db, services.sites.default_thresholds, key_cache_seconds=5.0)
    worker.key_cache.clock = clock
    assert worker.lookup(key) is not None
    services.sites.revoke_key(key)  # another process (the CLI) revokes it
    clock.now += 4.0
    assert worker.lookup(key) is not None  # still cached: at most key_cache_seconds
    clock.now += 1.5
    assert worker.lookup(key) is None
    services.db.dispose()


def test_unknown_keys_are_not_cached(settings: Settings) -> None:
    services = build_services(settings)
    migrate(services.db)
    unknown = "abcdefabcdef"
    assert services.sites.lookup(unknown) is None
    assert services.sites.lookup_cached(unknown) is MISS  # the miss was not remembered
    services.sites.create_key([], key=unknown)
    assert services.sites.lookup(unknown) is not None  # a key unknown a moment ago works at once
    services.db.dispose()


@pytest.mark.slow
def test_cli_revocation_reaches_a_running_server(tmp_path: Path) -> None:
    server = start_server(tmp_path, env={"REJOINDER_KEY_CACHE_SECONDS": "1"})
    form = {"api_key": server.key, "blog": BLOG, "user_ip": "203.0.113.9"}
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.post("/1.1/comment-check", data=form).text == "false"
            run_cli(tmp_path, "keys", "revoke", server.key)
            revoked_at = time.monotonic()
            # the cache holds a key 1 s; the bound leaves room for a loaded machine and still
            # fails a server that never sees the revocation (the fake-clock tests above pin
            # the exact expiry)
            while client.post("/1.1/comment-check", data=form).text != "invalid":
                assert time.monotonic() - revoked_at < 15.0, "revocation not seen within 15 s"
                time.sleep(0.1)
    finally:
        server.stop()


def test_threshold_change_in_this_process_applies_at_once(api: Api) -> None:
    linky = "Buy cheap pills at https://shop1.example.net/deal https://shop2.example.net/deal"
    form = {"api_key": api.key, "blog": api.blog, "user_ip": "203.0.113.9",
            "comment_content": linky}  # fmt: skip
    first = api.client.post("/1.1/comment-check", data=form)  # caches the default thresholds
    assert "x-akismet-pro-tip" not in first.headers
    api.services.sites.set_thresholds(api.blog, hold=0.01, spam=0.02, discard=0.03)
    second = api.client.post("/1.1/comment-check", data=form)
    assert second.text == "true" and second.headers["x-akismet-pro-tip"] == "discard"

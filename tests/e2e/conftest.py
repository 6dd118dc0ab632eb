"""Real-browser fixtures: Debian's Chromium driven by Playwright, a real `rejoinder serve --demo`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

from tests.support.server import LiveServer, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/test-deps.sh` as root")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Every browser connects from 127.0.0.1: contexts made by ``visitor`` tell the server (its
    # trusted proxy) a network of their own, so the spam engine's velocity signal sees distinct
    # visitors, as on a real site. The per-network rate limit stays off for the same reason.
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_TRUSTED_PROXIES": "127.0.0.1"}
    server = start_server(tmp_path_factory.mktemp("demo"), env=env, args=("--demo",))
    yield server
    server.stop()


_networks = itertools.count(1)


def fresh_address() -> str:
    """An address in a /24 no other visitor of the test session uses."""
    n = next(_networks)
    return f"10.{n // 250 % 250}.{n % 250}.7"


def visitor(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context that reaches the server from an address of its own (/24 of its own).

    Servers under test trust 127.0.0.1 as a proxy (``REJOINDER_TRUSTED_PROXIES``): without
    this, every visitor would be one network, and the spam engine would rightly see a burst
    from it (velocity) and learn its reputation from moderators' decisions."""
    ctx = browser.new_context(**options)
    address = fresh_address()

    def forwarded(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "x-forwarded-for": address})

    ctx.route("**/*", forwarded)
    ctx.set_default_timeout(10_000)
    return ctx


def assert_hidden_from_readers(browser: Browser, server: LiveServer, text: str) -> None:
    """Another visitor (own network, no cookies) opening the demo article does not see ``text``."""
    reader = visitor(browser)
    try:
        page = reader.new_page()
        page.goto(f"{server.url}/demo/")
        expect(page.locator("form.rj-form")).to_be_visible()
        expect(page.get_by_text(text)).to_have_count(0)
    finally:
        reader.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A visitor's context; CSP bypassed only so that axe-core can be injected."""
    ctx = visitor(browser, bypass_csp=True)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `bash scripts/test-deps.sh`")
    return AXE.read_text()


def serious_violations(page: Page, axe_source: str, min_passes: int = 10) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert len(result["passes"]) > min_passes  # axe really ran over the page
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]

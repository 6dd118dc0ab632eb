"""The PyPI `akismet` client (SyncClient and AsyncClient) against a real `rejoinder serve`.

The transports are the ones docs/akismet.md shows: the test runs that code block, so the doc
cannot drift from what works.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import akismet
import httpx
import pytest
from sqlalchemy import select

from rejoinder.storage.schema import checks, feedback
from tests.conformance.conftest import LINK_FARM, STRICT_BLOG, Conformance

DOC = Path(__file__).resolve().parents[2] / "docs" / "akismet.md"
IP = "203.0.113.7"
THANKS = "Thanks for making the web a better place."


def doc_transports() -> dict[str, Any]:
    """Execute the tested transport block of docs/akismet.md and return its names."""
    text = DOC.read_text()
    marker = text.index("<!-- tested: tests/conformance/test_python_client.py")
    match = re.search(r"```python\n(.*?)```", text[marker:], re.S)
    assert match is not None, "docs/akismet.md lost its tested Python block"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    return namespace


TRANSPORTS = doc_transports()


@dataclass
class Driver:
    """One akismet client, sync or async, called the same way."""

    mode: str
    base_url: str
    loop: asyncio.AbstractEventLoop | None = None
    closers: list[Callable[[], Any]] = field(default_factory=list)

    def connect(self, key: str, blog: str) -> Any:
        config = akismet.Config(key=key, url=blog)
        headers = {"User-Agent": akismet.USER_AGENT}
        if self.mode == "sync":
            http = httpx.Client(
                transport=TRANSPORTS["ToRejoinder"](self.base_url), headers=headers, timeout=5.0
            )
            self.closers.append(http.close)
            return akismet.SyncClient.validated_client(config=config, http_client=http)
        assert self.loop is not None
        ahttp = httpx.AsyncClient(
            transport=TRANSPORTS["AsyncToRejoinder"](self.base_url), headers=headers, timeout=5.0
        )
        self.closers.append(lambda: self.run(ahttp.aclose()))
        return self.run(akismet.AsyncClient.validated_client(config=config, http_client=ahttp))

    def run(self, value: Any) -> Any:
        if asyncio.iscoroutine(value):
            assert self.loop is not None
            return self.loop.run_until_complete(value)
        return value

    def call(self, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.run(getattr(client, method)(*args, **kwargs))


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest, conformance: Conformance) -> Iterator[Driver]:
    loop = asyncio.new_event_loop() if request.param == "async" else None
    drv = Driver(request.param, conformance.url, loop)
    yield drv
    for close in drv.closers:
        close()
    if loop is not None:
        loop.close()


def test_verify_key_valid_and_invalid(driver: Driver, conformance: Conformance) -> None:
    server = conformance.server
    client = driver.connect(server.key, server.blog)  # validated_client: verify-key said valid
    assert driver.call(client, "verify_key") is True
    assert driver.call(client, "verify_key", key="zzzzzzzzzzzz", url=server.blog) is False
    assert (
        driver.call(client, "verify_key", key=server.key, url="https://not-this-site.example")
        is False
    )
    with pytest.raises(akismet.APIKeyError):
        driver.connect("zzzzzzzzzzzz", server.blog)


def test_comment_check_spam_ham_discard(driver: Driver, conformance: Conformance) -> None:
    server = conformance.server
    client = driver.connect(server.key, server.blog)
    spam = akismet.CheckResponse.SPAM
    for test_value in (
        {"comment_author": "akismet-guaranteed-spam"},
        {"comment_author": "viagra-test-123"},
        {"comment_author_email": "akismet-guaranteed-spam@example.com"},
    ):
        assert driver.call(client, "comment_check", IP, comment_content="hi", **test_value) == spam
        assert driver.call(client, "comment_check", IP, is_test=True, **test_value) == spam
    ham = driver.call(client, "comment_check", IP, comment_content="A fine article, thanks.",
                      comment_author="Ana", user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")  # fmt: skip
    assert ham == akismet.CheckResponse.HAM
    admin = driver.call(client, "comment_check", IP, comment_author="akismet-guaranteed-spam",
                        user_role="administrator")  # fmt: skip
    assert admin == akismet.CheckResponse.HAM
    # a bare 20-link farm is blatant: the learned model files it as spam or discards it
    farm = driver.call(client, "comment_check", IP, comment_content=LINK_FARM)
    assert farm in (spam, akismet.CheckResponse.DISCARD)
    strict = driver.connect(conformance.strict_key, STRICT_BLOG)  # thresholds 0.3/0.4/0.5
    discard = driver.call(strict, "comment_check", IP, comment_content=LINK_FARM)
    assert discard == akismet.CheckResponse.DISCARD


ORDINARY = {
    "sync": "Lovely pictures from the trip, my parents loved the one of the old harbour.",
    "async": "The bakery on our corner finally reopened, and the rye bread is as good as ever.",
}


def test_submit_spam_and_ham_are_recorded(driver: Driver, conformance: Conformance) -> None:
    server = conformance.server
    client = driver.connect(server.key, server.blog)
    # An ordinary text, a different one per client: the first client's report of its text
    # teaches the model, so a near copy would no longer pass (a random hex token would itself
    # read as spam).
    missed = ORDINARY[driver.mode]
    wrongly = f"I disagree with the author {uuid.uuid4().hex}"
    assert (
        driver.call(client, "comment_check", IP, comment_content=missed)
        == akismet.CheckResponse.HAM
    )
    assert driver.call(client, "submit_spam", IP, comment_content=missed) is True
    assert driver.call(client, "submit_ham", IP, comment_content=wrongly,
                       comment_author="akismet-guaranteed-spam") is True  # fmt: skip
    with conformance.stored() as services, services.db.read() as conn:
        rows = conn.execute(
            select(feedback.c.label, feedback.c.guid, feedback.c.fields).order_by(feedback.c.id)
        ).all()
        by_content = {r.fields["comment_content"]: r for r in rows}
        guid = conn.execute(select(checks.c.guid).where(checks.c.content == missed)).scalar_one()
    assert by_content[missed].label == "spam" and by_content[missed].guid == guid
    assert by_content[wrongly].label == "ham" and by_content[wrongly].guid is None
    assert IP not in str(by_content[missed].fields)


def test_usage_limit_counts_calls(driver: Driver, conformance: Conformance) -> None:
    blog = conformance.server.blog
    client = driver.connect(conformance.new_key(blog), blog)
    driver.call(client, "comment_check", IP, comment_content="one")
    driver.call(client, "comment_check", IP, comment_author="akismet-guaranteed-spam")
    driver.call(client, "submit_spam", IP, comment_content="one")
    usage = driver.call(client, "usage_limit")
    assert usage == {"limit": "none", "usage": 3, "percentage": "0.00", "throttled": False}


def test_key_sites_client_sends_no_key_raw_request_works(
    driver: Driver, conformance: Conformance
) -> None:
    blog = conformance.server.blog
    key = conformance.new_key(blog)
    client = driver.connect(key, blog)
    driver.call(client, "comment_check", IP, comment_author="akismet-guaranteed-spam")
    driver.call(client, "comment_check", IP, comment_content="hello there")
    # akismet 25.10.1's key_sites() sends no api_key (akismet-api.md §2.5): `invalid`, APIKeyError.
    with pytest.raises(akismet.APIKeyError):
        driver.call(client, "key_sites")
    url = f"{conformance.url}/1.2/key-sites"
    body = httpx.get(url, params={"api_key": key}).json()
    month = next(k for k in body if k not in ("limit", "offset", "total"))
    assert body[month] == [{"site": blog, "api_calls": "2", "spam": "1", "ham": "1",
                            "missed_spam": "0", "false_positives": "0", "is_revoked": False}]  # fmt: skip
    assert (body["limit"], body["offset"], body["total"]) == (500, 0, 1)
    csv_lines = httpx.post(url, data={"api_key": key, "format": "csv"}).text.splitlines()
    assert csv_lines == [
        f"Active sites for {key} during {month} (limit:500, offset: 0, total: 1)",
        "Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked",
        f"{blog},2,1,1,0,0,false",
    ]

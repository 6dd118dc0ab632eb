"""One contract suite, run on SQLite and on PostgreSQL (design.md: "the same tests run on both").

Each test module gets a fresh database per backend (``backend_url``); every test starts from
empty tables. The Akismet flow is driven through the real app (in-process ASGI client), so the
SQL behind sites, keys, check, submit, usage-limit and key-sites runs on each backend.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.errors import Conflict, NotFound, ValidationFailed
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.sites.service import KeyInfo
from rejoinder.storage.schema import checks, feedback, metadata
from tests.support.checks import check
from tests.support.database import migrate

BLOG = "https://news.example.org"
STRICT_BLOG = "https://strict.example.org"
THANKS = "Thanks for making the web a better place."
SPAM_AUTHOR = "akismet-guaranteed-spam"
LINKY = (
    "FREE entry! You have WON a guaranteed cash prize, claim now at "
    "https://shop1.example.net/deal https://shop2.example.net/deal"
)


@pytest.fixture(scope="module")
def backend_services(
    backend_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    data_dir = tmp_path_factory.mktemp("data")
    # The tests purge when they mean to: a server's scheduled purge (run at its start, in a
    # thread) could clear what a test has just aged, before the test's own purge counts it.
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(data_dir), "REJOINDER_DATABASE_URL": backend_url,
         "REJOINDER_PURGE_INTERVAL_MINUTES": "0"}
    )  # fmt: skip
    services = build_services(settings)
    migrate(services.db)
    yield services
    services.db.dispose()


@dataclass
class Flow:
    services: Services
    client: TestClient
    key: str

    def post(self, path: str, **fields: str) -> tuple[str, dict[str, str]]:
        response = self.client.post(path, data=fields)
        assert response.status_code == 200, response.text
        return response.text, dict(response.headers)

    def comment(self, blog: str = BLOG, **extra: str) -> dict[str, str]:
        return {"api_key": self.key, "blog": blog, "user_ip": "198.51.100.23", **extra}


@pytest.fixture
def svc(backend_services: Services) -> Services:
    """The module's services on empty tables."""
    with backend_services.db.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
    return backend_services


@pytest.fixture
def flow(svc: Services, tmp_path: Path) -> Iterator[Flow]:
    svc.sites.add_site(BLOG)
    svc.sites.add_site(STRICT_BLOG)
    key = svc.sites.create_key([BLOG, STRICT_BLOG], label="contract")
    with TestClient(create_app(svc.settings, svc)) as client:
        yield Flow(svc, client, key)


def test_sites_and_keys(svc: Services) -> None:
    site = svc.sites.add_site("HTTPS://News.Example.org/")
    assert site.url == BLOG
    with pytest.raises(Conflict):
        svc.sites.add_site(BLOG + "/")
    generated = svc.sites.create_key([BLOG], label="one")
    imported = svc.sites.create_key([], label="two", key="ABCDEF123456")
    assert imported == "abcdef123456"
    with pytest.raises(Conflict):
        svc.sites.create_key([], key="abcdef123456")
    with pytest.raises(ValidationFailed):
        svc.sites.create_key([], key="abc")
    with pytest.raises(NotFound):
        svc.sites.create_key(["https://unknown.example"])
    listed = svc.sites.list_keys()
    assert [(k.label, k.site_urls, k.active) for k in listed] == [
        ("one", (BLOG,), True),
        ("two", (), True),
    ]
    assert all(isinstance(k.created_at, datetime) for k in listed)
    assert svc.sites.lookup(generated) == KeyInfo(listed[0].id, (BLOG,))
    svc.sites.revoke_key(generated)
    assert svc.sites.lookup(generated) is None
    assert svc.sites.list_keys()[0].revoked_at is not None
    with pytest.raises(NotFound):
        svc.sites.revoke_key(generated)


def test_site_thresholds_stored_and_validated(svc: Services) -> None:
    svc.sites.add_site(BLOG)
    default = svc.sites.thresholds(BLOG)
    assert default == svc.sites.default_thresholds
    changed = svc.sites.set_thresholds(BLOG, hold=0.2, discard=0.95)
    assert (changed.hold, changed.spam, changed.discard) == (0.2, default.spam, 0.95)
    assert svc.sites.thresholds_for(BLOG) == changed  # what comment-check will use
    with pytest.raises(ValidationFailed):
        svc.sites.set_thresholds(BLOG, spam=0.97)  # above discard
    with pytest.raises(ValidationFailed):
        svc.sites.set_thresholds(BLOG, hold=1.5)
    with pytest.raises(NotFound):
        svc.sites.set_thresholds("https://unknown.example", hold=0.1)
    assert svc.sites.set_thresholds(BLOG, reset=True) == default


def test_akismet_flow_counts_from_storage(flow: Flow) -> None:
    assert flow.post("/1.1/verify-key", key=flow.key, blog=BLOG)[0] == "valid"
    body, headers = flow.post("/1.1/comment-check", **flow.comment(comment_author=SPAM_AUTHOR))
    assert body == "true" and "x-akismet-pro-tip" not in headers
    body, headers = flow.post(
        "/1.1/comment-check", **flow.comment(comment_content="A thoughtful piece, thank you.")
    )
    assert body == "false"
    ham_guid = headers["x-akismet-guid"]
    # The moderator disagrees with the ham verdict (missed spam), linked by guid; twice = once.
    spam_fields = flow.comment(comment_content="A thoughtful piece, thank you.", guid=ham_guid)
    assert flow.post("/1.1/submit-spam", **spam_fields)[0] == THANKS
    assert flow.post("/1.1/submit-spam", **spam_fields)[0] == THANKS
    # And a false positive, linked by content only.
    assert flow.post("/1.1/submit-ham", **flow.comment(comment_author=SPAM_AUTHOR))[0] == THANKS

    with flow.services.db.read() as conn:
        rows = conn.execute(select(feedback).order_by(feedback.c.id)).all()
        stored = conn.execute(select(checks).order_by(checks.c.id)).all()
    assert [(r.label, r.guid is not None) for r in rows] == [("spam", True), ("ham", True)]
    assert rows[0].guid == ham_guid
    assert [s.action for s in stored] == ["spam", "accept"]
    assert stored[0].hits[0]["symbol"] == "TEST_GUARANTEED_SPAM"  # JSON round trip

    usage = flow.client.get("/1.2/usage-limit", params={"api_key": flow.key}).json()
    assert usage == {"limit": "none", "usage": 5, "percentage": "0.00", "throttled": False}
    sites = flow.client.get("/1.2/key-sites", params={"api_key": flow.key}).json()
    month = next(k for k in sites if k not in ("limit", "offset", "total"))
    by_site = {row["site"]: row for row in sites[month]}
    assert by_site[BLOG] == {
        "site": BLOG, "api_calls": "5", "spam": "1", "ham": "1", "missed_spam": "1",
        "false_positives": "1", "is_revoked": False,
    }  # fmt: skip
    assert by_site[STRICT_BLOG]["api_calls"] == "0"  # registered, unused this month
    assert sites["total"] == 2


def test_site_thresholds_turn_spam_into_discard(flow: Flow) -> None:
    flow.services.sites.set_thresholds(STRICT_BLOG, hold=0.3, spam=0.4, discard=0.5)
    body, headers = flow.post(
        "/1.1/comment-check", **flow.comment(STRICT_BLOG, comment_content=LINKY)
    )
    assert body == "true" and headers["x-akismet-pro-tip"] == "discard"
    body, headers = flow.post("/1.1/comment-check", **flow.comment(BLOG, comment_content=LINKY))
    assert body == "true" and "x-akismet-pro-tip" not in headers
    with flow.services.db.read() as conn:
        assert [r.action for r in conn.execute(select(checks).order_by(checks.c.id))] == [
            "discard",
            "spam",
        ]


def test_text_is_stored_verbatim(flow: Flow) -> None:
    content = "Grüße, naïve café — 東京 🎉 \u202eRTL\u202c and a NUL\x00 byte"
    body, headers = flow.post("/1.1/comment-check", **flow.comment(comment_content=content))
    assert body == "false"
    with flow.services.db.read() as conn:
        row = conn.execute(select(checks)).one()
    assert row.content == content.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    assert row.guid == headers["x-akismet-guid"]


def test_overlong_blog_url_is_invalid_not_an_error(svc: Services) -> None:
    key = svc.sites.create_key([])  # a key for any site: the URL reaches storage
    with TestClient(create_app(svc.settings, svc)) as client:
        blog = "https://long.example/" + "x" * 600
        response = client.post(
            "/1.1/comment-check", data={"api_key": key, "blog": blog, "user_ip": "192.0.2.1"}
        )
    assert response.status_code == 200
    assert response.text == "invalid"
    assert response.headers["x-akismet-debug-help"] == "We were unable to parse your blog URI"


def test_concurrent_checks_are_all_counted(flow: Flow) -> None:
    info = flow.services.sites.lookup(flow.key)
    assert info is not None
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                fields = flow.comment(comment_content=f"thread {n} comment {i}")
                check(flow.services, info, fields)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    usage = flow.services.checks.usage(info, 0)
    assert usage["usage"] == 40
    with flow.services.db.read() as conn:
        assert len(conn.execute(select(checks.c.guid)).all()) == 40


def test_learned_state_velocity_erase_and_retention_sql(flow: Flow) -> None:
    """The SQL behind wiring learned state to privacy, on each backend: velocity over widget
    comments, erase of an email's reputation and of its texts' fingerprints, and the purge."""
    from sqlalchemy import update

    from rejoinder.spam.learning.reputation import key_int
    from rejoinder.spam.learning.velocity import VelocityTracker
    from rejoinder.spam.submission import Submission
    from rejoinder.storage.schema import learned, near_duplicates, reputation

    svc = flow.services
    text = "Cheap replica watches and designer handbags at the lowest prices, order today now"
    for email in ("gone@example.org", "stays@example.org"):
        body = f"{text} {email}"
        flow.post(
            "/1.1/submit-spam", **flow.comment(comment_author_email=email, comment_content=body)
        )
    posted = flow.client.post(
        "/api/v1/comments",
        json={"site": BLOG, "thread": "t", "author": "A", "text": "A widget comment, on topic."},
        headers={"Origin": BLOG},
    )
    assert posted.status_code in (201, 202)
    tracker = VelocityTracker(svc.db, svc.hasher)
    tracker.load()
    widget = Submission(content="A widget comment, on topic.", site=BLOG, ip=None)
    assert tracker.rates(widget).text_site == 1  # the comment's fingerprint, read from comments

    gone = key_int(svc.hasher.email("gone@example.org") or "")
    erased = svc.privacy.erase(svc.privacy.key_for("gone@example.org"))
    assert erased.counts["spam_filter"] == 2 and erased.counts["near_duplicates"] == 1
    with svc.db.read() as conn:
        keys = {k for (k,) in conn.execute(select(reputation.c.key))}
        listed = [[int(v) for _k, v in r] for (r,) in conn.execute(select(learned.c["keys"]))]
        assert len(conn.execute(select(near_duplicates.c.id)).all()) == 1
    assert gone not in keys and len(listed) == 2
    assert all(gone not in row for row in listed) and all(listed)

    with svc.db.begin() as conn:  # as if 100 days had passed since anything was learned
        conn.execute(update(reputation).values(updated_ts=reputation.c.updated_ts - 100 * 86_400))
        conn.execute(update(learned).values(learned_ts=learned.c.learned_ts - 100 * 86_400))
        conn.execute(
            update(near_duplicates).values(created_ts=near_duplicates.c.created_ts - 100 * 86_400)
        )
    counts = {r.name: r.count for r in svc.retention.purge().results}
    assert counts["reputation"] == len(keys) and counts["near_duplicates"] == 1
    assert counts["learned.keys"] == 2
    with svc.db.read() as conn:
        assert conn.execute(select(reputation.c.key)).all() == []
        assert [r for (r,) in conn.execute(select(learned.c["keys"]))] == [[], []]
    assert svc.retention.purge().total == 0

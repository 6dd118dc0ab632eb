"""A real server, realistic traffic, then every byte on disk searched.

One scenario (module scope): rows made 40 days ago; a server started on that data dir (its
scheduled purge must remove them); comment-checks, submit-spam/ham and widget posts from
distinctive IPv4 and IPv6 addresses, user agents and referrers; export/erase requests through the privacy form and
the development outbox; an export through the web and one through the CLI; an erase through
the web. The tests then read the database files, the log, the outbox and the exports.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from rejoinder.core.anonymize import Hasher
from rejoinder.core.tokens import Signer
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.spam.learning.reputation import key_int
from rejoinder.spam.submission import fingerprint
from tests.privacy.support import FakeClock
from tests.support.bytescan import files_under, find, ip_encodings, text_encodings
from tests.support.checks import check
from tests.support.database import migrate
from tests.support.server import LiveServer, run_cli, start_server

IPV4 = ["198.51.100.173", "203.0.113.218"]
IPV6 = ["2001:db8:4f3e:9a01:77c2:1b5d:e0aa:3c19", "2001:db8::1:0:0:9d"]
MAPPED = "::ffff:192.0.2.147"  # an IPv4-mapped IPv6 address: stored (hashed) as 192.0.2.147
ADDRESSES = [*IPV4, *IPV6, "192.0.2.147"]
UAS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0 Quokkazilla/7.3.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1 Bilbyphone/4.4",
    "WombatFetcher/2.9 (+https://crawler.example/wombat)",
]
UA_TOKENS = ["Quokkazilla", "Bilbyphone", "WombatFetcher", "crawler.example/wombat"]
REFERRERS = [
    "https://referrer.example.net/articles/numbat-secret-path-8817?utm_source=zz",
    "https://news.example.org/r/dunnart-path-5521#frag",
]
REFERRER_SECRETS = ["numbat-secret-path-8817", "dunnart-path-5521", "utm_source=zz"]
ERASE_ME = "Erase.Me-7731@example.org"
KEEP_ME = "keep.me-4410@example.org"
STALE = "stale-2208@example.org"
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


@dataclass
class Scenario:
    server: LiveServer
    exports: Path
    stale_guid: str
    link_keep: str
    link_erase: str
    erase_counts: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    def disk(self) -> list[Path]:
        return files_under(self.data_dir, self.exports)


def make_stale_rows(data_dir: Path) -> str:
    """A site, key and check record dated 40 days ago, written before the server starts."""
    settings = load_settings({"REJOINDER_DATA_DIR": str(data_dir)})
    services = build_services(settings, FakeClock(datetime.now(UTC) - timedelta(days=40)))
    migrate(services.db)
    services.sites.add_site("https://old.example.com")
    key = services.sites.lookup(services.sites.create_key(["https://old.example.com"]))
    assert key is not None
    fields = {"blog": "https://old.example.com", "user_ip": "192.0.2.9",
              "comment_author_email": STALE, "comment_content": "an old comment"}  # fmt: skip
    guid = check(services, key, fields).guid
    services.db.dispose()
    return guid


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{data_dir / 'rejoinder.db'}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for(predicate: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def akismet_traffic(server: LiveServer, client: httpx.Client) -> None:
    people = [
        ("Ann", "ann-5512@example.org"), ("Bob", KEEP_ME), ("Cat", ERASE_ME),
        ("Dan", "dan-0097@example.org"), ("Eve", "eve-3390@example.org"),
    ]  # fmt: skip
    addresses = [*IPV4, *IPV6, MAPPED]
    for i, ((name, email), ip) in enumerate(zip(people, addresses, strict=True)):
        ua = UAS[i % len(UAS)]
        ref = REFERRERS[i % len(REFERRERS)]
        fields = {
            "api_key": server.key, "blog": server.blog, "user_ip": ip, "user_agent": ua,
            "referrer": ref, "comment_author": name, "comment_author_email": email,
            "comment_content": f"Comment number {i} from {name}, about the article.",
            "permalink": f"{server.blog}/2026/article-{i}",
            # what the WordPress plugin forwards besides: all of it must be dropped
            "REMOTE_ADDR": ip, "HTTP_USER_AGENT": ua, "HTTP_REFERER": ref,
            "HTTP_X_FORWARDED_FOR": ip, "comment_author_IP": ip, "HTTP_X_REAL_IP": ip,
        }  # fmt: skip
        headers = {"User-Agent": UAS[2], "X-Forwarded-For": ip, "X-Real-IP": ip, "Referer": ref}
        check = client.post("/1.1/comment-check", data=fields, headers=headers)
        assert check.status_code == 200 and check.text in ("true", "false")
        endpoint = "/1.1/submit-spam" if i % 2 else "/1.1/submit-ham"
        fields["guid"] = check.headers["x-akismet-guid"]
        submitted = client.post(endpoint, data=fields, headers=headers)
        assert submitted.text == "Thanks for making the web a better place."
        # the same person through the comment widget's JSON API, behind our trusted proxy
        widget = {"site": server.blog, "thread": "privacy-article", "author": name,
                  "email": email, "text": f"Widget comment {i} by {name}, on topic."}  # fmt: skip
        posted = client.post(
            "/api/v1/comments", json=widget, headers={**headers, "Origin": server.blog}
        )
        assert posted.status_code in (201, 202), posted.text


def ask_for_link(server: LiveServer, client: httpx.Client, email: str, ip: str) -> str:
    page = client.get("/privacy")
    token = TOKEN_RE.search(page.text).group(1)  # type: ignore[union-attr]
    before = set((server.data_dir / "outbox").glob("*.eml"))
    response = client.post(
        "/privacy/requests",
        data={"email": email, "form_token": token},
        headers={"Origin": server.url, "X-Forwarded-For": ip, "User-Agent": UAS[0]},
    )
    assert response.status_code == 200 and "Check your inbox" in response.text
    wait_for(lambda: set((server.data_dir / "outbox").glob("*.eml")) - before)
    (new,) = set((server.data_dir / "outbox").glob("*.eml")) - before
    mail = message_from_bytes(new.read_bytes(), policy=policy.default)
    assert mail["To"] == email.lower()
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    return re.search(r"(/privacy/link/[A-Za-z0-9_.-]+)", body).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    data_dir = tmp_path_factory.mktemp("live-privacy")
    exports = tmp_path_factory.mktemp("exports")
    stale_guid = make_stale_rows(data_dir)
    server = start_server(
        data_dir,
        env={"REJOINDER_TRUSTED_PROXIES": "127.0.0.1", "REJOINDER_PRIVACY_REQUESTS_PER_HOUR": "50"},
    )
    try:
        # the scheduled purge runs at start-up: the 40-day-old check record goes by itself
        wait_for(lambda: db_rows(data_dir, "SELECT finished_at FROM task_locks") != [])
        with httpx.Client(base_url=server.url, timeout=10) as client:
            akismet_traffic(server, client)
            link_keep = ask_for_link(server, client, KEEP_ME, IPV6[0])
            link_erase = ask_for_link(server, client, ERASE_ME, IPV4[1])
            web_export = client.get(link_keep + "/export.json")
            assert web_export.status_code == 200
            (exports / "web-export.json").write_bytes(web_export.content)
            cli = run_cli(data_dir, "privacy", "export", KEEP_ME)
            (exports / "cli-export.json").write_text(cli.stdout)
            page = client.get(link_erase)
            token = TOKEN_RE.search(page.text).group(1)  # type: ignore[union-attr]
            erased = client.post(
                link_erase + "/erase",
                data={"form_token": token, "confirm": "yes"},
                headers={"Origin": server.url},
            )
            assert erased.status_code == 200 and "was erased" in erased.text
        yield Scenario(server, exports, stale_guid, link_keep, link_erase)
    finally:
        server.stop()


def test_no_raw_ip_user_agent_or_referrer_anywhere(scenario: Scenario) -> None:
    files = scenario.disk()
    names = {p.name for p in files}
    assert {"rejoinder.db", "server.log", "web-export.json", "cli-export.json"} <= names
    assert any(n.endswith(".eml") for n in names)
    needles: set[bytes] = set()
    for address in ADDRESSES:
        needles |= ip_encodings(address)
    for value in [*UAS, *UA_TOKENS, *REFERRERS, *REFERRER_SECRETS]:
        needles |= text_encodings(value)
    assert find(needles, files) == []


def test_positive_control_the_scan_sees_stored_data(scenario: Scenario) -> None:
    """The scan reads the right bytes: what is meant to be stored is found."""
    files = scenario.disk()
    assert find(text_encodings(KEEP_ME), files)
    assert find([b"Comment number 1 from Bob"], files)
    assert find([b"Widget comment 1 by Bob"], files)
    assert find([b"referrer.example.net"], files)  # the referrer host is kept
    assert find([b"Firefox on Linux"], files)  # the browser family is kept


def test_exports_hold_the_records_with_hashes_only(scenario: Scenario) -> None:
    for name in ("web-export.json", "cli-export.json"):
        data = json.loads((scenario.exports / name).read_text())
        (check,) = data["records"]["checks"]
        assert check["email"] == KEEP_ME and check["content"].startswith("Comment number 1")
        assert len(check["ip_hash"]) == 32 and check["ua_family"]
        (report,) = data["records"]["feedback"]
        assert report["label"] == "spam" and report["fields"]["comment_author_email"] == KEEP_ME
        (comment,) = data["records"]["comments"]
        assert comment["text"].startswith("Widget comment 1 by Bob")
        assert comment["ip_hash"] and len(comment["ip_hash"]) == 32
        (learned,) = data["records"]["spam_filter"]  # what the filter keeps under the address
        assert learned["spam_reports"] > 0.99 and learned["not_spam_reports"] == 0.0
        assert "reported as spam" in learned["description"]
        assert [r["label"] for r in data["records"]["near_duplicates"]] == ["spam"]


def test_erased_email_is_nowhere_on_disk(scenario: Scenario) -> None:
    files = scenario.disk()
    assert find(text_encodings(ERASE_ME), files) == []
    assert find([b"Comment number 2 from Cat"], files) == []
    assert find([b"Widget comment 2 by Cat"], files) == []
    wal = scenario.data_dir / "rejoinder.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # truncated after the erase
    assert db_rows(scenario.data_dir, "SELECT count(*) FROM checks WHERE email_hash IS NULL") == [
        (0,)
    ]


def email_key_encodings(data_dir: Path, email: str) -> set[bytes]:
    """Every form in which the email's keyed hash is stored: hex in ``*_hash`` columns and
    request buckets, and its first 64 bits as the integer ``reputation.key`` (packed by SQLite
    big-endian; little-endian too, to be safe) and as decimal text in ``learned.keys``."""
    hasher = Hasher(bytes.fromhex((data_dir / "secret.key").read_text()))
    digest = hasher.email(email)
    assert digest is not None
    key = key_int(digest)
    needles = text_encodings(digest) | text_encodings(digest[:16]) | text_encodings(str(key))
    needles.add(key.to_bytes(8, "big", signed=True))
    needles.add(key.to_bytes(8, "little", signed=True))
    return needles


def test_erased_email_keyed_hashes_are_nowhere_on_disk(scenario: Scenario) -> None:
    files = scenario.disk()
    assert find(email_key_encodings(scenario.data_dir, ERASE_ME), files) == []
    # positive control: the other commenter's keyed hash is found, as a packed reputation key
    # in the database file and as hex in its email_hash columns
    kept = {name for name, _needle in find(email_key_encodings(scenario.data_dir, KEEP_ME), files)}
    assert "rejoinder.db" in kept


def test_learned_tables_were_filled_by_the_run_and_scanned(scenario: Scenario) -> None:
    """The byte scans above ran over a database whose learned-state tables hold data."""
    kinds = {k for (k,) in db_rows(scenario.data_dir, "SELECT DISTINCT kind FROM reputation")}
    assert {"ip", "net", "email", "email_domain"} <= kinds
    near = {fp for (fp,) in db_rows(scenario.data_dir, "SELECT fingerprint FROM near_duplicates")}
    learned = db_rows(scenario.data_dir, "SELECT fingerprint, keys FROM learned")
    assert len(near) == 4 and len(learned) == 5  # five reports; the erased one's text is gone
    assert fingerprint("Comment number 2 from Cat, about the article.") not in near
    assert fingerprint("Comment number 1 from Bob, about the article.") in near
    assert all(json.loads(keys) for _fp, keys in learned)  # IP keys stay on every learned row


def test_scheduled_purge_removed_the_old_rows(scenario: Scenario) -> None:
    guids = [r[0] for r in db_rows(scenario.data_dir, "SELECT guid FROM checks")]
    assert scenario.stale_guid not in guids
    assert len(guids) == 4  # five commenters, one erased
    assert find(text_encodings(STALE), scenario.disk()) == []


def test_forged_and_expired_links_are_refused(scenario: Scenario) -> None:
    url = scenario.server.url
    link = scenario.link_keep
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    for path in (forged, forged + "/export.json"):
        response = httpx.get(url + path)
        assert response.status_code == 403 and "not valid" in response.text
    secret = bytes.fromhex((scenario.data_dir / "secret.key").read_text())
    payload = link.rsplit("/", 1)[1].split(".")[0]
    expired = Signer(secret, "privacy-link").sign(payload, datetime.now(UTC) - timedelta(1))
    response = httpx.get(f"{url}/privacy/link/{expired}/export.json")
    assert response.status_code == 410 and "expired" in response.text
    assert httpx.get(url + link).status_code == 200  # the genuine one still works


def test_log_has_no_access_lines_client_ips_or_control_chars(scenario: Scenario) -> None:
    log = scenario.server.log_path.read_bytes()
    text = log.decode("utf-8")
    assert "rejoinder serving on" in text  # the log is the one we think
    assert re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - \"", text) is None  # uvicorn access format
    assert re.search(r"\"(GET|POST) /", text) is None
    assert not any(c < 0x20 and c not in (0x0A,) for c in log)
    for line in text.splitlines():
        assert "127.0.0.1" not in line or "http://127.0.0.1:" in line  # only the listen URL


def test_no_cookies_from_the_live_server(scenario: Scenario) -> None:
    for path in ("/privacy", "/healthz", scenario.link_keep):
        response = httpx.get(scenario.server.url + path)
        assert response.status_code == 200 and "set-cookie" not in response.headers

"""What the WordPress Akismet plugin (5.0.2) needs beyond the plain API, in-process on a real
SQLite file: slashed first checks, reports matched without a guid, get-stats, rechecks that
respect the moderator. (The plugin itself runs in tests/conformance when WordPress is there.)"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from rejoinder.core.records.verdict import Label
from rejoinder.spam.decisions import NEAR_IDENTICAL, similarity
from rejoinder.spam.labels import FeedbackSource, Labelled
from rejoinder.spam.submission import Submission
from rejoinder.storage import usage as usage_store
from rejoinder.storage.schema import checks, feedback
from rejoinder.web.wordpress import is_wordpress_plugin, stripslashes
from tests.conftest import Api
from tests.support.environment import require

WP_UA = "WordPress/6.1.9 | Akismet/5.0.2"
PYTHON_UA = "akismet.py/25.10.1 | Python/3.11.7"
IP = "192.0.2.44"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
PHARMA = "Buy cheap viagra online without prescription, visit https://pills.example.net/order"
THANKS = "Thanks for making the web a better place."


def call(api: Api, path: str, ua: str = WP_UA, **fields: str) -> tuple[str, dict[str, str]]:
    form = {"api_key": api.key, "blog": api.blog, "user_ip": IP, "user_agent": "Mozilla/5.0",
            "referrer": "https://blog.example.com/hello/", **fields}  # fmt: skip
    response = api.client.post(path, data=form, headers={"User-Agent": ua})
    assert response.status_code == 200
    return response.text, dict(response.headers)


def stored(api: Api, guid: str) -> Any:
    with api.services.db.read() as conn:
        return conn.execute(select(checks).where(checks.c.guid == guid)).one()


def symbols(row: Any) -> list[str]:
    return [h["symbol"] for h in row.hits]


def key_sites(api: Api) -> dict[str, str]:
    body = api.client.post("/1.2/key-sites", data={"api_key": api.key}).json()
    month = next(k for k in body if k not in ("limit", "offset", "total"))
    (row,) = body[month]
    return dict(row)


# --- 2: slashes ---------------------------------------------------------------------------
def test_the_plugin_is_known_by_its_user_agent() -> None:
    assert is_wordpress_plugin(WP_UA) and is_wordpress_plugin("WordPress/6.7.1 | Akismet/5.3.5")
    assert not is_wordpress_plugin(PYTHON_UA)
    assert not is_wordpress_plugin("Mozilla/5.0 WordPress/6.1 | Akismet/5.0")  # not at the start
    assert not is_wordpress_plugin("")


def test_stripslashes_is_phps() -> None:
    assert stripslashes(r"don\'t") == "don't"
    assert stripslashes(r"C:\\temp") == "C:\\temp"
    assert stripslashes(r"\"quick start\"") == '"quick start"'
    assert stripslashes("a\\0b") == "a\0b"
    assert stripslashes("trailing\\") == "trailing"
    assert stripslashes("no slashes") == "no slashes"


def test_stripslashes_agrees_with_php() -> None:
    php = shutil.which("php")
    require(php is not None, "php-cli is not installed")
    assert php is not None
    samples = ["don't", 'say "hi"', "C:\\temp\\new", "nul\0byte", "\\", "Seán O'Brien", "a\\'b"]
    for sample in samples:
        script = "echo addslashes(stream_get_contents(STDIN));"
        slashed = subprocess.run(
            [php, "-r", script], input=sample.encode(), capture_output=True, check=True
        ).stdout.decode()
        assert stripslashes(slashed) == sample
        script = "echo stripslashes(stream_get_contents(STDIN));"
        php_unslashed = subprocess.run(
            [php, "-r", script], input=slashed.encode(), capture_output=True, check=True
        ).stdout.decode()
        assert stripslashes(slashed) == php_unslashed


def test_a_first_check_from_the_plugin_is_unslashed(api: Api) -> None:
    _, headers = call(
        api, "/1.1/comment-check", comment_author=r"Seán O\'Brien",
        comment_content=r'I don\'t like the \"quick start\" guide; see C:\\temp',
        comment_author_url=r"https://example.org/o\'brien", blog_lang="en_US",
    )  # fmt: skip
    row = stored(api, headers["x-akismet-guid"])
    assert row.author == "Seán O'Brien"
    assert row.content == 'I don\'t like the "quick start" guide; see C:\\temp'
    assert row.author_url == "https://example.org/o'brien"


@pytest.mark.parametrize(
    ("ua", "extra"),
    [(PYTHON_UA, {}), (WP_UA, {"recheck_reason": "recheck_queue"})],
    ids=["another client", "a WordPress recheck"],
)
def test_other_backslashes_are_the_commenters_own(api: Api, ua: str, extra: dict[str, str]) -> None:
    content = r"Use \d+ in the regex, and C:\\temp\'s files"
    _, headers = call(api, "/1.1/comment-check", ua=ua, comment_content=content, **extra)
    assert stored(api, headers["x-akismet-guid"]).content == content


def test_a_report_finds_the_slashed_check_and_counts_a_false_positive(api: Api) -> None:
    body, headers = call(
        api, "/1.1/comment-check", comment_author=r"Seán O\'Brien",
        comment_author_email=SPAM_EMAIL, comment_content=r"I don\'t agree with \"them\".",
    )  # fmt: skip
    assert body == "true"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    # WordPress 5.0.2 sends no guid with a report, and the clean text read back from its database.
    assert call(
        api, "/1.1/submit-ham", comment_author="Seán O'Brien", comment_author_email=SPAM_EMAIL,
        comment_content='I don\'t agree with "them".', comment_date_gmt=now, reporter="admin",
    )[0] == THANKS  # fmt: skip
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.guid == headers["x-akismet-guid"] and row.label == "ham"
    assert key_sites(api)["false_positives"] == "1"


# --- 3: reports matched to their check ----------------------------------------------------
def test_a_report_without_a_guid_finds_the_same_authors_check(api: Api) -> None:
    _, mine = call(api, "/1.1/comment-check", comment_content="Thanks!", comment_author="Ann")
    _, theirs = call(api, "/1.1/comment-check", comment_content="Thanks!", comment_author="Bob",
                     user_ip="198.51.100.7")  # fmt: skip
    _, other_ip = call(api, "/1.1/comment-check", comment_content="Thanks!", comment_author="Ann",
                       user_ip="198.51.100.8")  # fmt: skip
    call(api, "/1.1/submit-spam", comment_content="Thanks!", comment_author="Ann")
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.guid == mine["x-akismet-guid"]
    assert row.guid not in (theirs["x-akismet-guid"], other_ip["x-akismet-guid"])


def test_a_report_dated_far_from_any_check_is_not_linked(api: Api) -> None:
    call(api, "/1.1/comment-check", comment_content="An old remark", comment_author="Ann")
    long_ago = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    call(api, "/1.1/submit-spam", comment_content="An old remark", comment_author="Ann",
         comment_date_gmt=long_ago)  # fmt: skip
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.guid is None and row.check_id is None
    assert key_sites(api)["missed_spam"] == "0"


def test_a_guid_from_another_site_is_not_followed(api: Api) -> None:
    other = "https://other.example"
    api.services.sites.add_site(other)
    other_key = api.services.sites.create_key([other])
    response = api.client.post("/1.1/comment-check", data={
        "api_key": other_key, "blog": other, "user_ip": IP, "comment_content": "Hello there"})  # fmt: skip
    guid = response.headers["x-akismet-guid"]
    call(api, "/1.1/submit-spam", comment_content="Something else", guid=guid)
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.guid is None


# --- 4: get-stats -------------------------------------------------------------------------
def test_get_stats_in_the_shape_the_settings_page_reads(api: Api) -> None:
    call(api, "/1.1/comment-check", comment_author_email=SPAM_EMAIL, comment_content="x")
    call(api, "/1.1/comment-check", comment_content="A fine article, thank you.")
    call(api, "/1.1/comment-check", comment_content="Second good comment, really.")
    call(api, "/1.1/submit-spam", comment_content="Second good comment, really.")
    month = datetime.now(UTC).strftime("%Y-%m")
    with api.services.db.begin() as conn:  # a key used for this site a year ago
        usage_store.bump(conn, 1, api.blog, "2001-01", api_calls=10, spam=8, ham=2)
    stats = {period: api.client.post("/1.1/get-stats", data={
        "key": api.key, "blog": api.blog, "from": period}).json() for period in ("all", "6-months")}  # fmt: skip
    recent = stats["6-months"]
    assert {k: recent[k] for k in ("spam", "ham", "missed_spam", "false_positives")} == {
        "spam": 1, "ham": 2, "missed_spam": 1, "false_positives": 0}  # fmt: skip
    assert recent["accuracy"] == pytest.approx(66.67)
    assert recent["time_saved"] > 0
    assert recent["breakdown"] == {month: {"spam": 1, "ham": 2, "missed_spam": 1,
                                           "false_positives": 0, "da": month}}  # fmt: skip
    everything = stats["all"]
    assert everything["spam"] == 9 and everything["ham"] == 4
    assert list(everything["breakdown"]) == ["2001-01", month]


def test_get_stats_for_a_quiet_site_and_refusals(api: Api) -> None:
    stats = api.client.post("/1.1/get-stats", data={"key": api.key, "blog": api.blog}).json()
    assert stats["spam"] == 0 and stats["accuracy"] == 100.0
    assert len(stats["breakdown"]) == 1  # never empty: `wp akismet stats` reads its last row
    refused = api.client.post("/1.1/get-stats", data={"key": api.key, "blog": "https://x.example"})
    assert refused.text == "invalid" and "not allowed" in refused.headers["x-akismet-debug-help"]
    assert api.client.post("/1.1/get-stats", data={"key": "0" * 12, "blog": api.blog}).text == (
        "invalid"
    )
    assert api.client.post("/1.1/get-stats", data={"key": api.key}).text == (
        "Missing required field: blog"
    )


# --- 5: a person's decision is final on a recheck -----------------------------------------
def recheck(api: Api, content: str, **fields: str) -> tuple[str, Any]:
    body, headers = call(api, "/1.1/comment-check", comment_content=content, referrer="",
                         recheck_reason="recheck_queue", **fields)  # fmt: skip
    return body, stored(api, headers["x-akismet-guid"])


def test_not_spam_stands_on_a_recheck_of_the_same_and_a_near_identical_comment(api: Api) -> None:
    body, _ = call(api, "/1.1/comment-check", comment_content=PHARMA)
    assert body == "true"  # the premise: rules file it as spam
    call(api, "/1.1/submit-ham", comment_content=PHARMA, reporter="admin")
    body, row = recheck(api, PHARMA)
    assert body == "false" and "HUMAN_DECISION_HAM" in symbols(row)
    assert "SPAM_TOPIC_SALE" in symbols(row)  # the rule still fired; the person decided
    edited = PHARMA.replace("Buy cheap", "Buy really cheap")
    body, row = recheck(api, edited)
    assert body == "false" and "HUMAN_DECISION_HAM" in symbols(row)
    body, _ = call(api, "/1.1/comment-check", comment_content=PHARMA)  # a first check: the engine
    assert body == "true"


def test_spam_stands_on_a_recheck_and_the_latest_decision_wins(api: Api) -> None:
    text = "What a thoughtful piece on the new library opening hours, thank you."
    assert call(api, "/1.1/comment-check", comment_content=text)[0] == "false"
    call(api, "/1.1/submit-spam", comment_content=text)
    body, row = recheck(api, text)
    assert body == "true" and "HUMAN_DECISION_SPAM" in symbols(row)
    call(api, "/1.1/submit-ham", comment_content=text)
    assert recheck(api, text)[0] == "false"
    call(api, "/1.1/submit-spam", comment_content=text)  # the same label again, later
    assert recheck(api, text)[0] == "true"


def test_a_recheck_of_an_unrelated_comment_is_the_engines(api: Api) -> None:
    call(api, "/1.1/submit-ham", comment_content=PHARMA)
    body, row = recheck(api, "Completely different: cheap casino free spins deposit bonus now!")
    assert not any(s.startswith("HUMAN_DECISION") for s in symbols(row))
    assert body == "true"


def test_a_recheck_is_not_penalised_for_its_missing_referrer(api: Api) -> None:
    text = "Looking forward to the next part of this series."
    _, first = call(api, "/1.1/comment-check", comment_content=text, referrer="")
    assert "REFERRER_MISSING" in symbols(stored(api, first["x-akismet-guid"]))
    _, row = recheck(api, text)
    assert "REFERRER_MISSING" not in symbols(row)


def test_a_moderators_decision_stands_too_but_not_an_imported_label(api: Api) -> None:
    labels = api.services.labels
    approved = PHARMA + " (approved by a moderator)"
    imported = PHARMA + " (imported from another system as approved)"
    with api.services.db.begin() as conn:
        for text, source in (
            (approved, FeedbackSource.MODERATOR),
            (imported, FeedbackSource.IMPORT),
        ):
            labels.record(
                conn, Labelled(Submission(site=api.blog, content=text), Label.HAM), source
            )
    body, row = recheck(api, approved)
    assert body == "false" and "HUMAN_DECISION_HAM" in symbols(row)
    body, row = recheck(api, imported)
    assert body == "true" and "HUMAN_DECISION_HAM" not in symbols(row)


def test_near_identical_means_an_edit_not_a_topic() -> None:
    assert similarity(PHARMA, PHARMA) == 1.0
    assert similarity(PHARMA, PHARMA.replace("cheap", "cheep")) >= NEAR_IDENTICAL
    assert similarity(PHARMA, "Buy cheap cialis online, no prescription needed") < NEAR_IDENTICAL
    assert similarity("", PHARMA) == 0.0

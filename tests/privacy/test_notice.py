"""The notice at /privacy states the running configuration, escaped and accessible."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from tests.support.database import migrate


def notice_page(tmp_path: Path, **env: str) -> str:
    settings = load_settings(
        {
            "REJOINDER_DATA_DIR": str(tmp_path / "data"),
            "REJOINDER_PURGE_INTERVAL_MINUTES": "0",
            **{k.upper(): v for k, v in env.items()},
        }
    )
    services = build_services(settings)
    migrate(services.db)
    with TestClient(create_app(settings, services)) as client:
        response = client.get("/privacy")
    services.db.dispose()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def period_of(page: str, setting: str) -> str:
    found = re.search(rf'data-setting="{setting}">([^<]+)<', page)
    assert found, setting
    return found.group(1)


def test_retention_settings_change_the_page(tmp_path: Path) -> None:
    default = notice_page(tmp_path / "a")
    assert period_of(default, "REJOINDER_RETENTION_CHECK_DAYS") == "14 days"
    assert period_of(default, "REJOINDER_RETENTION_FEEDBACK_DAYS") == "30 days"
    assert period_of(default, "REJOINDER_RETENTION_HASH_DAYS") == "90 days"
    changed = notice_page(
        tmp_path / "b", rejoinder_retention_check_days="3", rejoinder_retention_hash_days="1"
    )
    assert period_of(changed, "REJOINDER_RETENTION_CHECK_DAYS") == "3 days"
    assert period_of(changed, "REJOINDER_RETENTION_HASH_DAYS") == "1 day"
    assert changed != default


def test_learned_state_periods_and_its_personal_data_are_stated(tmp_path: Path) -> None:
    default = notice_page(tmp_path / "a")
    assert period_of(default, "REJOINDER_RETENTION_REPUTATION_DAYS") == "90 days"
    assert period_of(default, "REJOINDER_NEAR_DUPLICATE_DAYS") == "90 days"
    learning = re.search(r'<p id="learning">(.*?)</p>', default, re.S)
    assert learning is not None
    said = " ".join(learning.group(1).split())
    assert "keyed hashes of IP addresses, networks, email addresses and domains" in said
    assert "still personal data" in said and "erasing your data deletes the counts" in said
    assert "keyed hashes of up to 24 words of each (not the text)" in said  # thread words
    assert "What accepted comments on an article said" in default  # and their retention rule
    changed = notice_page(
        tmp_path / "b",
        rejoinder_retention_reputation_days="30",
        rejoinder_near_duplicate_days="7",
    )
    assert period_of(changed, "REJOINDER_RETENTION_REPUTATION_DAYS") == "30 days"
    assert period_of(changed, "REJOINDER_NEAR_DUPLICATE_DAYS") == "7 days"


def test_schedule_mail_and_erase_mode_are_stated(tmp_path: Path) -> None:
    off = notice_page(tmp_path / "a")
    assert "the schedule is off" in off and "local outbox" in off
    assert "your records are deleted" in off
    on = notice_page(
        tmp_path / "b",
        rejoinder_purge_interval_minutes="15",
        rejoinder_smtp_host="mail.example.net",
        rejoinder_privacy_erase_mode="anonymise",
        rejoinder_privacy_link_ttl_minutes="25",
    )
    assert "every 15 minutes" in on and "mail server mail.example.net" in on
    assert "your comments stay" in on and "works for 25 minutes" in on


def test_operator_text_is_escaped_and_shown(tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("Our DPO reads every request.\n\nSecond <i>paragraph</i>.\n")
    page = notice_page(
        tmp_path / "a",
        rejoinder_privacy_operator_name="<script>alert(1)</script> Ann & Co",
        rejoinder_privacy_contact="privacy@example.org",
        rejoinder_privacy_extra_text="We keep <b>nothing</b> else.",
        rejoinder_privacy_extra_file=str(extra),
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ann &amp; Co" in page
    assert "privacy@example.org" in page
    assert "<p>We keep &lt;b&gt;nothing&lt;/b&gt; else.</p>" in page
    assert "<p>Our DPO reads every request.</p>" in page
    assert "<p>Second &lt;i&gt;paragraph&lt;/i&gt;.</p>" in page


def test_unreadable_extra_file_does_not_break_the_page(tmp_path: Path) -> None:
    page = notice_page(tmp_path, rejoinder_privacy_extra_file=str(tmp_path / "missing.txt"))
    assert "How your comment data is processed" in page


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.h1 = 0
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.th_scopes: list[str | None] = []
        self.has_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.has_main = True
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag == "th":
            self.th_scopes.append(a.get("scope"))


def test_page_is_accessible(tmp_path: Path) -> None:
    parser = Structure()
    parser.feed(notice_page(tmp_path))
    assert parser.lang == "en" and parser.h1 == 1 and parser.has_main
    visible = [i for i in parser.inputs if i.get("type") != "hidden"]
    assert visible and all(i.get("id") in parser.labels for i in visible)
    assert all(scope in ("col", "row") for scope in parser.th_scopes)
    email = next(i for i in visible if i.get("name") == "email")
    assert email.get("type") == "email" and email.get("autocomplete") == "email"


def test_request_email_row_follows_the_mail_setup(tmp_path: Path) -> None:
    outbox = notice_page(tmp_path / "a", rejoinder_outbox_retention_days="3")
    assert "waits in the local outbox for 3 days" in outbox
    smtp = notice_page(tmp_path / "b", rejoinder_smtp_host="smtp.example.net")
    assert "handed to the mail server smtp.example.net" in smtp


def test_new_data_dir_is_private(tmp_path: Path) -> None:
    import stat

    notice_page(tmp_path)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "secret.key").stat().st_mode) == 0o600


def test_the_stored_network_and_who_sees_it_are_stated(tmp_path: Path) -> None:
    """Issue 17: the page said only keyed hashes of the IP were stored, read by nobody, while
    each comment keeps its /24 (or /48) network and moderators see it."""
    page = " ".join(notice_page(tmp_path).split())
    ip_row = re.search(r"<th scope=\"row\">IP address</th><td>(.*?)</td>", page)
    assert ip_row is not None
    assert "the network itself (such as 203.0.113.0/24)" in ip_row.group(1)
    assert "moderators see" in ip_row.group(1) and "never stored" in ip_row.group(1)
    network_row = re.search(r"<td>(The network \(/24, /48\)[^<]*)</td>.*?<td>([^<]+)</td>", page)
    assert network_row is not None
    assert network_row.group(2) == "the operator and the site&#39;s moderators"


def test_the_commenter_token_is_stated(tmp_path: Path) -> None:  # D18
    page = notice_page(tmp_path, rejoinder_commenter_token_days="30")
    said = re.search(r'<p id="returning">(.*?)</p>', page, re.S)
    assert said is not None
    text = " ".join(said.group(1).split())
    assert "for 30 days" in text and "<code>rejoinder_commenter</code>" in text
    assert "Your email address alone never makes you a returning commenter" in text

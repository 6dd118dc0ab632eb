"""The privacy notice, built from the running settings and the retention registry.

Nothing here is free text about periods: every "how long" comes from the same rules and settings
the purge enforces, so the page at ``/privacy`` cannot drift from what the server does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rejoinder.core.anonymize import PREFIX_V4, PREFIX_V6
from rejoinder.privacy.retention import ExtraPurge, Retention
from rejoinder.settings import Settings, env_name
from rejoinder.settings.privacy import ErasureMode
from rejoinder.storage import policies as policy_store

log = logging.getLogger(__name__)

MAX_EXTRA_FILE = 64_000


@dataclass(frozen=True, slots=True)
class Collected:
    item: str  # what is sent to us
    kept_as: str  # what is stored of it
    why: str


@dataclass(frozen=True, slots=True)
class Kept:
    what: str
    period: str  # "14 days"
    setting: str  # the environment variable, for operators reading the page
    audience: str


@dataclass(frozen=True, slots=True)
class Notice:
    operator_name: str
    contact: str
    extra_paragraphs: list[str]
    collected: list[Collected]
    kept: list[Kept]
    destinations: list[str]
    purge: str
    last_purge: datetime | None
    erase_mode: ErasureMode
    link_ttl_minutes: int
    requests_per_hour: int
    commenter_days: int


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


COLLECTED = (
    Collected(
        "Comment text, name, email address and website",
        "as written; when a comment is reported as spam or not spam, the spam filter also "
        "counts the report under a keyed hash of the email address; when a comment is "
        "accepted, the spam filter keeps keyed hashes of up to 24 of its words (not the text) "
        "under the article, as long as the comment's record",
        "to decide whether a comment is spam, to publish it, and to show moderators why a "
        "decision was made",
    ),
    Collected(
        "IP address",
        "the address itself is never stored; stored are keyed hashes (HMAC with a secret that "
        f"exists only on this server) of the address and of its network (/{PREFIX_V4} for IPv4, "
        f"/{PREFIX_V6} for IPv6), and with a comment the network itself (such as "
        f"203.0.113.0/{PREFIX_V4}), which the site's moderators see",
        "to limit how fast one network can post, to learn which networks send spam, and so "
        "that moderators can recognise and ban a network that floods them",
    ),
    Collected(
        "Browser identification (user agent)",
        'only a coarse family such as "Firefox on Linux"',
        "a missing or scripted browser is a sign of spam",
    ),
    Collected(
        "The page you came from (referrer)",
        "only its host name",
        "links from known spam sites are a sign of spam",
    ),
    Collected(
        "Address of the article you comment on",
        "as sent",
        "context for the spam decision",
    ),
    Collected(
        "Your votes on comments",
        "the vote, under a keyed hash of a random voter id your browser keeps (in its local "
        "storage, or a cookie without JavaScript); no address and no hash of one",
        "to count one vote per reader and comment",
    ),
    Collected(
        "Your picture beside a comment",
        "none: a pattern is drawn on this server from a keyed hash of your email address (else "
        "of your name); nothing is fetched from elsewhere unless the site turns Gravatar on "
        "(see below)",
        "to tell commenters apart at a glance",
    ),
)
WHY_REQUEST = "to send you a link to your data, and to stop the form being used to flood a mailbox"


def _collected(settings: Settings) -> list[Collected]:
    if settings.smtp_host:
        mail = f"the mail to you is handed to the mail server {settings.smtp_host}"
    else:
        mail = (
            "the mail to you waits in the local outbox for "
            f"{days(settings.outbox_retention_days)} or until you erase your data"
        )
    request = Collected(
        "Email address typed into the export/erase form below",
        f"only a keyed hash, to count requests (1 day); {mail}",
        WHY_REQUEST,
    )
    return [*COLLECTED, request]


def _extra_paragraphs(settings: Settings) -> list[str]:
    text = settings.privacy_extra_text
    path: Path | None = settings.privacy_extra_file
    if path is not None:
        try:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                text = f"{text}\n\n{fh.read(MAX_EXTRA_FILE)}"
        except OSError as exc:
            log.warning("privacy_extra_file unreadable: %s", type(exc).__name__)
    blocks = [" ".join(b.split()) for b in text.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


def _destinations(settings: Settings, gravatar_sites: list[str]) -> list[str]:
    found = [
        "Nowhere outside this server: no third-party spam service, analytics, advertising, "
        "fonts or scripts from elsewhere receive your data."
    ]
    if gravatar_sites:
        found.append(
            "Except pictures on sites that turn Gravatar on ("
            + ", ".join(gravatar_sites)
            + "): there a SHA-256 hash of a commenter's email address is stored with the "
            "comment and published in the picture's address, and readers' browsers load the "
            "pictures from Gravatar (gravatar.com, run by Automattic), which sees their IP "
            "address and can look the hash up."
        )
    if settings.smtp_host:
        found.append(
            f"Email this server sends you (only links you ask for) is handed to the mail "
            f"server {settings.smtp_host} for delivery."
        )
    else:
        found.append(
            "Email this server sends you (only links you ask for) is kept in a local "
            "outbox for the operator to deliver."
        )
    return found


def _kept(retention: Retention, extra: tuple[ExtraPurge, ...]) -> list[Kept]:
    active, _skipped = retention.active()
    kept = [
        Kept(
            item.rule.what,
            days(item.days),
            env_name(item.rule.days_setting) if item.rule.days_setting else "fixed",
            item.rule.audience.value,
        )
        for item in active
    ]
    kept.extend(Kept(e.what, days(e.days), "", e.audience.value) for e in extra)
    return kept


def build_notice(settings: Settings, retention: Retention) -> Notice:
    with retention.db.read() as conn:
        gravatar_sites = policy_store.sites_with_gravatar(conn)
    minutes = settings.purge_interval_minutes
    purge = (
        f"A purge runs inside the server every {minutes} minutes and removes what is past its "
        "period."
        if minutes
        else "The operator runs the purge (`rejoinder privacy purge`); the schedule is off."
    )
    return Notice(
        operator_name=settings.privacy_operator_name,
        contact=settings.privacy_contact,
        extra_paragraphs=_extra_paragraphs(settings),
        collected=_collected(settings),
        kept=_kept(retention, retention.extra),
        destinations=_destinations(settings, gravatar_sites),
        purge=purge,
        last_purge=retention.last_run(),
        erase_mode=settings.privacy_erase_mode,
        link_ttl_minutes=settings.privacy_link_ttl_minutes,
        requests_per_hour=settings.privacy_requests_per_hour,
        commenter_days=settings.commenter_token_days,
    )

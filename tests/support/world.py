"""Building blocks of the comment-platform test worlds: a settable clock, real services on a
real SQLite file with the given sites, and posting a comment as a reader would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rejoinder.app import Services, build_services
from rejoinder.comments.service import Client, NewComment, Posted, ThreadRef
from rejoinder.settings import Settings, load_settings
from rejoinder.spam.submission import parse_ip

READER_IP = "203.0.113.7"


class Clock:
    """The services' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def comment_services(
    tmp_path: Path, clock: Clock, sites: tuple[str, ...], **env: str
) -> tuple[Settings, Services]:
    """Upgraded services on tmp_path/data with `sites` added; comment rate limit off."""
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "data"), "REJOINDER_COMMENT_RATE_LIMIT": "0", **env}
    )
    services = build_services(settings, clock)
    services.db.upgrade()
    for site in sites:
        services.sites.add_site(site)
    return settings, services


def post_comment(
    services: Services, site: str, thread: str, text: str, client: Client, **kw: object
) -> Posted:
    new = NewComment(ThreadRef(site, thread), text, **kw)  # type: ignore[arg-type]
    return services.comments.submit(new, client)


def reader(ip: str = READER_IP, user_agent: str = "Mozilla/5.0") -> Client:
    return Client(parse_ip(ip), user_agent)

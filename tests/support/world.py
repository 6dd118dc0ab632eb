"""Building blocks of the test worlds: a settable clock, real services on a real SQLite file
with the given sites, and posting a comment as a reader would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rejoinder.comments.records import Client, NewComment, Posted, ThreadRef
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.spam.submission import parse_ip
from tests.support.database import migrate

READER_IP = "203.0.113.7"


class Clock:
    """The services' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_services(
    tmp_path: Path, sites: tuple[str, ...] = (), clock: Callable[[], datetime] | None = None,
    **env: str,
) -> Services:  # fmt: skip
    """Upgraded services on tmp_path/data with `sites` added (dispose them when done).

    env: settings by name, as `comment_rate_limit="0"` or `REJOINDER_COMMENT_RATE_LIMIT="0"`.
    """
    # These worlds test comments and moderation, not the spam engine's time budget (its own
    # tests keep the default): with the default 50 ms of wall-clock time, a garbage-collection
    # pause or a busy CI machine could stall one signal past it and hold a plain comment.
    # Nor the daily digest (its own tests turn it on): it would add a mail to every round.
    variables = {"REJOINDER_DATA_DIR": str(tmp_path / "data"), "REJOINDER_SIGNAL_BUDGET_MS": "2000",
                 "REJOINDER_DAILY_DIGEST_HOUR": "-1"}  # fmt: skip
    for name, value in env.items():
        variables["REJOINDER_" + name.upper().removeprefix("REJOINDER_")] = value
    settings = load_settings(variables)
    services = build_services(settings, clock) if clock else build_services(settings)
    migrate(services.db)
    for site in sites:
        services.sites.add_site(site)
    return services


def post_comment(
    services: Services, site: str, thread: str, text: str, client: Client, **kw: object
) -> Posted:
    new = NewComment(ThreadRef(site, thread), text, **kw)  # type: ignore[arg-type]
    return services.comments.submit(new, client)


def shown_id(posted: Posted) -> int:
    """The id of a comment the submit answered with (any but a discarded one)."""
    assert posted.comment is not None, posted
    return posted.comment["id"]


def reader(ip: str = READER_IP, user_agent: str = "Mozilla/5.0") -> Client:
    return Client(parse_ip(ip), user_agent)

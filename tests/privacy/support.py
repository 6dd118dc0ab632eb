"""Services on a real SQLite file with a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rejoinder.core.records.verdict import Label
from rejoinder.services import Services
from rejoinder.settings import Settings
from rejoinder.sites.service import KeyInfo
from tests.support.checks import check
from tests.support.world import make_services

BLOG = "https://blog.example.com"
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    services: Services
    clock: FakeClock
    key: KeyInfo
    settings: Settings

    def check(self, email: str, content: str, ip: str = "192.0.2.10") -> str:
        fields = {
            "blog": BLOG, "user_ip": ip, "comment_author": "Someone",
            "comment_author_email": email, "comment_content": content,
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        }  # fmt: skip
        return check(self.services, self.key, fields).guid

    def report(self, email: str, content: str, label: Label, ip: str = "192.0.2.10") -> None:
        fields = {
            "blog": BLOG, "user_ip": ip, "comment_author": "Someone",
            "comment_author_email": email, "comment_content": content,
        }  # fmt: skip
        self.services.checks.submit(self.key, fields, label)


def make_world(tmp_path: Path, **env: str) -> World:
    clock = FakeClock()
    services = make_services(tmp_path, (BLOG,), clock, **env)
    key = services.sites.lookup(services.sites.create_key([BLOG]))
    assert key is not None
    return World(services, clock, key, services.settings)

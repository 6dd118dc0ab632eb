"""Services on a real SQLite file with a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rejoinder.app import Services, build_services
from rejoinder.settings import Settings, load_settings
from rejoinder.sites.service import KeyInfo
from rejoinder.spam.verdict import Label

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
        return self.services.checks.check(self.key, fields).guid

    def report(self, email: str, content: str, label: Label, ip: str = "192.0.2.10") -> None:
        fields = {
            "blog": BLOG, "user_ip": ip, "comment_author": "Someone",
            "comment_author_email": email, "comment_content": content,
        }  # fmt: skip
        self.services.checks.submit(self.key, fields, label)


def make_world(tmp_path: Path, **env: str) -> World:
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "data"), **{k.upper(): v for k, v in env.items()}}
    )
    clock = FakeClock()
    services = build_services(settings, clock)
    services.db.upgrade()
    services.sites.add_site(BLOG)
    key = services.sites.lookup(services.sites.create_key([BLOG]))
    assert key is not None
    return World(services, clock, key, settings)

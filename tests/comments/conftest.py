"""Fixtures for the comment platform: real services on a real SQLite file, a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rejoinder.app import Services, build_services
from rejoinder.comments.service import Client, CommentService, NewComment, Posted, ThreadRef
from rejoinder.settings import load_settings
from rejoinder.spam.submission import parse_ip

SITE = "https://blog.example.com"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class World:
    services: Services
    clock: Clock

    @property
    def comments(self) -> CommentService:
        return self.services.comments

    def post(self, text: str = "Nice article, thanks.", *, thread: str = "post-1",
             client: Client | None = None, **kw: object) -> Posted:  # fmt: skip
        new = NewComment(ThreadRef(SITE, thread), text, **kw)  # type: ignore[arg-type]
        return self.comments.submit(new, client or Client(parse_ip("203.0.113.7"), "Mozilla/5.0"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "data"), "REJOINDER_COMMENT_RATE_LIMIT": "0"}
    )
    services = build_services(settings, clock)
    services.db.upgrade()
    services.sites.add_site(SITE)
    yield World(services, clock)
    services.db.dispose()

"""Fixtures for the comment platform: real services on a real SQLite file, a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rejoinder.comments.records import Client, Posted
from rejoinder.comments.service import CommentService
from rejoinder.services import Services
from tests.support.world import Clock, make_services, post_comment, reader

SITE = "https://blog.example.com"


@dataclass
class World:
    services: Services
    clock: Clock

    @property
    def comments(self) -> CommentService:
        return self.services.comments

    def post(self, text: str = "Nice article, thanks.", *, thread: str = "post-1",
             client: Client | None = None, **kw: object) -> Posted:  # fmt: skip
        return post_comment(self.services, SITE, thread, text, client or reader(), **kw)


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    services = make_services(tmp_path, (SITE,), clock, comment_rate_limit="0")
    yield World(services, clock)
    services.db.dispose()

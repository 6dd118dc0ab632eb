"""Moderation queries on both backends: full-text search (FTS5 on SQLite, GIN to_tsvector on
PostgreSQL), the signal filter on the hits JSON, bulk decisions with learning."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from rejoinder.comments.records import Client, NewComment, ThreadRef
from rejoinder.core.records.moderation import Actor, Decision, Queue, Role
from rejoinder.moderation.queue import Filters
from rejoinder.services import Services
from rejoinder.spam.submission import parse_ip
from rejoinder.storage.schema import feedback
from tests.support.world import make_services

SITE = "https://both.example.org"


@pytest.fixture(scope="module")
def services(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    # The shared test world (upgraded, with the generous signal budget of comment tests).
    found = make_services(
        tmp_path_factory.mktemp("world"), database_url=backend_url, comment_rate_limit="0"
    )
    yield found
    found.db.dispose()


def test_search_filters_and_bulk_decisions(services: Services) -> None:
    services.sites.add_site(SITE)
    services.sites.set_thresholds(SITE, 1.0, 1.0, 1.0)  # nothing is ever held
    boss, _ = services.auth.add("boss@both.example.org", "a long test password", None, Role.ADMIN)
    client = Client(parse_ip("203.0.113.9"), "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")

    def post(text: str, author: str, thread: str = "t1") -> int:
        posted = services.comments.submit(NewComment(ThreadRef(SITE, thread), text, author), client)
        assert posted.comment is not None
        return int(posted.comment["id"])

    a = post("Gardening tips for a rainy spring", "Rosalind Gardener")
    b = post("Spring cleaning of the garden shed", "Bartholomew", thread="sheds")
    c = post("Links " + " ".join(f"http://x{i}.example" for i in range(5)), "Linker")
    m = services.moderation

    def ids(queue: Queue = Queue.PUBLISHED, **kw: object) -> list[int]:
        return [i.id for i in m.queue(boss, queue, Filters(**kw)).items]  # type: ignore[arg-type]

    assert set(ids()) == {a, b, c}  # thresholds set high above: everything is published
    assert ids(text="spring") == [b, a]
    assert ids(text="rainy spring") == [a]
    assert ids(author="rosa") == [a]
    assert ids(author="bartholo") == [b]
    assert ids(thread="sheds") == [b]
    assert ids(symbol="LINKS_MANY") == [c]
    assert ids(text="'; drop table comments; --") == []

    outcome = m.decide(Actor(boss), [a, b, c], Decision.SPAM)
    assert sorted(outcome.changed) == sorted([a, b, c]) and outcome.learned == 3
    again = m.decide(Actor(boss), [a, b, c], Decision.SPAM)
    assert again.learned == 0 and sorted(again.unchanged) == sorted([a, b, c])
    with services.db.read() as conn:
        labels = [r[0] for r in conn.execute(select(feedback.c.label))]
    assert labels == ["spam", "spam", "spam"]
    assert set(ids(Queue.SPAM, text="spring")) == {a, b}

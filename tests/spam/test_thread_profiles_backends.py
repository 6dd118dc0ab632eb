"""Thread words on each backend (SQLite file, PostgreSQL): the SQL behind storing, trimming,
reading and forgetting a thread's profile, and the foreign keys that delete a row with its
record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, delete, func, select
from sqlalchemy import text as sql

from rejoinder.comments.events import CommentEvent
from rejoinder.comments.records import NewComment, ThreadRef
from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import Action, Label
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.spam.learning import profiles
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as comment_store
from rejoinder.storage import thread_words as store
from rejoinder.storage.schema import checks, comments, thread_words
from tests.support.checks import check
from tests.support.world import reader

BLOG = "https://pg.example.org"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
SAID = (
    "Your groupby example fails on pandas 2.1 when the column has missing values.",
    "Is there a way to do the same grouping with polars? The pandas version is slow for me.",
    "The aggregation part finally made sense to me, after three other attempts.",
)


@pytest.fixture(scope="module")
def services(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path_factory.mktemp("data")),
         "REJOINDER_DATABASE_URL": backend_url, "REJOINDER_COMMENT_RATE_LIMIT": "0",
         "REJOINDER_SIGNAL_BUDGET_MS": "2000", "REJOINDER_DAILY_DIGEST_HOUR": "-1"}
    )  # fmt: skip
    built = build_services(settings)
    built.db.upgrade()
    built.sites.add_site(BLOG)
    yield built
    built.db.dispose()


def count(services: Services, *where: object) -> int:
    with services.db.read() as conn:
        query = select(func.count()).select_from(thread_words).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(query).scalar_one())


def test_akismet_rows_follow_their_checks(services: Services) -> None:
    key = services.sites.lookup(services.sites.create_key([BLOG]))
    assert key is not None
    post = BLOG + "/?p=1"
    guids = []
    for text in SAID:
        fields = {"blog": BLOG, "permalink": post, "comment_content": text,
                  "user_ip": "198.51.100.7", "user_agent": BROWSER, "comment_author": "A"}  # fmt: skip
        result = check(services, key, fields)
        assert result.verdict.action is Action.ACCEPT
        guids.append(result.guid)
    state = services.engine.state
    assert state is not None and state.profiles is not None
    off = Submission.from_fields(
        {"blog": BLOG, "permalink": post, "comment_content": "see https://x.example/"}, site=BLOG
    )
    assert state.profiles.on_topic(off, {"cheap"}) is False
    assert state.profiles.on_topic(off, {"polar"}) is True
    fields = {"blog": BLOG, "guid": guids[0], "comment_content": SAID[0]}
    services.checks.submit(key, fields, Label.SPAM)  # out of the profile
    assert count(services, thread_words.c.check_guid == guids[0]) == 0
    services.checks.submit(key, fields | {"guid": guids[0]}, Label.HAM)  # and back
    assert count(services, thread_words.c.check_guid == guids[0]) == 1
    with services.db.begin() as conn:  # the record goes (retention, erase): so does the row
        conn.execute(delete(checks).where(checks.c.guid == guids[1]))
    assert count(services, thread_words.c.check_guid == guids[1]) == 0
    assert count(services, thread_words.c.check_guid.isnot(None)) == 2


def test_widget_rows_trim_and_read_on_each_backend(services: Services) -> None:
    url = BLOG + "/2024/widget-post"
    posted = [
        services.comments.submit(
            NewComment(ThreadRef(BLOG, url=url), text), reader("203.0.113.9", BROWSER)
        )
        for text in SAID
    ]
    ids = [int(p.comment["id"]) for p in posted if p.comment is not None and p.published]
    assert len(ids) == 3
    state = services.engine.state
    assert state is not None and state.profiles is not None
    thread = state.profiles.thread(BLOG, url)
    assert thread is not None
    with services.db.begin() as conn:
        assert len(store.newest(conn, thread, profiles.KEEP)) == 3
        comment_store.set_status(conn, [ids[0]], Status.SPAM)
        assert len(store.newest(conn, thread, profiles.KEEP)) == 2
        # a row a missed hook left behind is not read while its comment is not published
        row = state.profiles.words(BLOG, url, "stray words", comment_id=ids[0])
        assert row is not None
        store.add(conn, [row], profiles.KEEP)
        assert len(store.newest(conn, thread, profiles.KEEP)) == 2
        # the oldest go out beyond KEEP
        extra = [state.profiles.words(BLOG, url, f"reader number {i}") for i in range(40)]
        store.add(conn, [r for r in extra if r is not None], 5)
        assert count_in(conn, thread) == 5
        conn.execute(delete(comments).where(comments.c.id == ids[1]))  # cascade
    assert count(services, thread_words.c.comment_id == ids[1]) == 0


def count_in(conn: object, thread: str) -> int:
    query = select(func.count()).select_from(thread_words).where(thread_words.c.thread == thread)
    return int(conn.execute(query).scalar_one())  # type: ignore[attr-defined]


def test_a_failing_listener_costs_neither_the_post_nor_the_profile(services: Services) -> None:
    """The post's listeners share one savepoint on PostgreSQL; when one fails (here after a
    statement that aborts the transaction there), each runs again alone and the others' rows
    stay: the comment and its thread words are stored."""
    marker = "Listener-breaking words about grouping columns"

    def broken(conn: Connection, event: CommentEvent) -> None:
        if event.text.startswith(marker):
            conn.execute(sql("SELECT no_such_column FROM no_such_table"))

    services.comments.events.subscribe(broken)  # after the notifier and the profiles
    url = BLOG + "/2026/broken-listener"
    new = NewComment(ThreadRef(BLOG, url=url), marker + ", with pandas.")
    posted = services.comments.submit(new, reader("203.0.113.9", BROWSER))
    assert posted.published and posted.comment is not None
    comment_id = int(posted.comment["id"])
    with services.db.read() as conn:
        assert comment_store.comment_by_id(conn, comment_id) is not None
    assert count(services, thread_words.c.comment_id == comment_id) == 1

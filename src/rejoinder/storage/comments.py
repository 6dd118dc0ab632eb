"""Threads, comments and per-site comment policies.

Every comment write goes through :func:`insert_comment`, :func:`update_comment` or
:func:`set_status` (many at once), which bump the thread's ``version``: readers cache a rendered thread under it (moderation must use them too).

Listing is keyset-paginated on top-level comments (``id > after``) with their replies fetched by
``root_id``: both walk an index, so a page of a 10 000-comment thread costs the same as the first
page of a small one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.comments import (
    Comment,
    Disposition,
    Policy,
    Sort,
    Status,
    Thread,
    fallback_avatar,
)
from rejoinder.core.records.verdict import HitRecord
from rejoinder.storage import thread_words
from rejoinder.storage.schema import comment_policies, comments, sites, threads

VISIBLE = (Status.PUBLISHED.value, Status.DELETED.value)
LIST_COLUMNS = (
    comments.c.id,
    comments.c.thread_id,
    comments.c.parent_id,
    comments.c.root_id,
    comments.c.depth,
    comments.c.status,
    comments.c.author,
    comments.c.website,
    comments.c.author_html,
    comments.c.text,
    comments.c.html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.votes_up,
    comments.c.votes_down,
    comments.c.avatar,
    comments.c.gravatar,
)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- threads ----------------------------------------------------------------------------------
def _thread(row: Any) -> Thread:
    m = row._mapping
    return Thread(
        m["id"], m["site_id"], m["key"], m["url"], m["title"], aware(m["created_at"]), m["version"]
    )


# Statements on the posting path are built once: building and keying a statement costs more
# than running it (they run on the event loop inside the group commit).
_THREAD_BY_KEY = select(threads).where(
    threads.c.site_id == bindparam("site_id"), threads.c.key == bindparam("key")
)
_INSERT_COMMENT = insert(comments).returning(comments.c.id)
_BUMP_VERSION = (
    update(threads).where(threads.c.id == bindparam("thread")).values(version=threads.c.version + 1)
)
_COMMENT_BY_ID = select(*LIST_COLUMNS, comments.c.email, comments.c.email_hash).where(
    comments.c.id == bindparam("comment")
)


def thread_by_key(conn: Connection, site_id: int, key: str) -> Thread | None:
    row = conn.execute(_THREAD_BY_KEY, {"site_id": site_id, "key": key}).first()
    return _thread(row) if row else None


def thread_by_id(conn: Connection, thread_id: int) -> Thread | None:
    row = conn.execute(select(threads).where(threads.c.id == thread_id)).first()
    return _thread(row) if row else None


def ensure_thread(
    conn: Connection, site_id: int, key: str, url: str, title: str, now: datetime
) -> Thread:
    """The thread with this key, created on first use (safe against a concurrent creator)."""
    found = thread_by_key(conn, site_id, key)
    if found is not None:
        if (url and not found.url) or (title and not found.title):
            conn.execute(
                update(threads)
                .where(threads.c.id == found.id)
                .values(url=found.url or url, title=found.title or title)
            )
            found = thread_by_key(conn, site_id, key)
            assert found is not None
        return found
    try:
        with conn.begin_nested():
            conn.execute(
                insert(threads).values(
                    site_id=site_id, key=key, url=url, title=title, created_at=now
                )
            )
    except IntegrityError:
        pass
    created = thread_by_key(conn, site_id, key)
    assert created is not None
    return created


def threads_by_keys(conn: Connection, site_id: int, keys: Collection[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = conn.execute(
        select(threads.c.key, threads.c.id).where(
            threads.c.site_id == site_id, threads.c.key.in_(list(keys))
        )
    )
    return {r[0]: int(r[1]) for r in rows}


# --- comments ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CommentRecord:
    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    status: Status
    author: str
    email: str
    email_hash: str | None
    website: str
    author_html: str
    text: str
    html: str
    created_at: datetime
    probability: float | None
    hits: list[HitRecord]
    ip_hash: str | None
    ip_prefix_hash: str | None
    ua_family: str
    ip_network: str | None = None  # the truncated /24 or /48, for moderators
    notify_replies: bool = False
    fingerprint: str | None = None  # exact-duplicate key of the text (velocity, erase)
    avatar: str | None = None  # identicon seed (comments.avatars)
    gravatar: str | None = None  # SHA-256 of the email, only where the site shows Gravatar


@dataclass(frozen=True, slots=True)
class StoredComment:
    """A comment with what the service needs to authorise and re-check it."""

    comment: Comment
    email: str
    email_hash: str | None


def insert_comment(conn: Connection, new: CommentRecord) -> int:
    """Store a new comment and bump its thread's version (cached pages refresh)."""
    values = {f: getattr(new, f) for f in CommentRecord.__slots__}
    values["status"] = new.status.value
    comment_id = int(conn.execute(_INSERT_COMMENT, values).scalar_one())
    conn.execute(_BUMP_VERSION, {"thread": new.thread_id})
    return comment_id


def stored_as(new: CommentRecord, comment_id: int) -> StoredComment:
    """The comment :func:`insert_comment` just stored, as :func:`comment_by_id` reads it."""
    comment = Comment(
        comment_id,
        new.thread_id,
        new.parent_id,
        new.root_id,
        new.depth,
        new.status,
        new.author,
        new.website,
        new.author_html,
        new.text,
        new.html,
        aware(new.created_at),
        None,
        0,
        0,
        new.avatar or fallback_avatar(new.author),
        new.gravatar,
    )
    return StoredComment(comment, new.email, new.email_hash)


def _comment(row: Any) -> Comment:
    m = row._mapping
    edited = m["edited_at"]
    return Comment(
        m["id"],
        m["thread_id"],
        m["parent_id"],
        m["root_id"],
        m["depth"],
        Status(m["status"]),
        m["author"],
        m["website"],
        m["author_html"],
        m["text"],
        m["html"],
        aware(m["created_at"]),
        aware(edited) if edited is not None else None,
        m["votes_up"],
        m["votes_down"],
        m["avatar"] or fallback_avatar(m["author"]),
        m["gravatar"],
    )


def comment_by_id(conn: Connection, comment_id: int) -> StoredComment | None:
    row = conn.execute(_COMMENT_BY_ID, {"comment": comment_id}).first()
    if row is None:
        return None
    return StoredComment(_comment(row), row._mapping["email"], row._mapping["email_hash"])


def update_comment(conn: Connection, comment_id: int, **values: Any) -> None:
    if isinstance(values.get("status"), Status):
        values["status"] = values["status"].value
    if "text" in values or values.get("status", Status.PUBLISHED.value) != Status.PUBLISHED.value:
        thread_words.forget_comments(conn, [comment_id])  # what it said no longer counts
    conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))
    owner = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
    conn.execute(update(threads).where(threads.c.id == owner).values(version=threads.c.version + 1))


def set_status(conn: Connection, comment_ids: Collection[int], status: Status) -> None:
    """``update_comment(status=…)`` for many comments (a bulk moderation decision): one
    statement per 500 comments, and each affected thread's version bumped once."""
    ids = list(comment_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(update(comments).where(comments.c.id.in_(chunk)).values(status=status.value))
        if status is not Status.PUBLISHED:
            thread_words.forget_comments(conn, chunk)
        owners = select(comments.c.thread_id).where(comments.c.id.in_(chunk)).distinct()
        conn.execute(
            update(threads).where(threads.c.id.in_(owners)).values(version=threads.c.version + 1)
        )


def _visible(own_ids: Collection[int]) -> Any:
    shown = comments.c.status.in_(VISIBLE)
    return or_(shown, comments.c.id.in_(list(own_ids))) if own_ids else shown


def page_roots(
    conn: Connection,
    thread_id: int,
    after: int,
    limit: int,
    own_ids: Collection[int],
    sort: Sort = Sort.OLDEST,
) -> list[Comment]:
    """Top-level comments after the cursor (a comment id) in ``sort`` order: at most
    ``limit`` + 1 (to see more). Keyset on id, or on (score, id) for top."""
    query = select(*LIST_COLUMNS).where(
        comments.c.thread_id == thread_id, comments.c.parent_id.is_(None), _visible(own_ids)
    )
    score = comments.c.votes_up - comments.c.votes_down
    if sort is Sort.NEWEST:
        query = query.where(comments.c.id < after) if after else query
        query = query.order_by(comments.c.id.desc())
    elif sort is Sort.TOP:
        if after:
            at = select(score).where(comments.c.id == after).scalar_subquery()
            query = query.where(or_(score < at, and_(score == at, comments.c.id > after)))
        query = query.order_by(score.desc(), comments.c.id)
    else:
        query = query.where(comments.c.id > after).order_by(comments.c.id)
    return [_comment(r) for r in conn.execute(query.limit(limit + 1))]


def replies_of(
    conn: Connection, root_ids: Iterable[int], own_ids: Collection[int]
) -> list[Comment]:
    ids = list(root_ids)
    if not ids:
        return []
    rows = conn.execute(
        select(*LIST_COLUMNS)
        .where(comments.c.root_id.in_(ids), _visible(own_ids))
        .order_by(comments.c.id)
    )
    return [_comment(r) for r in rows]


@dataclass(frozen=True, slots=True)
class FeedItem:
    comment: Comment
    thread: Thread


def recent_published(
    conn: Connection, site_id: int, thread_id: int | None, limit: int
) -> list[FeedItem]:
    """The newest published comments of a site (or of one thread), newest first: a feed."""
    query = (
        select(*LIST_COLUMNS, *(c.label(f"t_{c.name}") for c in threads.c))
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id == site_id, comments.c.status == Status.PUBLISHED.value)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(limit)
    )
    if thread_id is not None:
        query = query.where(comments.c.thread_id == thread_id)
    found = []
    for row in conn.execute(query):
        m = row._mapping
        thread = Thread(
            m["t_id"],
            m["t_site_id"],
            m["t_key"],
            m["t_url"],
            m["t_title"],
            aware(m["t_created_at"]),
            m["t_version"],
        )
        found.append(FeedItem(_comment(row), thread))
    return found


def count_published(conn: Connection, thread_ids: Collection[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = conn.execute(
        select(comments.c.thread_id, func.count())
        .where(
            comments.c.thread_id.in_(list(thread_ids)),
            comments.c.status == Status.PUBLISHED.value,
        )
        .group_by(comments.c.thread_id)
    )
    return {int(r[0]): int(r[1]) for r in rows}


_POLICY = select(comment_policies).where(comment_policies.c.site_id == bindparam("site"))


def policy_for(conn: Connection, site_id: int) -> Policy | None:
    row = conn.execute(_POLICY, {"site": site_id}).first()
    if row is None:
        return None
    m = row._mapping
    return Policy(
        Disposition(m["on_accept"]),
        Disposition(m["on_hold"]),
        Disposition(m["on_spam"]),
        Disposition(m["on_discard"]),
        bool(m["hold_all"]),
        bool(m["hold_first_time"]),
        tuple(str(o) for o in m["allowed_origins"] or ()),
        int(m["close_after_days"] or 0),
        bool(m["voting"]),
        bool(m["gravatar"]),
    )


def set_policy(conn: Connection, site_id: int, policy: Policy, now: datetime) -> None:
    values = {
        "on_accept": policy.on_accept.value,
        "on_hold": policy.on_hold.value,
        "on_spam": policy.on_spam.value,
        "on_discard": policy.on_discard.value,
        "hold_all": policy.hold_all,
        "hold_first_time": policy.hold_first_time,
        "allowed_origins": list(policy.allowed_origins),
        "updated_at": now,
        "close_after_days": policy.close_after_days,
        "voting": policy.voting,
        "gravatar": policy.gravatar,
    }
    done = conn.execute(
        update(comment_policies).where(comment_policies.c.site_id == site_id).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(insert(comment_policies).values(site_id=site_id, **values))
    # cached pages show the policy (voting, avatars): every thread of the site renders anew
    conn.execute(
        update(threads).where(threads.c.site_id == site_id).values(version=threads.c.version + 1)
    )


def sites_with_gravatar(conn: Connection) -> list[str]:
    """URLs of the sites that show Gravatar pictures (the privacy notice names them)."""
    rows = conn.execute(
        select(sites.c.url)
        .join(comment_policies, comment_policies.c.site_id == sites.c.id)
        .where(comment_policies.c.gravatar.is_(True))
        .order_by(sites.c.url)
    )
    return [str(r[0]) for r in rows]


def all_origin_sources(conn: Connection) -> list[tuple[str, list[str]]]:
    """(site URL, extra allowed origins) for every site: the CORS allow-list is built from it."""
    rows = conn.execute(
        select(sites.c.url, comment_policies.c.allowed_origins).outerjoin(
            comment_policies, comment_policies.c.site_id == sites.c.id
        )
    )
    return [(r[0], list(r[1] or [])) for r in rows]

"""Moderators, their roles, sessions and API tokens, the login throttle and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.moderation import LogEntry, Moderator, NotifyMode, Role
from rejoinder.storage.schema import (
    login_throttle,
    moderation_log,
    moderator_roles,
    moderator_sessions,
    moderator_tokens,
    moderators,
)
from rejoinder.storage.times import aware


# --- moderators -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Credentials:
    moderator_id: int
    password_hash: str


def _roles(conn: Connection, moderator_id: int) -> dict[int | None, Role]:
    rows = conn.execute(
        select(moderator_roles.c.site_id, moderator_roles.c.role).where(
            moderator_roles.c.moderator_id == moderator_id
        )
    )
    return {r[0]: Role(r[1]) for r in rows}


def moderator_by_id(conn: Connection, moderator_id: int) -> Moderator | None:
    row = conn.execute(select(moderators).where(moderators.c.id == moderator_id)).first()
    if row is None:
        return None
    m = row._mapping
    return Moderator(m["id"], m["email"], NotifyMode(m["notify"]), _roles(conn, m["id"]))


def moderator_by_email(conn: Connection, email: str) -> Moderator | None:
    row = conn.execute(select(moderators.c.id).where(moderators.c.email == email)).first()
    return moderator_by_id(conn, int(row[0])) if row else None


def credentials(conn: Connection, email: str) -> Credentials | None:
    row = conn.execute(
        select(moderators.c.id, moderators.c.password_hash).where(moderators.c.email == email)
    ).first()
    return Credentials(int(row[0]), str(row[1])) if row else None


def add_moderator(conn: Connection, email: str, password_hash: str, now: datetime) -> int | None:
    """A new moderator's id, or None when the email is taken."""
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    insert(moderators)
                    .values(email=email, password_hash=password_hash, created_at=now, notify="off")
                    .returning(moderators.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        return None


def set_password(conn: Connection, moderator_id: int, password_hash: str) -> None:
    conn.execute(
        update(moderators)
        .where(moderators.c.id == moderator_id)
        .values(password_hash=password_hash)
    )


def set_notify(conn: Connection, moderator_id: int, mode: NotifyMode) -> None:
    conn.execute(
        update(moderators).where(moderators.c.id == moderator_id).values(notify=mode.value)
    )


def touch_login(conn: Connection, moderator_id: int, now: datetime) -> None:
    conn.execute(
        update(moderators).where(moderators.c.id == moderator_id).values(last_login_at=now)
    )


def set_role(conn: Connection, moderator_id: int, site_id: int | None, role: Role) -> None:
    where = moderator_roles.c.moderator_id == moderator_id
    where &= (
        moderator_roles.c.site_id.is_(None)
        if site_id is None
        else moderator_roles.c.site_id == site_id
    )
    done = conn.execute(update(moderator_roles).where(where).values(role=role.value))
    if done.rowcount == 0:
        conn.execute(
            insert(moderator_roles).values(
                moderator_id=moderator_id, site_id=site_id, role=role.value
            )
        )


def remove_moderator(conn: Connection, moderator_id: int) -> None:
    for table in (moderator_sessions, moderator_tokens, moderator_roles):
        conn.execute(delete(table).where(table.c.moderator_id == moderator_id))
    conn.execute(delete(moderators).where(moderators.c.id == moderator_id))


def list_moderators(conn: Connection) -> list[Moderator]:
    ids = [int(r[0]) for r in conn.execute(select(moderators.c.id).order_by(moderators.c.id))]
    return [m for m in (moderator_by_id(conn, i) for i in ids) if m is not None]


def count_moderators(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(moderators)).scalar_one())


def moderators_for_site(conn: Connection, site_id: int) -> list[Moderator]:
    rows = conn.execute(
        select(moderator_roles.c.moderator_id)
        .where((moderator_roles.c.site_id == site_id) | moderator_roles.c.site_id.is_(None))
        .distinct()
    )
    found = [moderator_by_id(conn, int(r[0])) for r in rows]
    return [m for m in found if m is not None]


# --- sessions ---------------------------------------------------------------------------------
def add_session(
    conn: Connection, id_hash: str, moderator_id: int, now: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(moderator_sessions).values(
            id_hash=id_hash, moderator_id=moderator_id, created_at=now, expires_at=expires
        )
    )


def session_owner(conn: Connection, id_hash: str, now: datetime) -> int | None:
    row = conn.execute(
        select(moderator_sessions.c.moderator_id, moderator_sessions.c.expires_at).where(
            moderator_sessions.c.id_hash == id_hash
        )
    ).first()
    if row is None or aware(row[1]) <= now:
        return None
    return int(row[0])


def drop_session(conn: Connection, id_hash: str) -> None:
    conn.execute(delete(moderator_sessions).where(moderator_sessions.c.id_hash == id_hash))


def drop_expired_sessions(conn: Connection, now: datetime) -> int:
    done = conn.execute(delete(moderator_sessions).where(moderator_sessions.c.expires_at <= now))
    return int(done.rowcount or 0)


# --- API tokens -------------------------------------------------------------------------------
def add_token(
    conn: Connection, moderator_id: int, token_hash: str, hint: str, now: datetime
) -> None:
    conn.execute(
        insert(moderator_tokens).values(
            moderator_id=moderator_id, token_hash=token_hash, hint=hint, created_at=now
        )
    )


def token_owner(conn: Connection, token_hash: str) -> tuple[int, str] | None:
    row = conn.execute(
        select(moderator_tokens.c.moderator_id, moderator_tokens.c.hint).where(
            moderator_tokens.c.token_hash == token_hash, moderator_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def revoke_tokens(conn: Connection, moderator_id: int, now: datetime) -> int:
    done = conn.execute(
        update(moderator_tokens)
        .where(
            moderator_tokens.c.moderator_id == moderator_id,
            moderator_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(done.rowcount or 0)


# --- login throttle ---------------------------------------------------------------------------
def failures(conn: Connection, bucket: str, since: datetime) -> int:
    row = conn.execute(
        select(login_throttle.c.failures, login_throttle.c.window_start).where(
            login_throttle.c.bucket == bucket
        )
    ).first()
    if row is None or aware(row[1]) < since:
        return 0
    return int(row[0])


def add_failure(conn: Connection, bucket: str, now: datetime, window: timedelta) -> None:
    row = conn.execute(
        select(login_throttle.c.window_start).where(login_throttle.c.bucket == bucket)
    ).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(login_throttle).values(bucket=bucket, window_start=now, failures=1)
                )
            return
        except IntegrityError:
            pass
    elif aware(row[0]) < now - window:
        conn.execute(
            update(login_throttle)
            .where(login_throttle.c.bucket == bucket)
            .values(window_start=now, failures=1)
        )
        return
    conn.execute(
        update(login_throttle)
        .where(login_throttle.c.bucket == bucket)
        .values(failures=login_throttle.c.failures + 1)
    )


def clear_failures(conn: Connection, bucket: str) -> None:
    conn.execute(delete(login_throttle).where(login_throttle.c.bucket == bucket))


# --- the audit log ----------------------------------------------------------------------------
def log_decision(
    conn: Connection,
    *,
    comment_id: int | None,
    site_id: int,
    moderator_id: int | None,
    actor: str,
    action: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    conn.execute(
        insert(moderation_log).values(
            comment_id=comment_id,
            site_id=site_id,
            moderator_id=moderator_id,
            actor=actor[:254],
            action=action,
            from_status=from_status,
            to_status=to_status,
            detail=detail or {},
            created_at=now,
        )
    )


def log_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(moderation_log), rows)


def history(conn: Connection, comment_id: int, limit: int = 100) -> list[LogEntry]:
    rows = conn.execute(
        select(moderation_log)
        .where(moderation_log.c.comment_id == comment_id)
        .order_by(moderation_log.c.id)
        .limit(limit)
    )
    return [_entry(r) for r in rows]


def site_log(conn: Connection, site_ids: list[int] | None, limit: int = 100) -> list[LogEntry]:
    query = select(moderation_log).order_by(moderation_log.c.id.desc()).limit(limit)
    if site_ids is not None:
        query = query.where(moderation_log.c.site_id.in_(site_ids))
    return [_entry(r) for r in conn.execute(query)]


def _entry(row: Any) -> LogEntry:
    m = row._mapping
    return LogEntry(
        m["id"],
        m["comment_id"],
        m["actor"],
        m["action"],
        m["from_status"],
        m["to_status"],
        dict(m["detail"] or {}),
        aware(m["created_at"]),
    )


def remove_role(conn: Connection, moderator_id: int, site_id: int | None) -> bool:
    where = moderator_roles.c.moderator_id == moderator_id
    where &= (
        moderator_roles.c.site_id.is_(None)
        if site_id is None
        else moderator_roles.c.site_id == site_id
    )
    return bool(conn.execute(delete(moderator_roles).where(where)).rowcount)

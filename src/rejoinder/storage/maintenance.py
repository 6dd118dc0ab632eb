"""Bounded, idempotent bulk changes and a cross-process task lock.

Used by retention purges and erase requests: rows are chosen by a predicate, changed in batches
of at most ``batch_size`` rows, each batch in its own transaction. A run that is interrupted
leaves every finished batch committed and the rest untouched; running again finishes the job,
because the predicate no longer matches rows already changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, delete, func, insert, or_, select, update
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.exc import IntegrityError

from rejoinder.storage.db import Database
from rejoinder.storage.schema import task_locks


class Change(StrEnum):
    DELETE = "delete"
    UPDATE = "update"


Values = Callable[[datetime], Mapping[str, Any]]


def count_matching(conn: Connection, table: Table, where: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())


def _key_filter(table: Table, keys: list[tuple[Any, ...]]) -> ColumnElement[bool]:
    cols = list(table.primary_key.columns)
    if len(cols) == 1:
        return cols[0].in_([k[0] for k in keys])
    return sql_tuple(*cols).in_(keys)


def apply_in_batches(
    db: Database,
    table: Table,
    where: ColumnElement[bool],
    change: Change,
    *,
    values: Values | None = None,
    now: datetime,
    batch_size: int,
    max_batches: int | None = None,
) -> int:
    """Delete or update every row matching ``where``; returns how many rows changed.

    ``where`` must stop matching a row once it is changed (true of deletes; for updates, include
    a "not yet cleared" condition), or the loop would visit the same rows again.
    """
    pk = list(table.primary_key.columns)
    done = 0
    batches = 0
    previous: list[tuple[Any, ...]] = []
    while max_batches is None or batches < max_batches:
        with db.begin() as conn:
            keys = [
                tuple(r)
                for r in conn.execute(select(*pk).where(where).order_by(*pk).limit(batch_size))
            ]
            if not keys:
                break
            if keys == previous:  # an update that does not end the match would loop forever
                raise RuntimeError(f"{table.name}: changed rows still match; fix the rule")
            previous = keys
            chosen = _key_filter(table, keys)
            if change is Change.DELETE:
                result = conn.execute(delete(table).where(chosen, where))
            else:
                assert values is not None
                known = {k: v for k, v in values(now).items() if k in table.c}  # older schemas
                result = conn.execute(update(table).where(chosen, where).values(**known))
            done += max(result.rowcount, 0)
        batches += 1
        if len(keys) < batch_size:
            break
    return done


def try_lock(
    db: Database, name: str, holder: str, now: datetime, *, ttl: timedelta, every: timedelta
) -> bool:
    """Take the named lock unless another holder's lease is live or the last run was recent.

    One row per task name; taking it is a single conditional UPDATE (or the first INSERT), so
    any number of worker processes on SQLite or PostgreSQL agree on one winner.
    """
    due = or_(task_locks.c.finished_at.is_(None), task_locks.c.finished_at <= now - every)
    with db.begin() as conn:
        taken = conn.execute(
            update(task_locks)
            .where(task_locks.c.name == name, task_locks.c.expires_at <= now, due)
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
        if taken:
            return True
        exists = conn.execute(select(task_locks.c.name).where(task_locks.c.name == name)).first()
        if exists is not None:
            return False
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(task_locks).values(
                        name=name, holder=holder, expires_at=now + ttl, finished_at=None
                    )
                )
        except IntegrityError:
            return False
    return True


def release_lock(db: Database, name: str, holder: str, now: datetime, *, finished: bool) -> None:
    """Give the lock back; ``finished`` records a completed run (the schedule counts from it)."""
    values: dict[str, Any] = {"expires_at": now}
    if finished:
        values["finished_at"] = now
    with db.begin() as conn:
        conn.execute(
            update(task_locks)
            .where(task_locks.c.name == name, task_locks.c.holder == holder)
            .values(**values)
        )


def last_finished(db: Database, name: str) -> datetime | None:
    with db.read() as conn:
        value = conn.execute(
            select(task_locks.c.finished_at).where(task_locks.c.name == name)
        ).scalar_one_or_none()
    return value if isinstance(value, datetime) else None

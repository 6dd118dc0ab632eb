"""A Remark42 backup (``backup-<site>-<date>.gz``, or the output of its export), read line by
line: JSON Lines, gzip or not.

Line 1 is ``{"version": 1, "users": […], "posts": […]}``; every other line is one comment:
``id``, ``pid`` (the parent's id, '' for none), ``text`` (rendered HTML), ``orig`` (the
Markdown typed), ``user`` (``name``, ``id``), ``locator`` (``site``, ``url``), ``time``,
``edit`` (``time``), ``delete``, ``title``. Remark42 has no spam or pending state, and keeps
only a hash of the commenter's address: no IP address comes over.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from rejoinder.migration.htmltext import html_to_markdown
from rejoinder.migration.inputs import moment, thread_key
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    SourceState,
)


def _object(raw: bytes, name: str, where: str) -> dict[str, Any]:
    try:
        found = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{name}, {where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{name}, {where}: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(found, dict):
        raise ImportFailed(f"{name}, {where}: a JSON object was expected")
    return found


def _str(record: dict[str, Any], *path: str) -> str:
    value: Any = record
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def read(stream: IO[bytes], name: str) -> Iterator[ImportedThread | ImportedComment]:
    threads: set[str] = set()
    header = False
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = f"line {number}"
        record = _object(raw, name, where)
        if not header:
            if "version" not in record or "posts" not in record:
                raise ImportFailed(f"{name}, line 1: not a Remark42 backup (no version and posts)")
            header = True
            continue
        url = _str(record, "locator", "url")
        if not url:
            raise ImportFailed(f"{name}, {where}: the comment has no locator.url")
        key = thread_key(url, "remark42")
        if key not in threads:
            threads.add(key)
            yield ImportedThread(key, url, _str(record, "title"))
        yield _comment(record, key, f"{where} (comment {_str(record, 'id')})")
    if not header:
        raise ImportFailed(f"{name}: the file is empty")


def _comment(record: dict[str, Any], key: str, where: str) -> ImportedComment:
    comment_id = _str(record, "id")
    if not comment_id:
        raise ImportFailed(f"{where}: the comment has no id")
    deleted = record.get("delete") is True
    source = _str(record, "orig") or html_to_markdown(_str(record, "text"), typed=False)
    edited = _str(record, "edit", "time")
    edited = "" if edited.startswith("0001-") else edited  # Go's zero time: never edited
    return ImportedComment(
        source_id=comment_id,
        thread_key=key,
        parent_id=_str(record, "pid") or None,
        state=SourceState.DELETED if deleted else SourceState.APPROVED,
        text="" if deleted else source,
        created_at=moment(_str(record, "time"), where, "time"),
        where=where,
        author=_str(record, "user", "name"),
        edited_at=moment(edited, where, "edit.time") if edited else None,
    )

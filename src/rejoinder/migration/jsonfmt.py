"""rejoinder's own export: JSON Lines, what ``rejoinder export --format json`` writes and
``rejoinder import json`` reads back without loss.

Line 1 is a header, ``{"format": "rejoinder-comments", "version": 1, "site": …}``; then each
thread, ``{"type": "thread", "key", "url", "title", "created"}``, followed by its comments,
``{"type": "comment", "id", "thread", "parent", "status", "author", "email", "website", "text",
"html", "created", "edited", "ip_hash", "ip_prefix_hash", "ip_network", "ua_family",
"probability", "hits", "notify_replies"}``, a reply after its parent. ``text`` is the Markdown
source (``html`` is informative: an import renders ``text`` again). There are no IP
addresses: the keyed hashes are carried as they are (they match this instance's secret only).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any, Literal, TypedDict, cast

from rejoinder.comments import sanitize
from rejoinder.core.records.comments import Status, iso
from rejoinder.core.records.verdict import HitRecord
from rejoinder.migration.inputs import moment
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    Kept,
    SourceState,
)
from rejoinder.storage.migration import ExportComment, ExportThread

FORMAT = "rejoinder-comments"
VERSION = 1
_HASH_RE = re.compile(r"^[0-9a-f]{32}$")
_STATES = {
    Status.PUBLISHED.value: SourceState.APPROVED,
    Status.PENDING.value: SourceState.PENDING,
    Status.SPAM.value: SourceState.SPAM,
}


class HeaderLine(TypedDict):
    """The first line of an export."""

    format: str
    version: int
    site: str
    exported: str  # ISO 8601


class ThreadLine(TypedDict):
    type: Literal["thread"]
    key: str
    url: str
    title: str
    created: str


class CommentLine(TypedDict):
    """One comment of an export: a reply comes after its parent."""

    type: Literal["comment"]
    id: int
    thread: str
    parent: int | None
    status: str  # a Status
    author: str
    email: str
    website: str
    text: str  # Markdown
    html: str
    created: str
    edited: str | None
    ip_hash: str | None
    ip_prefix_hash: str | None
    ip_network: str | None
    ua_family: str
    probability: float | None
    hits: list[HitRecord]
    notify_replies: bool


def _line(record: Mapping[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write(
    out: IO[str], site_url: str, threads: Iterable[tuple[ExportThread, list[ExportComment]]]
) -> None:
    now = datetime.now(UTC)
    header: HeaderLine = {
        "format": FORMAT,
        "version": VERSION,
        "site": site_url,
        "exported": iso(now),
    }
    out.write(_line(header))
    for thread, comments in threads:
        line: ThreadLine = {
            "type": "thread",
            "key": thread.key,
            "url": thread.url,
            "title": thread.title,
            "created": iso(thread.created_at),
        }
        out.write(_line(line))
        for c in comments:
            out.write(_line(_comment_record(thread.key, c)))


def _comment_record(key: str, c: ExportComment) -> CommentLine:
    return {
        "type": "comment",
        "id": c.id,
        "thread": key,
        "parent": c.parent_id,
        "status": c.status.value,
        "author": c.author,
        "email": c.email,
        "website": c.website,
        "text": c.text,
        "html": c.html,
        "created": iso(c.created_at),
        "edited": iso(c.edited_at) if c.edited_at else None,
        "ip_hash": c.ip_hash,
        "ip_prefix_hash": c.ip_prefix_hash,
        "ip_network": c.ip_network,
        "ua_family": c.ua_family,
        "probability": c.probability,
        "hits": c.hits,
        "notify_replies": c.notify_replies,
    }


# --- reading ------------------------------------------------------------------------------
def read(stream: IO[bytes], name: str) -> Iterator[ImportedThread | ImportedComment]:
    threads: set[str] = set()
    header = False
    for number, raw in enumerate(stream, 1):
        where = f"line {number}"
        record = _parse(raw, name, where)
        if not header:
            _header(record, name)
            header = True
            continue
        kind = record.get("type")
        if kind == "thread":
            thread = _thread(record, where)
            threads.add(thread.key)
            yield thread
        elif kind == "comment":
            yield _comment(record, where, threads)
        else:
            raise ImportFailed(f"{name}, {where}: type {kind!r} is neither thread nor comment")
    if not header:
        raise ImportFailed(f"{name}: the file is empty")


def _parse(raw: bytes, name: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{name}, {where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{name}, {where}: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ImportFailed(f"{name}, {where}: a JSON object was expected")
    return record


def _header(record: dict[str, Any], name: str) -> None:
    if record.get("format") != FORMAT:
        raise ImportFailed(f'{name}, line 1: not a rejoinder export (no "format": "{FORMAT}")')
    version = record.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ImportFailed(f"{name}, line 1: export version {version!r} is newer than {VERSION}")


def _text(record: dict[str, Any], field: str, where: str) -> str:
    value = record.get(field) or ""
    if not isinstance(value, str):
        raise ImportFailed(f"{where}: {field} must be a string")
    return value


def _thread(record: dict[str, Any], where: str) -> ImportedThread:
    key = _text(record, "key", where)
    try:
        sanitize.validate_thread_key(key)
    except sanitize.BadIdentifier:
        raise ImportFailed(f"{where}: {key!r} is not a thread id") from None
    created = record.get("created")
    return ImportedThread(
        key,
        sanitize.clean_article_url(_text(record, "url", where)),
        sanitize.clean_title(_text(record, "title", where)[: sanitize.MAX_TITLE]),
        moment(created, where, "created") if created else None,
    )


def _comment(record: dict[str, Any], where: str, threads: set[str]) -> ImportedComment:
    key = _text(record, "thread", where)
    if key not in threads:
        raise ImportFailed(f"{where}: thread {key!r} has no thread line before it")
    status = _text(record, "status", where)
    text = _text(record, "text", where)
    if status == Status.DELETED.value:
        state = SourceState.TRASH if text.strip() else SourceState.DELETED
    elif status in _STATES:
        state = _STATES[status]
    else:
        raise ImportFailed(
            f"{where}: status {status!r} is not one of published, pending, spam, deleted"
        )
    source_id, parent = record.get("id"), record.get("parent")
    if not isinstance(source_id, int | str) or isinstance(source_id, bool):
        raise ImportFailed(f"{where}: the comment has no id")
    edited = record.get("edited")
    return ImportedComment(
        source_id=str(source_id),
        thread_key=key,
        parent_id=None if parent is None else str(parent),
        state=state,
        text=text,
        created_at=moment(_text(record, "created", where), where, "created"),
        where=f"{where} (comment {source_id})",
        author=_text(record, "author", where),
        email=_text(record, "email", where),
        website=_text(record, "website", where),
        edited_at=moment(edited, where, "edited") if edited else None,
        kept=_kept(record, where),
    )


def _kept(record: dict[str, Any], where: str) -> Kept:
    """The keyed hashes and verdict carried over, each checked for its shape."""
    kept = Kept()
    for field in ("ip_hash", "ip_prefix_hash"):
        value = record.get(field)
        if value is not None and not (isinstance(value, str) and _HASH_RE.match(value)):
            raise ImportFailed(f"{where}: {field} is not a keyed hash (32 hex digits)")
        kept[field] = value
    network = record.get("ip_network")
    if network is not None:
        try:
            kept["ip_network"] = str(ipaddress.ip_network(str(network), strict=False))
        except ValueError:
            raise ImportFailed(f"{where}: ip_network {network!r} is not a network") from None
    kept["ua_family"] = _text(record, "ua_family", where)[:80]
    probability = record.get("probability")
    if probability is not None and not (
        isinstance(probability, int | float) and 0.0 <= probability <= 1.0
    ):
        raise ImportFailed(f"{where}: probability must be between 0 and 1")
    kept["probability"] = probability
    hits = record.get("hits") or []
    if not isinstance(hits, list) or not all(isinstance(h, dict) for h in hits):
        raise ImportFailed(f"{where}: hits must be a list of objects")
    kept["hits"] = cast(list[HitRecord], hits)  # objects; readers use .get
    kept["notify_replies"] = record.get("notify_replies") is True
    return kept

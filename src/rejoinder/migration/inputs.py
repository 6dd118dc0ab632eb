"""Opening an export file (a path or ``-`` for standard input, gzip or not), reporting how
far the reading is, and XML read as a stream (``iterparse``) with errors that name the line."""

from __future__ import annotations

import gzip
import io
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol, cast
from urllib.parse import urlsplit

from rejoinder.comments import sanitize
from rejoinder.migration.records import ImportFailed
from rejoinder.spam.submission import parse_date

STDIN = "-"
READING = "Reading"  # the stage that reads the file (its progress counts bytes)
GZIP_MAGIC = b"\x1f\x8b"


class Progress(Protocol):
    """How an import reports: a stage with a total (None: unknown), then steps done."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, done: int) -> None: ...


class Quiet:
    """A Progress that shows nothing (tests, scripts)."""

    def stage(self, name: str, total: int | None) -> None:
        return None

    def advance(self, done: int) -> None:
        return None


class Counting(io.RawIOBase):
    """A binary stream that reports the compressed bytes read from the file beneath it."""

    def __init__(self, raw: IO[bytes], progress: Progress):
        self.raw = raw
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self.progress.advance(len(data))
        return len(data)


def input_size(path: str) -> int | None:
    return None if path == STDIN else Path(path).stat().st_size


@contextmanager
def open_input(path: str, progress: Progress, stage: str = READING) -> Iterator[IO[bytes]]:
    """The file's bytes, gunzipped when it is gzip; progress counts the bytes on disk."""
    with ExitStack() as stack:
        try:
            raw = sys.stdin.buffer if path == STDIN else stack.enter_context(Path(path).open("rb"))
        except OSError as exc:
            raise ImportFailed(f"cannot read {path}: {exc.strerror or exc}") from None
        progress.stage(stage, input_size(path))
        counted = io.BufferedReader(Counting(raw, progress), buffer_size=1 << 16)
        try:
            stream: IO[bytes] = counted
            if counted.peek(2)[:2] == GZIP_MAGIC:
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=counted))
                stack.callback(stream.close)
            yield stream
        except (OSError, EOFError) as exc:  # a broken gzip stream
            raise ImportFailed(f"{path}: the file cannot be read to its end ({exc})") from None


def xml_events(
    stream: IO[bytes], name: str, *, namespaces: bool = False
) -> Iterator[tuple[str, Any]]:
    """``iterparse`` start and end events (and with ``namespaces`` "start-ns", a (prefix, uri)
    pair); a malformed file becomes an error naming the place."""
    events: tuple[Literal["start", "end", "start-ns"], ...] = (
        ("start", "end", "start-ns") if namespaces else ("start", "end")
    )
    try:
        # expat (2.4.1 and later) refuses entity expansion bombs ("limit on input amplification
        # factor"), and ElementTree loads no external entity or DTD: tests/migration checks.
        yield from ET.iterparse(stream, events=events)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        hint = ""
        if "no element found" in reason or "unclosed" in reason:
            hint = " (the file ends early: is it truncated?)"
        elif "invalid token" in reason or "not well-formed" in reason:
            hint = " (is it in the encoding its <?xml?> line names, UTF-8 if none?)"
        raise ImportFailed(
            f"{name}: not well-formed XML at line {line}, column {column + 1}: {reason}{hint}"
        ) from None


def split_tag(tag: str) -> tuple[str, str]:
    """``{namespace}local`` → (namespace, local)."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def child_text(elem: ET.Element, tag: str) -> str:
    found = elem.find(tag)
    return (found.text or "").strip() if found is not None else ""


def moment(value: str, where: str, what: str) -> datetime:
    """A required date, in any form ``parse_date`` reads; an error naming the comment if not."""
    parsed = parse_date(value)
    if parsed is None:
        raise ImportFailed(f"{where}: {what} {value!r} is not a date")
    return parsed


def thread_key(url: str, explicit: str) -> str:
    """A thread is named by its article's path, as the widget names it (docs/comments.md);
    when there is no URL, or its path names no article (``/?p=123``), by ``explicit``."""
    try:
        parts = urlsplit(url.strip()) if url.strip() else None
    except ValueError:
        parts = None
    if parts is not None and (parts.path.strip("/") or not parts.query):
        return sanitize.thread_key_for_url(url)
    return sanitize.validate_thread_key(explicit)

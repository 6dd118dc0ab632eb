"""``rejoinder import`` and ``rejoinder export``: a site's comments in and out.

Import: read the whole file into ``Staging`` (checked, IP addresses hashed), then write one
thread per transaction, replies after their parents, skipping comments already stored (same
thread, time, author and text: importing a file twice adds nothing, and an interrupted import
run again goes on where it stopped). Each imported spam and approved comment is recorded as a
label (source ``import``) in the same transaction and, after the commit, taught to the engine
like a moderator's decision, unless ``learn`` is off.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import Label
from rejoinder.errors import NotFound
from rejoinder.migration import disqus, isso, jsonfmt, remark42, wxr
from rejoinder.migration.inputs import STDIN, Progress, Quiet, open_input
from rejoinder.migration.records import (
    ExportFormat,
    Format,
    ImportedComment,
    ImportedThread,
    SourceState,
)
from rejoinder.migration.staging import Staging
from rejoinder.migration.writer import Batch, ThreadWriter, Written
from rejoinder.sites.service import normalise_url
from rejoinder.spam.labels import FeedbackSource, Labels
from rejoinder.storage import migration as store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

# The newest approved and the newest spam comments taught, each: ten times what a site's own
# model needs before it votes (learning/personal.py: 50 of each), in balance, and little
# enough that one site's archive does not outweigh what the shipped model knows.
LEARN_MAX = 500
WRITE_BATCH = 1_000  # comments per transaction (whole threads)
Reader = Callable[[IO[bytes], str], Iterator[ImportedThread | ImportedComment]]
STREAM_READERS: dict[Format, Reader] = {
    Format.WXR: wxr.read,
    Format.DISQUS: disqus.read,
    Format.REMARK42: remark42.read,
    Format.JSON: jsonfmt.read,
}


@dataclass
class ImportSummary:
    site: str
    threads_new: int = 0
    threads_known: int = 0
    imported: Counter[Status] = field(default_factory=Counter)
    already_there: int = 0
    learned: Counter[Label] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def comments(self) -> int:
        return sum(self.imported.values())

    def add(self, written: Written) -> None:
        self.threads_new += written.threads_new
        self.threads_known += written.threads_known
        self.imported.update(written.inserted)
        self.already_there += written.already_there


@dataclass
class ExportSummary:
    threads: int = 0
    comments: int = 0


class MigrationService:
    def __init__(self, db: Database, hasher: Hasher, labels: Labels, clock: Clock = utcnow):
        self.db = db
        self.hasher = hasher
        self.labels = labels
        self.clock = clock

    def _site(self, url: str) -> SiteRow:
        with self.db.read() as conn:
            site = site_store.site_by_url(conn, normalise_url(url))
        if site is None:
            raise NotFound(
                f"no such site: {normalise_url(url)} (add it with `rejoinder sites add`)"
            )
        return site

    # --- import -------------------------------------------------------------------------
    def import_file(
        self,
        fmt: Format,
        path: str,
        site_url: str,
        *,
        learn: bool = True,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import a file (``-``: standard input; an Isso database: its path) into a site."""
        started = time.perf_counter()
        progress = progress or Quiet()
        site = self._site(site_url)
        summary = ImportSummary(site.url)
        with Staging(self.hasher) as staging:
            with self._records(fmt, path, progress) as records:
                staging.add_all(records)
            summary.notes.update(staging.notes)
            taught: frozenset[str] = frozenset()
            if learn:
                taught = staging.newest(SourceState.APPROVED, LEARN_MAX) | staging.newest(
                    SourceState.SPAM, LEARN_MAX
                )
            writer = ThreadWriter(self.hasher, site.id, site.url, taught, self.clock())
            progress.stage("Writing", staging.total())
            batch: Batch = []
            for thread, comments in staging.threads(with_empty=fmt is Format.JSON):
                batch.append((thread, comments))
                if sum(len(c) for _t, c in batch) >= WRITE_BATCH:
                    self._write(batch, writer, summary, progress)
                    batch = []
            self._write(batch, writer, summary, progress)
        summary.seconds = time.perf_counter() - started
        return summary

    def _records(
        self, fmt: Format, path: str, progress: Progress
    ) -> AbstractContextManager[Iterable[ImportedThread | ImportedComment]]:
        if fmt is Format.ISSO:
            return isso.reading(Path(path), progress)
        return _streamed(STREAM_READERS[fmt], path, progress)

    def _write(
        self, batch: Batch, writer: ThreadWriter, summary: ImportSummary, progress: Progress
    ) -> None:
        """Whole threads in one transaction, with the labels they teach; then the learning."""
        if not batch:
            return
        with self.db.begin() as conn:
            written = writer.write(conn, batch)
            recorded = self.labels.record_many(conn, written.labelled, FeedbackSource.IMPORT)
        summary.add(written)
        progress.advance(sum(len(c) for _t, c in batch))
        self.labels.publish(recorded)
        summary.learned.update(r.label for r in recorded if r is not None)

    # --- export -------------------------------------------------------------------------
    def export(self, site_url: str, fmt: ExportFormat, out: IO[str]) -> ExportSummary:
        """Every thread of the site with its comments, statuses included."""
        site = self._site(site_url)
        summary = ExportSummary()
        with self.db.read() as conn:
            threads = list(store.site_threads(conn, site.id))

        def each() -> Iterator[tuple[store.ExportThread, list[store.ExportComment]]]:
            for thread in threads:
                with self.db.read() as conn:
                    found = store.thread_comments(conn, thread.id)
                summary.threads += 1
                summary.comments += len(found)
                yield thread, found

        if fmt is ExportFormat.JSON:
            jsonfmt.write(out, site.url, each())
        else:
            wxr.write(out, site.url, site.name, each())
        return summary


@contextmanager
def _streamed(
    reader: Reader, path: str, progress: Progress
) -> Iterator[Iterable[ImportedThread | ImportedComment]]:
    """A stream reader over the opened input."""
    with open_input(path, progress) as stream:
        yield reader(stream, "stdin" if path == STDIN else Path(path).name)

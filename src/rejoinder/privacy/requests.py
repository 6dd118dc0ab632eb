"""Export and erase for commenters without accounts, by email address.

A commenter asks on ``/privacy`` with their email; :meth:`PrivacyRequests.request_link` counts
the request (per network prefix and per email, both as keyed hashes), signs a link carrying the
keyed hash of the email, and returns the message to send. Whether the address is known is never
looked at on that path: every valid request gets the same answer and the same mail.

The link leads to :meth:`export` (every row stored under that email, as JSON) and :meth:`erase`
(delete or anonymise those rows, per ``privacy_erase_mode``; delete rows keyed by the email's
hash; in delete mode also what was derived from the texts of the deleted rows; remove mail to
the address from the development outbox).

Where email lives is the registry :data:`SOURCES` (rows that carry an email), :data:`HASH_KEYED`
(rows keyed by ``Hasher.email``) and :data:`DERIVED` (rows derived from a source row's text,
found by its content fingerprint) and :data:`LINKED` (rows tied to a source row by its key,
deleted first in either mode: the thread words of a person's checks and comments). Stores with
state of their own (the spam filter's learned
reputation and its in-memory mirrors) plug in as :class:`ErasureHook` objects. A new table with
personal data adds an entry there; entries whose table does not exist yet are skipped.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, MetaData, Table, and_, false, func, or_, select

from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.tokens import Signer
from rejoinder.errors import MailFailed, RateLimited, ValidationFailed
from rejoinder.notify.mail import Mailer, MailMessage
from rejoinder.privacy.retention import comment_placeholder, has_replies
from rejoinder.settings import ErasureMode
from rejoinder.storage import generations, maintenance
from rejoinder.storage import privacy as privacy_store
from rejoinder.storage.db import Database
from rejoinder.storage.generations import Cached
from rejoinder.storage.schema import metadata as schema_metadata

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$")
EXPORT_LIMIT = 10_000  # rows per source in one export
IN_LIST = 500  # values in one SQL IN (...) list
LINK_PATH = "/privacy/link/"

Values = Callable[[datetime], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class EmailKey:
    """Who a request is about: the keyed hash, and the address when it is known (CLI)."""

    hash: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class PersonalSource:
    """A table whose rows carry a person's email (raw and/or as a keyed hash)."""

    name: str
    table: str
    what: str
    anonymise: Values  # column -> value in anonymise mode
    hash_column: str = "email_hash"
    address_column: str | None = "email"  # matched case-insensitively when the address is known
    # Delete mode: rows others depend on (a comment with replies) are blanked, not deleted.
    keep_if: Callable[[Table], ColumnElement[bool]] | None = None
    placeholder: Values | None = None
    # exact-duplicate key of the row's text: finds what :data:`DERIVED` made from it
    fingerprint_column: str | None = None


@dataclass(frozen=True, slots=True)
class HashKeyedTable:
    """Rows keyed by something derived from ``Hasher.email(address)``; erase deletes them.

    ``match(table, email_hash)`` selects the rows of one address, e.g. a bucket string
    ``"e:" + email_hash``, or a reputation row ``kind == "email" and key == key_int(hash)``.
    """

    table: str
    what: str
    match: Callable[[Table, str], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class DerivedTable:
    """Rows derived from the text of source rows, keyed by its fingerprint; erase (delete mode)
    deletes them with the rows. ``cached``: every worker mirrors the table in memory, so the
    erase bumps its generation and they reload."""

    table: str
    what: str
    column: str = "fingerprint"
    cached: Cached | None = None


@dataclass(frozen=True, slots=True)
class LinkedTable:
    """Rows made from source rows and tied to them by the source row's key; erase deletes them
    first, in either mode (nothing would find them once the source row is gone or blanked).
    ``links``: (source name, column here, key column of the source table)."""

    table: str
    what: str
    links: tuple[tuple[str, str, str], ...]


class _NamesTable(Protocol):
    @property
    def table(self) -> str: ...


_OnTable = TypeVar("_OnTable", bound=_NamesTable)


class ErasureHook(Protocol):
    """A store that keeps state of its own (e.g. an in-memory mirror) exports and erases itself."""

    name: str
    what: str

    def export(self, email_hash: str) -> list[dict[str, Any]]: ...

    def erase(self, email_hash: str) -> int: ...


SOURCES: tuple[PersonalSource, ...] = (
    PersonalSource(
        name="checks",
        table="checks",
        what="Akismet check records",
        fingerprint_column="fingerprint",
        anonymise=lambda _now: {
            "author": "",
            "email": "",
            "email_hash": None,
            "author_url": "",
            "ip_hash": None,
            "ip_prefix_hash": None,
        },
    ),
    PersonalSource(
        name="feedback",
        table="feedback",
        what="spam/ham reports",
        fingerprint_column="fingerprint",
        address_column=None,  # the address is inside the ``fields`` JSON; found by hash
        anonymise=lambda now: {
            "fields": {},
            "email_hash": None,
            "ip_hash": None,
            "ip_prefix_hash": None,
            "personal_cleared_at": now,
        },
    ),
    PersonalSource(
        name="comments",
        table="comments",
        what="comments",
        fingerprint_column="fingerprint",
        keep_if=has_replies,
        placeholder=lambda now: {**comment_placeholder(now), "status": "deleted"},
        anonymise=lambda _now: {
            "author": "",
            "author_html": "",
            "email": "",
            "email_hash": None,
            "website": "",
            "ip_hash": None,
            "ip_prefix_hash": None,
            "ip_network": None,
            "notify_replies": False,
            "avatar": None,
            "gravatar": None,
        },
    ),
    PersonalSource(
        name="notification_deliveries",
        table="notification_deliveries",
        what="notification emails sent to the address",
        hash_column="recipient_hash",
        address_column="recipient",
        anonymise=lambda _now: {"recipient": "", "recipient_hash": None, "payload": {}},
    ),
)

HASH_KEYED: tuple[HashKeyedTable, ...] = (
    HashKeyedTable(
        "privacy_rate_limits",
        "export/erase request counters",
        lambda t, email_hash: t.c.bucket == "e:" + email_hash,
    ),
)


DERIVED: tuple[DerivedTable, ...] = (
    DerivedTable(
        "near_duplicates",
        "fingerprints (MinHash numbers) the spam filter made of these texts",
        cached=Cached.NEAR_DUPLICATES,
    ),
)


LINKED: tuple[LinkedTable, ...] = (
    LinkedTable(
        "thread_words",
        "keyed hashes of the word stems of these comments (what readers said under an "
        "article, which the spam filter compares with new comments)",
        (("checks", "check_guid", "guid"), ("comments", "comment_id", "id")),
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestConfig:
    public_url: str
    link_ttl: timedelta
    per_hour: int
    erase_mode: ErasureMode
    batch_size: int
    operator_name: str = ""


@dataclass(slots=True)
class EraseReport:
    mode: ErasureMode
    counts: dict[str, int] = field(default_factory=dict)  # source name -> rows changed

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise ValidationFailed("Please enter a valid email address.")
    return value


def window_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


@dataclass(eq=False, repr=False)
class PrivacyRequests:
    db: Database
    hasher: Hasher
    links: Signer
    mailer: Mailer
    config: RequestConfig
    clock: Clock = utcnow
    _: KW_ONLY
    metadata: MetaData = schema_metadata
    sources: Sequence[PersonalSource] = SOURCES
    hash_keyed: Sequence[HashKeyedTable] = HASH_KEYED
    derived: Sequence[DerivedTable] = DERIVED
    linked: Sequence[LinkedTable] = LINKED
    forget_mail: Callable[[Callable[[str], bool]], int] | None = None  # removes matching mail
    hooks: Sequence[ErasureHook] = ()

    def __post_init__(self) -> None:  # the caller's lists are copied, not shared
        self.sources = tuple(self.sources)
        self.hash_keyed = tuple(self.hash_keyed)
        self.derived = tuple(self.derived)
        self.linked = tuple(self.linked)
        self.hooks = tuple(self.hooks)

    # --- asking for a link ------------------------------------------------------------------
    def key_for(self, email: str) -> EmailKey:
        address = normalise_email(email)
        digest = self.hasher.email(address)
        assert digest is not None
        return EmailKey(digest, address)

    def request_link(
        self, email: str, client_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    ) -> MailMessage:
        """Count the request and build the mail; raises ValidationFailed or RateLimited.

        Does not look at whether anything is stored under the address.
        """
        key = self.key_for(email)
        now = self.clock()
        net = self.hasher.ip_prefix(client_ip) or "unknown"
        buckets = [f"n:{net}", f"e:{key.hash}"]
        with self.db.begin() as conn:
            counts = privacy_store.bump_requests(conn, buckets, window_of(now))
        if max(counts.values()) > self.config.per_hour:
            retry = int((window_of(now) + timedelta(hours=1) - now).total_seconds()) + 1
            raise RateLimited("Too many requests; please try again later.", retry_after=retry)
        expires = now + self.config.link_ttl
        url = self.config.public_url.rstrip("/") + LINK_PATH + self.links.sign(key.hash, expires)
        assert key.address is not None
        return MailMessage(key.address, self._subject(), self._body(url, expires))

    def _subject(self) -> str:
        name = self.config.operator_name or self.config.public_url
        return f"Your data at {name}: export or erase"

    def _body(self, url: str, expires: datetime) -> str:
        paragraphs = [
            f"Someone, hopefully you, asked {self.config.public_url} for the data it stores "
            "under this email address.",
            "Open this link to download that data as JSON, or to erase it:",
            url,
            f"The link works until {expires:%Y-%m-%d %H:%M} UTC. If you did not ask, ignore "
            "this message: nothing happens unless the link is opened and the erase confirmed.",
        ]
        wrapped = [p if p == url else textwrap.fill(p, 72) for p in paragraphs]
        return "\n\n".join(wrapped) + "\n"

    def send(self, message: MailMessage) -> bool:
        """Deliver a link mail after the response went out; failures are logged, not raised."""
        try:
            self.mailer.send(message)
        except MailFailed as exc:
            log.warning("privacy link mail not sent: %s", exc.code.value)
            return False
        return True

    def open_link(self, token: str) -> EmailKey:
        """The email hash a genuine, unexpired link is about (LinkInvalid / LinkExpired)."""
        return EmailKey(self.links.verify(token, self.clock()))

    # --- export and erase -------------------------------------------------------------------
    def _match(self, source: PersonalSource, table: Table, key: EmailKey) -> ColumnElement[bool]:
        conditions = [table.c[source.hash_column] == key.hash]
        if key.address and source.address_column is not None:
            column = table.c[source.address_column]
            conditions.append(func.lower(func.trim(column)) == key.address)
        return or_(false(), *conditions)

    def _present(self) -> list[tuple[PersonalSource, Table]]:
        return self._existing(self.sources)

    def _keyed(self) -> list[tuple[HashKeyedTable, Table]]:
        return self._existing(self.hash_keyed)

    def _derived(self) -> list[tuple[DerivedTable, Table]]:
        return self._existing(self.derived)

    def _existing(self, items: Sequence[_OnTable]) -> list[tuple[_OnTable, Table]]:
        """The items whose table exists in this schema, each with its table."""
        found = []
        for item in items:
            table = self.metadata.tables.get(item.table)
            if table is not None:
                found.append((item, table))
        return found

    def _linked(self, key: EmailKey) -> list[tuple[LinkedTable, Table, ColumnElement[bool]]]:
        """Each linked table present, with the condition matching the rows tied to this
        email's source rows."""
        sources = {source.name: (source, table) for source, table in self._present()}
        found = []
        for linked, table in self._existing(self.linked):
            parts = []
            for name, column, source_key in linked.links:
                if name not in sources or column not in table.c:
                    continue
                source, source_table = sources[name]
                owned = select(source_table.c[source_key]).where(
                    self._match(source, source_table, key)
                )
                parts.append(table.c[column].in_(owned))
            found.append((linked, table, or_(false(), *parts)))
        return found

    def _fingerprints(self, conn: Connection, key: EmailKey) -> list[str]:
        """Fingerprints of the texts of every source row under this email."""
        found: set[str] = set()
        for source, table in self._present():
            if source.fingerprint_column is None:
                continue
            column = table.c[source.fingerprint_column]
            query = select(column).where(self._match(source, table, key), column.isnot(None))
            found.update(str(fp) for (fp,) in conn.execute(query.distinct()))
        return sorted(found)

    def export(self, key: EmailKey) -> dict[str, Any]:
        """Every stored row under this email, JSON-ready."""
        records: dict[str, list[dict[str, Any]]] = {}
        about: dict[str, str] = {}
        truncated: list[str] = []
        with self.db.read() as conn:
            for source, table in self._present():
                rows = privacy_store.rows_where(
                    conn, table, self._match(source, table, key), EXPORT_LIMIT
                )
                records[source.name] = [{k: jsonable(v) for k, v in r.items()} for r in rows]
                about[source.name] = source.what
                if len(rows) == EXPORT_LIMIT:
                    truncated.append(source.name)
            for keyed, table in self._keyed():
                rows = privacy_store.rows_where(
                    conn, table, keyed.match(table, key.hash), EXPORT_LIMIT
                )
                records[keyed.table] = [{k: jsonable(v) for k, v in r.items()} for r in rows]
                about[keyed.table] = keyed.what
            for linked, table, where in self._linked(key):
                rows = privacy_store.rows_where(conn, table, where, EXPORT_LIMIT)
                records[linked.table] = [{k: jsonable(v) for k, v in r.items()} for r in rows]
                about[linked.table] = linked.what
            fingerprints = self._fingerprints(conn, key)
            for derived, table in self._derived():
                column = table.c[derived.column]
                records[derived.table] = [
                    {k: jsonable(v) for k, v in r.items()}
                    for part in _chunks(fingerprints, IN_LIST)
                    for r in privacy_store.rows_where(conn, table, column.in_(part), EXPORT_LIMIT)
                ]
                about[derived.table] = derived.what
        for hook in self.hooks:
            records[hook.name] = [
                {k: jsonable(v) for k, v in r.items()} for r in hook.export(key.hash)
            ]
            about[hook.name] = hook.what
        return {
            "generated_at": jsonable(self.clock()),
            "server": self.config.public_url,
            "email_hash": key.hash,
            "erase_mode": self.config.erase_mode.value,
            "about": about,
            "records": records,
            "truncated": truncated,
        }

    def erase(self, key: EmailKey) -> EraseReport:
        """Delete or anonymise every row under this email; delete rows keyed by its hash."""
        now = self.clock()
        mode = self.config.erase_mode
        report = EraseReport(mode)
        size = self.config.batch_size
        for linked, table, where in self._linked(key):  # first, in either mode (as below)
            report.counts[linked.table] = maintenance.apply_in_batches(
                self.db, table, where, maintenance.Change.DELETE, now=now, batch_size=size
            )
        if mode is ErasureMode.DELETE:  # first: an interrupted erase finds them again
            report.counts.update(self._erase_derived(key))
        for source, table in self._present():
            where = self._match(source, table, key)
            if mode is ErasureMode.DELETE:
                count = 0
                if source.keep_if is not None and source.placeholder is not None:
                    count += maintenance.apply_in_batches(
                        self.db,
                        table,
                        and_(where, source.keep_if(table)),
                        maintenance.Change.UPDATE,
                        values=source.placeholder,
                        now=now,
                        batch_size=size,
                    )
                count += maintenance.apply_in_batches(
                    self.db, table, where, maintenance.Change.DELETE, now=now, batch_size=size
                )
            else:
                count = maintenance.apply_in_batches(
                    self.db,
                    table,
                    where,
                    maintenance.Change.UPDATE,
                    values=source.anonymise,
                    now=now,
                    batch_size=size,
                )
            report.counts[source.name] = count
        for keyed, table in self._keyed():
            report.counts[keyed.table] = maintenance.apply_in_batches(
                self.db,
                table,
                keyed.match(table, key.hash),
                maintenance.Change.DELETE,
                now=now,
                batch_size=size,
            )
        for hook in self.hooks:
            report.counts[hook.name] = hook.erase(key.hash)
        if self.forget_mail is not None:
            report.counts["outbox"] = self.forget_mail(lambda to: self.hasher.email(to) == key.hash)
        self.db.compact()
        return report

    def _erase_derived(self, key: EmailKey) -> dict[str, int]:
        """Delete what was derived from the texts under this email (bumping mirrored tables'
        generations in the same transactions, so every worker forgets them too)."""
        with self.db.read() as conn:
            fingerprints = self._fingerprints(conn, key)
        counts: dict[str, int] = {}
        for derived, table in self._derived():
            column = table.c[derived.column]
            counts[derived.table] = 0
            for part in _chunks(fingerprints, min(IN_LIST, self.config.batch_size)):
                with self.db.begin() as conn:
                    deleted = conn.execute(table.delete().where(column.in_(part))).rowcount or 0
                    if deleted and derived.cached is not None:
                        generations.bump(conn, derived.cached)
                counts[derived.table] += deleted
        return counts


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]

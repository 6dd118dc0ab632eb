"""Export and erase for commenters without accounts, by email address.

A commenter asks on ``/privacy`` with their email; :meth:`PrivacyRequests.request_link` counts
the request (per network prefix and per email, both as keyed hashes), signs a link carrying the
keyed hash of the email, and returns the message to send. Whether the address is known is never
looked at on that path: every valid request gets the same answer and the same mail.

The link leads to :meth:`export` (every row stored under that email, as JSON) and :meth:`erase`
(delete or anonymise those rows, per ``privacy_erase_mode``; delete rows keyed by the email's
hash; in delete mode also what was derived from the texts of the deleted rows; remove mail to
the address from the development outbox).

Where email lives is the registry in ``sources.py`` (:data:`~rejoinder.privacy.sources.SOURCES`
and the tables keyed by, derived from or linked to those rows). Stores with state of their own
(the spam filter's learned reputation and its in-memory mirrors) plug in as
:class:`ErasureHook` objects.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, MetaData, Table, and_, false, func, or_, select

from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.tokens import Signer
from rejoinder.errors import MailFailed, RateLimited, ValidationFailed
from rejoinder.notify.mail import Mailer, MailMessage
from rejoinder.privacy.sources import (
    DERIVED,
    HASH_KEYED,
    LINKED,
    SOURCES,
    DerivedTable,
    HashKeyedTable,
    LinkedTable,
    PersonalSource,
)
from rejoinder.settings.privacy import ErasureMode
from rejoinder.storage import generations, maintenance
from rejoinder.storage import privacy as privacy_store
from rejoinder.storage.db import Database
from rejoinder.storage.schema import metadata as schema_metadata

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$")
EXPORT_LIMIT = 10_000  # rows per source in one export
IN_LIST = 500  # values in one SQL IN (...) list
LINK_PATH = "/privacy/link/"


@dataclass(frozen=True, slots=True)
class EmailKey:
    """Who a request is about: the keyed hash, and the address when it is known (CLI)."""

    hash: str
    address: str | None = None


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

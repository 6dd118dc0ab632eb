"""The comment service: every path a comment takes (widget, API, no-JS form) goes through here.

submit: validate and sanitize → resolve the thread → ask the spam engine → apply the site's
policy → store once (Markdown rendered at write time). edit/delete: only with the comment's owner
token, only within the edit window. list: published comments plus the caller's own held ones.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rejoinder.comments import avatars, sanitize
from rejoinder.comments.events import CommentEvent, EventKind, Events
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.tokens import CommentTokens
from rejoinder.comments.tree import build_tree
from rejoinder.core.anonymize import Hasher, IPAddress, truncated, ua_family
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import (
    Comment,
    Disposition,
    Policy,
    PublicComment,
    Sort,
    Status,
    Thread,
)
from rejoinder.core.records.verdict import Action, Hit, Thresholds, Verdict
from rejoinder.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rejoinder.sites.service import try_normalise
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as store
from rejoinder.storage import sites as site_store
from rejoinder.storage import stats as stats_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

if TYPE_CHECKING:  # built on first use (services.py): importing it loads numpy and the signals
    from rejoinder.spam.engine import Engine

log = logging.getLogger(__name__)
OUTCOME = {
    Status.PUBLISHED: stats_store.Counter.PUBLISHED,
    Status.PENDING: stats_store.Counter.HELD,
    Status.SPAM: stats_store.Counter.SPAM,
    Status.DISCARDED: stats_store.Counter.DISCARDED,
}

HONEYPOT_FIELD = "homepage"  # the hidden form field only bots fill in
MAX_COUNT_THREADS = 100
SITE_CACHE_TTL_S = 10.0
ENGINE_FAILED = "ENGINE_ERROR"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentConfig:
    max_length: int = 10_000
    edit_window_s: int = 900
    max_depth: int = 5
    page_size: int = 100
    commenter_days: int = 365  # how long a commenter token recognises a returning commenter
    keep_discarded: bool = True  # store discarded comments for moderators (retention applies)


@dataclass(frozen=True, slots=True)
class Client:
    """Who is asking, in memory only: the IP is hashed before anything is stored."""

    ip: IPAddress | None = None
    user_agent: str = ""
    referrer: str = ""


@dataclass(frozen=True, slots=True)
class ThreadRef:
    site: str  # site URL or numeric id
    thread: str = ""  # explicit thread id
    url: str = ""  # article URL (its path names the thread when no id is given)


@dataclass(frozen=True, slots=True)
class NewComment:
    ref: ThreadRef
    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    parent: int | None = None
    title: str = ""
    honeypot: str = ""
    form_token: str = ""
    lang: str = ""
    notify: bool = False  # email me when someone replies (needs an email)
    commenter: str = ""  # the commenter token this browser holds, if any (D18)


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome of a submit: published (201) or held (202; also for spam and discard)."""

    status: Status
    comment: PublicComment | None  # None when discarded: answered as held, nothing shown
    token: str | None
    thread: Thread
    commenter_token: str | None = None  # keep it and send it with the next comment (D18)

    @property
    def published(self) -> bool:
        return self.status is Status.PUBLISHED


@dataclass(slots=True)
class ThreadPage:
    site: SiteRow
    key: str
    thread: Thread | None
    comments: list[PublicComment]
    next_after: int | None
    total: int
    form_token: str
    edit_window_s: int
    max_depth: int
    own_pending: bool = False
    sort: Sort = Sort.OLDEST
    voting: bool = True  # the site lets readers vote
    gravatar: bool = False  # the site shows Gravatar pictures


@dataclass(frozen=True, slots=True)
class OwnComment:
    """One's own comment as the edit and delete pages show it, while it can still be changed."""

    site: SiteRow
    key: str
    item: PublicComment  # with ``editable_until``
    source: str  # its Markdown
    form_token: str


@dataclass(frozen=True, slots=True)
class CommentWrite:
    """The one write of a new comment: a job for the group commit (``storage/writer.py``).

    The thread is created on first use, the parent checked again (a moderator may have taken
    it down since it was read), the comment stored with its thread's version bumped, and the
    comment's event recorded by its listeners — all in the batch's transaction.
    """

    site_id: int
    key: str
    url: str
    title: str
    parent_id: int | None
    record: store.CommentRecord
    events: Events
    thread: Thread | None = None  # as read before the check (threads are never deleted)
    site_url: str = ""  # the site's daily counters (``storage/stats.py``)

    def run(self, conn: Any) -> tuple[Thread, store.StoredComment]:
        record = self.record
        thread = self.thread
        if thread is None or (self.url and not thread.url) or (self.title and not thread.title):
            thread = store.ensure_thread(
                conn, self.site_id, self.key, self.url, self.title, record.created_at
            )
        parent = _parent(conn, thread, self.parent_id)
        record = replace(
            record,
            thread_id=thread.id,
            parent_id=parent.id if parent else None,
            root_id=(parent.root_id or parent.id) if parent else None,
            depth=parent.depth + 1 if parent else 0,
        )
        stored = store.stored_as(record, store.insert_comment(conn, record))
        outcome = {OUTCOME[record.status]: 1}
        stats_store.bump(conn, self.site_url, stats_store.day_of(record.created_at), outcome)
        if record.status not in (Status.SPAM, Status.DISCARDED):
            kind = EventKind.PUBLISHED if record.status is Status.PUBLISHED else EventKind.HELD
            event = CommentEvent(
                kind,
                stored.comment.id,
                self.site_id,
                parent_id=record.parent_id,
                site_url=self.site_url,
                permalink=thread.url,
                text=record.text,
                new=True,
            )
            self.events.emit(conn, event)
        return thread, stored


@dataclass(frozen=True, slots=True)
class Tally:
    """The write of a discarded comment a site does not keep: one more on its daily count."""

    site_url: str
    day: str

    def run(self, conn: Any) -> None:
        stats_store.bump(conn, self.site_url, self.day, {stats_store.Counter.DISCARDED: 1})


@dataclass(frozen=True, slots=True)
class Draft:
    """A checked comment and the write left to do (None: the policy discards it)."""

    site: SiteRow
    key: str
    new: NewComment
    now: datetime
    policy: Policy
    earlier: Status | None  # the status of the comment the commenter token names
    thread: Thread | None  # as read before the check
    write: CommentWrite | None
    tally: Tally | None = None  # counted though not kept (``retention_discarded_days`` 0)

    def discarded(self) -> Posted:
        """A discarded comment is answered as held; nothing is stored."""
        placeholder = Thread(0, self.site.id, self.key, self.new.ref.url, "", self.now)
        return Posted(Status.PENDING, None, None, self.thread or placeholder)


def _any(_origins: frozenset[str]) -> None:
    """Callers outside the web (the CLI, tests) post from no browser: no Origin to check."""


def site_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(eq=False, repr=False)
class CommentService:
    db: Database
    engine: Callable[[], Engine]  # built on first use (services.py)
    hasher: Hasher
    signer: CommentTokens
    thresholds_for: Callable[[str], Thresholds]
    limiter: RateLimiter
    config: CommentConfig
    clock: Clock = utcnow
    events: Events = field(init=False, default_factory=Events)  # app.py subscribes the notifier
    _sites: dict[str, tuple[float, SiteRow]] = field(init=False, default_factory=dict)

    # --- sites, threads, policy -----------------------------------------------------------------
    def site(self, ref: str) -> SiteRow:
        """A site by numeric id or URL; 404 when unknown. Found sites are cached briefly."""
        text = ref.strip()
        cached = self._sites.get(text)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        with self.db.read() as conn:
            site_id = parse_id(text)
            if site_id is not None:
                row = site_store.site_by_id(conn, site_id)
            else:
                norm = try_normalise(text)
                row = site_store.site_by_url(conn, norm) if norm else None
        if row is None:
            raise NotFound("No such site: register it with `rejoinder sites add URL`.")
        if len(self._sites) > 1000:
            self._sites.clear()
        self._sites[text] = (now + SITE_CACHE_TTL_S, row)
        return row

    def site_of_comment(self, comment_id: int) -> SiteRow:
        with self.db.read() as conn:
            stored = store.comment_by_id(conn, comment_id)
            thread = store.thread_by_id(conn, stored.comment.thread_id) if stored else None
            site = site_store.site_by_id(conn, thread.site_id) if thread else None
        if site is None:
            raise NotFound("No such comment.")
        return site

    def policy(self, site_id: int) -> Policy:
        with self.db.read() as conn:
            return store.policy_for(conn, site_id) or Policy()

    def set_policy(self, site_ref: str, policy: Policy) -> None:
        site = self.site(site_ref)
        with self.db.begin() as conn:
            self.write_policy(conn, site.id, lambda _old: policy)

    def write_policy(self, conn: Any, site_id: int, change: Callable[[Policy], Policy]) -> Policy:
        """The one writer of a site's comment policy (the CLI, the demo, the admin's policy
        page), in the caller's transaction: ``change`` turns the stored policy into the new."""
        updated = change(store.policy_for(conn, site_id) or Policy())
        store.set_policy(conn, site_id, updated, self.clock())
        return updated

    def allowed_origins(self, site: SiteRow) -> frozenset[str]:
        return self._origins(site, self.policy(site.id))

    @staticmethod
    def _origins(site: SiteRow, policy: Policy) -> frozenset[str]:
        extra = policy.allowed_origins
        return frozenset({site_origin(site.url), *(o.lower().rstrip("/") for o in extra)})

    def all_allowed_origins(self) -> frozenset[str]:
        with self.db.read() as conn:
            sources = store.all_origin_sources(conn)
        return frozenset(
            origin
            for url, extra in sources
            for origin in (site_origin(url), *(o.lower().rstrip("/") for o in extra))
        )

    @staticmethod
    def thread_key(ref: ThreadRef) -> str:
        if ref.thread:
            return sanitize.validate_thread_key(ref.thread)
        if ref.url:
            return sanitize.thread_key_for_url(ref.url)
        raise sanitize.BadIdentifier("Give a thread id or the article URL.")

    def form_token(self, site: SiteRow, key: str) -> str:
        return self.signer.form_token(site.id, key, self.clock())

    # --- reading --------------------------------------------------------------------------------
    def thread_head(self, ref: ThreadRef) -> tuple[SiteRow, str, Thread | None]:
        """The site, the thread id and the thread (with its version), in one cheap read."""
        site = self.site(ref.site)
        key = self.thread_key(ref)
        with self.db.read() as conn:
            return site, key, store.thread_by_key(conn, site.id, key)

    def list_thread(
        self,
        ref: ThreadRef,
        *,
        after: int = 0,
        limit: int | None = None,
        own: str = "",
        sort: Sort = Sort.OLDEST,
    ) -> ThreadPage:
        site = self.site(ref.site)
        key = self.thread_key(ref)
        limit = max(1, min(limit or self.config.page_size, 500))
        own_ids = self.signer.owned_ids(own) if own else set()
        now = self.clock()
        with self.db.read() as conn:
            thread = store.thread_by_key(conn, site.id, key)
            roots: list[Comment] = []
            replies: list[Comment] = []
            total = 0
            policy = store.policy_for(conn, site.id) or Policy()
            if thread is not None:
                roots = store.page_roots(conn, thread.id, max(0, after), limit, own_ids, sort)
                replies = store.replies_of(conn, [c.id for c in roots[:limit]], own_ids)
                total = store.count_published(conn, [thread.id]).get(thread.id, 0)
        more = len(roots) > limit
        roots = roots[:limit]
        tree = build_tree(
            roots,
            replies,
            own_ids=own_ids,
            now=now,
            edit_window=timedelta(seconds=self.config.edit_window_s),
            max_depth=self.config.max_depth,
        )
        own_pending = any(c.status is not Status.PUBLISHED for c in (*roots, *replies))
        return ThreadPage(
            site,
            key,
            thread,
            tree,
            roots[-1].id if more and roots else None,
            total,
            self.form_token(site, key),
            self.config.edit_window_s,
            self.config.max_depth,
            own_pending,
            sort,
            policy.voting,
            policy.gravatar,
        )

    def counts(self, site_ref: str, keys: list[str], urls: list[str]) -> dict[str, int]:
        """Published-comment counts for many threads, keyed as asked (thread id or URL)."""
        if len(keys) + len(urls) > MAX_COUNT_THREADS:
            raise ValidationFailed(f"Ask for at most {MAX_COUNT_THREADS} threads at once.")
        site = self.site(site_ref)
        wanted = {k: sanitize.validate_thread_key(k) for k in keys}
        wanted.update({u: sanitize.thread_key_for_url(u) for u in urls})
        with self.db.read() as conn:
            ids = store.threads_by_keys(conn, site.id, set(wanted.values()))
            counts = store.count_published(conn, set(ids.values()))
        return {asked: counts.get(ids.get(key, -1), 0) for asked, key in wanted.items()}

    # --- writing --------------------------------------------------------------------------------
    def submit(self, new: NewComment, client: Client) -> Posted:
        """Check and store a comment, for synchronous callers (the web awaits
        :meth:`prepare` in a thread, then :meth:`save`, which group-commits on the loop)."""
        draft = self.prepare(new, client)
        if draft.write is None:
            if draft.tally is not None:
                self.db.write(draft.tally.run)
            return draft.discarded()
        return self.posted(draft, self.db.write(draft.write.run))

    async def post(
        self, new: NewComment, client: Client, allow: Callable[[frozenset[str]], None] = _any
    ) -> Posted:
        """The web's path: :meth:`prepare` in a thread (its reads and the verdict; measured
        faster than on the event loop, where they would hold up the group commit), then
        :meth:`save` on the loop."""
        return await self.save(await asyncio.to_thread(self.prepare, new, client, allow))

    async def save(self, draft: Draft) -> Posted:
        """Store a prepared comment with the other writes of the moment (``storage/db.py``
        ``write_async``); returns once it is committed."""
        if draft.write is None:
            if draft.tally is not None:
                await self.db.write_async(draft.tally)
            return draft.discarded()
        return self.posted(draft, await self.db.write_async(draft.write))

    def prepare(
        self, new: NewComment, client: Client, allow: Callable[[frozenset[str]], None] = _any
    ) -> Draft:
        """Validate, read what the decision needs and ask the spam engine — all before any
        write lock is taken; the returned draft holds the one write left to do. ``allow`` is
        given the site's allowed origins first (the web layer's Origin check: 403)."""
        site = self.site(new.ref.site)
        now = self.clock()
        with self.db.read() as conn:  # one short read for everything the decision needs
            policy = store.policy_for(conn, site.id) or Policy()
            allow(self._origins(site, policy))
            key = self.thread_key(new.ref)
            thread = store.thread_by_key(conn, site.id, key)
            found = store.comment_by_id(conn, new.parent) if new.parent is not None else None
            earlier = self._commenter_status(conn, site.id, new.commenter, now)
        fields = sanitize.clean_author_fields(new.author, new.email, new.website)
        text = sanitize.clean_text(new.text, self.config.max_length)
        title = sanitize.clean_title(new.title)
        article_url = sanitize.clean_article_url(new.ref.url)
        self.limiter.hit(self.hasher.ip_prefix(client.ip))
        if new.notify and not fields.email:
            raise ValidationFailed("Give your email address to be told about replies.")
        if thread is not None:
            _refuse_if_closed(thread, policy, now)
        parent = _reply_to(found, thread, new.parent)
        evidence = self._form_evidence(new, site, key, now)
        evidence["post_title"] = (thread.title if thread else "") or title  # the topicality signal
        submission = Submission(
            site=site.url,
            content=text,
            author=fields.author,
            email=fields.email,
            author_url=fields.website,
            ip=client.ip,
            user_agent=client.user_agent,
            referrer=client.referrer,
            permalink=(thread.url if thread else "") or article_url,
            comment_type="reply" if parent else "comment",
            blog_lang=new.lang[:20],
            created_at=now,
            extra=evidence,
        )
        verdict = self._check(submission, site.url)
        first_time = policy.hold_first_time and earlier is not Status.PUBLISHED
        status = policy.decide(verdict.action, first_time=first_time).status
        if status is None and self.config.keep_discarded:
            status = Status.DISCARDED  # kept for moderators; the reader is told it is held
        if status is None:
            log.info("comment discarded by policy (p=%.3f)", verdict.probability)
            tally = Tally(site.url, stats_store.day_of(now))
            return Draft(site, key, new, now, policy, earlier, thread, None, tally)
        email_hash = self.hasher.email(fields.email)
        record = store.CommentRecord(
            thread_id=0,
            parent_id=None,
            root_id=None,
            depth=0,
            status=status,
            author=fields.author,
            email=fields.email,
            email_hash=email_hash,
            website=fields.website,
            author_html=fields.author_html,
            text=text,
            html=sanitize.render_markdown(text),
            created_at=now,
            probability=verdict.probability,
            hits=[h.as_dict() for h in verdict.hits],
            ip_hash=self.hasher.ip(client.ip),
            ip_prefix_hash=self.hasher.ip_prefix(client.ip),
            ua_family=ua_family(client.user_agent),
            ip_network=truncated(client.ip) or None,
            notify_replies=new.notify,
            fingerprint=submission.fingerprint,
            avatar=avatars.seed(self.hasher, email_hash, fields.author),
            gravatar=avatars.gravatar_hash(fields.email) if policy.gravatar else None,
        )
        write = CommentWrite(
            site.id, key, article_url, title, new.parent, record, self.events, thread, site.url
        )
        return Draft(site, key, new, now, policy, earlier, thread, write)

    def posted(self, draft: Draft, written: tuple[Thread, store.StoredComment]) -> Posted:
        """The answer for a stored comment (its owner token, and a commenter token where the
        site holds first-time commenters)."""
        thread, stored = written
        if stored.comment.status is Status.DISCARDED:  # answered like any held comment
            log.info("comment discarded by policy (kept as %d)", stored.comment.id)
            return Posted(Status.PENDING, None, None, thread)
        comment_id = stored.comment.id
        shown = Status.PUBLISHED if stored.comment.status is Status.PUBLISHED else Status.PENDING
        commenter: str | None = None  # only sites that hold first-time commenters need one
        if draft.policy.hold_first_time:
            keep = draft.earlier in (Status.PUBLISHED, Status.PENDING)  # a comment still in play
            commenter = (
                draft.new.commenter.strip()
                if keep
                else self._commenter_token(draft.site.id, comment_id)
            )
        return Posted(
            shown,
            self._mine(stored.comment, draft.now),
            self.signer.owner_token(comment_id),
            thread,
            commenter,
        )

    def _commenter_status(
        self, conn: Any, site_id: int, token: str, now: datetime
    ) -> Status | None:
        """The status of the comment a genuine commenter token names on this site (D18: a
        returning commenter is one whose earlier comment, from this browser, was published —
        not anyone who types an approved commenter's e-mail address)."""
        comment_id = self.signer.commenter_of(token, site_id, now) if token else None
        found = store.comment_by_id(conn, comment_id) if comment_id is not None else None
        thread = store.thread_by_id(conn, found.comment.thread_id) if found else None
        if found is None or thread is None or thread.site_id != site_id:
            return None
        return found.comment.status

    def _commenter_token(self, site_id: int, comment_id: int) -> str:
        expires = self.clock() + timedelta(days=self.config.commenter_days)
        return self.signer.commenter_token(site_id, comment_id, expires)

    def _form_evidence(
        self, new: NewComment, site: SiteRow, key: str, now: datetime
    ) -> dict[str, str]:
        extra = {"honeypot_field_name": HONEYPOT_FIELD, HONEYPOT_FIELD: new.honeypot[:500]}
        if new.form_token:
            age = self.signer.form_age(new.form_token, site.id, key, now)
            if age is not None:
                extra["form_age_seconds"] = f"{age:.3f}"
            else:
                extra["form_token"] = "invalid"  # noqa: S105 - a marker, not a secret
        return extra

    def _check(self, submission: Submission, site_url: str) -> Verdict:
        """The engine's verdict; if it fails, hold (never publish unchecked, never lose)."""
        try:
            return self.engine().check(submission, self.thresholds_for(site_url))
        except Exception as exc:
            log.warning("spam engine failed: %s", type(exc).__name__)
            return Verdict(0.5, Action.HOLD, (Hit(ENGINE_FAILED, 0.0, "The spam check failed."),))

    def _mine(self, comment: Comment, now: datetime) -> PublicComment:
        until = comment.created_at + timedelta(seconds=self.config.edit_window_s)
        live = comment.status is not Status.DELETED and now < until
        return comment.public_dict(mine=True, editable_until=until if live else None)

    def _owned(self, conn: Any, comment_id: int, token: str) -> store.StoredComment:
        if self.signer.owner_of(token) != comment_id:
            raise Forbidden("This comment can only be changed with the token it was posted with.")
        stored = store.comment_by_id(conn, comment_id)
        if stored is None:
            raise NotFound("No such comment.")
        comment = stored.comment
        if comment.status is Status.DELETED:
            raise Conflict("This comment was deleted.")
        window = timedelta(seconds=self.config.edit_window_s)
        if self.clock() >= comment.created_at + window:
            minutes = self.config.edit_window_s // 60
            raise Forbidden(f"Comments can be changed only within {minutes} minutes of posting.")
        return stored

    def edit(
        self,
        comment_id: int,
        token: str,
        text: str,
        client: Client,
        author: str | None = None,
        website: str | None = None,
    ) -> PublicComment:
        """Change one's own comment within the window; it is re-checked and may be held. Read,
        check, then write, as a post: no write lock is held while the engine checks."""
        cleaned = sanitize.clean_text(text, self.config.max_length)
        now = self.clock()
        with self.db.read() as conn:
            stored = self._owned(conn, comment_id, token)
            thread = store.thread_by_id(conn, stored.comment.thread_id)
            site = site_store.site_by_id(conn, thread.site_id) if thread else None
            policy = (store.policy_for(conn, site.id) if site else None) or Policy()
        assert thread is not None and site is not None
        old = stored.comment
        fields = sanitize.clean_author_fields(
            old.author if author is None else author,
            stored.email,
            old.website if website is None else website,
        )
        submission = Submission(
            site=site.url,
            content=cleaned,
            author=fields.author,
            email=fields.email,
            author_url=fields.website,
            ip=client.ip,
            user_agent=client.user_agent,
            permalink=thread.url,
            comment_type="reply" if old.parent_id else "comment",
            created_at=now,
        )
        verdict = self._check(submission, site.url)
        decided = policy.decide(verdict.action, first_time=False)
        status = old.status
        if status is Status.PUBLISHED and decided is not Disposition.PUBLISH:
            status = Status.PENDING if decided is Disposition.HOLD else Status.SPAM
        changes = {
            "text": cleaned,
            "html": sanitize.render_markdown(cleaned),
            "author": fields.author,
            "website": fields.website,
            "author_html": fields.author_html,
            "edited_at": now,
            "status": status,
            "probability": verdict.probability,
            "hits": [h.as_dict() for h in verdict.hits],
            "fingerprint": submission.fingerprint,
            "avatar": avatars.seed(self.hasher, stored.email_hash, fields.author),
        }
        with self.db.begin() as conn:
            if _as_edited(self._owned(conn, comment_id, token).comment) != _as_edited(old):
                raise Conflict("This comment changed meanwhile; load it again and retry.")
            store.update_comment(conn, comment_id, **changes)
            updated = store.comment_by_id(conn, comment_id)
        assert updated is not None
        return self._mine(updated.comment, now)

    def own_comment(self, ref: ThreadRef, comment_id: int, token: str) -> OwnComment | None:
        """The comment ``token`` was issued for, if it is on this thread, not deleted and still
        within the edit window; else None. Reads that one row, not the thread."""
        site = self.site(ref.site)
        key = self.thread_key(ref)
        if self.signer.owner_of(token) != comment_id:
            return None
        with self.db.read() as conn:
            thread = store.thread_by_key(conn, site.id, key)
            stored = store.comment_by_id(conn, comment_id)
        if thread is None or stored is None or stored.comment.thread_id != thread.id:
            return None
        item = self._mine(stored.comment, self.clock())
        if item["editable_until"] is None:
            return None
        return OwnComment(site, key, item, stored.comment.text, self.form_token(site, key))

    def delete(self, comment_id: int, token: str) -> None:
        """Delete one's own comment within the window: its content and author go at once; a
        placeholder stays only while it has replies."""
        with self.db.begin() as conn:
            self._owned(conn, comment_id, token)
            store.update_comment(
                conn,
                comment_id,
                status=Status.DELETED,
                text="",
                html="",
                author="",
                email="",
                email_hash=None,
                website="",
                author_html="",
                ip_hash=None,
                ip_prefix_hash=None,
                ua_family="",
                fingerprint=None,
                edited_at=self.clock(),
                avatar=None,
                gravatar=None,
            )


def _as_edited(comment: Comment) -> tuple[object, ...]:
    """What an edit was decided on: changed by someone else meanwhile, the edit is refused."""
    return comment.status, comment.text, comment.author, comment.website, comment.edited_at


def _parent(conn: Any, thread: Thread | None, parent_id: int | None) -> Comment | None:
    """The published comment a reply answers, in the same thread (422 otherwise)."""
    found = store.comment_by_id(conn, parent_id) if parent_id is not None else None
    return _reply_to(found, thread, parent_id)


def _reply_to(
    found: store.StoredComment | None, thread: Thread | None, parent_id: int | None
) -> Comment | None:
    """:func:`_parent` with the parent already read (``found``)."""
    if parent_id is None:
        return None
    if (
        thread is None
        or found is None
        or found.comment.thread_id != thread.id
        or found.comment.status is not Status.PUBLISHED
    ):
        raise ValidationFailed("The comment you are replying to is not in this thread.")
    return found.comment


def _refuse_if_closed(thread: Thread, policy: Policy, now: datetime) -> None:
    """Threads older than the site's ``close_after_days`` take no new comments (403)."""
    days = policy.close_after_days
    if days > 0 and now - thread.created_at > timedelta(days=days):
        raise Forbidden(f"Comments on this article are closed (after {days} days).")

"""Posting a comment: validate and sanitize, read what the decision needs, ask the spam engine,
apply the site's policy — all before any write lock — then store it once with the other writes
of the moment (Markdown rendered at write time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from rejoinder.comments import avatars, sanitize
from rejoinder.comments.base import CommentBase
from rejoinder.comments.policy import origins_of
from rejoinder.comments.records import Client, NewComment, Posted
from rejoinder.comments.writes import CommentWrite, Draft, Tally, reply_to
from rejoinder.core.anonymize import truncated, ua_family
from rejoinder.core.records.comments import Policy, Status, Thread
from rejoinder.errors import Forbidden, ValidationFailed
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as store
from rejoinder.storage import policies as policy_store
from rejoinder.storage import stats as stats_store
from rejoinder.storage import threads as thread_store
from rejoinder.storage.sites import SiteRow

log = logging.getLogger(__name__)
HONEYPOT_FIELD = "homepage"  # the hidden form field only bots fill in


def _any(_origins: frozenset[str]) -> None:
    """Callers outside the web (the CLI, tests) post from no browser: no Origin to check."""


class Posting(CommentBase):
    """The comment service's posts: synchronous (:meth:`submit`) or the web's (:meth:`post`)."""

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
            policy = policy_store.policy_for(conn, site.id) or Policy()
            allow(origins_of(site, policy))
            key = self.thread_key(new.ref)
            thread = thread_store.thread_by_key(conn, site.id, key)
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
        parent = reply_to(found, thread, new.parent)
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
        thread = thread_store.thread_by_id(conn, found.comment.thread_id) if found else None
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


def _refuse_if_closed(thread: Thread, policy: Policy, now: datetime) -> None:
    """Threads older than the site's ``close_after_days`` take no new comments (403)."""
    days = policy.close_after_days
    if days > 0 and now - thread.created_at > timedelta(days=days):
        raise Forbidden(f"Comments on this article are closed (after {days} days).")

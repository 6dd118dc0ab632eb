"""Editing and deleting one's own comment: only with its owner token, only within the edit
window; an edit is checked again with no write lock held and may be held."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rejoinder.comments import avatars, sanitize
from rejoinder.comments.base import CommentBase
from rejoinder.comments.records import Client, OwnComment, ThreadRef
from rejoinder.core.records.comments import Comment, Disposition, Policy, PublicComment, Status
from rejoinder.errors import Conflict, Forbidden, NotFound
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as store
from rejoinder.storage import policies as policy_store
from rejoinder.storage import sites as site_store
from rejoinder.storage import threads as thread_store


class Editing(CommentBase):
    """The comment service's changes to one's own comment."""

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
            thread = thread_store.thread_by_id(conn, stored.comment.thread_id)
            site = site_store.site_by_id(conn, thread.site_id) if thread else None
            policy = (policy_store.policy_for(conn, site.id) if site else None) or Policy()
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
            thread = thread_store.thread_by_key(conn, site.id, key)
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

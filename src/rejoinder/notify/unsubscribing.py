"""One-click unsubscribe from reply mails: the signed link and acting on it."""

from __future__ import annotations

from sqlalchemy import select, update

from rejoinder.core.inputs import parse_id
from rejoinder.core.tokens import same
from rejoinder.notify.base import NotifierBase
from rejoinder.storage.schema import comments, threads

UNSUBSCRIBE_SIG_CHARS = 27  # 160 bits of base64url


class Unsubscribing(NotifierBase):
    """The unsubscribe link of a comment (signed with the notifier's key) and acting on it."""

    def _sign(self, comment_id: int) -> str:
        return self._key.b64(str(comment_id), UNSUBSCRIBE_SIG_CHARS)

    def unsubscribe_url(self, comment_id: int) -> str:
        return f"{self.public_url}/notify/unsubscribe/{comment_id}.{self._sign(comment_id)}"

    def valid_unsubscribe(self, token: str) -> int | None:
        """The comment id an unsubscribe token names, or None when it is not ours."""
        raw, _, sig = token.strip().partition(".")
        ident = parse_id(raw)
        if ident is None:
            return None
        return ident if same(sig, self._sign(ident)) else None

    def unsubscribe(self, token: str) -> int | None:
        """Turn reply mails off for every comment of that address on that site; None when the
        token is not ours. Returns how many comments were changed."""
        ident = self.valid_unsubscribe(token)
        if ident is None:
            return None
        with self.db.begin() as conn:
            row = conn.execute(
                select(comments.c.email_hash, threads.c.site_id)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(comments.c.id == ident)
            ).first()
            if row is None:
                return 0
            where = comments.c.id == ident
            if row[0]:
                same_site = select(threads.c.id).where(threads.c.site_id == row[1])
                where = (comments.c.email_hash == row[0]) & comments.c.thread_id.in_(same_site)
            done = conn.execute(
                update(comments)
                .where(where, comments.c.notify_replies.is_(True))
                .values(notify_replies=False)
            )
            return int(done.rowcount or 0)

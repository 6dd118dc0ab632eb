"""Acting on a one-click link from the daily digest, without a session: the link names the
comment, the decision and the moderator; it is checked (signature, expiry), used once, and
the decision goes through ``ModerationService.decide`` as the moderator's own (their role on
the comment's site is checked there; the engine learns as from any decision)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.moderation import Actor, Moderator, QueueItem
from rejoinder.errors import Forbidden, LinkExpired, NotFound
from rejoinder.moderation.queue import ModerationService, Outcome
from rejoinder.notify.digest import DigestLinks, LinkAction
from rejoinder.storage import moderation as moderator_store
from rejoinder.storage import notify as notify_store
from rejoinder.storage import queue as queue_store
from rejoinder.storage.db import Database

USED = "This link was already used."


@dataclass(frozen=True, slots=True)
class LinkView:
    action: LinkAction
    moderator: Moderator
    item: QueueItem
    used: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass(eq=False, repr=False)
class LinkActions:
    db: Database
    links: DigestLinks
    moderation: ModerationService
    clock: Clock = utcnow

    def view(self, token: str) -> LinkView:
        """What the link would do (403 not ours, 410 expired, 404 comment or moderator gone)."""
        action = self.links.read(token, self.clock())
        with self.db.read() as conn:
            moderator = moderator_store.moderator_by_id(conn, action.moderator_id)
            found = queue_store.items_by_ids(conn, [action.comment_id])
            used = notify_store.link_used(conn, token_hash(token))
        if moderator is None:
            raise Forbidden("The moderator this link was made for no longer exists.")
        if not found:
            raise NotFound("That comment no longer exists.")
        if moderator.role_on(found[0].site_id) is None:
            raise Forbidden("You no longer moderate the site this comment is on.")
        return LinkView(action, moderator, found[0], used)

    def act(self, token: str) -> tuple[LinkView, Outcome]:
        """Use the link once and decide; a second use is 410 (nothing changes)."""
        view = self.view(token)
        with self.db.begin() as conn:
            fresh = notify_store.use_link(
                conn, token_hash(token), self.clock(), view.action.expires_at
            )
        if view.used or not fresh:
            raise LinkExpired(USED)
        actor = Actor(view.moderator, via="digest link")
        outcome = self.moderation.decide(actor, [view.action.comment_id], view.action.decision)
        return view, outcome

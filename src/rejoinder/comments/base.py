"""What every path of a comment shares: the services it runs on, the site a request names
(cached briefly), the thread id, the form token, the engine's verdict (a failure holds) and a
comment as its owner sees it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rejoinder.comments import sanitize
from rejoinder.comments.events import Events
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.records import CommentConfig, ThreadRef
from rejoinder.comments.tokens import CommentTokens
from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import Comment, PublicComment, Status
from rejoinder.core.records.verdict import Action, Hit, Thresholds, Verdict
from rejoinder.errors import NotFound
from rejoinder.sites.service import try_normalise
from rejoinder.spam.submission import Submission
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

if TYPE_CHECKING:  # built on first use (services.py): importing it loads numpy and the signals
    from rejoinder.spam.engine import Engine

log = logging.getLogger(__name__)
SITE_CACHE_TTL_S = 10.0
ENGINE_FAILED = "ENGINE_ERROR"


@dataclass(eq=False, repr=False)
class CommentBase:
    """The services every comment path runs on; ``service.CommentService`` adds the paths."""

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

    @staticmethod
    def thread_key(ref: ThreadRef) -> str:
        if ref.thread:
            return sanitize.validate_thread_key(ref.thread)
        if ref.url:
            return sanitize.thread_key_for_url(ref.url)
        raise sanitize.BadIdentifier("Give a thread id or the article URL.")

    def form_token(self, site: SiteRow, key: str) -> str:
        return self.signer.form_token(site.id, key, self.clock())

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

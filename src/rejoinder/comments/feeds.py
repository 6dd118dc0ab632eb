"""What a feed lists: the newest published comments of a site or of one thread.

Held, spam and deleted comments never appear (the query asks for ``published`` only).
"""

from __future__ import annotations

from dataclasses import dataclass

from rejoinder.comments.records import ThreadRef
from rejoinder.comments.service import CommentService
from rejoinder.core.records.comments import Thread
from rejoinder.storage import listing
from rejoinder.storage.listing import FeedItem
from rejoinder.storage.sites import SiteRow

FEED_ENTRIES = 50


@dataclass(frozen=True, slots=True)
class FeedPage:
    site: SiteRow
    key: str | None  # the thread's id; None: the whole site
    thread: Thread | None  # None: the whole site, or a thread nobody commented on yet
    items: list[FeedItem]


def site_feed(service: CommentService, site_ref: str) -> FeedPage:
    site = service.site(site_ref)
    with service.db.read() as conn:
        items = listing.recent_published(conn, site.id, None, FEED_ENTRIES)
    return FeedPage(site, None, None, items)


def thread_feed(service: CommentService, ref: ThreadRef) -> FeedPage:
    """A thread's feed; empty (not missing) while nobody has commented."""
    site, key, thread = service.thread_head(ref)
    if thread is None:
        return FeedPage(site, key, None, [])
    with service.db.read() as conn:
        items = listing.recent_published(conn, site.id, thread.id, FEED_ENTRIES)
    return FeedPage(site, key, thread, items)

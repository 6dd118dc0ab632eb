"""Reading threads: the head (version) of one, a page of its comments as a tree (published ones
plus the caller's own held ones), published counts of many."""

from __future__ import annotations

from datetime import timedelta

from rejoinder.comments import sanitize
from rejoinder.comments.base import CommentBase
from rejoinder.comments.records import ThreadPage, ThreadRef
from rejoinder.comments.tree import build_tree
from rejoinder.core.records.comments import Comment, Policy, Sort, Status, Thread
from rejoinder.errors import NotFound, ValidationFailed
from rejoinder.storage import comments as store
from rejoinder.storage import listing
from rejoinder.storage import policies as policy_store
from rejoinder.storage import sites as site_store
from rejoinder.storage import threads as thread_store
from rejoinder.storage.sites import SiteRow

MAX_COUNT_THREADS = 100


class Reading(CommentBase):
    """The comment service's reads."""

    def site_of_comment(self, comment_id: int) -> SiteRow:
        with self.db.read() as conn:
            stored = store.comment_by_id(conn, comment_id)
            thread = thread_store.thread_by_id(conn, stored.comment.thread_id) if stored else None
            site = site_store.site_by_id(conn, thread.site_id) if thread else None
        if site is None:
            raise NotFound("No such comment.")
        return site

    def thread_head(self, ref: ThreadRef) -> tuple[SiteRow, str, Thread | None]:
        """The site, the thread id and the thread (with its version), in one cheap read."""
        site = self.site(ref.site)
        key = self.thread_key(ref)
        with self.db.read() as conn:
            return site, key, thread_store.thread_by_key(conn, site.id, key)

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
            thread = thread_store.thread_by_key(conn, site.id, key)
            roots: list[Comment] = []
            replies: list[Comment] = []
            total = 0
            policy = policy_store.policy_for(conn, site.id) or Policy()
            if thread is not None:
                roots = listing.page_roots(conn, thread.id, max(0, after), limit, own_ids, sort)
                replies = listing.replies_of(conn, [c.id for c in roots[:limit]], own_ids)
                total = listing.count_published(conn, [thread.id]).get(thread.id, 0)
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
            ids = thread_store.threads_by_keys(conn, site.id, set(wanted.values()))
            counts = listing.count_published(conn, set(ids.values()))
        return {asked: counts.get(ids.get(key, -1), 0) for asked, key in wanted.items()}

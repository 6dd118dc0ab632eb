"""A site's comment policy (the one writer: the CLI, the demo and the admin's policy page all
write it here) and the origins the widget may post from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from rejoinder.comments.base import CommentBase
from rejoinder.core.records.comments import Policy
from rejoinder.storage import policies as policy_store
from rejoinder.storage.sites import SiteRow


def site_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origins_of(site: SiteRow, policy: Policy) -> frozenset[str]:
    """The site's own origin and the extra ones its policy allows."""
    extra = policy.allowed_origins
    return frozenset({site_origin(site.url), *(o.lower().rstrip("/") for o in extra)})


class SitePolicies(CommentBase):
    """A site's policy and allowed origins, as the comment service reads and writes them."""

    def policy(self, site_id: int) -> Policy:
        with self.db.read() as conn:
            return policy_store.policy_for(conn, site_id) or Policy()

    def set_policy(self, site_ref: str, policy: Policy) -> None:
        site = self.site(site_ref)
        with self.db.begin() as conn:
            self.write_policy(conn, site.id, lambda _old: policy)

    def write_policy(self, conn: Any, site_id: int, change: Callable[[Policy], Policy]) -> Policy:
        """The one writer of a site's comment policy (the CLI, the demo, the admin's policy
        page), in the caller's transaction: ``change`` turns the stored policy into the new."""
        updated = change(policy_store.policy_for(conn, site_id) or Policy())
        policy_store.set_policy(conn, site_id, updated, self.clock())
        return updated

    def allowed_origins(self, site: SiteRow) -> frozenset[str]:
        return origins_of(site, self.policy(site.id))

    def all_allowed_origins(self) -> frozenset[str]:
        with self.db.read() as conn:
            sources = policy_store.all_origin_sources(conn)
        return frozenset(
            origin
            for url, extra in sources
            for origin in (site_origin(url), *(o.lower().rstrip("/") for o in extra))
        )

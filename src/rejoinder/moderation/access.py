"""Which sites a moderator may act on."""

from __future__ import annotations

from rejoinder.core.records.moderation import Moderator
from rejoinder.errors import Forbidden
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow


def moderated_site(db: Database, moderator: Moderator, site_id: int) -> SiteRow | None:
    """The site ``site_id`` (None when there is none); 403 when the moderator has no role on it."""
    if moderator.role_on(site_id) is None:
        raise Forbidden("You do not moderate that site.")
    with db.read() as conn:
        return site_store.site_by_id(conn, site_id)

"""Registering webhooks (``rejoinder webhooks …``): a target is checked by the SSRF guard when
it is added and again before every request."""

from __future__ import annotations

import secrets

from rejoinder.core.clock import Clock, utcnow
from rejoinder.errors import NotFound, ValidationFailed
from rejoinder.notify.webhook import TargetRefused, WebhookSender, check_url
from rejoinder.sites.service import normalise_url
from rejoinder.storage import notify as store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database


class WebhookAdmin:
    def __init__(self, db: Database, sender: WebhookSender, clock: Clock = utcnow):
        self.db = db
        self.sender = sender
        self.clock = clock

    def add(self, site: str, url: str, digest: bool = False) -> tuple[int, str]:
        """Register a target; returns its id and the signing secret (shown once)."""
        target = check_url(url)
        try:
            self.sender.pinned(target)
        except TargetRefused as exc:
            raise ValidationFailed(f"Webhook refused: {exc}.") from exc
        secret = secrets.token_hex(32)
        with self.db.begin() as conn:
            row = site_store.site_by_url(conn, normalise_url(site))
            if row is None:
                raise NotFound(f"No such site: {site}.")
            hook_id = store.add_webhook(conn, row.id, target, secret, digest, self.clock())
        return hook_id, secret

    def all(self) -> list[tuple[store.Webhook, str]]:
        with self.db.read() as conn:
            sites = {s.id: s.url for s in site_store.list_sites(conn)}
            return [(h, sites.get(h.site_id, "?")) for h in store.webhooks_for(conn, None)]

    def remove(self, hook_id: int) -> None:
        with self.db.begin() as conn:
            if not store.remove_webhook(conn, hook_id):
                raise NotFound(f"No webhook with id {hook_id}.")

    def deliveries(self, hook_id: int | None, limit: int = 50) -> list[store.Delivery]:
        with self.db.read() as conn:
            return store.log(conn, limit, hook_id)

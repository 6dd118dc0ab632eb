"""Moderators, their roles and webhooks, managed from the admin by admins (the command line's
``moderators`` and ``webhooks`` groups do the same). An admin of some sites sees and changes
roles and webhooks on those sites only; an admin of every site also grants "every site".
Nobody removes their own role here (no locking oneself out)."""

from __future__ import annotations

from dataclasses import dataclass

from rejoinder.core.records.moderation import Moderator, NotifyMode, Role
from rejoinder.errors import Forbidden, NotFound, ValidationFailed
from rejoinder.moderation.auth import ModeratorAuth, normal_email
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.storage import moderation as store
from rejoinder.storage import notify as notify_store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow


@dataclass(frozen=True, slots=True)
class TeamView:
    sites: list[SiteRow]  # the sites this admin manages
    everywhere: bool  # admin of every site
    moderators: list[Moderator]  # with a role on one of those sites (or every site)
    webhooks: list[notify_store.Webhook]
    deliveries: list[notify_store.Delivery]


@dataclass(eq=False, repr=False)
class TeamService:
    db: Database
    auth: ModeratorAuth
    hooks: WebhookAdmin

    @staticmethod
    def _admin_sites(admin: Moderator, every: list[SiteRow]) -> list[SiteRow]:
        if admin.roles.get(None) is Role.ADMIN:
            return every
        return [s for s in every if admin.roles.get(s.id) is Role.ADMIN]

    def view(self, admin: Moderator) -> TeamView:
        with self.db.read() as conn:
            mine = self._admin_sites(admin, site_store.list_sites(conn))
            if not mine:
                raise Forbidden("Only admins manage moderators and webhooks.")
            ids = {s.id for s in mine}
            everywhere = admin.roles.get(None) is Role.ADMIN
            people = [
                m
                for m in store.list_moderators(conn)  # every-site roles moderate these too
                if any(s is None or s in ids for s in m.roles)
            ]
            hooks = [h for h in notify_store.webhooks_for(conn, None) if h.site_id in ids]
            log = [
                d
                for d in notify_store.log(conn, 200, None)
                if d.webhook_id is not None and d.site_id in ids
            ][:15]
        return TeamView(mine, everywhere, people, hooks, log)

    def _may(self, admin: Moderator, site_id: int | None) -> None:
        if site_id is None:
            if admin.roles.get(None) is not Role.ADMIN:
                raise Forbidden("Only an admin of every site grants a role on every site.")
        elif admin.role_on(site_id) is not Role.ADMIN:
            raise Forbidden("You are not an admin of that site.")

    def grant(
        self, admin: Moderator, email: str, site_id: int | None, role: Role, password: str
    ) -> Moderator:
        """A role for an existing moderator, or a new moderator (who needs a password)."""
        self._may(admin, site_id)
        address = normal_email(email)
        with self.db.read() as conn:
            exists = store.moderator_by_email(conn, address) is not None
            site = site_store.site_by_id(conn, site_id) if site_id is not None else None
        if site_id is not None and site is None:
            raise NotFound("No such site.")
        if not exists and not password:
            raise ValidationFailed("A new moderator needs a password (at least 12 characters).")
        moderator, _generated = self.auth.add(
            address, password or None, site.url if site else None, role
        )
        if not exists:
            self.auth.set_notify(address, NotifyMode.DIGEST)  # they hear about what waits
        return moderator

    def revoke(self, admin: Moderator, moderator_id: int, site_id: int | None) -> bool:
        """Take a role away; a moderator left with no role is removed (sessions end).
        Returns whether the moderator is gone."""
        self._may(admin, site_id)
        if moderator_id == admin.id:
            raise ValidationFailed("You cannot remove your own role here.")
        with self.db.begin() as conn:
            if not store.remove_role(conn, moderator_id, site_id):
                raise NotFound("That moderator has no such role.")
            left = store.moderator_by_id(conn, moderator_id)
            if left is not None and not left.roles:
                store.remove_moderator(conn, moderator_id)
                return True
        return False

    def add_webhook(
        self, admin: Moderator, site_id: int, url: str, digest: bool
    ) -> tuple[int, str]:
        self._may(admin, site_id)
        with self.db.read() as conn:
            site = site_store.site_by_id(conn, site_id)
        if site is None:
            raise NotFound("No such site.")
        return self.hooks.add(site.url, url, digest)

    def remove_webhook(self, admin: Moderator, hook_id: int) -> None:
        with self.db.read() as conn:
            hook = notify_store.webhook_by_id(conn, hook_id)
        if hook is None:
            raise NotFound(f"No webhook with id {hook_id}.")
        self._may(admin, hook.site_id)
        self.hooks.remove(hook_id)

"""A site's policy and thresholds as the admin pages show and change them, with a preview of
what other thresholds would have done to the site's recent comments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from rejoinder.comments.service import CommentService
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import Policy
from rejoinder.core.records.moderation import Actor, Decision, Moderator, PolicyMode, Role
from rejoinder.core.records.verdict import Action, Thresholds
from rejoinder.errors import Forbidden, ValidationFailed
from rejoinder.moderation.access import moderated_site
from rejoinder.sites.service import SiteService
from rejoinder.storage import moderation as log_store
from rejoinder.storage import policies as policy_store
from rejoinder.storage import queue as queue_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

PREVIEW_COMMENTS = 1000
MAX_CLOSE_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class Preview:
    """How the last ``sample`` comments would have been sorted, now and with the proposal."""

    sample: int
    current: dict[str, int]
    proposed: dict[str, int]
    changed: int  # comments whose action differs
    changed_by: dict[str, int]  # changing only that one threshold


@dataclass(frozen=True, slots=True)
class PolicyView:
    site: SiteRow
    policy: Policy
    mode: PolicyMode
    thresholds: Thresholds
    proposed: Thresholds | None
    preview: Preview | None
    can_edit: bool


def mode_of(policy: Policy) -> PolicyMode:
    if policy.hold_all:
        return PolicyMode.HOLD_ALL
    return PolicyMode.HOLD_FIRST_TIME if policy.hold_first_time else PolicyMode.ENGINE


def _threshold(raw: str, name: str, default: float) -> float:
    text = raw.strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValidationFailed(f"The {name} threshold must be a number between 0 and 1.") from None
    if not 0.0 <= value <= 1.0:
        raise ValidationFailed(f"The {name} threshold must be between 0 and 1.")
    return value


def preview(probabilities: list[float], now: Thresholds, new: Thresholds) -> Preview:
    def tally(t: Thresholds) -> dict[str, int]:
        counts = Counter(t.action_for(p).value for p in probabilities)
        return {a.value: counts.get(a.value, 0) for a in Action}

    changed = sum(now.action_for(p) is not new.action_for(p) for p in probabilities)
    singles = {
        "hold": replace(now, hold=new.hold),
        "spam": replace(now, spam=new.spam),
        "discard": replace(now, discard=new.discard),
    }
    changed_by = {
        name: sum(now.action_for(p) is not t.action_for(p) for p in probabilities)
        for name, t in singles.items()
    }
    return Preview(len(probabilities), tally(now), tally(new), changed, changed_by)


class PolicyService:
    def __init__(
        self, db: Database, sites: SiteService, comments: CommentService, clock: Clock = utcnow
    ):
        self.db = db
        self.sites = sites
        self.comments = comments  # writes the policy (``CommentService.write_policy``)
        self.clock = clock

    def _site(self, moderator: Moderator, site_id: int) -> SiteRow:
        site = moderated_site(self.db, moderator, site_id)
        if site is None:
            raise Forbidden("You do not moderate that site.")
        return site

    def view(
        self, moderator: Moderator, site_id: int, hold: str = "", spam: str = "", discard: str = ""
    ) -> PolicyView:
        site = self._site(moderator, site_id)
        current = self.sites.thresholds(site.url)
        with self.db.read() as conn:
            policy = policy_store.policy_for(conn, site.id) or Policy()
            probabilities = queue_store.recent_probabilities(conn, site.id, PREVIEW_COMMENTS)
        proposed = None
        result = None
        if any(v.strip() for v in (hold, spam, discard)):
            proposed = Thresholds(
                _threshold(hold, "hold", current.hold),
                _threshold(spam, "spam", current.spam),
                _threshold(discard, "discard", current.discard),
            )
            result = preview(probabilities, current, proposed)
        can_edit = moderator.role_on(site.id) is Role.ADMIN
        return PolicyView(site, policy, mode_of(policy), current, proposed, result, can_edit)

    def save(self, actor: Actor, site_id: int, values: dict[str, str]) -> None:
        """Change mode, closing and thresholds (admins only)."""
        site = self._site(actor.moderator, site_id)
        if actor.moderator.role_on(site.id) is not Role.ADMIN:
            raise Forbidden("Only an admin of this site can change its policy.")
        try:
            mode = PolicyMode(values.get("mode", ""))
        except ValueError:
            raise ValidationFailed("Choose engine, hold_first_time or hold_all.") from None
        days = parse_id(values.get("close_after_days", "0").strip() or "0")
        if days is None or days > MAX_CLOSE_DAYS:
            raise ValidationFailed("Close after a number of days (0 keeps threads open).")
        current = self.sites.thresholds(site.url)
        new = Thresholds(
            _threshold(values.get("hold", ""), "hold", current.hold),
            _threshold(values.get("spam", ""), "spam", current.spam),
            _threshold(values.get("discard", ""), "discard", current.discard),
        )
        if new != current:
            self.sites.set_thresholds(site.url, new.hold, new.spam, new.discard)
        now = self.clock()
        with self.db.begin() as conn:
            self.comments.write_policy(
                conn,
                site.id,
                lambda policy: replace(
                    policy,
                    hold_all=mode is PolicyMode.HOLD_ALL,
                    hold_first_time=mode is PolicyMode.HOLD_FIRST_TIME,
                    close_after_days=days,
                ),
            )
            detail: dict[str, Any] = {
                "mode": mode.value,
                "close_after_days": days,
                "thresholds": [new.hold, new.spam, new.discard],
            }
            log_store.log_decision(
                conn,
                comment_id=None,
                site_id=site.id,
                moderator_id=actor.moderator.id,
                actor=actor.label,
                action=Decision.POLICY.value,
                detail=detail,
                now=now,
            )

"""Policy per site (modes, thresholds with a preview, closing old threads) and bans."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rejoinder.core.records.comments import Disposition, Status
from rejoinder.core.records.moderation import Actor, PolicyMode
from rejoinder.core.records.verdict import Thresholds
from rejoinder.errors import Forbidden, NotFound, ValidationFailed
from rejoinder.moderation.policy import preview
from tests.moderation.conftest import SITE_A, SITE_B, World
from tests.support.world import shown_id

# Doubtful rather than blatant for the content model: held at the defaults, never discarded.
PILLS = (
    "FREE entry! You have WON a guaranteed cash prize, claim now at "
    "https://shop1.example.net/deal https://shop2.example.net/deal"
)


def test_modes_hold_everything_first_time_or_follow_the_engine(world: World) -> None:
    policies = world.services.policies
    site = world.site_id(SITE_A)
    policies.save(Actor(world.admin), site, {"mode": "hold_all"})
    assert world.post("held because everything is").status is Status.PENDING
    policies.save(Actor(world.admin), site, {"mode": "hold_first_time"})
    assert world.post("first time", email="new@example.com").status is Status.PENDING
    policies.save(Actor(world.admin), site, {"mode": "engine"})
    assert world.post("published again", email="new@example.com").status is Status.PUBLISHED
    view = policies.view(world.admin, site)
    assert view.mode is PolicyMode.ENGINE and view.can_edit
    entries = world.services.moderation.recent_log(world.admin)
    assert [e.action for e in entries][:3] == ["policy", "policy", "policy"]


def test_only_admins_of_the_site_change_policy(world: World) -> None:
    with pytest.raises(Forbidden):
        world.services.policies.save(
            Actor(world.mod_b), world.site_id(SITE_B), {"mode": "hold_all"}
        )
    with pytest.raises(Forbidden):
        world.services.policies.save(
            Actor(world.admin), world.site_id(SITE_B), {"mode": "hold_all"}
        )
    with pytest.raises(Forbidden):
        world.services.policies.view(world.mod_b, world.site_id(SITE_A))
    with pytest.raises(ValidationFailed):
        world.services.policies.save(Actor(world.admin), world.site_id(SITE_A), {"mode": "chaos"})


def test_thresholds_change_the_next_verdict(world: World) -> None:
    site = world.site_id(SITE_A)
    assert world.post(PILLS).status is Status.PENDING  # held (or filed as spam)
    world.services.policies.save(Actor(world.admin), site, {"mode": "engine", "hold": "0.9999999",
                                                            "spam": "0.99999995", "discard": "0.99999999"})  # fmt: skip
    assert world.services.sites.thresholds(SITE_A) == Thresholds(0.9999999, 0.99999995, 0.99999999)
    assert world.post(PILLS + " again").status is Status.PUBLISHED
    with pytest.raises(ValidationFailed):
        world.services.policies.save(Actor(world.admin), site, {"mode": "engine", "hold": "0.9",
                                                                "spam": "0.2"})  # fmt: skip
    with pytest.raises(ValidationFailed):
        world.services.policies.save(Actor(world.admin), site, {"mode": "engine", "hold": "2"})


def test_preview_counts_what_each_threshold_would_have_changed(world: World) -> None:
    now = Thresholds(0.5, 0.85, 0.995)
    result = preview([0.1, 0.4, 0.6, 0.9, 0.999], now, Thresholds(0.3, 0.95, 0.995))
    assert result.sample == 5
    assert result.current == {"accept": 2, "hold": 1, "spam": 1, "discard": 1}
    assert result.proposed == {"accept": 1, "hold": 3, "spam": 0, "discard": 1}
    assert result.changed == 2 and result.changed_by == {"hold": 1, "spam": 1, "discard": 0}
    for _ in range(3):
        world.post("plain comment")
    world.post(PILLS)
    view = world.services.policies.view(world.admin, world.site_id(SITE_A), hold="0.0001")
    assert view.preview is not None and view.preview.sample == 4
    assert view.preview.changed == view.preview.changed_by["hold"] == 3


def test_threads_close_after_n_days(world: World) -> None:
    world.post("opens the thread", thread="old-post")
    world.services.policies.save(Actor(world.admin), world.site_id(SITE_A),
                                 {"mode": "engine", "close_after_days": "7"})  # fmt: skip
    world.clock.advance(6 * 86400)
    assert world.post("still open", thread="old-post").status is Status.PUBLISHED
    world.clock.advance(2 * 86400)
    with pytest.raises(Forbidden, match="closed"):
        world.post("too late", thread="old-post")
    assert world.post("a new thread is open", thread="new-post").status is Status.PUBLISHED
    with pytest.raises(ValidationFailed):
        world.services.policies.save(Actor(world.admin), world.site_id(SITE_A),
                                     {"mode": "engine", "close_after_days": "-1"})  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "post"),
    [
        ("email", "spammer@bad.example", {"email": "Spammer@Bad.example"}),
        ("email", "@bad.example", {"email": "x@mail.bad.example"}),
        ("url", "bad.example", {"website": "https://www.bad.example/page"}),
        ("word", "cheap pills", {"text": "Buy CHEAP   pills now"}),
        ("ip", "203.0.113.0/24", {"ip": "203.0.113.99"}),
        ("ip", "2001:db8:5::/48", {"ip": "2001:db8:5:1::9"}),
    ],
)  # fmt: skip
def test_a_ban_takes_effect_on_the_next_comment(
    world: World, kind: str, value: str, post: dict
) -> None:  # type: ignore[type-arg]
    text = post.pop(
        "text",
        "An interesting take on the council vote, though I think the budget numbers are off.",
    )
    comments = world.services.comments  # keep blatant spam (not discarded) to see its reasons
    policy = comments.policy(world.site_id(SITE_A))
    comments.set_policy(SITE_A, replace(policy, on_discard=Disposition.SPAM))
    assert world.post(text, **post).status is Status.PUBLISHED
    ban = world.services.bans.add(Actor(world.admin), world.site_id(SITE_A), kind, value)
    banned = world.post(text + " again", **post)
    assert banned.status is Status.PENDING  # shown as pending to its author; stored as spam
    item, _ = world.services.moderation.comment(world.admin, shown_id(banned))
    assert item.status is Status.SPAM
    assert any(h["symbol"] == f"SITE_BLOCKED_{kind.upper()}" for h in item.hits)
    assert world.post(text + " on B", site=SITE_B, **post).status is Status.PUBLISHED  # per site
    world.services.bans.lift(Actor(world.admin), ban.id)
    assert world.post(text + " after the lift", **post).status is Status.PUBLISHED


def test_ban_from_a_comment_uses_only_the_truncated_network(world: World) -> None:
    cid = world.held("from somewhere", ip="198.51.100.77", email="who@example.com",
                     website="https://spam.example/x")  # fmt: skip
    item, _ = world.services.moderation.comment(world.admin, cid)
    offers = {o.kind: o.value for o in world.services.bans.offers(item)}
    assert offers == {"email": "who@example.com", "ip": "198.51.100.0/24", "url": "spam.example"}
    ban = world.services.bans.ban_from_comment(Actor(world.admin), cid, "ip")
    assert ban.value == "198.51.100.0/24"
    assert all("198.51.100.77" not in str(r) for r in world.services.rules.list(None))
    _item, log = world.services.moderation.comment(world.admin, cid)
    assert [(e.action, e.detail) for e in log] == [
        ("ban", {"kind": "ip", "value": "198.51.100.0/24"})
    ]
    with pytest.raises(ValidationFailed):
        world.services.bans.ban_from_comment(Actor(world.admin), cid, "word")


def test_bans_are_per_site_and_scoped_to_the_moderator(world: World) -> None:
    bans = world.services.bans
    on_a = bans.add(Actor(world.admin), world.site_id(SITE_A), "word", "casino")
    with pytest.raises(Forbidden):
        bans.add(Actor(world.mod_b), world.site_id(SITE_A), "word", "poker")
    assert bans.list(world.mod_b) == []
    with pytest.raises(NotFound):
        bans.lift(Actor(world.mod_b), on_a.id)
    with pytest.raises(ValidationFailed):
        bans.add(Actor(world.admin), world.site_id(SITE_A), "ip", "not-a-network")
    with pytest.raises(ValidationFailed):
        bans.add(Actor(world.admin), world.site_id(SITE_A), "phase-of-moon", "x")
    assert [b.value for b in bans.list(world.boss)] == ["casino"]

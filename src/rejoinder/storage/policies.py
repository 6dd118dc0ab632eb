"""Per-site comment policies, and what the privacy notice and the CORS allow-list read from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from rejoinder.core.records.comments import Disposition, Policy
from rejoinder.storage.schema import comment_policies, sites, threads

_POLICY = select(comment_policies).where(comment_policies.c.site_id == bindparam("site"))


def policy_for(conn: Connection, site_id: int) -> Policy | None:
    row = conn.execute(_POLICY, {"site": site_id}).first()
    if row is None:
        return None
    m = row._mapping
    return Policy(
        Disposition(m["on_accept"]),
        Disposition(m["on_hold"]),
        Disposition(m["on_spam"]),
        Disposition(m["on_discard"]),
        bool(m["hold_all"]),
        bool(m["hold_first_time"]),
        tuple(str(o) for o in m["allowed_origins"] or ()),
        int(m["close_after_days"] or 0),
        bool(m["voting"]),
        bool(m["gravatar"]),
    )


def set_policy(conn: Connection, site_id: int, policy: Policy, now: datetime) -> None:
    values = {
        "on_accept": policy.on_accept.value,
        "on_hold": policy.on_hold.value,
        "on_spam": policy.on_spam.value,
        "on_discard": policy.on_discard.value,
        "hold_all": policy.hold_all,
        "hold_first_time": policy.hold_first_time,
        "allowed_origins": list(policy.allowed_origins),
        "updated_at": now,
        "close_after_days": policy.close_after_days,
        "voting": policy.voting,
        "gravatar": policy.gravatar,
    }
    done = conn.execute(
        update(comment_policies).where(comment_policies.c.site_id == site_id).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(insert(comment_policies).values(site_id=site_id, **values))
    # cached pages show the policy (voting, avatars): every thread of the site renders anew
    conn.execute(
        update(threads).where(threads.c.site_id == site_id).values(version=threads.c.version + 1)
    )


def sites_with_gravatar(conn: Connection) -> list[str]:
    """URLs of the sites that show Gravatar pictures (the privacy notice names them)."""
    rows = conn.execute(
        select(sites.c.url)
        .join(comment_policies, comment_policies.c.site_id == sites.c.id)
        .where(comment_policies.c.gravatar.is_(True))
        .order_by(sites.c.url)
    )
    return [str(r[0]) for r in rows]


def all_origin_sources(conn: Connection) -> list[tuple[str, list[str]]]:
    """(site URL, extra allowed origins) for every site: the CORS allow-list is built from it."""
    rows = conn.execute(
        select(sites.c.url, comment_policies.c.allowed_origins).outerjoin(
            comment_policies, comment_policies.c.site_id == sites.c.id
        )
    )
    return [(r[0], list(r[1] or [])) for r in rows]

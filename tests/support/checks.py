"""A comment-check for synchronous tests, by the service's own two steps: decide, then store."""

from __future__ import annotations

from rejoinder.services import Services
from rejoinder.sites.service import KeyInfo
from rejoinder.spam.service import CheckResult


def check(services: Services, key: KeyInfo, fields: dict[str, str]) -> CheckResult:
    """What ``POST /1.1/comment-check`` does, committed before it returns (the writer thread
    stands in for the event loop's group commit)."""
    pending = services.checks.decide(key, fields)
    if pending.write is not None:
        services.db.write(pending.write.run)
    return pending.result

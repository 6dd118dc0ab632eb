"""Whether this process's writes are succeeding, for ``/healthz``.

Every write transaction reports its outcome here (``Database.begin`` and the loop writer's
commit). When the latest one failed, within the last ``RECENT_S`` seconds, the database is
reachable but writes fail — a full disk, a lock nobody releases, a read-only file — and
``/healthz`` says ``degraded`` with the reason. The reason is a short phrase, never the
driver's message (which may name files on the database server).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

RECENT_S = 60.0
REASONS = (  # (what the driver's message contains, what /healthz says)
    ("full", "the disk or the database is full"),
    ("no space", "the disk or the database is full"),
    ("locked", "the database is locked by another writer"),
    ("read-only", "the database is read-only"),
    ("readonly", "the database is read-only"),
)
LOCKED = "the database is locked by another writer"


def reason_of(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).lower()
    for needle, reason in REASONS:
        if needle in message:
            return reason
    return f"writes fail ({type(getattr(exc, 'orig', None) or exc).__name__})"


@dataclass
class WriteHealth:
    _ok_at: float = field(default_factory=time.monotonic)
    _failed_at: float | None = None
    _reason: str = ""

    def ok(self) -> None:
        self._ok_at = time.monotonic()

    def failed(self, reason: str) -> None:
        self._failed_at = time.monotonic()
        self._reason = reason

    def problem(self) -> str | None:
        """The reason writes fail, when the latest write failed recently; else None."""
        failed = self._failed_at
        if failed is None or failed < self._ok_at or time.monotonic() - failed > RECENT_S:
            return None
        return self._reason

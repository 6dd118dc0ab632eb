"""What the notifier's parts share: its settings and services, and the unsubscribe key."""

from __future__ import annotations

from dataclasses import InitVar, dataclass

from rejoinder.core.anonymize import Hasher
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.tokens import TokenKey
from rejoinder.notify.digest import DailyDigest
from rejoinder.notify.mail import Mailer
from rejoinder.notify.webhook import WebhookSender
from rejoinder.storage.db import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifyConfig:
    public_url: str
    digest_minutes: int = 60
    max_per_hour: int = 10
    max_attempts: int = 6
    backoff_s: float = 30.0


@dataclass(eq=False, repr=False)
class NotifierBase:
    """The services every part runs on; ``notifier.Notifier`` adds the parts."""

    db: Database
    hasher: Hasher
    mailer: Mailer
    sender: WebhookSender
    secret: InitVar[bytes]
    config: NotifyConfig
    clock: Clock = utcnow
    digest: DailyDigest | None = None  # the moderators' daily digest (``notify/digest.py``)

    def __post_init__(self, secret: bytes) -> None:
        self._key = TokenKey(secret, b"rejoinder-unsubscribe-v1")  # the one token signer
        self.public_url = self.config.public_url.rstrip("/")

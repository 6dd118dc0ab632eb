"""Sending plain-text mail: over SMTP, or into a development outbox directory.

``build_mailer`` picks the SMTP mailer when ``smtp_host`` is set, else the outbox, which writes
each message as one ``.eml`` file (mode 0600) into ``<data_dir>/outbox`` — readable with any
mail client, and what the tests read. Privacy links use it today; moderation notifications
will reuse it.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import message_from_binary_file, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from rejoinder.core.clock import Clock, utcnow
from rejoinder.errors import MailFailed

log = logging.getLogger(__name__)

OUTBOX_SUFFIX = ".eml"


@dataclass(frozen=True, slots=True)
class MailMessage:
    to: str
    subject: str
    body: str  # plain text
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, e.g. List-Unsubscribe


class Mailer(Protocol):
    def send(self, message: MailMessage) -> None:
        """Deliver one message or raise MailFailed."""


def build_email(message: MailMessage, from_addr: str, now: datetime) -> EmailMessage:
    """A standard plain-text message; header injection is refused by ``email.policy``."""
    mail = EmailMessage(policy=policy.SMTP)
    try:
        mail["From"] = from_addr
        mail["To"] = message.to
        mail["Subject"] = message.subject
        for name, value in message.headers:
            mail[name] = value
    except ValueError as exc:  # CR/LF in a header value
        raise MailFailed("refused a malformed mail header") from exc
    mail["Date"] = format_datetime(now)
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "localhost"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Auto-Submitted"] = "auto-generated"
    # Plain 7bit keeps links on one unbroken line for every reader of the raw message.
    plain = message.body.isascii() and max(map(len, message.body.splitlines() or [""])) <= 900
    mail.set_content(message.body, cte="7bit" if plain else "quoted-printable")
    return mail


class OutboxMailer:
    """Development delivery: one ``.eml`` file per message in a directory."""

    def __init__(self, directory: Path, from_addr: str, clock: Clock = utcnow):
        self.directory = directory
        self.from_addr = from_addr
        self.clock = clock

    def send(self, message: MailMessage) -> None:
        now = self.clock()
        data = build_email(message, self.from_addr, now).as_bytes()
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        tmp = self.directory / f".{name}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.directory / f"{name}{OUTBOX_SUFFIX}")
        except OSError as exc:
            raise MailFailed(f"cannot write to the outbox: {exc.strerror}") from exc

    def messages(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"*{OUTBOX_SUFFIX}"))

    def purge(self, cutoff: datetime, dry_run: bool) -> int:
        """Remove messages written before ``cutoff``."""
        old = [p for p in self.messages() if p.stat().st_mtime < cutoff.timestamp()]
        if not dry_run:
            for path in old:
                path.unlink(missing_ok=True)
        return len(old)

    def remove_matching(self, recipient_matches: Callable[[str], bool]) -> int:
        """Remove every message whose recipient matches (part of erasing an address)."""
        removed = 0
        for path in self.messages():
            with path.open("rb") as fh:
                parsed = message_from_binary_file(fh, policy=policy.default)
            recipient = parseaddr(str(parsed.get("To", "")))[1].strip().lower()
            if recipient and recipient_matches(recipient):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    timeout_s: float
    from_addr: str


class SmtpMailer:
    """Delivery through an SMTP server, with STARTTLS and login when configured."""

    def __init__(
        self,
        config: SmtpConfig,
        clock: Clock = utcnow,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.config = config
        self.clock = clock
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: MailMessage) -> None:
        cfg = self.config
        mail = build_email(message, cfg.from_addr, self.clock())
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s) as smtp:
                smtp.ehlo()
                if cfg.starttls:
                    smtp.starttls(context=self.ssl_context)
                    smtp.ehlo()
                if cfg.user:
                    smtp.login(cfg.user, cfg.password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            # The server's reply may quote the recipient: log only the kind of failure.
            log.warning("mail not sent: %s", type(exc).__name__)
            raise MailFailed(f"mail server refused or unreachable ({type(exc).__name__})") from exc

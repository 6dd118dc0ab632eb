"""The mailer: the development outbox on disk, and SMTP against a real server (aiosmtpd)."""

from __future__ import annotations

import os
import shutil
import ssl
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from rejoinder.errors import MailFailed
from rejoinder.notify.mail import MailMessage, OutboxMailer, SmtpConfig, SmtpMailer
from rejoinder.services import build_mailer
from rejoinder.settings import describe, load_settings
from tests.privacy.support import START, FakeClock
from tests.support.server import free_port

LINK = "https://comments.example.org/privacy/link/" + "a" * 32 + ".1790000000." + "b" * 32
MESSAGE = MailMessage("reader@example.org", "Your data", f"Open this link:\n\n{LINK}\n")


def test_outbox_writes_one_private_eml_per_message(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox", "rejoinder@example.org", FakeClock())
    outbox.send(MESSAGE)
    outbox.send(MailMessage("other@example.org", "Hi", "Hello\n"))
    files = outbox.messages()
    assert len(files) == 2
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    (raw,) = [f.read_bytes() for f in files if b"reader@example.org" in f.read_bytes()]
    assert LINK.encode() in raw  # on one unbroken line, readable in the raw file
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["From"] == "rejoinder@example.org" and mail["Subject"] == "Your data"
    assert mail["Message-ID"] and mail["Date"] and mail.get_content_type() == "text/plain"
    assert not list((tmp_path / "outbox").glob(".*.tmp"))


def test_header_injection_is_refused(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox", "rejoinder@example.org")
    with pytest.raises(MailFailed):
        outbox.send(MailMessage("a@example.org\r\nBcc: victim@example.org", "x", "y"))
    with pytest.raises(MailFailed):
        outbox.send(MailMessage("a@example.org", "x\nBcc: victim@example.org", "y"))
    assert outbox.messages() == []


def test_outbox_purge_and_remove_matching(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox", "rejoinder@example.org")
    outbox.send(MESSAGE)
    outbox.send(MailMessage("Keep@Example.org", "x", "y\n"))
    (old,) = [f for f in outbox.messages() if b"reader@example.org" in f.read_bytes()]
    week_ago = (START - timedelta(days=8)).timestamp()
    os.utime(old, (week_ago, week_ago))
    assert outbox.purge(START - timedelta(days=7), dry_run=True) == 1
    assert len(outbox.messages()) == 2
    assert outbox.purge(START - timedelta(days=7), dry_run=False) == 1
    assert len(outbox.messages()) == 1
    assert outbox.remove_matching(lambda to: to == "nobody@example.org") == 0
    assert outbox.remove_matching(lambda to: to == "keep@example.org") == 1  # lower-cased
    assert outbox.messages() == []


@dataclass
class Received:
    messages: list[bytes] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        self.tls.append(session.ssl is not None)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mech: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret", auth_data=data)


def smtp_server(received: Received, **kwargs: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(
        received, hostname="127.0.0.1", port=port, authenticator=received.authenticate, **kwargs
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def config(port: int, **overrides: Any) -> SmtpConfig:
    base = {"host": "127.0.0.1", "port": port, "user": "", "password": "", "starttls": False,
            "timeout_s": 5.0, "from_addr": "rejoinder@example.org"}  # fmt: skip
    return SmtpConfig(**{**base, **overrides})


def test_smtp_with_login(tmp_path: Path) -> None:
    received = Received()
    for port in smtp_server(received, auth_require_tls=False):
        SmtpMailer(config(port, user="mailer", password="s3cret")).send(MESSAGE)
        with pytest.raises(MailFailed):
            SmtpMailer(config(port, user="mailer", password="wrong", timeout_s=1.0)).send(MESSAGE)
    assert received.logins == [(b"mailer", b"s3cret"), (b"mailer", b"wrong")]
    (raw,) = received.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "reader@example.org" and LINK in mail.get_content()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    assert openssl, "openssl is installed by scripts/test-deps.sh"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_smtp_starttls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    received = Received()
    for port in smtp_server(received, tls_context=server_tls, require_starttls=True):
        mailer = SmtpMailer(
            config(port, starttls=True, user="mailer", password="s3cret"),
            ssl_context=client_tls,
        )
        mailer.send(MESSAGE)
        with pytest.raises(MailFailed):  # the default context does not trust the test cert
            SmtpMailer(config(port, starttls=True)).send(MESSAGE)
        with pytest.raises(MailFailed):  # the server insists on STARTTLS
            SmtpMailer(config(port, starttls=False)).send(MESSAGE)
    assert received.tls == [True] and len(received.messages) == 1
    assert received.logins == [(b"mailer", b"s3cret")]


def test_unreachable_server_is_mail_failed_and_logs_no_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(MailFailed):
        SmtpMailer(config(free_port(), timeout_s=2.0)).send(MESSAGE)
    assert "reader@example.org" not in caplog.text


def test_build_mailer_and_masked_password(tmp_path: Path) -> None:
    env = {"REJOINDER_DATA_DIR": str(tmp_path)}
    assert isinstance(build_mailer(load_settings(env), FakeClock()), OutboxMailer)
    smtp_env = {**env, "REJOINDER_SMTP_HOST": "mail.example.net", "REJOINDER_SMTP_PASSWORD": "pw9"}
    settings = load_settings(smtp_env)
    assert isinstance(build_mailer(settings, FakeClock()), SmtpMailer)
    rows = {name: value for name, value, _env in describe(settings)}
    assert rows["smtp_password"] == "***" and "pw9" not in str(rows)

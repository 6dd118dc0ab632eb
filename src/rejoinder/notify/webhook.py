"""Signed webhook requests, with the SSRF guard of security case D7.

A target is resolved first; if any of its addresses is loopback, private (RFC 1918), link-local
(169.254/16, fe80::/10), unique-local (fc00::/7), multicast, reserved or unspecified, it is
refused unless the operator set ``webhook_allow_private``. The request then goes to the address
that was checked (the Host header and TLS name stay the target's), so a DNS answer that changes
between check and connect (rebinding) cannot redirect it. Redirects are not followed.

Each request carries ``X-Rejoinder-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<timestamp>.<body>`` with the webhook's secret, and ``X-Rejoinder-Timestamp``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from rejoinder.errors import ValidationFailed

Resolver = Callable[[str, int], list[str]]
SIGNATURE_HEADER = "X-Rejoinder-Signature"
TIMESTAMP_HEADER = "X-Rejoinder-Timestamp"
MAX_URL = 2000


class TargetRefused(Exception):
    """The webhook target is not allowed (an address on a private network, or unparsable)."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    ok: bool


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"cannot resolve {host}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url: str) -> str:
    """A webhook URL as stored: http(s), a host, no credentials; raises ValidationFailed."""
    value = url.strip()
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ValidationFailed("The webhook URL is not a valid URL.") from None
    if len(value) > MAX_URL or parts.scheme not in ("http", "https") or not host:
        raise ValidationFailed("A webhook URL must be http:// or https:// with a host.")
    if parts.username or parts.password or any(c.isspace() or ord(c) < 32 for c in value):
        raise ValidationFailed(
            "A webhook URL must not carry credentials, spaces or control characters."
        )
    return value


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    def __init__(self, allow_private: bool, timeout_s: float, resolver: Resolver = system_resolver):
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        self.resolver = resolver

    def pinned(self, url: str) -> tuple[str, str, str]:
        """(URL with the checked address, Host header, TLS server name); TargetRefused if not
        allowed."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            literal = ipaddress.ip_address(host)
            addresses = [str(literal)]
        except ValueError:
            addresses = self.resolver(host, port)
        if not addresses:
            raise TargetRefused(f"{host} has no address")
        if not self.allow_private:
            bad = [a for a in addresses if not is_public(a)]
            if bad:
                raise TargetRefused(
                    f"{host} resolves to a private, loopback or link-local address; "
                    "set webhook_allow_private to allow it"
                )
        chosen = addresses[0]
        netloc = f"[{chosen}]" if ":" in chosen else chosen
        if parts.port:
            netloc += f":{parts.port}"
        host_header = parts.netloc.rsplit("@", 1)[-1]
        return (
            urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
            host_header,
            host,
        )

    def post(
        self, url: str, secret: str, body: bytes, timestamp: str, event: str, delivery: int
    ) -> Reply:
        target, host_header, server_name = self.pinned(url)
        headers = {
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": "rejoinder-webhook/1",
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            TIMESTAMP_HEADER: timestamp,
            "X-Rejoinder-Event": event,
            "X-Rejoinder-Delivery": str(delivery),
        }
        with httpx.Client(
            timeout=self.timeout_s, follow_redirects=False, trust_env=False
        ) as client:
            response = client.post(
                target, content=body, headers=headers, extensions={"sni_hostname": server_name}
            )
        return Reply(response.status_code, 200 <= response.status_code < 300)

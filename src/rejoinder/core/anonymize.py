"""Keyed hashes and coarse forms: what is stored instead of raw IPs, user agents and referrers.

A raw IP address, user agent or referrer URL never leaves this module's callers' memory:
storage receives only HMAC-SHA256 digests keyed with the instance secret, truncated network
prefixes for display, a coarse browser family, and a referrer host.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import secrets
import stat
from pathlib import Path

from rejoinder.core.urls import url_host
from rejoinder.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
PREFIX_V4 = 24
PREFIX_V6 = 48
SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """Read the instance secret, creating it (mode 0600) on first use."""
    if path.exists():
        data = path.read_bytes().strip()
        try:
            return bytes.fromhex(data.decode("ascii"))
        except ValueError as exc:
            raise ConfigError(f"instance secret {path} is not hex") from exc
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_bytes(SECRET_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as fh:
        fh.write(value.hex())
    return value


_MASK_V4 = ((1 << PREFIX_V4) - 1) << (32 - PREFIX_V4)
_MASK_V6 = ((1 << PREFIX_V6) - 1) << (128 - PREFIX_V6)


def network_of(addr: IPAddress) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The /24 (IPv4) or /48 (IPv6) network an address belongs to."""
    if addr.version == 4:
        return ipaddress.IPv4Network((int(addr) & _MASK_V4, PREFIX_V4))
    return ipaddress.IPv6Network((int(addr) & _MASK_V6, PREFIX_V6))


def truncated(addr: IPAddress | None) -> str:
    """What a moderator sees: the network, e.g. ``203.0.113.0/24``."""
    if addr is None:
        return ""
    if addr.version == 4 and PREFIX_V4 == 24:  # str(network_of(addr)), without building it
        a, b, c, _ = addr.packed
        return f"{a}.{b}.{c}.0/24"
    return str(network_of(addr))


def _hmac_pads(secret: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """SHA-256 states after the inner and outer key blocks of HMAC (RFC 2104): a digest is
    then two state copies and two short updates, the same bytes as ``hmac.new``."""
    block = hashlib.sha256().block_size
    key = hashlib.sha256(secret).digest() if len(secret) > block else secret
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


class Hasher:
    """Keyed hashes (HMAC-SHA256) of personal values, stable for one instance secret."""

    def __init__(self, secret: bytes):
        self._inner, self._outer = _hmac_pads(secret)

    def digest(self, kind: str, value: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{kind}\x00{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:32]

    def ip(self, addr: IPAddress | None) -> str | None:
        return self.digest("ip", addr.compressed) if addr is not None else None

    def ip_prefix(self, addr: IPAddress | None) -> str | None:
        return self.digest("net", truncated(addr)) if addr is not None else None

    def email(self, email: str) -> str | None:
        value = email.strip().lower()
        return self.digest("email", value) if value else None


_UA_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_UA_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux|X11")),
)
_UA_SCRIPTS = re.compile(
    r"(?i)curl|wget|python|java/|go-http|okhttp|libwww|perl|ruby|php|httpclient|axios|node|scrapy|bot|spider|crawl"
)


def ua_family(user_agent: str) -> str:
    """A coarse family such as "Firefox on Linux", "script" or "" — never the raw string."""
    ua = user_agent[:1000]
    if not ua.strip():
        return ""
    if "Mozilla" not in ua and _UA_SCRIPTS.search(ua):  # the cheap test first
        return "script"
    browser = next((name for name, rx in _UA_BROWSERS if rx.search(ua)), "other browser")
    system = next((name for name, rx in _UA_SYSTEMS if rx.search(ua)), "")
    return f"{browser} on {system}" if system else browser


def referrer_host(referrer: str) -> str:
    """Only the host of a referrer is kept."""
    return url_host(referrer)[:255] if referrer.strip() else ""

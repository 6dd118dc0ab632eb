"""The client's address: the TCP peer, or X-Forwarded-For when the peer is a trusted proxy.

The address lives only in memory; callers hand it to ``privacy.anonymize`` before storing
anything derived from it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

from rejoinder.errors import ConfigError
from rejoinder.spam.submission import parse_ip

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(text: str) -> tuple[IPNetwork, ...]:
    """``trusted_proxies`` ("10.0.0.1, 192.168.0.0/16") as networks."""
    networks: list[IPNetwork] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise ConfigError(f"trusted_proxies: not an IP or network: {part.strip()!r}") from exc
    return tuple(networks)


def _trusted(addr: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    return any(addr.version == net.version and addr in net for net in trusted)


def client_address(request: Request, trusted: Sequence[IPNetwork]) -> IPAddress | None:
    peer = parse_ip(request.client.host if request.client else None)
    if peer is None or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        addr = parse_ip(hop)
        if addr is None:
            return peer
        if not _trusted(addr, trusted):
            return addr
    return peer

"""Who the client is: the TCP peer, or — only behind a trusted proxy — X-Forwarded-For.

``trusted_proxies`` (default none) lists the proxies whose header is believed; a spoofed header
from anyone else is ignored (D13). Addresses parse with ``[v6]:port`` and ``v4:port`` forms (D12).
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from rejoinder.core.anonymize import IPAddress
from rejoinder.errors import ConfigError
from rejoinder.spam.submission import parse_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_HOPS = 20


def parse_networks(spec: str) -> tuple[Network, ...]:
    nets: list[Network] = []
    for part in spec.split(","):
        text = part.strip()
        if not text:
            continue
        try:
            nets.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(f"trusted_proxies: not an IP or network: {text!r}") from exc
    return tuple(nets)


class ClientAddress:
    def __init__(self, trusted_proxies: str = ""):
        self.trusted = parse_networks(trusted_proxies)

    def _is_trusted(self, addr: IPAddress | None) -> bool:
        return addr is not None and any(addr in net for net in self.trusted)

    def of(self, request: Request) -> IPAddress | None:
        peer = parse_ip(request.client.host) if request.client else None
        if not self._is_trusted(peer):
            return peer
        hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops[-MAX_FORWARDED_HOPS:]):
            addr = parse_ip(hop)
            if addr is None:
                return peer  # a garbled header from behind our proxy: trust only the proxy
            if not self._is_trusted(addr):
                return addr
        return peer

"""URL helpers shared by the spam engine, privacy and moderation: a URL's host, with or without
``www.``."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


def with_scheme(url: str) -> str:
    """The URL with ``http:`` in front when it has no scheme (``//host/…``, ``host/…``)."""
    candidate = url.strip()
    if candidate.startswith("//"):
        return "http:" + candidate
    if "://" not in candidate[:12]:
        return "http://" + candidate
    return candidate


@lru_cache(maxsize=4096)
def url_host(url: str) -> str:
    """Lower-case host of a URL ('' when it has none); IDNs as punycode."""
    candidate = with_scheme(url)
    try:
        host = (urlsplit(candidate[:2100]).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return host
    return host


def bare_host(url: str) -> str:
    """:func:`url_host` without a leading ``www.`` ('' when the URL has no host)."""
    return url_host(url).removeprefix("www.")

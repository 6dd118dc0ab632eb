"""Request guards shared by the JSON API and the no-JS pages.

- State-changing API calls take only ``application/json`` bodies (a cross-site ``<form>`` can
  send only urlencoded, multipart or text/plain: D2) and check ``Origin`` against the site.
- CORS: the API answers preflights and adds ``Access-Control-Allow-Origin`` for the origins some
  site allows (each call still checks its own site).
- A path with control characters (NUL, CR, LF) is refused with 400 before routing (D8).
- Every response carries ``X-Content-Type-Options: nosniff``; API responses are ``noindex`` (D10,
  D17).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rejoinder.errors import Forbidden, RejoinderError, UnsupportedMediaType

API_PREFIX = "/api/"
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
ALLOWED_HEADERS = "Content-Type, X-Rejoinder-Own"
ORIGINS_TTL_S = 5.0
CONTROL_CHARS = frozenset(chr(c) for c in [*range(0x20), 0x7F])
BAD_PATH_BODY = b'{"error":{"code":"bad_request","message":"Invalid characters in the URL path."}}'
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
log = logging.getLogger(__name__)


async def require_json(request: Request) -> None:
    """FastAPI dependency: refuse any body that is not application/json with 415."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")


INVALID_ORIGIN = "invalid:"  # what an unparsable Referer names: no allowed origin


def origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(
    request: Request,
    allowed: Collection[str],
    *,
    referer_too: bool = False,
    required: bool = False,
    refused: RejoinderError | None = None,
) -> None:
    """The one Origin policy (the widget's API, the no-JS form, /privacy and /admin forms):
    403 (``refused``, else Forbidden) when the request names an origin not in ``allowed``.

    ``referer_too``: without an Origin, the Referer's origin counts (an unparsable Referer names
    no allowed origin). ``required``: a request naming neither is refused too; otherwise it is
    accepted (not a browser)."""
    origin = request.headers.get("origin")
    if origin is None and referer_too:
        referer = request.headers.get("referer")
        if referer:
            origin = origin_of(referer) or INVALID_ORIGIN
    if origin is None and not required:
        return
    if origin is None or origin.strip().lower().rstrip("/") not in allowed:
        raise refused or Forbidden("This request comes from an origin this site does not allow.")


def own_origins(request: Request, public_url: str) -> frozenset[str]:
    """This server's origins: as the request reached it, and its public URL."""
    return frozenset(o for o in (own_origin(request), origin_of(public_url)) if o)


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}".lower()


class SecurityHeadersMiddleware:
    """The one place security headers are set: every response the app sends passes here — the
    routes' answers, the error renderer's (500 included: ``handlers.LastResort`` answers inside
    this middleware), the body limit's 413, the refused path, the preflight. nosniff on
    everything; CORS and noindex on the API."""

    def __init__(self, app: ASGIApp, allowed_origins: Callable[[], frozenset[str]]):
        self.app = app
        self._load = allowed_origins
        self._origins: frozenset[str] = frozenset()
        self._loaded_at = -ORIGINS_TTL_S

    async def _allowed(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._loaded_at > ORIGINS_TTL_S:
            try:
                self._origins = await run_in_threadpool(self._load)
            except Exception:  # storage down: keep the last known origins, answer anyway
                log.warning("could not load the allowed origins; keeping the last known")
            self._loaded_at = now
        return self._origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(API_PREFIX)
        origin = Headers(scope=scope).get("origin") if is_api else None
        bad_path = not CONTROL_CHARS.isdisjoint(scope["path"])
        cors_ok = (
            not bad_path
            and origin is not None
            and origin.lower().rstrip("/") in await self._allowed()
        )

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if is_api:
                    headers["X-Robots-Tag"] = "noindex"
                    headers.append("Vary", "Origin")
                    if cors_ok and origin is not None:
                        headers["Access-Control-Allow-Origin"] = origin
            await send(message)

        if bad_path:  # NUL, CR/LF…: no route takes them (D8)
            await self._bad_path(add_headers)
        elif is_api and scope["method"] == "OPTIONS":
            await self._preflight(add_headers, origin if cors_ok else None)
        else:
            await self.app(scope, receive, add_headers)

    @staticmethod
    async def _bad_path(send: Send) -> None:
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": BAD_PATH_BODY})

    @staticmethod
    async def _preflight(send: Send, origin: str | None) -> None:
        headers: list[tuple[bytes, bytes]] = []
        status = 403
        if origin is not None:
            status = 204
            headers += [
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

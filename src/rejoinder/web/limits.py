"""Request body limits, enforced before anything parses a body, for every content type.

A body announced larger than the limit (``Content-Length``) is answered 413 at once, without
reading it; a body without a length (chunked) is counted while it is read, and the read that
crosses the limit raises ``BodyTooLarge``, which the error renderer answers with 413 and
``Connection: close``. Nothing is buffered beyond the limit, so a 200 MB body costs no memory.

A body must also arrive within ``body_timeout_s`` of the first read: a client that trickles it
(a byte every few seconds) gets 408 and its connection is closed, so slow bodies cannot hold
connections for long. Neither HTTP server has a body-read timeout of its own.

The Akismet endpoints take ``max_body_bytes`` (their clients send long comments with their
context); everything else — the JSON API, the comment forms, the admin and privacy pages —
``max_api_body_bytes``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rejoinder.core.inputs import parse_id
from rejoinder.errors import ErrorCode
from rejoinder.web.handlers import AKISMET_PREFIXES, app_path, render

CLOSE = {"Connection": "close"}


class BodyTooLarge(HTTPException):
    """Raised by ``receive`` when the body read so far is over the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit), headers=dict(CLOSE))


class BodyTooSlow(HTTPException):
    """Raised by ``receive`` when the body has not arrived within the body timeout."""

    def __init__(self, seconds: float) -> None:
        message = f"The request body did not arrive within {seconds:g} seconds."
        super().__init__(408, message, headers=dict(CLOSE))


def too_large_message(limit: int) -> str:
    return f"The request body is over {limit} bytes."


@dataclass(frozen=True, slots=True)
class BodyLimits:
    akismet: int
    other: int
    timeout_s: float = 15.0

    def for_path(self, path: str) -> int:
        return self.akismet if path.startswith(AKISMET_PREFIXES) else self.other


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(app_path(scope))
        declared = parse_id(Headers(scope=scope).get("content-length", ""))
        if declared is not None and declared > limit:
            request = Request(scope, receive)
            response = render(
                request, 413, ErrorCode.TOO_LARGE.value, too_large_message(limit), dict(CLOSE)
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit, self.limits.timeout_s), send)


def _counting(receive: Receive, limit: int, timeout_s: float) -> Receive:
    seen = 0
    complete = False
    deadline: float | None = None

    async def counted() -> Message:
        nonlocal seen, complete, deadline
        if complete:  # after the body only a disconnect comes, whenever it comes
            return await receive()
        loop = asyncio.get_running_loop()
        deadline = deadline or loop.time() + timeout_s
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise BodyTooSlow(timeout_s) from None
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted

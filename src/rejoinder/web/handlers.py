"""The only place errors become responses. Nothing escapes as a bare 500 page."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from rejoinder.errors import (
    ErrorCode,
    PayloadTooLarge,
    RateLimited,
    RejoinderError,
    StorageUnavailable,
)

log = logging.getLogger(__name__)
AKISMET_PREFIXES = ("/1.1/", "/1.2/")


def _is_akismet(request: Request) -> bool:
    return request.url.path.startswith(AKISMET_PREFIXES)


def render(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_akismet(request):
        hdrs = dict(headers or {})
        if status < 500 and status != 413:
            hdrs["X-akismet-debug-help"] = message
            return PlainTextResponse("invalid", status_code=200, headers=hdrs)
        return PlainTextResponse(message, status_code=status, headers=hdrs)
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


async def rejoinder_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RejoinderError)
    headers: dict[str, str] = {}
    if isinstance(exc, StorageUnavailable | RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, PayloadTooLarge):
        headers["Connection"] = "close"
    return render(request, exc.status, exc.code.value, exc.message, headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.BAD_REQUEST}.get(
        exc.status_code, ErrorCode.BAD_REQUEST
    )
    return render(request, exc.status_code, code.value, str(exc.detail), dict(exc.headers or {}))


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection before its body arrived: nobody is left to answer."""
    log.debug("client disconnected during %s", request.url.path.encode("unicode_escape"))
    return Response(status_code=400)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception(
        "unexpected error on %s", request.url.path.encode("unicode_escape").decode("ascii")
    )
    return render(request, 500, ErrorCode.INTERNAL.value, "internal error")


HANDLERS = {
    RejoinderError: rejoinder_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    Exception: unexpected_error,
}
